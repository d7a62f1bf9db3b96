"""The %%hydroml recipe cell: its grammar, all or nothing, and re-running it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

import hydroml_jupyter as hj
from hydroml_jupyter.engine.ops import describe
from hydroml_jupyter.magics.context import Context
from hydroml_jupyter.magics.recipe import parse_line, parse_recipe

CUSTOMERS = Path(__file__).resolve().parents[1] / "notebooks" / "data" / "customers.csv"


pytestmark = pytest.mark.usefixtures("magics_env")


@pytest.fixture
def customers(ctx: Context) -> hj.Session:
    session = hj.open(CUSTOMERS)
    ctx.use(session)
    return session


def recipe(shell: InteractiveShell, cell: str, line: str = "recipe") -> str:
    """Run ``%%hydroml recipe`` with ``cell``; return what it printed."""
    with capture_output() as cap:
        shell.run_cell_magic("hydroml", line, cell)
    return cap.stdout


def state(session: hj.Session) -> tuple[int, int, list[str], pd.DataFrame]:
    return session.version, session.position, [s.label for s in session.history], session.df


def assert_unchanged(session: hj.Session, before: tuple) -> None:
    _, position, labels, frame = before
    assert session.position == position
    assert [s.label for s in session.history] == labels
    pd.testing.assert_frame_equal(session.df, frame)


# -- grammar ----------------------------------------------------------------------------
SHORT = [
    ("rename a -> b", "rename", {"columns": {"a": "b"}}),
    (
        "rename \"Customer ID\" -> id, ' Name'->name",
        "rename",
        {"columns": {"Customer ID": "id", " Name": "name"}},
    ),
    ("drop_columns a b", "drop_columns", {"columns": ["a", "b"]}),
    ("drop_columns a, 'b c'", "drop_columns", {"columns": ["a", "b c"]}),
    ("cast price float64", "cast", {"column": "price", "dtype": "float64"}),
    (
        "cast day datetime64[ns] --format %d/%m/%Y --errors coerce",
        "cast",
        {"column": "day", "dtype": "datetime64[ns]", "format": "%d/%m/%Y", "errors": "coerce"},
    ),
    ("fill_missing age median", "fill_missing", {"column": "age", "strategy": "median"}),
    (
        "fill_missing age value 0",
        "fill_missing",
        {"column": "age", "strategy": "value", "value": 0},
    ),
    (
        "fill_missing code value '0'",
        "fill_missing",
        {"column": "code", "strategy": "value", "value": "0"},
    ),
    (
        "fill_missing plan value unknown",
        "fill_missing",
        {"column": "plan", "strategy": "value", "value": "unknown"},
    ),
    ("drop_missing", "drop_missing", {}),
    ("drop_missing a b --how all", "drop_missing", {"columns": ["a", "b"], "how": "all"}),
    ("filter_rows year >= 2000", "filter_rows", {"column": "year", "op": ">=", "value": 2000}),
    ("filter_rows t < -1.5", "filter_rows", {"column": "t", "op": "<", "value": -1.5}),
    ("filter_rows c == USA", "filter_rows", {"column": "c", "op": "==", "value": "USA"}),
    ("filter_rows c != 'a b'", "filter_rows", {"column": "c", "op": "!=", "value": "a b"}),
    ("filter_rows x between 1 5", "filter_rows", {"column": "x", "op": "between", "value": [1, 5]}),
    (
        "filter_rows x between [1, 5]",
        "filter_rows",
        {"column": "x", "op": "between", "value": [1, 5]},
    ),
    ("filter_rows x in [1, 2]", "filter_rows", {"column": "x", "op": "in", "value": [1, 2]}),
    (
        "filter_rows c not_in a, 'b c', 3",
        "filter_rows",
        {"column": "c", "op": "not_in", "value": ["a", "b c", 3]},
    ),
    ('filter_rows n contains "x"', "filter_rows", {"column": "n", "op": "contains", "value": "x"}),
    (
        "filter_rows n startswith ab",
        "filter_rows",
        {"column": "n", "op": "startswith", "value": "ab"},
    ),
    ("filter_rows n endswith z", "filter_rows", {"column": "n", "op": "endswith", "value": "z"}),
    ("filter_rows n is_null", "filter_rows", {"column": "n", "op": "is_null"}),
    ("filter_rows n not_null", "filter_rows", {"column": "n", "op": "not_null"}),
    ("sort_rows a", "sort_rows", {"by": ["a"], "ascending": True}),
    ("sort_rows a desc, b", "sort_rows", {"by": ["a", "b"], "ascending": [False, True]}),
    ("sort_rows a desc, b desc", "sort_rows", {"by": ["a", "b"], "ascending": False}),
    ("dedupe", "dedupe", {}),
    ("dedupe a b --keep last", "dedupe", {"subset": ["a", "b"], "keep": "last"}),
    (
        'replace city "NYC" -> "New York", LA -> None, 1 -> 2',
        "replace",
        {"column": "city", "mapping": {"NYC": "New York", "LA": None, 1: 2}},
    ),
    ("text name strip", "text", {"column": "name", "action": "strip"}),
    ("formula ratio = a / b", "formula", {"column": "ratio", "expr": "a / b"}),
    ("formula ok=a >= b", "formula", {"column": "ok", "expr": "a >= b"}),
    ("formula 'a b' = round(x, 2)", "formula", {"column": "a b", "expr": "round(x, 2)"}),
    ("one_hot city", "one_hot", {"column": "city"}),
    ("one_hot city --drop-first", "one_hot", {"column": "city", "drop_first": True}),
    ("scale a b", "scale", {"columns": ["a", "b"]}),
    ("scale a --method minmax", "scale", {"columns": ["a"], "method": "minmax"}),
    (
        "group_aggregate by a b: x=sum, y=[mean, max]",
        "group_aggregate",
        {"by": ["a", "b"], "aggs": {"x": "sum", "y": ["mean", "max"]}},
    ),
    (
        "group_aggregate by 'a b' : \"x y\"=count",
        "group_aggregate",
        {"by": ["a b"], "aggs": {"x y": "count"}},
    ),
    (
        "cast column=age dtype=Int64 errors=coerce",
        "cast",
        {"column": "age", "dtype": "Int64", "errors": "coerce"},
    ),
    ("formula column=r expr='a / b'", "formula", {"column": "r", "expr": "a / b"}),
    ("formula r=a/b", "formula", {"column": "r", "expr": "a/b"}),
]


@pytest.mark.parametrize(("line", "op", "params"), SHORT)
def test_short_forms(line: str, op: str, params: dict) -> None:
    assert parse_line(line) == (op, params)


def test_every_operation_has_a_short_form() -> None:
    assert all(describe(op).short_form is not None for op in hj.catalog())


BAD = [
    ("renam a -> b", "unknown operation 'renam' (did you mean 'rename'?)"),
    ("rename a b", "write rename OLD -> NEW"),
    ("drop_columns", "write drop_columns COL"),
    ("cast a", "write cast COL DTYPE"),
    ("cast a Int64 --errors ignore", "--errors must be one of raise, coerce"),
    ("cast a Int64 --bogus x", "unknown option --bogus"),
    ("fill_missing a value", "write fill_missing COL value VALUE"),
    ("fill_missing a", "write fill_missing COL STRATEGY"),
    ("fill_missing a avg", "unknown strategy 'avg'; use one of value mean median mode"),
    ("filter_rows a ~ 3", "unknown comparison '~'"),
    ("filter_rows a between 1", "write filter_rows COL between LOW HIGH"),
    ("filter_rows a is_null 3", "write filter_rows COL is_null"),
    ("filter_rows a > __import__('os')", "a call is not a literal"),
    ("sort_rows a sideways", "asc or desc"),
    ("replace c a", "write replace COL OLD -> NEW"),
    ("formula ratio a / b", "write formula NEW = EXPRESSION"),
    ("group_aggregate a: x=sum", "write group_aggregate by COL"),
    ("group_aggregate by a x=sum", "(a colon ends the columns)"),
    ("text a 'strip", "unclosed quote"),
    ("cast column=a dtype=[1", "unclosed bracket"),
    ("cast column=a dtype=Int64 nope=1", "unknown parameter 'nope'"),
    ("text column=a", "missing parameter 'action'"),
]


@pytest.mark.parametrize(("line", "word"), BAD)
def test_bad_lines_name_the_line(line: str, word: str) -> None:
    with pytest.raises(UsageError) as err:
        parse_recipe(f"# header\n\n{line}\n")
    message = str(err.value)
    assert message.startswith(f"%%hydroml recipe: line 3 ({line}): ")
    assert word in message and "\n" not in message


def test_comments_and_blank_lines() -> None:
    lines = parse_recipe(
        "\n# clean the names\ntext name strip   # spaces\n\n  replace c '#1' -> first\n"
    )
    assert [(ln.number, ln.text) for ln in lines] == [
        (3, "text name strip"),
        (5, "replace c '#1' -> first"),
    ]
    assert lines[1].op.params["mapping"] == {"#1": "first"}


# -- applying ---------------------------------------------------------------------------
CELL = """\
# names first
rename "Customer ID" -> id, " Name" -> name, "Annual Income ($)" -> income
cast Age Int64 --errors coerce
cast Age float64
fill_missing Age median
text Country strip
filter_rows monthly_spend between 0 1000
formula annual = monthly_spend * 12
"""


def test_a_recipe_applies_every_line_as_a_step(shell, ctx, customers) -> None:
    out = recipe(shell, CELL)
    assert out == "customers: recipe applied 7 steps as steps 1 to 7 · 407 rows × 10 columns\n"
    assert [s.op for s in customers.history][1:] == [
        "rename", "cast", "cast", "fill_missing", "text", "filter_rows", "formula",
    ]  # fmt: skip
    assert customers.df["Age"].isna().sum() == 0


def test_a_failing_line_rolls_everything_back(shell, ctx, customers) -> None:
    recipe(shell, "dedupe")
    before = state(customers)
    cell = "text Country strip\ntext plan lower\n# now a typo\ncast Agee Int64\nformula x = 1\n"
    with pytest.raises(UsageError) as err:
        recipe(shell, cell)
    assert str(err.value) == (
        "%%hydroml recipe: line 4 (cast Agee Int64): cast: no column named 'Agee' "
        "(did you mean 'Age'?); nothing was applied"
    )
    assert_unchanged(customers, before)
    assert customers.version == before[0]


def test_a_failing_recipe_keeps_the_redo_branch(shell, ctx, customers) -> None:
    customers.apply("dedupe")
    customers.apply("text", column="Country", action="upper")
    customers.undo()
    before = state(customers)
    with pytest.raises(UsageError, match="line 2"):
        recipe(shell, "text plan lower\ncast Country Int64\n")
    assert_unchanged(customers, before)
    assert customers.can_redo and customers.redo().label == "Upper-case Country"


def test_a_recipe_after_undo_drops_the_undone_steps_like_apply(shell, ctx, customers) -> None:
    customers.apply("dedupe")
    customers.undo()
    recipe(shell, "text plan lower")
    assert [s.op for s in customers.history] == ["original", "text"]
    assert not customers.can_redo


def test_running_the_same_cell_twice_keeps_one_copy(shell, ctx, customers) -> None:
    recipe(shell, CELL)
    first = state(customers)
    out = recipe(shell, CELL)
    assert out == (
        "customers: recipe re-run: replaced its earlier steps 1 to 7 with 7 steps as "
        "steps 1 to 7 · 407 rows × 10 columns\n"
    )
    assert [s.label for s in customers.history] == first[2]
    pd.testing.assert_frame_equal(customers.df, first[3])


def test_a_manual_step_in_between_makes_the_cell_apply_again(shell, ctx, customers) -> None:
    cell = "text Country strip\ntext plan lower"
    recipe(shell, cell)
    with capture_output():
        shell.run_line_magic("hydroml", "apply dedupe")
    out = recipe(shell, cell)
    assert out == (
        "customers: this recipe already ran as steps 1 to 2, which are no longer the "
        "newest steps; applied it again as steps 4 to 5 · 400 rows × 9 columns\n"
    )
    assert [s.op for s in customers.history] == [
        "original",
        "text",
        "text",
        "dedupe",
        "text",
        "text",
    ]
    assert recipe(shell, cell).startswith(
        "customers: recipe re-run: replaced its earlier steps 4 to 5"
    )
    assert len(customers.history) == 6


def test_undoing_part_of_a_recipe_makes_it_apply_again(shell, ctx, customers) -> None:
    recipe(shell, "dedupe")
    recipe(shell, "text plan lower\ntext plan upper")
    customers.undo()
    out = recipe(shell, "text plan lower\ntext plan upper")
    assert "already ran as steps 2 to 3" in out and "again as steps 3 to 4" in out


def test_different_recipes_stack(shell, ctx, customers) -> None:
    recipe(shell, "text plan lower")
    out = recipe(shell, "text Country strip")
    assert out.startswith("customers: recipe applied 1 step as step 2")
    assert len(customers.history) == 3


def test_an_edited_cell_with_a_cell_id_replaces_its_steps(shell, ctx, customers) -> None:
    with capture_output() as cap:
        shell.run_cell("%%hydroml recipe\ntext plan lower\n", store_history=False, cell_id="c1")
        shell.run_cell(
            "%%hydroml recipe\ntext plan upper\ntext Country strip\n",
            store_history=False,
            cell_id="c1",
        )
    assert "replaced its earlier step 1 with 2 steps as steps 1 to 2" in cap.stdout
    assert [s.label for s in customers.history][1:] == [
        "Upper-case plan",
        "Strip spaces in Country",
    ]
    assert ctx.cell_id is None


def test_a_failing_re_run_leaves_the_earlier_steps(shell, ctx, customers) -> None:
    with capture_output():
        shell.run_cell("%%hydroml recipe\ntext plan lower\n", store_history=False, cell_id="c2")
    before = state(customers)
    with capture_output():
        result = shell.run_cell(
            "%%hydroml recipe\ntext plan upper\ncast plan Int64\n",
            store_history=False,
            cell_id="c2",
        )
    assert isinstance(result.error_in_exec, UsageError)
    assert "line 2 (cast plan Int64)" in str(result.error_in_exec)
    assert_unchanged(customers, before)


def test_recipe_on_a_named_session_and_empty_recipes(shell, ctx, customers) -> None:
    other = hj.Session(pd.DataFrame({"a": [" x ", " y"]}), name="other")
    out = recipe(shell, "text a strip", line="recipe --session other")
    assert out.startswith("other: recipe applied 1 step") and other.df["a"].tolist() == ["x", "y"]
    assert ctx.current == "other" and customers.position == 0
    assert recipe(shell, "# nothing\n\n") == "other: the recipe has no steps; nothing applied\n"
    assert other.position == 1


def test_a_recipe_for_a_session_that_was_replaced_starts_fresh(shell, ctx, customers) -> None:
    recipe(shell, "text plan lower")
    fresh = hj.open(CUSTOMERS)
    out = recipe(shell, "text plan lower")
    assert out.startswith("customers: recipe applied 1 step as step 1")
    assert fresh.position == 1
