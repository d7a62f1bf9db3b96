"""Reshaping beyond the oracle cases: preview notes, recipe lines, and exported code that
does not depend on the data it was made on."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import hydroml_jupyter as hj
from hydroml_jupyter.engine.ops import make_operation
from hydroml_jupyter.magics.recipe import parse_line


def test_pivot_and_melt_explain_the_change_of_shape() -> None:
    df = pd.DataFrame({"g": ["a", "a", "b"], "k": [1, 2, 1], "v": [1.0, 2.0, 3.0]})
    s = hj.Session(df)
    preview = s.preview("pivot", index="g", columns="k", values="v")
    assert preview.notes == ["3 rows → 2 rows × 3 columns (2 from the values of k)"]
    preview = s.preview("melt", id_vars="g", var_name="what")
    assert preview.notes == ["3 rows × 2 melted columns → 6 rows × 3 columns"]
    s.close()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "pivot carrier origin: month -> arr_delay dep_delay --aggfunc median",
            {
                "index": ["carrier", "origin"],
                "columns": "month",
                "values": ["arr_delay", "dep_delay"],
                "aggfunc": "median",
            },
        ),
        (
            "pivot 'unit name': 2020 -> v",
            {"index": ["unit name"], "columns": "2020", "values": ["v"]},
        ),
        ("melt id:", {"id_vars": ["id"]}),
        (
            "melt id day: jan feb --var-name month",
            {"id_vars": ["id", "day"], "value_vars": ["jan", "feb"], "var_name": "month"},
        ),
        ("reorder_columns c a", {"columns": ["c", "a"]}),
        ("sample --frac 0.25 --seed 3", {"frac": 0.25, "seed": 3}),
        ("sample --n 10", {"n": 10}),
    ],
)
def test_recipe_lines(line: str, expected: dict[str, Any]) -> None:
    name, params = parse_line(line)
    assert (name, params) == (line.split(maxsplit=1)[0], expected)
    make_operation(name, params)


FIRST = pd.DataFrame(
    {
        "g": pd.Categorical(["x", "y", "x"], categories=["y", "x", "z"]),
        "k": pd.Series(["2020-01-01", "2020-01-02", None], dtype="datetime64[ns]"),
        "v": [1.0, 2.0, 3.0],
        "w": [1, 2, 3],
    }
)
# Other keys, another category, more rows: the code must not have kept the first keys.
SECOND = pd.DataFrame(
    {
        "g": pd.Categorical(["z", "y", "z", "x"], categories=["y", "x", "z"]),
        "k": pd.Series(["2021-05-05", None, "2021-05-05", "2019-01-01"], dtype="datetime64[ns]"),
        "v": [5.0, np.nan, 7.0, 8.0],
        "w": [4, 5, 6, 7],
    }
)


def test_the_exported_code_reshapes_another_frame_as_the_recipe_does() -> None:
    s = hj.Session(FIRST)
    s.apply("pivot", index="g", columns="k", values=["v", "w"], aggfunc="max")
    pivoted = s.recipe().apply(SECOND)
    keys = ["2019-01-01 00:00:00", "2021-05-05 00:00:00", "NaT"]
    assert pivoted.columns.tolist() == ["g", *(f"{v}_{k}" for v in "vw" for k in keys)]
    assert pivoted["g"].tolist() == ["y", "x", "z"]
    s.apply("melt", id_vars="g", var_name="key", value_name="amount")
    s.apply("reorder_columns", columns=["amount"])
    s.apply("sample", frac=0.5, seed=2)
    replayed = s.recipe().apply(SECOND)
    namespace = {"df": SECOND}
    exec(s.code(source=False), namespace)
    pd.testing.assert_frame_equal(namespace["df"], replayed, check_exact=True)
    assert len(replayed) == 9  # half of 3 rows x 6 melted columns
    s.close()
