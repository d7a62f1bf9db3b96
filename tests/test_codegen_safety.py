r"""User text never becomes code in the exported script.

Column names, values, formats, formulas, file names and session names reach
``s.code()`` only as Python literals or inside one-line comments. The property
tests draw names and values from all of Unicode (see ``hostile.py``), apply every
registered operation, check the script's syntax tree, then run it with almost no
builtins while a profile hook records every call the script itself makes: only
pandas, numpy and ``abs`` may be called, and the frame must come back exactly.

``HYDROML_EXAMPLES`` raises the number of examples (default 300, as in
``test_properties``).
"""

from __future__ import annotations

import io
import math
import os
import tempfile
import tokenize
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hostile import (
    ATTACK,
    BREAKS,
    HOSTILE,
    SCRIPT,
    Guard,
    assert_same,
    check_script,
    frames,
    operations,
    raw_breaks,
    strategies,
    texts,
)
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

import hydroml_jupyter as hj
from hydroml_jupyter.engine import Recipe, Session, open_session
from hydroml_jupyter.engine.codegen import check_var, comment, kwarg, literal, shown, word
from hydroml_jupyter.engine.ops.base import catalog, make_operation, operation_class
from hydroml_jupyter.errors import OperationError, SourceError
from hydroml_jupyter.io import Source
from hydroml_jupyter.server.views import code_view
from hydroml_jupyter.store import MemoryStore, persist

EXAMPLES = int(os.environ.get("HYDROML_EXAMPLES", "300"))


# -- the reported examples ---------------------------------------------------------------
@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run_plainly(script: str, **names: Any) -> dict[str, Any]:
    """Run the script as a user would: every builtin available."""
    namespace = dict(names)
    exec(compile(script, SCRIPT, "exec"), namespace)
    return namespace


def test_a_line_break_in_a_csv_header_runs_nothing(in_tmp: Path) -> None:
    pd.DataFrame({HOSTILE: [1.0, 2.0], "b": ["x", "y"]}).to_csv("prices.csv", index=False)
    s = open_session("prices.csv")
    assert list(s.df.columns) == [HOSTILE, "b"]
    s.apply("fill_missing", column=HOSTILE, strategy="value", value=0.0)
    script = s.code()
    assert not (in_tmp / "x.txt").exists()
    namespace = _run_plainly(script)
    assert not (in_tmp / "x.txt").exists(), "the exported script ran code from a column name"
    assert_same(namespace["df"], s.df)
    check_script(script, list(s.recipe().steps), start=0)
    s.close()


def test_a_rename_to_a_name_with_line_breaks_runs_nothing(in_tmp: Path) -> None:
    original = pd.DataFrame({"price": [1.5, None], "city": ["a", "b"]})
    s = Session(original, name="renamed")
    s.apply("rename", columns={"price": HOSTILE, "city": f"city\r{ATTACK}\u2028#\x85"})
    s.apply("drop_missing", columns=[HOSTILE])
    script = s.code(source=False)
    namespace = _run_plainly(script, df=original)
    assert not (in_tmp / "x.txt").exists(), "the exported script ran code from a new name"
    assert_same(namespace["df"], s.df)
    check_script(script, list(s.recipe().steps))
    s.close()


@pytest.mark.parametrize("brk", ["\n", "\r", "\r\n"])
def test_a_formula_holding_line_breaks_runs_nothing(in_tmp: Path, brk: str) -> None:
    name = f"a{brk}{ATTACK}#"
    original = pd.DataFrame({name: [1, 2, 3]})
    s = Session(original, name="formula")
    s.apply("formula", column="y", expr=f"`{name}` *{brk}2")
    s.apply("formula", column=f"z{brk}{ATTACK}", expr=f"`{name}`{brk}+ 1")
    script = s.code(source=False)
    namespace = _run_plainly(script, df=original)
    assert not (in_tmp / "x.txt").exists(), "the exported script ran code from a formula"
    assert_same(namespace["df"], s.df)
    check_script(script, list(s.recipe().steps))
    s.close()


def test_the_rest_code_view_serves_the_same_safe_script(in_tmp: Path) -> None:
    original = pd.DataFrame({HOSTILE: [3.0, None]})
    s = Session(original, name=f"shop\n{ATTACK}")
    s.apply("fill_missing", column=HOSTILE, strategy="mean")
    store = MemoryStore(key=b"codegen test key")
    persist.save(s, store)
    served = code_view(store, s.name)["code"]
    assert served == s.code()
    namespace = _run_plainly(served, df=original)
    assert not (in_tmp / "x.txt").exists()
    assert_same(namespace["df"], s.df)
    saved = Recipe(steps=(), base=s.recipe(), name=f"copy\r{ATTACK}").code()
    assert raw_breaks(saved) == [] and f"\r{ATTACK}" not in saved
    s.close()


def test_a_huge_value_and_a_huge_int_name_still_write_code() -> None:
    op = operation_class("filter_rows")(column="a", op="<", value=-(10**5000))
    code = op.code()
    assert code.startswith("df = df[df['a'] < -0x")
    assert eval(code[code.index("<") + 1 : -1]) == -(10**5000)
    label = comment(op.label())
    assert label.startswith("# Keep rows where a < -0x") and "\n" not in label
    rename = operation_class("rename")(columns={"a": 2**20000})
    assert eval(literal(2**20000)) == 2**20000 and rename.label().startswith("Rename a → 0x")


# -- the quoting path itself ----------------------------------------------------------------
def test_comment_escapes_every_line_break_and_control_character() -> None:
    for ch in [*BREAKS, "\x00", "\x07", "\x1b", "\x1f", "\x7f", "\x9f", "\t", "\u202e", "\ud800"]:
        line = comment(f"a{ch}b")
        assert line == "# a" + str.__repr__(ch)[1:-1] + "b"
        assert len(line.splitlines()) == 1 and line.isprintable()
        tokens = list(tokenize.generate_tokens(io.StringIO(line + "\n").readline))
        assert [t.type for t in tokens][:2] == [tokenize.COMMENT, tokenize.NL]
    assert comment("größe `x` 'y' \\ # 😀") == "# größe `x` 'y' \\ # 😀"


class EvilStr(str):
    def __repr__(self) -> str:
        return f"'x'\n{ATTACK}\n'"

    def __format__(self, spec: str) -> str:
        return f"x\n{ATTACK}"


class EvilInt(int):
    def __repr__(self) -> str:
        return f"1\n{ATTACK}"

    __str__ = __repr__


class EvilFloat(float):
    def __repr__(self) -> str:
        return f"1.0\n{ATTACK}"


def test_literal_writes_subclasses_as_their_base_type() -> None:
    for value, plain in [(EvilStr("a"), "a"), (EvilInt(3), 3), (EvilFloat(2.5), 2.5)]:
        text = literal(value)
        assert "\n" not in text and eval(text) == plain
        assert type(eval(text)) is type(plain)
    op = make_operation("rename", {"columns": {"a": EvilStr("b")}})
    assert "open" not in op.code() and "\n" not in comment(op.label())
    s = Session(pd.DataFrame({"a": [1]}), name="evil")
    s.apply("filter_rows", column="a", op="==", value=EvilInt(1))
    s.apply("rename", columns={"a": EvilStr("b")})
    assert ATTACK not in s.code(source=False).replace(repr(ATTACK), "")
    s.close()


def test_literal_keeps_every_plain_value_exactly() -> None:
    values = [
        float("nan"),
        float("inf"),
        -float("inf"),
        -0.0,
        1e-320,
        2**64,
        -(2**70),
        "",
        "a\x00b\u2028c\\'\"",
        np.int8(-3),
        np.float32(0.5),
        np.bool_(True),
        np.str_("s\n"),
        pd.Timestamp("2021-03-04 05:06:07.000000008"),
        [1, [2, (3,)]],
        (),
        {"k": {1: None}},
    ]
    for value in values:
        text = literal(value)
        assert "\n" not in text
        rebuilt = eval(text, {"pd": pd, "__builtins__": {"float": float}})
        plain = value.item() if isinstance(value, np.generic) else value
        if isinstance(plain, float) and math.isnan(plain):
            assert math.isnan(rebuilt)
        else:
            assert rebuilt == plain and type(rebuilt) is type(plain)
            if isinstance(plain, float):
                assert math.copysign(1, rebuilt) == math.copysign(1, plain)
    with pytest.raises(TypeError):
        literal(object())
    assert shown(EvilBroken()) == "<EvilBroken>"


class EvilBroken:
    def __repr__(self) -> str:
        raise RuntimeError("no")


def test_words_of_code_come_from_a_fixed_set() -> None:
    """Operators and method names are written raw: whatever built the op, they are checked."""
    filter_rows = operation_class("filter_rows")
    text, fill = operation_class("text"), operation_class("fill_missing")
    cases = [
        filter_rows(column="a", op=f"== 1 or {ATTACK} or df['a'] ==", value=1),  # type: ignore[call-arg]
        filter_rows(column="a", op=f"startswith({ATTACK}) or df.a.str.endswith", value="x"),  # type: ignore[call-arg]
        text(column="a", action=f"strip() or {ATTACK} or df['a'].str.lower"),  # type: ignore[call-arg]
        fill(column="a", strategy=f"ffill() or {ATTACK} or df['a'].bfill"),  # type: ignore[call-arg]
    ]
    for op in cases:
        with pytest.raises(ValueError, match="is not one of"):
            op.code()
    one_hot = operation_class("one_hot")(column="a", drop_first=f"False, dtype={ATTACK}")  # type: ignore[call-arg]
    assert ATTACK not in one_hot.code().replace(repr(f"False, dtype={ATTACK}"), "")
    assert word("==", ["==", "!="]) == "=="
    with pytest.raises(ValueError):
        word(EvilStr("=="), ["=="])


def test_the_frame_variable_and_reader_options_must_be_names() -> None:
    recipe = Recipe(steps=(make_operation("drop_columns", {"columns": ["a"]}),))
    for var in ["df\nimport os", "df; import os", "class", "d f", "", "ｄｆ"]:
        with pytest.raises(ValueError, match="not a valid Python variable name"):
            recipe.code(source=False, var=var)
    assert check_var("frame_2") == "frame_2"
    with pytest.raises(SourceError, match="not a keyword argument name"):
        Source(kind="file", path="a.csv", format="csv", options={f"nrows=1);{ATTACK};(": 1})
    bad = Source.__new__(Source)
    object.__setattr__(bad, "kind", "file")
    object.__setattr__(bad, "path", "a.csv")
    object.__setattr__(bad, "format", "csv")
    object.__setattr__(bad, "options", {f"x=1);{ATTACK};(": 1})
    with pytest.raises(ValueError, match="keyword argument name"):
        bad.code()
    assert kwarg("sep", ";\n") == "sep=';\\n'"


def test_a_hostile_file_name_and_sql_text_stay_literals(in_tmp: Path) -> None:
    path = in_tmp / f"a'\"\\#\r{ATTACK}.parquet"
    frame = pd.DataFrame({HOSTILE: [1, 2]})
    frame.to_parquet(path)
    s = open_session(str(path))
    s.apply("rename", columns={HOSTILE: f"p\r{ATTACK}"})
    script = s.code()
    check_script(script, list(s.recipe().steps), start=0)
    assert_same(Guard().run(script)["df"], s.df)
    s.close()
    sql = Source(kind="sql", url=f"sqlite:///x\n{ATTACK}.db", query=f"select 1 -- \r{ATTACK}")
    assert not raw_breaks(sql.code()) and len(sql.code().split("\n")) == 2


# -- the property -----------------------------------------------------------------------------
def test_every_registered_operation_has_a_hostile_strategy() -> None:
    assert set(strategies()) == set(catalog())


def _apply_some(s: Session, data: st.DataObject) -> list[Any]:
    """Apply hostile operations (most are refused) and return the steps that applied."""
    for _ in range(data.draw(st.integers(1, 5), label="length")):
        name, params = data.draw(operations(s.df), label="operation")
        try:
            s.apply(name, **params)
            event(f"applied {name}")
        except OperationError as exc:
            assert "\n" not in str(exc)
    return list(s.recipe().steps)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(original=frames(), data=st.data())
def test_hostile_names_and_values_never_run_and_rebuild_the_frame(
    original: pd.DataFrame, data: st.DataObject
) -> None:
    s = Session(original, name="hostile")
    try:
        steps = _apply_some(s, data)
        script = s.code(source=False)
        check_script(script, steps)
        namespace = Guard().run(script, df=original)
        assert_same(namespace["df"], s.df)
    finally:
        s.close()


@settings(
    max_examples=max(10, EXAMPLES // 6),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(original=frames(), data=st.data(), file_name=texts(1))
def test_a_script_from_a_hostile_parquet_file_rebuilds_the_frame(
    original: pd.DataFrame, data: st.DataObject, file_name: str
) -> None:
    safe = file_name.replace("/", "_").replace("\x00", "_")[:60]
    assume(safe not in (".", ".."))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{safe}.parquet"
        original.to_parquet(path)
        s = open_session(str(path), name="hostile-file")
        try:
            steps = _apply_some(s, data)
            script = s.code()
            check_script(script, steps, start=0)
            namespace = Guard().run(script)
            assert_same(namespace["df"], s.df)
        finally:
            s.close()


def test_the_guard_catches_what_it_must() -> None:
    """The checks above are not vacuous: a script that escapes is caught."""
    for script in [f"{ATTACK}\n", "import os\n", "df = df.pipe(print)\n"]:
        with pytest.raises((AssertionError, NameError, ImportError)):
            Guard().run(script, df=pd.DataFrame())
    for call in ["pd.io.common.os.getcwd()", "pd.io.common.os.path.join('a')"]:
        script = f"import pandas as pd\ndf = {call}\n"
        with pytest.raises(AssertionError, match="the script called"):
            Guard().run(script)  # only the profile hook sees these
        with pytest.raises(AssertionError, match="unexpected attribute"):
            check_script(script, [], start=0)
    with pytest.raises(AssertionError, match="unexpected attribute"):
        check_script("df = df.pipe(pd.io.common.os.system)\n", [], start=0)
    with pytest.raises(AssertionError):
        check_script(f"# 1. a\n{ATTACK}\ndf = df\n", [])
    with pytest.raises(AssertionError):
        check_script("# 1. a\rdf = df\n", [])
    assert hj.catalog() == catalog()
