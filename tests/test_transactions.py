"""A failed operation changes nothing, whatever it raised; every path shares one transaction.

Each case fails with an :class:`OperationError` naming the operation and the column
(the cause chained), and leaves the session exactly as it was: the same frame,
position, steps, redo branch and version, no listener called, and ``history``,
``code()`` and ``recipe()`` still working. The session keeps working afterwards.

The fuzz test at the end draws random operations with hostile parameters on frames
of awkward dtypes. ``HYDROML_EXAMPLES`` sets its number of examples (default 200).
"""

from __future__ import annotations

import dataclasses
import os
import sys
import types
import typing
from collections.abc import Iterator
from typing import Any, ClassVar, Literal, Union, get_args, get_origin

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import hydroml_jupyter as hj
from hydroml_jupyter.analysis.profile import Suggestion
from hydroml_jupyter.analysis.profile._model import Alert
from hydroml_jupyter.engine import BatchError
from hydroml_jupyter.engine.extras import SessionSuggestion
from hydroml_jupyter.engine.ops import base
from hydroml_jupyter.engine.ops.base import Label, Operation, catalog, make_operation
from hydroml_jupyter.engine.ops.rows import FilterRows

EXAMPLES = int(os.environ.get("HYDROML_EXAMPLES", "200"))


# -- a session, and what "unchanged" means ---------------------------------------------
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "x": [1, 2, 3, 4],
            "h": np.array([1.5, 2.0, 2.0, 4.0], dtype="float16"),
            "d": pd.Series([{"a": 1}, {"b": 2}, None, {"a": 1}], dtype=object),
            "o": pd.Series(["u", "v", None, "u"], dtype=object),
            "l": pd.Series([[1], [2], None, [1]], dtype=pd.ArrowDtype(pa.list_(pa.int64()))),
            "g": ["p", "q", "p", "q"],
        }
    )


@dataclasses.dataclass
class Before:
    frame: pd.DataFrame
    position: int
    steps: int
    version: int
    labels: list[str]
    codes: list[str]
    code: str
    recipe: str


def snapshot(s: hj.Session) -> Before:
    history = s.history
    return Before(
        s.df,
        s.position,
        len(history),
        s.version,
        [step.label for step in history],
        [step.code for step in history],
        s.code(source=False),
        s.recipe().to_json(),
    )


def assert_unchanged(s: hj.Session, before: Before, calls: list[int]) -> None:
    pd.testing.assert_frame_equal(s.df, before.frame, check_exact=True)
    assert s.position == before.position
    assert s.version == before.version
    history = s.history  # never raises
    assert len(history) == before.steps
    assert [step.label for step in history] == before.labels  # the redo branch too
    assert [step.code for step in history] == before.codes
    assert s.code(source=False) == before.code
    assert s.recipe().to_json() == before.recipe
    assert calls == [], "a listener was called"


@pytest.fixture
def s() -> Iterator[hj.Session]:
    session = hj.Session(frame(), name="tx")
    # A step, then a redo branch: a failure must keep both.
    session.apply("text", column="g", action="upper")
    session.apply("rename", columns={"g": "group"})
    session.undo()
    yield session
    session.close()


def watched(s: hj.Session) -> tuple[Before, list[int]]:
    calls: list[int] = []
    s.subscribe(calls.append)
    return snapshot(s), calls


def assert_still_works(s: hj.Session) -> None:
    position = s.position
    step = s.apply("filter_rows", column="x", op=">", value=1)
    assert (s.position, step.label, len(s.df)) == (position + 1, "Keep rows where x > 1", 3)
    assert "x" in s.code(source=False)


def fails(s: hj.Session, name: str, words: list[str], /, **params: Any) -> hj.OperationError:
    before, calls = watched(s)
    with pytest.raises(hj.OperationError) as err:
        s.apply(name, **params)
    message = str(err.value)
    assert "\n" not in message
    for word in words:
        assert word in message, message
    assert_unchanged(s, before, calls)
    assert_still_works(s)
    return err.value


# -- the reproduced cases -------------------------------------------------------------------
def test_a_giant_int_is_refused_before_anything_is_pushed(s: hj.Session) -> None:
    err = fails(s, "filter_rows", ["filter_rows", "'x'", "5,001 digits"], column="x", op=">",
                value=10**5000)  # fmt: skip
    assert len(str(err)) < 200


def test_a_giant_int_in_an_operation_built_by_hand_is_refused_too(s: hj.Session) -> None:
    before, calls = watched(s)
    with pytest.raises(hj.OperationError, match=r"filter_rows: value for column 'x' .*digits"):
        s.apply(FilterRows(column="x", op=">", value=-(10**4400)))
    assert_unchanged(s, before, calls)
    with pytest.raises(BatchError, match="operation 1 of 1: filter_rows"):
        s.apply_all([FilterRows(column="x", op="in", value=[1, 10**4400])])
    assert_unchanged(s, before, calls)
    assert_still_works(s)


def test_one_hot_on_a_column_of_dicts(s: hj.Session) -> None:
    err = fails(s, "one_hot", ["one_hot", "column 'd'", "unhashable"], column="d")
    assert isinstance(err.__cause__, TypeError) and err.column == "d"


def test_one_hot_on_float16(s: hj.Session) -> None:
    err = fails(s, "one_hot", ["one_hot: column 'h': NotImplementedError"], column="h")
    assert isinstance(err.__cause__, NotImplementedError)


def test_replace_with_a_tuple_key(s: hj.Session) -> None:
    fails(s, "replace", ["replace", "column 'x'", "(1, 2)"], column="x", mapping={(1, 2): 3})


def test_group_aggregate_that_arrow_cannot_run(s: hj.Session) -> None:
    err = fails(s, "group_aggregate", ["group_aggregate", "'l'", "ArrowNotImplementedError"],
                by="g", aggs={"l": "nunique"})  # fmt: skip
    assert isinstance(err.__cause__, NotImplementedError)


def test_containers_nested_without_end_are_refused(s: hj.Session) -> None:
    cycle: list[Any] = []
    cycle.append(cycle)
    fails(s, "filter_rows", ["filter_rows", "'o'", "nested more than"], column="o", op="in",
          value=cycle)  # fmt: skip
    deep: Any = "u"
    for _ in range(sys.getrecursionlimit() * 2):
        deep = [deep]
    fails(s, "replace", ["replace", "'o'", "nested more than"], column="o", mapping={"u": deep})


# -- faults an operation may raise, injected by a test-only operation -------------------
def _recurse(n: int) -> int:
    return _recurse(n + 1) + 1


@dataclasses.dataclass(frozen=True, repr=False)
class Fault(Operation):
    """Fails as told: in ``validate``, ``transform``, ``label`` or ``code``."""

    name: ClassVar[str] = "test_fault"

    column: Label
    where: Literal["validate", "transform", "label", "code", "nowhere"]
    what: Literal["arrow_memory", "memory", "recursion", "value", "interrupt", "exit"]

    def columns_used(self) -> list[Label]:
        return [self.column]

    def _fail(self, where: str) -> None:
        if where != self.where:
            return
        if self.what == "arrow_memory":
            pa.allocate_buffer(2**62)  # a real Arrow allocation failure
        if self.what == "memory":
            raise MemoryError
        if self.what == "recursion":
            _recurse(0)
        if self.what == "interrupt":
            raise KeyboardInterrupt
        if self.what == "exit":
            raise SystemExit(3)
        raise ValueError("Exceeds the limit (4300 digits) for integer string conversion")

    def validate(self, df: pd.DataFrame) -> None:
        super().validate(df)
        self._fail("validate")

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        self._fail("transform")
        return df.assign(**{str(self.column): 0})

    def code(self, var: str = "df") -> str:
        self._fail("code")
        return f"{var}[{self.column!r}] = 0"

    def label(self) -> str:
        self._fail("label")
        return f"Zero {self.column}"


@pytest.fixture
def fault() -> Iterator[type[Fault]]:
    base.register(Fault)
    try:
        yield Fault
    finally:
        del base._REGISTRY[Fault.name]
    assert Fault.name not in catalog()


FAULTS = [
    ("validate", "arrow_memory", "ArrowMemoryError"),
    ("transform", "arrow_memory", "ArrowMemoryError"),
    ("validate", "memory", "MemoryError"),
    ("transform", "memory", "MemoryError"),
    ("validate", "recursion", "RecursionError"),
    ("transform", "recursion", "RecursionError"),
    ("label", "value", "cannot write the step: Exceeds the limit"),
    ("code", "recursion", "cannot write the step: RecursionError"),
    ("label", "memory", "cannot write the step: MemoryError"),
]


@pytest.mark.parametrize(("where", "what", "words"), FAULTS)
def test_any_exception_becomes_an_operation_error(
    s: hj.Session, fault: type[Fault], where: str, what: str, words: str
) -> None:
    err = fails(s, "test_fault", [f"test_fault: column 'x': {words}"], column="x", where=where,
                what=what)  # fmt: skip
    assert err.op == "test_fault" and err.column == "x" and err.__cause__ is not None


@pytest.mark.parametrize(
    ("where", "what", "kind"),
    [("label", "interrupt", KeyboardInterrupt), ("code", "exit", SystemExit)],
)
def test_interrupt_and_exit_pass_and_change_nothing(
    s: hj.Session, fault: type[Fault], where: str, what: str, kind: type[BaseException]
) -> None:
    before, calls = watched(s)
    with pytest.raises(kind):
        s.apply("test_fault", column="x", where=where, what=what)
    assert_unchanged(s, before, calls)
    with pytest.raises(kind):
        s.apply_all([("rename", {"columns": {"o": "p"}}), Fault("x", where, what)])  # type: ignore[arg-type]
    assert_unchanged(s, before, calls)
    assert_still_works(s)


def test_apply_all_fails_whole_whatever_the_second_operation_raised(
    s: hj.Session, fault: type[Fault]
) -> None:
    before, calls = watched(s)
    for what in ("arrow_memory", "recursion", "value"):
        with pytest.raises(BatchError) as err:
            s.apply_all(
                [("text", {"column": "o", "action": "upper"}), Fault("x", "label", what)]  # type: ignore[arg-type]
            )
        assert str(err.value).startswith("operation 2 of 2: test_fault: column 'x': ")
        assert err.value.index == 1 and isinstance(err.value.cause, hj.OperationError)
        assert_unchanged(s, before, calls)
    with pytest.raises(BatchError, match="operation 1 of 2: one_hot: column 'h'"):
        s.apply_all([("one_hot", {"column": "h"}), ("one_hot", {"column": "d"})])
    assert_unchanged(s, before, calls)
    assert_still_works(s)


def test_a_step_keeps_the_label_and_code_it_was_built_with(
    s: hj.Session, fault: type[Fault], monkeypatch: pytest.MonkeyPatch
) -> None:
    step = s.apply("test_fault", column="x", where="nowhere", what="value")
    assert (step.label, step.code) == ("Zero x", "df['x'] = 0")
    # Were history to call label() again, it would raise now: it only reads what it kept.
    monkeypatch.setattr(Fault, "label", lambda self: 1 / 0)
    assert [st.label for st in s.history][-1] == "Zero x"
    assert s.history[-1].code == "df['x'] = 0"


# -- every path goes through the same transaction ----------------------------------------
def test_apply_all_after_a_step_replaces_the_steps_after_it(s: hj.Session) -> None:
    before, calls = watched(s)
    with pytest.raises(BatchError, match="operation 1 of 1: one_hot: column 'h'"):
        s.apply_all([("one_hot", {"column": "h"})], after=0)
    assert_unchanged(s, before, calls)
    steps = s.apply_all([("text", {"column": "o", "action": "upper"})], after=0)
    assert [st.index for st in steps] == [1] and s.version == before.version + 1
    assert [st.label for st in s.history] == ["Original (DataFrame)", "Upper-case o"]
    with pytest.raises(hj.OperationError, match="no step 5"):
        s.apply_all([("text", {"column": "o", "action": "lower"})], after=5)


def test_a_failing_recipe_cell_run_again_changes_nothing(s: hj.Session) -> None:
    from IPython.core.error import UsageError

    from hydroml_jupyter.magics.commands.recipe import apply_recipe
    from hydroml_jupyter.magics.recipe import parse_recipe

    before, calls = watched(s)
    # A re-run replaces the steps after ``start``: a failing one must not even move there.
    with pytest.raises(UsageError, match=r"line 2 \(one_hot h\): one_hot: column 'h'"):
        apply_recipe(s, parse_recipe("text o lower\none_hot h\n"), start=0)
    assert_unchanged(s, before, calls)


def test_suggestions_fail_whole(s: hj.Session) -> None:
    from IPython.core.error import UsageError

    from hydroml_jupyter.magics.commands.analysis import apply_suggestions

    alert = Alert("constant", ("h",), "low", 1.0, "h is odd")
    bad = Suggestion("one_hot", {"column": "h"}, alert, 0.9, "encode it")
    before, calls = watched(s)
    with pytest.raises(hj.OperationError, match="one_hot: column 'h': NotImplementedError"):
        s.apply_suggestion(bad)
    assert_unchanged(s, before, calls)
    good = SessionSuggestion("text", {"column": "o", "action": "upper"}, alert, 0.9, "", session=s)
    chosen = [(0, good), (1, SessionSuggestion(**{**dataclasses.asdict(bad), "session": s}))]
    with pytest.raises(UsageError, match=r"suggestion 1 \(one_hot column='h'\) failed: one_hot"):
        apply_suggestions(s, chosen, "%hydroml suggest")  # type: ignore[arg-type]
    assert_unchanged(s, before, calls)


def test_widget_apply_and_preview_requests(s: hj.Session) -> None:
    studio = hj.Studio(s)
    sent: list[dict[str, Any]] = []
    studio.send = lambda content, buffers=None: sent.append(content)  # type: ignore[method-assign]
    before, calls = watched(s)
    for number, kind in enumerate(("apply", "preview"), start=1):
        request = {"kind": kind, "request": number, "op": "one_hot", "params": {"column": "h"}}
        studio._on_message(studio, request, [])
        studio.join()
        (reply,) = [c for c in sent if c.get("request") == number]
        text = reply.get("message") or reply["preview"]["error"]
        assert text.startswith("one_hot: column 'h': NotImplementedError"), reply
    assert_unchanged(s, before, calls)
    studio.close()


def test_preview_never_raises_what_the_operation_raised(s: hj.Session, fault: type[Fault]) -> None:
    before, calls = watched(s)
    for op, params in [
        ("one_hot", {"column": "h"}),
        ("one_hot", {"column": "d"}),
        ("group_aggregate", {"by": "g", "aggs": {"l": "nunique"}}),
        ("test_fault", {"column": "x", "where": "transform", "what": "arrow_memory"}),
        ("test_fault", {"column": "x", "where": "validate", "what": "recursion"}),
    ]:
        preview = s.preview(op, **params)
        assert not preview.ok and preview.error.startswith(f"{op}: column"), preview
    preview = s.preview("test_fault", column="x", where="label", what="memory")
    assert not preview.ok and preview.label == "test_fault"
    assert_unchanged(s, before, calls)


def test_a_recipe_replay_fails_with_an_operation_error(fault: type[Fault]) -> None:
    recipe = hj.Recipe(
        steps=(make_operation("text", {"column": "o", "action": "upper"}),
               make_operation("one_hot", {"column": "h"}))
    )  # fmt: skip
    with pytest.raises(hj.OperationError, match=r"step 2 \(One-hot encode h\): one_hot: column"):
        recipe.apply(frame())
    recipe = hj.Recipe(steps=(Fault("x", "transform", "recursion"),))
    with pytest.raises(hj.OperationError, match=r"step 1 \(Zero x\): .*RecursionError"):
        recipe.apply(frame())


# -- fuzz: every registered operation, hostile parameters, awkward frames -----------------
def _cycle() -> list[Any]:
    cycle: list[Any] = []
    cycle.append(cycle)
    return cycle


def _deep(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return value


HOSTILE: list[Any] = [
    10**5000, -(10**4400), 10**4299, 2**63, -(2**63) - 1, 2**64, float("nan"), float("inf"),
    -0.0, None, True, 0, "", "\n", "x\r\n# y", "\u2028", "'\"\\", "%s%%", "(" * 50,
    pd.Timestamp("2020-01-01", tz="UTC"), pd.Timestamp("2262-04-11"), [], {}, [[[]]],
    {"a": {"b": [1]}}, {(1, 2): 3}, {1, 2}, b"x", 1j, np.float16(1.5), np.int64(5),
    object(), frozenset(), _cycle(), _deep(40), [float("nan")] * 3, {None: None},
]  # fmt: skip
TYPICAL: list[Any] = [0, 1, -1, 2.5, "a", "u", "x", "B ", None, [1, 2], [0, 10], "2020-01-02",
                      {"a": 1}, pd.Timestamp("2020-01-02", tz="Europe/Paris"), True]  # fmt: skip
DTYPES = ["int64", "Int64", "float16", "float64", "str", "category", "bool", "boolean",
          "datetime64[ns]", "datetime64[ns, UTC]", "int8", "object", "string[pyarrow]"]  # fmt: skip
EXPRS = ["1", "'a' + 'b'", "`i` + 1", "`7` * 2", "`o` * 2", "year(`t`)", "len(`s`)", "`h` / 0"]
WORDS = ["x", "h", "d", "o", "l", "g", "a", "missing", "x > 1", "x * 'ab'", "`h` + 1",
         "Int64", "float16", "category", "str", "datetime64[ns, UTC]", "%Y", "sum", "median",
         "nunique", "size"]  # fmt: skip


def hostile() -> st.SearchStrategy[Any]:
    scalars = st.one_of(st.integers(), st.floats(), st.text(max_size=6), st.booleans(), st.none())
    keys = scalars.filter(lambda v: v == v)
    nested = st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
        max_leaves=6,
    )
    return st.one_of(pick(HOSTILE), nested, st.sampled_from(WORDS))


def pick(values: list[Any]) -> st.SearchStrategy[Any]:
    """``sampled_from`` that never shows its values (the repr of 10**5000 raises)."""

    def value(index: int) -> Any:
        return values[index]

    return st.integers(0, len(values) - 1).map(value)


def for_hint(hint: Any, columns: list[Any]) -> st.SearchStrategy[Any]:
    """Values shaped like ``hint`` (mostly existing columns for labels); one in 8 hostile."""
    odd = pick(["missing", 7, 10**5000])
    # Hypothesis draws the ends of a range often: the rare branch is a middle value.
    label = st.integers(0, 7).flatmap(lambda k: odd if k == 4 or not columns else pick(columns))
    origin = get_origin(hint)
    if hint == Label:
        shaped: st.SearchStrategy[Any] = label
    elif origin in (Union, types.UnionType):
        args = [h for h in get_args(hint) if h not in (str, int)]
        if str in get_args(hint) and int in get_args(hint):
            args.append(Label)
        shaped = st.one_of(*(for_hint(h, columns) for h in args))
    elif origin is Literal:
        shaped = st.sampled_from(get_args(hint))
    elif origin is list:
        shaped = st.lists(for_hint(get_args(hint)[0], columns), min_size=1, max_size=3)
    elif origin is dict:
        key, value = get_args(hint)
        keys = label if key == Label else for_hint(key, columns).filter(_hashable)
        shaped = st.dictionaries(keys, for_hint(value, columns), min_size=1, max_size=3)
    elif hint is str:
        shaped = st.one_of(st.sampled_from(WORDS), st.text(max_size=8))
    elif hint is bool:
        shaped = st.booleans()
    else:
        shaped = pick(TYPICAL)
    return st.integers(0, 7).flatmap(lambda k: hostile() if k == 3 else shaped)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    rows = draw(st.integers(0, 5))
    n = range(rows)
    pool: dict[Any, Any] = {
        "i": pd.Series([draw(st.integers(-3, 3)) for _ in n], dtype="int64"),
        "h": pd.Series([draw(st.sampled_from([0.5, 1.0, float("nan")])) for _ in n],
                       dtype="float16"),
        "d": pd.Series([draw(st.sampled_from([{"a": 1}, None, {"b": [2]}])) for _ in n],
                       dtype=object),
        "o": pd.Series([draw(st.sampled_from([1, "a", None, 2.5, ("t",)])) for _ in n],
                       dtype=object),
        "ai": pd.Series([draw(st.sampled_from([1, None, -(2**63)])) for _ in n],
                        dtype="int64[pyarrow]"),
        "as": pd.Series([draw(st.sampled_from(["a", "B ", None])) for _ in n],
                        dtype=pd.ArrowDtype(pa.string())),
        "al": pd.Series([draw(st.sampled_from([[1], None, []])) for _ in n],
                        dtype=pd.ArrowDtype(pa.list_(pa.int64()))),
        "c": pd.Series([draw(st.sampled_from(["lo", "hi", None])) for _ in n], dtype="category"),
        "t": pd.Series(pd.date_range("2020-01-01", periods=rows, freq="D", tz="Europe/Paris")),
        "s": pd.Series([draw(st.sampled_from(["x", " y", None, "2020-01-01"])) for _ in n],
                       dtype="str"),
        "n": pd.Series([draw(st.sampled_from([1, None, 3])) for _ in n], dtype="Int64"),
        "b": pd.Series([draw(st.booleans()) for _ in n], dtype="bool"),
        7: pd.Series([draw(st.floats(-1e300, 1e300)) for _ in n], dtype="float64"),
    }  # fmt: skip
    names = draw(st.lists(st.sampled_from(list(pool)), min_size=2, max_size=6, unique=True))
    if draw(st.integers(0, 15)) == 7:
        names = []
    return pd.DataFrame({name: pool[name] for name in names}, index=pd.RangeIndex(rows))


@st.composite
def operations(draw: st.DrawFn, columns: list[Any]) -> tuple[str, dict[str, Any]]:
    ops = catalog()
    name = draw(st.sampled_from(sorted(ops)))
    hints = typing.get_type_hints(ops[name])
    params = {}
    for field in dataclasses.fields(ops[name]):  # type: ignore[arg-type]
        hint = hints[field.name]
        if field.default is dataclasses.MISSING or hint is Any or draw(st.booleans()):
            special = {"dtype": DTYPES, "expr": [*EXPRS, *(f"`{c}` * 2" for c in columns)]}
            if field.name in special and draw(st.integers(0, 7)) != 3:
                params[field.name] = draw(st.sampled_from(special[field.name]))
            else:
                params[field.name] = draw(for_hint(hint, columns))
    if draw(st.integers(0, 20)) == 13:
        params[draw(st.sampled_from(["colum", "value", "extra"]))] = draw(hostile())
    return name, params


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_fuzz_every_failure_is_an_operation_error_and_changes_nothing(data: st.DataObject) -> None:
    df = data.draw(frames(), label="frame")
    s = hj.Session(df, name="fuzz")
    try:
        if len(df.columns) and data.draw(st.booleans(), label="redo branch"):
            s.apply("rename", columns={df.columns[0]: "renamed"})
            s.undo()
        columns = list(s.df.columns)
        size = data.draw(st.sampled_from([1, 1, 1, 2, 3]), label="size")
        batch = data.draw(st.lists(operations(columns), min_size=size, max_size=size), label="ops")
        before, calls = watched(s)
        try:
            preview = s.preview(batch[0][0], **batch[0][1])
            assert isinstance(preview.ok, bool) and isinstance(preview.label, str)
        except hj.OperationError:
            pass
        assert_unchanged(s, before, calls)
        try:
            # One operation through apply, several through apply_all: the same transaction.
            one = len(batch) == 1
            steps = [s.apply(batch[0][0], **batch[0][1])] if one else s.apply_all(batch)
        except hj.OperationError as exc:
            root: BaseException = exc
            while root.__cause__ is not None:
                root = root.__cause__
            event(f"failed: {type(root).__name__}")
            assert "\n" not in str(exc)
            assert_unchanged(s, before, calls)
        else:
            event(f"applied: {batch[-1][0]}")
            assert s.position == before.position + len(steps)
            assert s.version == before.version + 1 and calls == [s.version]
            history = s.history
            assert len(history) == before.position + 1 + len(steps)
            assert all(isinstance(st_.label, str) and st_.code for st_ in history[1:])
            assert s.code(source=False)
            recipe = s.recipe().to_json()
            assert hj.Recipe.from_json(recipe).to_json() == recipe
            s.undo() if len(steps) == 1 else s.goto(before.position)
            pd.testing.assert_frame_equal(s.df, before.frame, check_exact=True)
        position = s.position
        s.apply("formula", column="fuzz_ok", expr="1")
        assert s.position == position + 1 and s.df["fuzz_ok"].eq(1).all()
    finally:
        s.close()
