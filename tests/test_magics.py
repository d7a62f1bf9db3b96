"""The %hydroml magics in a real InteractiveShell: every subcommand and every usage error."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import hydroml
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

import hydroml_jupyter as hj
from hydroml_jupyter.engine import HistoryView, Preview
from hydroml_jupyter.magics.context import Context
from hydroml_jupyter.magics.extension import context_of

ROOT = Path(__file__).resolve().parents[1]
CUSTOMERS = ROOT / "notebooks" / "data" / "customers.csv"


pytestmark = pytest.mark.usefixtures("magics_env")


@pytest.fixture
def customers(shell: InteractiveShell, ctx: Context) -> hj.Session:
    hydroml(shell, f"open {CUSTOMERS}")
    return hj.session("customers")


# -- usage ------------------------------------------------------------------------------
def test_bare_magic_and_help_print_the_usage_built_from_the_registry(shell, ctx) -> None:
    value, out = hydroml(shell, "")
    assert value is None
    for name in ("open", "apply", "undo", "recipe", "train", "help", "save-as"):
        assert re.search(rf"^  {re.escape(name)}\b", out, re.M), name
    assert hydroml(shell, "help")[1] == out


def test_question_mark_shows_the_same_usage(shell, ctx) -> None:
    with capture_output() as cap:
        result = shell.run_cell("%hydroml?", store_history=False)
    assert result.success
    assert "%hydroml SUBCOMMAND" in cap.stdout
    assert "apply OP key=value" in cap.stdout


@pytest.mark.parametrize("line", ["help apply", "apply --help", "apply -h"])
def test_help_of_one_subcommand(shell, ctx, line: str) -> None:
    _, out = hydroml(shell, line)
    assert out.startswith("usage: %hydroml apply")
    assert "--session NAME" in out
    assert "fill_missing column= [strategy=] [value=]" in out


def test_help_recipe_shows_the_grammar(shell, ctx) -> None:
    _, out = hydroml(shell, "help recipe")
    assert "usage: %%hydroml recipe" in out
    assert "group_aggregate by COL ...: COL=FUNC" in out
    assert "filter_rows COL CMP [VALUE]" in out


# -- open, studio -----------------------------------------------------------------------
def test_open_loads_a_session_and_makes_it_current(shell, ctx) -> None:
    value, out = hydroml(shell, f"open {CUSTOMERS}")
    assert value is None
    assert out == "customers: opened customers.csv (CSV, 25 KB) · 410 rows × 9 columns\n"
    assert ctx.current == "customers"
    assert hj.session("customers").shape == (410, 9)


def test_open_shows_the_studio_unless_autodisplay_is_off(shell, ctx, monkeypatch) -> None:
    from hydroml_jupyter.widgets import Studio

    shown: list[object] = []
    monkeypatch.setattr(ctx, "show", shown.append)
    ctx.config.autodisplay = True
    hydroml(shell, f"open {CUSTOMERS} --name shown")
    assert len(shown) == 1 and isinstance(shown[0], Studio)
    assert shown[0].session is hj.session("shown")
    shown[0].close()
    ctx.config.autodisplay = False
    hydroml(shell, f"open {CUSTOMERS} --name hidden")
    assert len(shown) == 1


def test_open_displays_the_studio_widget(shell, ctx) -> None:
    ctx.config.autodisplay = True
    with capture_output() as cap:
        shell.run_line_magic("hydroml", f"open {CUSTOMERS} --name displayed")
    assert [o for o in cap.outputs if "application/vnd.jupyter.widget-view+json" in o.data]


def test_open_options_names_sheets_sql_and_reader_options(shell, ctx, tmp_path: Path) -> None:
    semi = tmp_path / "semi.csv"
    semi.write_text("a;b\n1;x\n2;y\n")
    hydroml(shell, f"open {semi} --name 'semi colon' sep=';'")
    assert list(hj.session("semi colon").df.columns) == ["a", "b"]
    assert ctx.current == "semi colon"

    book = tmp_path / "book.xlsx"
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"a": [1]}).to_excel(writer, sheet_name="first", index=False)
        pd.DataFrame({"b": [2, 3]}).to_excel(writer, sheet_name="second", index=False)
    hydroml(shell, f"open {book} --sheet 1 --name by_number")
    hydroml(shell, f"open {book} --sheet second --name by_name")
    assert hj.session("by_number").shape == hj.session("by_name").shape == (2, 1)

    db = tmp_path / "shop.db"
    with sqlite3.connect(db) as con:
        pd.DataFrame({"id": [1, 2, 3]}).to_sql("orders", con, index=False)
    url = f"sqlite:///{db}"
    hydroml(shell, f"open {url} --table orders")
    assert hj.session("orders").shape == (3, 1)
    hydroml(shell, f'open {url} --query "SELECT id FROM orders WHERE id > 1" --name big')
    assert hj.session("big").df["id"].tolist() == [2, 3]


def test_open_applies_the_configured_memory_budget(shell, ctx) -> None:
    shell.run_line_magic("config", "HydroML.memory_budget = 2**20")
    try:
        hydroml(shell, f"open {CUSTOMERS}")
        assert hj.session("customers").memory_budget == 2**20
    finally:
        shell.run_line_magic("config", "HydroML.memory_budget = 2 * 1024**3")


def test_studio_of_a_dataframe_or_session_variable(shell, ctx, customers) -> None:
    from hydroml_jupyter.widgets import Studio

    shell.user_ns["frame"] = pd.DataFrame({"a": [1, 2]})
    shell.user_ns["sess"] = customers
    try:
        widget, _ = hydroml(shell, "studio frame")
        assert isinstance(widget, Studio)
        assert ctx.current == widget.session.name
        widget.close()
        widget, _ = hydroml(shell, "studio sess")
        assert isinstance(widget, Studio) and widget.session is customers
        assert ctx.current == "customers"
        widget.close()
        widget, _ = hydroml(shell, "studio")
        assert widget.session is customers
        widget.close()
    finally:
        del shell.user_ns["frame"], shell.user_ns["sess"]


# -- steps ------------------------------------------------------------------------------
def test_apply_preview_undo_redo_goto_reset(shell, ctx, customers) -> None:
    _, out = hydroml(shell, "apply rename columns={'Customer ID': 'id', ' Name': 'name'}")
    assert out == (
        "customers: step 1 of 1 · Rename Customer ID → id,  Name → name · 410 rows × 9 columns\n"
    )
    preview, _ = hydroml(shell, "preview cast column=Age dtype=Int64 errors=coerce")
    assert isinstance(preview, Preview) and preview.ok and customers.position == 1
    _, out = hydroml(shell, "apply cast column=Age dtype=Int64 errors=coerce")
    assert customers.df["Age"].dtype == "Int64"
    _, out = hydroml(shell, "apply fill_missing column=plan value=unknown")
    assert customers.df["plan"].isna().sum() == 0
    assert (customers.df["plan"] == "unknown").sum() == 71
    _, out = hydroml(shell, "undo")
    assert out.startswith("customers: undo → step 2 of 3 · Cast Age to Int64")
    _, out = hydroml(shell, "redo")
    assert out.startswith("customers: redo → step 3 of 3")
    _, out = hydroml(shell, "goto 1")
    assert out.startswith("customers: goto → step 1 of 3") and customers.position == 1
    _, out = hydroml(shell, "reset")
    assert out.startswith("customers: reset → step 0 of 3 · Original (customers.csv")
    assert customers.can_redo


def test_values_are_literals_and_bare_words_are_text(shell, ctx) -> None:
    hj.Session(pd.DataFrame({"n": ["a", None, "c"], "x": [1.0, None, 3.0]}), name="lit")
    hydroml(shell, "apply fill_missing column=n value=unknown")
    hydroml(shell, "apply fill_missing column=x value=-2.5")
    hydroml(shell, "apply filter_rows column=n op=in value=['a', unknown]")
    df = hj.session("lit").df
    assert df["n"].tolist() == ["a", "unknown"]
    assert df["x"].tolist() == [1.0, -2.5]


def test_variables_are_looked_up_never_evaluated(shell, ctx, tmp_path: Path) -> None:
    hj.Session(pd.DataFrame({"a": [None, "b"], "n": [None, 1.0]}), name="raw")
    shell.user_ns.update(x="looked up", a="zzz", n=7, out=tmp_path / "a folder")
    (tmp_path / "a folder").mkdir()
    try:
        hydroml(shell, "apply fill_missing column=a value=$x")
        hydroml(shell, "apply fill_missing column=n value=$n")
        hydroml(shell, "apply rename columns={a: b}")
        hydroml(shell, "apply replace column=b mapping={'$x': '{x}'}")
        hydroml(shell, "export $out/raw.csv")
    finally:
        for name in ("x", "a", "n", "out"):
            del shell.user_ns[name]
    df = hj.session("raw").df
    assert df["b"].tolist() == ["looked up", "b"]
    assert df["n"].tolist() == [7.0, 1.0]
    assert (tmp_path / "a folder" / "raw.csv").exists()
    with pytest.raises(UsageError, match=r"no session named '\$nope'"):
        hydroml(shell, "history --session $nope")


def test_a_trailing_comment_is_not_an_argument(shell, ctx, customers) -> None:
    usage = hydroml(shell, "")[1]
    assert hydroml(shell, "help  # every subcommand")[1] == usage
    assert hydroml(shell, "# only a comment")[1] == usage
    hydroml(shell, "apply rename columns={'Age': 'age'}   # values are literals, never evaluated")
    hydroml(shell, "apply replace column=plan mapping={'Pro': '# 1'} # quoted: '#' kept")
    hydroml(shell, "apply fill_missing column=plan value=a#b\t# inside a word: kept")
    _, out = hydroml(shell, "undo  # don't keep it (an open quote in a comment is fine)")
    assert out.startswith("customers: undo → step 2 of 3")
    hydroml(shell, "redo #")
    df = customers.df
    assert "age" in df and (df["plan"] == "# 1").sum() > 0 and (df["plan"] == "a#b").sum() == 71
    shell.user_ns.update(mark="#2", note="x")
    try:
        hydroml(shell, "apply replace column=plan mapping={'a#b': $mark}  # $note is not read")
    finally:
        del shell.user_ns["mark"], shell.user_ns["note"]
    assert (customers.df["plan"] == "#2").sum() == 71
    with pytest.raises(UsageError, match="unclosed bracket"):
        hydroml(shell, "apply drop_columns columns=['age', # a comment ends the line]")
    assert customers.position == 4
    # a word that starts with # is a word (runs are named #3): only "# " starts a comment
    with pytest.raises(UsageError, match="unrecognized arguments: #oops"):
        hydroml(shell, "undo #oops")
    assert hydroml(shell, "save-as #2 # a name, then a comment")[1].startswith("#2: saved from")
    assert hj.session("#2").parent == "customers" and customers.position == 4


def test_history_is_a_table_of_steps(shell, ctx, customers) -> None:
    hydroml(shell, "apply text column=Country action=strip")
    history, _ = hydroml(shell, "history")
    assert isinstance(history, HistoryView)
    assert [s.op for s in history] == ["original", "text"]
    assert history[1].current
    assert "Strip spaces in Country" in history._repr_html_()


# -- output -----------------------------------------------------------------------------
def test_code_prints_the_script_without_a_front_end(shell, ctx, customers) -> None:
    hydroml(shell, "apply text column=Country action=upper")
    assert getattr(shell, "kernel", None) is None
    value, out = hydroml(shell, "code")
    assert value is None and out == customers.code()
    namespace: dict[str, object] = {}
    script = out.replace("'customers.csv'", repr(str(CUSTOMERS)))
    exec(compile(script, "<script>", "exec"), namespace)
    pd.testing.assert_frame_equal(namespace["df"], customers.df)


def test_code_goes_into_a_new_cell_below_with_a_front_end(
    shell, ctx, customers, monkeypatch
) -> None:
    calls: list[tuple[str, bool]] = []
    monkeypatch.setattr(shell, "kernel", object(), raising=False)
    monkeypatch.setattr(
        shell, "set_next_input", lambda text, replace=False: calls.append((text, replace))
    )
    _, out = hydroml(shell, "code")
    assert calls == [(customers.code(), False)]
    assert "new cell below" in out and "import pandas" not in out
    _, out = hydroml(shell, "code --print")
    assert out == customers.code() and len(calls) == 1
    ctx.config.code_cell = False
    _, out = hydroml(shell, "code --no-source")
    assert out == customers.code(source=False) and len(calls) == 1


def test_export_writes_the_current_frame(shell, ctx, customers, tmp_path: Path) -> None:
    hydroml(shell, "apply drop_columns columns=['plan', 'churned']")
    _, out = hydroml(shell, f"export {tmp_path / 'out.parquet'}")
    assert out == f"customers: wrote 410 rows × 7 columns to {tmp_path / 'out.parquet'}\n"
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "out.parquet"), customers.df)
    hydroml(shell, f"export '{tmp_path / 'semi.txt'}' --format csv sep=';'")
    assert (tmp_path / "semi.txt").read_text().startswith("Customer ID; Name;Age")


def test_save_as_starts_a_new_current_session(shell, ctx, customers) -> None:
    hydroml(shell, "apply dedupe")
    _, out = hydroml(shell, "save-as clean")
    assert out.startswith("clean: saved from customers at step 1 · 400 rows × 9 columns")
    assert ctx.current == "clean" and hj.session("clean").parent == "customers"
    hydroml(shell, "save-as clean --session customers")
    assert "replaces the earlier 'clean'" in hydroml(shell, "save-as clean --session customers")[1]


# -- looking ----------------------------------------------------------------------------
def test_summary_of_the_frame_and_of_one_column(shell, ctx, customers) -> None:
    table, _ = hydroml(shell, "summary")
    assert isinstance(table, pd.DataFrame) and "Age" in table.index
    info, _ = hydroml(shell, "summary Age")
    assert info.summary.name == "Age"
    info, _ = hydroml(shell, 'summary "Annual Income ($)"')
    assert info.summary.name == "Annual Income ($)"


def test_summary_of_an_integer_column_label(shell, ctx) -> None:
    hj.Session(pd.DataFrame({0: [1, 2], "1": [3, 4]}), name="ints")
    assert hydroml(shell, "summary 0")[0].summary.name == 0
    assert hydroml(shell, "summary 1")[0].summary.name == "1"


def test_missing_profile_and_suggest(shell, ctx, customers) -> None:
    report, _ = hydroml(shell, "missing")
    assert report.by_column.loc["plan", "nulls"] == 71
    profile, _ = hydroml(shell, "profile --target churned")
    assert "Age" in profile.columns
    table, _ = hydroml(shell, "suggest")
    assert list(table.columns) == ["op", "params", "confidence", "why"] and len(table)
    first = customers.suggest()[0]
    _, out = hydroml(shell, "suggest --apply 0")
    assert customers.history[-1].op == first.op and out.startswith("customers: step 1 of 1")


# -- sessions ---------------------------------------------------------------------------
def test_sessions_use_and_the_session_option(shell, ctx, customers) -> None:
    other = hj.Session(pd.DataFrame({"a": [1, None]}), name="other")
    table, _ = hydroml(shell, "sessions")
    assert table.loc["customers", "current"] and not table.loc["other", "current"]
    assert table.loc["customers", "rows"] == 410
    _, out = hydroml(shell, "use other")
    assert out.startswith("other: now the current session")
    hydroml(shell, "apply fill_missing column=a value=0")
    assert other.position == 1 and customers.position == 0
    hydroml(shell, "apply dedupe --session customers")
    assert customers.position == 1 and ctx.current == "customers"
    hydroml(shell, "undo")
    assert customers.position == 0 and other.position == 1


def test_which_session_when_none_is_current(shell, ctx) -> None:
    with pytest.raises(UsageError, match="no session yet"):
        hydroml(shell, "history")
    hj.Session(pd.DataFrame({"a": [1]}), name="one")
    assert hydroml(shell, "history")[0][0].op == "original"
    assert ctx.current == "one"
    ctx.current = None
    hj.Session(pd.DataFrame({"a": [1]}), name="two")
    with pytest.raises(UsageError, match=r"which session\? 2 are live \('one', 'two'\)"):
        hydroml(shell, "history")


# -- usage errors: one line, a specific word, nothing changed ----------------------------------
BAD_LINES = [
    ("aply cast", "did you mean 'apply'"),
    ("apply cast column=Agee dtype=Int64", "no column named 'Agee' (did you mean 'Age'?)"),
    ("apply cast column=Age dtype=Int64", "'unknown'"),
    ("apply cast column=Age dtype=Int65", "unknown dtype 'Int65'"),
    ("apply fill_missing column=Age strategy=meen", "parameter 'strategy' must be one of"),
    ("apply nope x=1", "unknown operation 'nope'"),
    ("apply cast column=[1 dtype=x", "unclosed bracket"),
    ("apply cast column='Age dtype=x", "unclosed quote"),
    ("apply fill_missing column=Age value=__import__('os')", "a call is not a literal"),
    ("apply fill_missing column=Age value=[1,", "unclosed bracket"),
    ("apply fill_missing column=Age value={'a': 1]", "malformed value value="),
    ("apply fill_missing column=Age value=", "value= has no value"),
    ("apply cast Age Int64", "expected key=value, not 'Age'"),
    ("apply cast column=Age column=Age dtype=Int64", "column= is given twice"),
    ("apply cast column=Age dtype=Int64 --bogus", "unrecognized arguments: --bogus"),
    ("apply --session customers", "%hydroml apply: the following arguments are required: OP"),
    ("undo", "nothing to undo"),
    ("redo", "nothing to redo"),
    ("goto 99", "no step 99"),
    ("goto x", "invalid int value: 'x'"),
    ("use customer", "no session named 'customer' (did you mean 'customers'?)"),
    ("history --session nope", "no session named 'nope'"),
    ("summary Agee", "no column named 'Agee' (did you mean 'Age'?)"),
    ("studio nope", "no variable named 'nope'"),
    ("studio ROOT", "'ROOT' is a PosixPath, not a DataFrame or a session"),
    ("save-as customers", "is this session's own name"),
    ("suggest --apply 99", "no suggestion 99"),
    ("suggest --target Agee", "no column named 'Agee' (did you mean 'Age'?)"),
    ("profile --target nope", "%hydroml profile: no column named 'nope'"),
    ("train", "the following arguments are required: TARGET"),
    ("export /no/such/folder/out.csv", "/no/such/folder"),
    ("open /no/such/file.csv", "/no/such/file.csv"),
    ("open x.csv --table a --query b", "not allowed with argument"),
    ("open x.csv --format xls", "invalid choice: 'xls'"),
    ("recipe", "is a cell magic"),
    ("help nope", "unknown subcommand 'nope'"),
]


@pytest.mark.parametrize(("line", "word"), BAD_LINES)
def test_usage_errors_are_one_line_and_change_nothing(
    shell, ctx, customers, line: str, word: str
) -> None:
    shell.user_ns["ROOT"] = ROOT
    version, frame, steps = customers.version, customers.df, len(customers.history)
    try:
        with pytest.raises(UsageError) as err:
            hydroml(shell, line)
    finally:
        del shell.user_ns["ROOT"]
    message = str(err.value)
    assert "\n" not in message
    assert word in message
    assert customers.version == version and len(customers.history) == steps
    pd.testing.assert_frame_equal(customers.df, frame)
    assert set(hj.sessions()) >= {"customers"}


def test_a_cell_for_a_line_subcommand_is_refused(shell, ctx, customers) -> None:
    with pytest.raises(UsageError, match="only %%hydroml recipe and %%hydroml experiment take"):
        shell.run_cell_magic("hydroml", "apply", "dedupe")
    with pytest.raises(UsageError, match="needs a subcommand"):
        shell.run_cell_magic("hydroml", "", "dedupe")


def test_run_cell_reports_a_usage_error_without_a_traceback(shell, ctx, customers) -> None:
    with capture_output() as cap:
        result = shell.run_cell("%hydroml apply cast column=Agee dtype=Int64", store_history=False)
    assert isinstance(result.error_in_exec, UsageError)
    assert cap.stderr.strip() == ("UsageError: cast: no column named 'Agee' (did you mean 'Age'?)")
    assert "Traceback" not in cap.stdout + cap.stderr
    with capture_output():
        result = shell.run_cell("%hydroml apply dedupe\n%hydroml history", store_history=False)
    assert result.success and isinstance(result.result, HistoryView)
    assert customers.position == 1


# -- configuration, loading -------------------------------------------------------------
def test_config_lists_and_sets_the_options(shell, ctx) -> None:
    with capture_output() as cap:
        shell.run_line_magic("config", "HydroML")
    for option in ("memory_budget", "autodisplay", "code_cell", "store", "mlflow_uri"):
        assert f"HydroML.{option}=" in cap.stdout
    assert ctx.store_spec is None and ctx.tracking_uri is None
    shell.run_line_magic("config", "HydroML.store = 'memory://'")
    shell.run_line_magic("config", "HydroML.mlflow_uri = 'sqlite:///x.db'")
    try:
        assert ctx.store_spec == "memory://" and ctx.tracking_uri == "sqlite:///x.db"
    finally:
        shell.run_line_magic("config", "HydroML.store = ''")
        shell.run_line_magic("config", "HydroML.mlflow_uri = ''")


def test_unload_and_reload(shell, ctx) -> None:
    shell.run_line_magic("unload_ext", "hydroml_jupyter")
    assert shell.find_line_magic("hydroml") is None
    assert not [c for c in shell.configurables if type(c).__name__ == "HydroML"]
    shell.run_line_magic("load_ext", "hydroml_jupyter")
    assert shell.find_line_magic("hydroml") is not None
    assert context_of(shell) is not None


def test_loading_through_either_module_installs_once(shell, ctx) -> None:
    context = context_of(shell)
    shell.run_line_magic("load_ext", "hydroml_jupyter.magics")
    try:
        assert context_of(shell) is context
        assert len([c for c in shell.configurables if type(c).__name__ == "HydroML"]) == 1
        assert len(shell.Completer.custom_matchers) == 1
    finally:
        shell.extension_manager.loaded.discard("hydroml_jupyter.magics")


def test_importing_the_magics_has_no_side_effects() -> None:
    code = (
        "import sys, hydroml_jupyter.magics, hydroml_jupyter.magics.extension\n"
        "heavy = ['hydroml_jupyter.widgets', 'mlflow', 'sklearn', 'plotly', 'ipywidgets']\n"
        "print([m for m in heavy if m in sys.modules])\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "print(InteractiveShell.initialized())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out.split() == ["[]", "False"]


def test_no_user_text_reaches_eval() -> None:
    source = "\n".join(p.read_text() for p in (ROOT / "hydroml_jupyter" / "magics").rglob("*.py"))
    assert not re.search(r"(?<![.\w])(eval|exec|compile)\s*\(", source)
    assert "literal_eval" not in source
