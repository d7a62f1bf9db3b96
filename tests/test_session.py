"""The session's contract: versions, undo/redo/goto, history, listeners, threads, memory."""

from __future__ import annotations

import json
import threading

import numpy as np
import pandas as pd
import pytest

import hydroml_jupyter as hj
from hydroml_jupyter.engine import BatchError, make_operation


@pytest.fixture
def df() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "a": [1.0, None, 3.0, 4.0],
            "b": ["x", " y", None, "x"],
            "n": pd.array([1, None, 3, 3], dtype="Int64"),
        }
    )


@pytest.fixture
def s(df):
    session = hj.Session(df, name="t")
    yield session
    session.close()


def test_versions_grow_on_every_change(s) -> None:
    assert s.version == 0
    s.apply("fill_missing", column="a", strategy="value", value=0.0)
    s.apply("text", column="b", action="strip")
    assert s.version == 2
    s.undo()
    assert s.version == 3
    s.redo()
    assert s.version == 4
    s.goto(0)
    assert s.version == 5
    s.goto(0)  # no move, no change
    assert s.version == 5


def test_undo_redo_goto_reset(s, df) -> None:
    s.apply("fill_missing", column="a", strategy="value", value=0.0)
    after_fill = s.df
    s.apply("drop_columns", columns=["b"])
    assert (s.position, s.can_undo, s.can_redo) == (2, True, False)
    assert s.undo().index == 1
    pd.testing.assert_frame_equal(s.df, after_fill)
    assert s.can_redo
    s.reset()
    pd.testing.assert_frame_equal(s.df, df)
    assert s.can_redo and not s.can_undo
    s.goto(2)
    assert list(s.df.columns) == ["a", "n"]
    with pytest.raises(hj.OperationError, match="no step 3; steps are 0 to 2"):
        s.goto(3)
    with pytest.raises(hj.OperationError, match="nothing to redo"):
        s.redo()
    s.goto(0)
    with pytest.raises(hj.OperationError, match="nothing to undo"):
        s.undo()


def test_apply_after_undo_drops_the_redo_branch(s) -> None:
    s.apply("fill_missing", column="a", strategy="value", value=0.0)
    s.apply("drop_columns", columns=["b"])
    s.undo()
    s.apply("text", column="b", action="upper")
    assert [step.op for step in s.history] == ["original", "fill_missing", "text"]
    assert not s.can_redo


def test_history_describes_each_step(s) -> None:
    s.apply("filter_rows", column="a", op=">", value=1)
    s.apply("rename", columns={"a": "alpha"})
    s.undo()
    history = s.history
    assert len(history) == 3
    first = history[0]
    assert (first.index, first.op, first.shape) == (0, "original", (4, 3))
    step = history[1]
    assert step.op == "filter_rows"
    assert step.params == {"column": "a", "op": ">", "value": 1}
    assert step.label == "Keep rows where a > 1"
    assert step.shape == (2, 3)
    assert step.duration >= 0
    assert step.current and not step.undone
    assert history[2].undone
    table = history.to_frame()
    assert list(table["state"]) == ["", "current", "undone"]
    assert "Keep rows where a &gt; 1" in history._repr_html_()


def test_apply_accepts_an_operation_object(s) -> None:
    op = hj.Recipe.from_json(
        json.dumps(
            {
                "format": "hydroml-recipe",
                "version": 1,
                "steps": [{"op": "rename", "params": {"columns": {"a": "z"}}}],
            }
        )
    ).steps[0]
    s.apply(op)
    assert "z" in s.df.columns
    with pytest.raises(TypeError):
        s.apply(op, columns={"b": "c"})


def test_subscribe_is_called_with_each_version(s) -> None:
    seen: list[int] = []
    unsubscribe = s.subscribe(seen.append)
    s.apply("fill_missing", column="a", strategy="value", value=0.0)
    s.undo()
    with pytest.raises(hj.OperationError):
        s.apply("drop_columns", columns=["zzz"])
    unsubscribe()
    s.redo()
    assert seen == [1, 2]


def test_a_failing_listener_does_not_break_the_session(s, caplog) -> None:
    s.subscribe(lambda version: 1 / 0)
    s.apply("fill_missing", column="a", strategy="value", value=0.0)
    assert s.version == 1
    assert "listener failed" in caplog.text


def test_threads_apply_safely() -> None:
    frame = pd.DataFrame({f"c{i}": np.arange(1000.0) for i in range(8)})
    s = hj.Session(frame, name="threads")
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for _ in range(10):
                s.apply(
                    "formula" if i % 2 else "scale",
                    **(
                        {"column": f"c{i}", "expr": f"c{i} + 1"}
                        if i % 2
                        else {"columns": [f"c{i}"]}
                    ),
                )
                s.df.sum()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert s.position == 80 and s.version == 80
    ns = {"df": frame}
    exec(s.code(source=False), ns)
    pd.testing.assert_frame_equal(ns["df"], s.df, check_exact=True)
    s.close()


def test_snapshots_share_unchanged_columns() -> None:
    rows = 100_000
    frame = pd.DataFrame({f"c{i}": np.random.default_rng(i).random(rows) for i in range(10)})
    s = hj.Session(frame, name="mem")
    base = s.memory
    for i in range(20):
        s.apply("scale", columns=[f"c{i % 10}"], method="minmax")
    column = rows * 8
    assert s.memory == base + 20 * column
    s.close()


def test_memory_budget_drops_snapshots_and_rebuilds_them() -> None:
    rows = 50_000
    frame = pd.DataFrame({f"c{i}": np.arange(rows, dtype="float64") + i for i in range(4)})
    column = rows * 8
    # The original and the current frame (4 columns each) are always kept.
    s = hj.Session(frame, name="budget", memory_budget=10 * column)
    results = []
    for i in range(8):
        s.apply("formula", column=f"c{i % 4}", expr=f"c{i % 4} * 2")
        results.append(s.df)
    assert s.memory <= 10 * column
    kept = s._history.kept
    assert 0 in kept and 8 in kept and len(kept) < 9
    for i in range(7, -1, -1):
        s.goto(i + 1)
        pd.testing.assert_frame_equal(s.df, results[i], check_exact=True)
    assert s._history.rebuilds > 0
    s.memory_budget = 10**12
    s.close()


def test_preview_reports_without_applying(s) -> None:
    frame = pd.DataFrame({"age": ["1", "x", None, "4"]})
    p = hj.Session(frame, name="preview")
    bad = p.preview("cast", column="age", dtype="Int64")
    assert not bad.ok
    assert "'x' (row 1)" in bad.error
    assert [(f.row, f.value) for f in bad.failures] == [(1, "x")]
    good = p.preview("cast", column="age", dtype="Int64", errors="coerce")
    assert good.ok and good.dtypes_changed == {"age": ("str", "Int64")}
    assert good.changed == {"age": 3}
    assert [(f.row, f.value) for f in good.failures] == [(1, "x")]
    assert good.sample is not None and len(good.sample) == 3
    rows = p.preview("filter_rows", column="age", op="not_null")
    assert (rows.rows_before, rows.rows_after) == (4, 3)
    assert p.version == 0 and p.position == 0
    assert "age: str → Int64" in repr(good)
    p.close()


def test_save_as_links_to_its_parent(s, df) -> None:
    s.apply("fill_missing", column="a", strategy="value", value=0.0)
    child = s.save_as("clean")
    assert child.parent == "t"
    assert hj.session("clean") is child
    child.apply("drop_columns", columns=["b"])
    script = child.code(source=True)
    assert "Saved as 'clean'" in script
    assert script.index("fillna(0.0)") < script.index("drop(columns=['b'])")
    ns = {"df": df}
    exec(script, ns)
    pd.testing.assert_frame_equal(ns["df"], child.df, check_exact=True)
    assert child.history[0].label == "Original (saved from t)"
    child.close()


def test_recipe_round_trips_awkward_values(df) -> None:
    frame = pd.DataFrame(
        {
            "k": [1, 2, 3],
            "v": [float("nan"), 1.0, 2.0],
            "d": pd.to_datetime(["2020-01-01", "2021-01-01", None]),
        }
    )
    s = hj.Session(frame, name="awkward")
    s.apply("replace", column="k", mapping={1: 10, 2: 20})
    s.apply("filter_rows", column="d", op="<", value=pd.Timestamp("2020-06-01"))
    s.apply("rename", columns={"k": 0})
    text = s.recipe().to_json()
    assert "NaN" not in text
    recipe = hj.Recipe.from_json(text)
    pd.testing.assert_frame_equal(recipe.apply(frame), s.df, check_exact=True)
    assert recipe.to_dict() == s.recipe().to_dict()
    s.close()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ('{"format": "other"}', "not a hydroml recipe"),
        ('{"format": "hydroml-recipe", "version": 9}', "unsupported recipe version 9"),
        (
            '{"format": "hydroml-recipe", "version": 1, "steps": [{"op": "exec", "params": {}}]}',
            "recipe step 1: unknown operation 'exec'",
        ),
        (
            '{"format": "hydroml-recipe", "version": 1, "steps": [{"params": {}}]}',
            "step 1 has no operation name",
        ),
    ],
)
def test_bad_recipes_are_refused(text, message) -> None:
    with pytest.raises(hj.OperationError, match=message):
        hj.Recipe.from_json(text)


def test_recipe_replay_names_the_failing_step(df) -> None:
    s = hj.Session(df, name="replay")
    s.apply("rename", columns={"a": "z"})
    s.apply("fill_missing", column="z", strategy="median")
    with pytest.raises(
        hj.OperationError, match=r"step 1 \(Rename a → z\): rename: no column named 'a'"
    ):
        s.recipe().apply(df.drop(columns=["a"]))
    s.close()


def test_registry(df) -> None:
    one = hj.Session(df, name="reg-one")
    assert hj.sessions()["reg-one"] is one
    with pytest.raises(KeyError, match="did you mean 'reg-one'"):
        hj.session("reg-on")
    newer = hj.Session(df, name="reg-one")
    assert hj.session("reg-one") is newer
    one.close()  # the older one is no longer registered; closing it leaves the newer
    assert hj.session("reg-one") is newer
    newer.close()
    assert "reg-one" not in hj.sessions()
    anonymous = hj.Session(df)
    assert anonymous.name.startswith("session")
    anonymous.close()
    with pytest.raises(ValueError, match="non-empty string"):
        hj.Session(df, name=" ")


def test_operation_catalog_lists_every_op() -> None:
    assert set(hj.catalog()) >= {
        "rename",
        "cast",
        "fill_missing",
        "drop_columns",
        "drop_missing",
        "filter_rows",
        "sort_rows",
        "dedupe",
        "replace",
        "text",
        "formula",
        "one_hot",
        "scale",
        "group_aggregate",
    }


def test_step_params_are_copies(s) -> None:
    step = s.apply("drop_columns", columns=["b"])
    step.params["columns"].append("a")
    s.history[1].params["columns"].append("n")
    assert s.history[1].params == {"columns": ["b"]}
    assert list(s.df.columns) == ["a", "n"]


def test_lowering_the_budget_drops_snapshots_at_once() -> None:
    frame = pd.DataFrame({f"c{i}": np.arange(10_000, dtype="float64") for i in range(4)})
    s = hj.Session(frame, name="shrink")
    for i in range(6):
        s.apply("scale", columns=[f"c{i % 4}"], method="minmax")
    assert s._history.kept == list(range(7))
    s.memory_budget = 0
    assert s._history.kept == [0, 6]
    s.goto(3)
    assert s.position == 3 and 3 in s._history.kept
    s.close()


@pytest.mark.parametrize("cursor_back", [0, 1, 3])
def test_state_round_trip_keeps_history_cursor_and_code(df, cursor_back) -> None:
    s = hj.Session(df, name="stateful")
    s.apply("fill_missing", column="a", strategy="median")
    s.apply("text", column="b", action="upper")
    s.apply("filter_rows", column="n", op="not_null")
    for _ in range(cursor_back):
        s.undo()
    frames = [s.df]
    state = s.state()
    assert state.cursor == s.position and state.version == s.version
    assert set(state.frames) == ({0} if s.position == 0 else {0, s.position})
    json.dumps(state.meta), json.dumps(state.recipe)  # JSON-friendly
    s.close()

    back = hj.Session.from_state(state, memory_budget=0)
    assert back.position == 3 - cursor_back and back.version == s.version
    pd.testing.assert_frame_equal(back.df, frames[0], check_exact=True)
    assert [st.label for st in back.history] == [st.label for st in s.history]
    assert back.code() == s.code()
    while back.can_redo:
        back.redo()
    while back.can_undo:
        back.undo()
    pd.testing.assert_frame_equal(back.df, df, check_exact=True)
    back.goto(3)
    ns = {"df": df}
    exec(back.code(source=False), ns)
    pd.testing.assert_frame_equal(back.df, ns["df"], check_exact=True)
    back.close()


def test_foreign_state_is_refused(df) -> None:
    from hydroml_jupyter.engine.state import SessionState

    with pytest.raises(hj.OperationError, match="not a session state"):
        hj.Session.from_state(SessionState("x", {"format": "other"}, {}, {0: df}))


def test_a_state_that_cannot_be_rebuilt_leaves_the_live_session_registered(df) -> None:
    from hydroml_jupyter.engine.state import SessionState

    live = hj.Session(df, name="kept live")
    live.apply("fill_missing", column="a", strategy="median")
    state = live.state()
    # the current frame is missing, so step 1 replays on an original that lacks its column
    broken = SessionState(state.name, state.meta, state.recipe, {0: df.drop(columns="a")})
    with pytest.raises(hj.OperationError, match="'a'"):
        hj.Session.from_state(broken)
    assert hj.sessions()["kept live"] is live
    live.close()


def test_apply_all_is_one_change_and_refuses_a_bad_batch_whole() -> None:
    s = hj.Session(pd.DataFrame({"a": [1, None, 3], "b": ["x", "y", "z"]}), name="batch")
    seen: list[int] = []
    s.subscribe(seen.append)
    steps = s.apply_all(
        [
            ("fill_missing", {"column": "a", "strategy": "value", "value": 0}),
            make_operation("rename", {"columns": {"b": "label"}}),
        ]
    )
    assert [st.op for st in steps] == ["fill_missing", "rename"] and seen == [s.version]
    assert s.apply_all([]) == [] and seen == [s.version]
    with pytest.raises(BatchError, match=r"^operation 2 of 2: unknown operation 'nope'"):
        s.apply_all([("dedupe", {}), ("nope", {})])
    with pytest.raises(TypeError, match="item 0 is 'dedupe'"):
        s.apply_all(["dedupe"])
    assert s.position == 2 and len(s.history) == 3 and len(seen) == 1
    s.close()
