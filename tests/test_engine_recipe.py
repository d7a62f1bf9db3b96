"""Recipes and filter masks against hand-written answers: the whole script of a session saved
from another one, of a recipe loading its source, replay failures naming the step, and
``FilterRows.mask`` (the grid's filters). Added where mutation testing found faults no test
noticed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hydroml_jupyter as hj
from hydroml_jupyter.engine.ops.base import make_operation
from hydroml_jupyter.engine.recipe import Recipe
from hydroml_jupyter.io.source import Source

PARENT_SCRIPT = """\
import numpy as np
import pandas as pd

# `df` holds the frame the session started from.
df = df.copy(deep=False)

# 1. Fill missing a with 0
df['a'] = df['a'].fillna(0)

# Saved as {saved}

# 1. Rename b → B
df = df.rename(columns={{'b': 'B'}})
"""


def parent_and_child() -> tuple[hj.Session, hj.Session]:
    parent = hj.Session(pd.DataFrame({"a": [1.5, None], "b": ["x", "y"]}), name="parent")
    parent.apply("fill_missing", column="a", value=0)
    child = parent.save_as("child")
    child.apply("rename", columns={"b": "B"})
    return parent, child


def test_the_script_of_a_saved_session_runs_its_parent_first() -> None:
    parent, child = parent_and_child()
    assert child.code() == PARENT_SCRIPT.format(saved="'child'")
    unnamed = Recipe(steps=child.recipe().steps, base=parent.recipe())
    assert unnamed.code() == PARENT_SCRIPT.format(saved="a new session")
    # without its source, the script starts from the child's own first frame
    assert child.code(source=False) == (
        "import numpy as np\nimport pandas as pd\n\n"
        "# `df` holds the original frame; it is not modified.\ndf = df.copy(deep=False)\n\n"
        "# 1. Rename b → B\ndf = df.rename(columns={'b': 'B'})\n"
    )
    # the script of the child, run on the parent's first frame, gives the child's frame
    namespace = {"df": pd.DataFrame({"a": [1.5, None], "b": ["x", "y"]})}
    exec(child.code(), namespace)
    pd.testing.assert_frame_equal(namespace["df"], child.df, check_exact=True)
    parent.close()
    child.close()


def test_the_script_of_a_grandchild_names_each_save() -> None:
    parent, child = parent_and_child()
    grandchild = child.save_as("grandchild")
    lines = grandchild.recipe().code(var="frame").splitlines()
    assert lines[:3] == ["import numpy as np", "import pandas as pd", ""]
    assert "# Saved as 'child'" in lines and "# Saved as 'grandchild'" in lines
    assert lines.index("# Saved as 'child'") < lines.index("# Saved as 'grandchild'")
    assert lines[-1] == "# Saved as 'grandchild'"
    assert "frame = frame.rename(columns={'b': 'B'})" in lines
    for session in (parent, child, grandchild):
        session.close()


def test_the_script_of_a_recipe_with_a_source_loads_it() -> None:
    source = Source(kind="sql", url="sqlite:///f.db", table="t")
    recipe = Recipe(steps=(make_operation("drop_columns", {"columns": ["x"]}),), source=source)
    assert recipe.code(var="d") == (
        "import numpy as np\nimport pandas as pd\nimport sqlalchemy as sa\n\n"
        + source.code("d")
        + "\n\n# 1. Drop x\nd = d.drop(columns=['x'])\n"
    )
    child = Recipe(steps=(), base=recipe, name="c")
    assert child.code(var="d").splitlines()[:4] == [
        "import numpy as np",
        "import pandas as pd",
        "import sqlalchemy as sa",
        "",
    ]


def test_a_replay_failure_names_the_step_and_keeps_the_fault() -> None:
    recipe = Recipe(
        steps=(
            make_operation("fill_missing", {"column": "a", "value": 0}),
            make_operation("cast", {"column": "a", "dtype": "int8"}),
        )
    )
    with pytest.raises(hj.OperationError) as info:
        recipe.apply(pd.DataFrame({"a": [1.0, 300.0]}))
    assert str(info.value) == (
        "step 2 (Cast a to int8): cast: 300.0 (row 1) in 'a' does not fit in int8"
    )
    assert (info.value.op, info.value.column, info.value.value) == ("cast", "a", 300.0)


# -- FilterRows.mask -------------------------------------------------------------------------
def mask(df: pd.DataFrame, **params: object) -> np.ndarray:
    return make_operation("filter_rows", params).mask(df)


def test_mask_is_one_bool_per_row_missing_values_false() -> None:
    df = pd.DataFrame({"x": pd.array([1, None, 3], dtype="Int64"), "t": ["a", None, "b"]})
    got = mask(df, column="x", op=">=", value=1)
    assert got.dtype == bool and got.tolist() == [True, False, True]
    assert mask(df, column="x", op="!=", value=1).tolist() == [False, False, True]
    assert mask(df, column="t", op="is_null").tolist() == [False, True, False]
    assert mask(df, column="t", op="contains", value="").tolist() == [True, False, True]


def test_mask_refuses_what_apply_refuses_naming_column_and_value() -> None:
    df = pd.DataFrame({"x": [1.0, 2.0]})
    with pytest.raises(hj.OperationError) as info:
        mask(df, column="x", op=">", value="big")
    assert str(info.value) == "filter_rows: 'big' is not a number, and 'x' is float64"
    with pytest.raises(hj.OperationError, match="no column named 'y'"):
        mask(df, column="y", op=">", value=1)


def test_mask_turns_a_pandas_failure_into_an_operation_error() -> None:
    df = pd.DataFrame({"c": pd.Categorical(["a", "b"])})
    with pytest.raises(hj.OperationError) as info:
        mask(df, column="c", op="<", value="b")
    assert str(info.value).startswith("filter_rows: Unordered Categoricals can only compare")
    assert (info.value.column, info.value.value) == ("c", "b")
