"""Tab completion of %hydroml lines and %%hydroml recipe cells, through IPython's completer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from conftest import magics_shell
from IPython.core.completer import provisionalcompleter
from IPython.core.interactiveshell import InteractiveShell

import hydroml_jupyter as hj
from hydroml_jupyter.magics.extension import context_of

CUSTOMERS = Path(__file__).resolve().parents[1] / "notebooks" / "data" / "customers.csv"


pytestmark = pytest.mark.usefixtures("magics_env")


@pytest.fixture(scope="module")
def shell() -> Iterator[InteractiveShell]:
    ip = magics_shell()
    before = set(hj.sessions())
    hj.open(CUSTOMERS)
    hj.Session(pd.DataFrame({"x y": [1], 3: [2]}), name="other")
    context = context_of(ip)
    assert context is not None
    context.current = "customers"
    yield ip
    for name, session in hj.sessions().items():
        if name not in before:
            session.close()
    ip.run_line_magic("unload_ext", "hydroml_jupyter")


def complete(shell: InteractiveShell, text: str) -> list[tuple[str, str]]:
    """Return ``(completion, the text it replaces)`` for the cursor at the end of ``text``."""
    with provisionalcompleter():
        found = list(shell.Completer.completions(text, len(text)))
    return [(c.text, text[c.start : c.end]) for c in found]


def texts(shell: InteractiveShell, text: str) -> list[str]:
    return [t for t, _ in complete(shell, text)]


def test_subcommands(shell) -> None:
    assert complete(shell, "%hydroml ap") == [("apply", "ap")]
    every = texts(shell, "%hydroml ")
    assert {"open", "apply", "save-as", "train", "help"} <= set(every)
    assert "recipe" not in every
    assert texts(shell, "%%hydroml re") == ["recipe"]
    assert texts(shell, "result = %hydroml his") == ["history"]
    assert texts(shell, "%hydroml help un") == ["undo"]


def test_session_names(shell) -> None:
    assert complete(shell, "%hydroml use cu") == [("customers", "cu")]
    assert texts(shell, "%hydroml undo --session ") == ["customers", "other"]


def test_options(shell) -> None:
    assert texts(shell, "%hydroml code --") == ["--no-source", "--print", "--session"]
    assert texts(shell, "%hydroml open x.csv --tab") == ["--table"]


def test_operations_and_their_parameters(shell) -> None:
    assert complete(shell, "%hydroml apply fill_") == [("fill_missing", "fill_")]
    assert texts(shell, "%hydroml apply fill_missing ") == [
        "by=",
        "column=",
        "strategy=",
        "value=",
    ]
    assert texts(shell, "%hydroml apply fill_missing column=Age s") == ["strategy="]
    assert texts(shell, "%hydroml apply fill_missing column=Age strategy=me") == [
        "mean",
        "median",
    ]
    assert "'>='" in texts(shell, "%hydroml preview filter_rows column=Age op=")


def test_column_names_of_the_current_session(shell) -> None:
    assert complete(shell, "%hydroml apply fill_missing column=A") == [
        ("'Annual Income ($)'", "A"),
        ("Age", "A"),
    ]
    assert complete(shell, "%hydroml apply fill_missing column='Ann") == [
        ("'Annual Income ($)'", "'Ann")
    ]
    assert complete(shell, "%hydroml apply drop_columns columns=[Age, pl") == [("plan", "pl")]
    assert texts(shell, "%hydroml summary Co") == ["Country"]
    assert complete(shell, '%hydroml summary "Annual') == [('"Annual Income ($)"', '"Annual')]
    assert texts(shell, "%hydroml train ch") == ["churned"]
    assert texts(shell, "%hydroml profile --target ch") == ["churned"]
    assert texts(shell, "%hydroml train churned --model random") == ["random_forest"]


def test_columns_of_the_named_session(shell) -> None:
    assert texts(shell, "%hydroml summary --session other ") == ["'x y'", "3"]


def test_variables_for_studio(shell) -> None:
    shell.user_ns["frame_a"] = pd.DataFrame()
    shell.user_ns["frame_b"] = 3
    try:
        assert texts(shell, "%hydroml studio frame_") == ["frame_a"]
    finally:
        del shell.user_ns["frame_a"], shell.user_ns["frame_b"]


def test_recipe_cells(shell) -> None:
    assert texts(shell, "%%hydroml recipe\nfill_") == ["fill_missing"]
    assert complete(shell, "%%hydroml recipe\ntext plan lower\ncast Ag") == [("Age", "Ag")]
    assert texts(shell, "%%hydroml recipe\ncast Age Int64 --err") == ["--errors"]
    assert texts(shell, "%%hydroml recipe\ncast Age Int64 --errors c") == ["coerce"]
    assert texts(shell, "%%hydroml recipe --session other\ndrop_columns x") == ["'x y'"]
    assert texts(shell, "%%hydroml recipe\ncast Age Int64  # Ag") == []


NUMERIC = ["'Annual Income ($)'", "'Customer ID'", "monthly_spend"]


def test_recipe_cells_offer_what_the_short_form_expects_next(shell) -> None:
    def recipe(line: str) -> list[str]:
        return texts(shell, f"%%hydroml recipe\n{line}")

    # A parameter of a column kind is offered only the columns validation accepts.
    assert recipe("scale ") == NUMERIC
    assert recipe("scale monthly_spend ") == NUMERIC
    assert "monthly_spend" not in recipe("text ") and "plan" in recipe("text ")
    assert recipe("text plan ") == ["lower", "strip", "title", "upper"]
    assert recipe("fill_missing Age me") == ["mean", "median"]
    assert ">=" in recipe("filter_rows Age ") and "between" in recipe("filter_rows Age ")
    assert recipe("sort_rows Age ") == ["asc", "desc"]
    assert recipe("sort_rows Age desc, pl") == ["plan"]
    assert "Int64" in recipe("cast Age ")
    assert recipe("group_aggregate ") == ["by"]
    assert recipe("group_aggregate by plan: Ag") == ["Age"]
    assert complete(shell, "%%hydroml recipe\ngroup_aggregate by plan: Age=me") == [
        ("mean", "me"),
        ("median", "me"),
    ]
    assert recipe("rename Ag") == ["Age"]
    assert recipe("formula annual = month") == ["monthly_spend"]
    assert recipe("cast column=Age dtype=Int") == ["Int16", "Int32", "Int64", "Int8"]
    assert recipe("dedupe plan --keep ") == ["first", "last", "none"]


def test_parameters_of_a_column_kind_offer_those_columns(shell) -> None:
    assert texts(shell, "%hydroml apply scale columns=") == NUMERIC
    assert texts(shell, "%hydroml apply text column=A") == ["Age"]
    assert texts(shell, "%hydroml apply cast column=Age dtype=float") == ["float32", "float64"]
    assert texts(shell, "%hydroml help fill_") == ["fill_missing"]


def test_other_lines_are_left_alone(shell) -> None:
    shell.user_ns["hydroml_value"] = 1
    try:
        assert "hydroml_value" in texts(shell, "hydroml_v")
        assert "print" in texts(shell, "pri")
    finally:
        del shell.user_ns["hydroml_value"]


def test_option_values(shell) -> None:
    assert texts(shell, "%hydroml train churned --task re") == ["regression"]
    assert texts(shell, "%hydroml open x.csv --format pa") == ["parquet"]
    assert "Age" not in texts(shell, "%hydroml train --preset A")
    assert texts(shell, "%hydroml train churned --features Ag") == ["Age"]
