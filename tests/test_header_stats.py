"""The grid header's figures over the view's rows, and the value lists of the filter by value.

Every header figure is compared with ``analysis.column_info`` of the rows the filters keep;
every value list with ``Series.value_counts`` of those rows. Requests go through the grid's
own message handler, as the comm delivers them.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

import hydroml_jupyter as hj
from hydroml_jupyter import analysis
from hydroml_jupyter.widgets import headerstats
from hydroml_jupyter.widgets.headerstats import header_stats
from hydroml_jupyter.widgets.valuecounts import count_values


class Driver:
    """Send requests to a grid as its comm would; collect the one reply to each."""

    def __init__(self, widget: Any) -> None:
        self.widget = widget
        self.sent: list[dict[str, Any]] = []
        self.ids = itertools.count(1)
        widget.send = lambda content, buffers=None: self.sent.append(content)

    def ask(self, kind: str, **fields: Any) -> dict[str, Any]:
        request = next(self.ids)
        self.widget._on_message(self.widget, {"kind": kind, "request": request, **fields}, [])
        self.widget.join()
        replies = [c for c in self.sent if c.get("request") == request]
        assert len(replies) == 1, replies
        json.dumps(replies[0], allow_nan=False)
        return replies[0]

    def ok(self, kind: str, **fields: Any) -> dict[str, Any]:
        content = self.ask(kind, **fields)
        assert content["kind"] == kind, content
        return content

    def error(self, kind: str, **fields: Any) -> str:
        content = self.ask(kind, **fields)
        assert content["kind"] == "error", content
        assert "\n" not in content["message"]
        return str(content["message"])


def frame(rows: int = 2000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    floats = rng.normal(10, 3, rows)
    floats[rng.random(rows) < 0.1] = np.nan
    floats[:3] = [np.inf, -np.inf, np.nan]
    when = pd.Series(
        pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 10**6, rows), "s")
    )
    when[rng.random(rows) < 0.05] = pd.NaT
    text = pd.Series(rng.choice(["JFK", "LGA", "EWR", "jfk "], rows), dtype="str")
    text[rng.random(rows) < 0.07] = None
    return pd.DataFrame(
        {
            "x": floats,
            "n": rng.integers(-5, 40, rows),
            "wide": rng.integers(0, 10**7, rows),
            "few": rng.integers(0, 6, rows),
            "rating": pd.array(
                np.where(rng.random(rows) < 0.1, None, rng.integers(1, 6, rows)), dtype="Int64"
            ),
            "flag": rng.random(rows) < 0.3,
            "nflag": pd.array(
                np.where(rng.random(rows) < 0.1, None, rng.random(rows) < 0.5), dtype="boolean"
            ),
            "origin": text,
            "obj": text.astype(object),
            "cat": pd.Categorical(
                rng.choice(["b", "a", "c"], rows), categories=["c", "b", "a", "z"]
            ),
            "when": when,
            "zoned": when.dt.tz_localize("UTC").dt.tz_convert("Europe/Paris"),
            "span": pd.to_timedelta(rng.integers(0, 100, rows), "min"),
            "const": np.full(rows, 2.5),
        }
    )


def same_as_analysis(got: headerstats.HeaderStats, rows: pd.Series) -> None:
    info = analysis.column_info(rows, bins=headerstats.BINS, top=headerstats.TOP)
    assert got.rows == len(rows)
    assert got.nulls == info.summary.nulls
    if info.histogram is not None:
        assert got.histogram == info.histogram
        assert got.distinct is None and got.top_values == []
    else:
        assert got.histogram is None
        assert got.distinct == info.summary.distinct
        assert got.top_values == info.top_values


@pytest.mark.parametrize("column", list(frame().columns))
@pytest.mark.parametrize("share", [None, 0.3, 0.0])
def test_header_figures_equal_column_info_of_the_kept_rows(
    column: str, share: float | None
) -> None:
    df = frame()
    keep = None if share is None else np.random.default_rng(3).random(len(df)) < share
    series = df[column]
    got = header_stats(series, keep)
    same_as_analysis(got, series if keep is None else series[keep])
    json.dumps(got.to_dict(), allow_nan=False)


def test_integer_histograms_weighted_by_distinct_counts_are_exact() -> None:
    # Many rows over a small span take the counted path; the bins must not move.
    values = np.random.default_rng(5).integers(-1000, 1000, 100_000)
    got = header_stats(pd.Series(values))
    assert got.histogram == analysis.histogram(pd.Series(values))


def grid_of(df: pd.DataFrame, **kwargs: Any) -> tuple[Any, Driver]:
    grid = hj.DataGrid(df, **kwargs)
    return grid, Driver(grid)


def test_header_stats_request_follows_the_filters() -> None:
    df = frame()
    grid, driver = grid_of(df)
    whole = driver.ok("header_stats", columns=["x", "origin"])
    assert whole["filters"] == [] and whole["version"] == grid.version
    assert whole["stats"]["x"]["rows"] == len(df)
    assert whole["stats"]["origin"]["nulls"] == int(df["origin"].isna().sum())

    driver.ok("view", filters=[{"column": "n", "op": ">=", "value": 20}])
    filtered = driver.ok("header_stats", columns=["x", "origin", "cat"])
    kept = df[df["n"] >= 20]
    assert filtered["filters"] == [{"column": "n", "op": ">=", "value": 20}]
    for name in ("x", "origin", "cat"):
        expected = header_stats(kept[name]).to_dict()
        assert filtered["stats"][name] == json.loads(json.dumps(expected))
    assert filtered["stats"]["x"]["rows"] == len(kept)
    assert sum(filtered["stats"]["x"]["histogram"]["counts"]) < sum(
        whole["stats"]["x"]["histogram"]["counts"]
    )
    # A sort changes no figure.
    driver.ok("view", sort=[{"column": "x", "descending": True}])
    assert (
        driver.ok("header_stats", columns=["origin"])["stats"]["origin"]
        == filtered["stats"]["origin"]
    )
    grid.close()


def test_header_stats_are_computed_once_per_version_and_filters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    grid, driver = grid_of(frame())
    calls: list[str] = []
    real = headerstats.header_stats

    def counting(series: pd.Series, keep: np.ndarray | None = None, **kw: Any) -> Any:
        calls.append(str(series.name))
        return real(series, keep, **kw)

    monkeypatch.setattr(headerstats, "header_stats", counting)
    driver.ok("header_stats", columns=["x", "n"])
    driver.ok("header_stats", columns=["x", "n", "origin"])
    assert calls == ["x", "n", "origin"]
    grid.session.apply("drop_columns", columns=["few"])
    reply = driver.ok("header_stats", columns=["x"])
    assert reply["version"] == grid.version and calls[-1] == "x" and len(calls) == 4
    grid.close()


def test_header_stats_of_unknown_column_is_one_line_naming_it() -> None:
    grid, driver = grid_of(frame())
    message = driver.error("header_stats", columns=["nope"])
    assert "nope" in message
    grid.close()


# -- values ---------------------------------------------------------------------------------------
def expected_values(series: pd.Series) -> list[list[Any]]:
    counts = series.value_counts(dropna=True)
    pairs = sorted(counts.items(), key=lambda p: (-p[1], p[0]))
    return [[analysis_value(v), int(c)] for v, c in pairs]


def analysis_value(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


@pytest.mark.parametrize("column", ["origin", "obj", "n", "few", "rating", "flag", "nflag"])
def test_values_equal_value_counts(column: str) -> None:
    df = frame()
    grid, driver = grid_of(df)
    reply = driver.ok("values", column=column)
    series = df[column]
    assert reply["values"] == expected_values(series)[:200]
    assert reply["distinct"] == series.nunique()
    assert reply["nulls"] == int(series.isna().sum()) and reply["rows"] == len(df)
    assert reply["complete"] == (series.nunique() <= 200)
    grid.close()


def test_category_values_keep_category_order_on_ties() -> None:
    df = pd.DataFrame({"c": pd.Categorical(["b", "a", "a", "b", None], categories=["b", "a"])})
    grid, driver = grid_of(df)
    reply = driver.ok("values", column="c")
    assert reply["values"] == [["b", 2], ["a", 2]] and reply["nulls"] == 1
    grid.close()


def test_values_count_the_rows_other_filters_keep() -> None:
    df = frame()
    grid, driver = grid_of(df)
    driver.ok(
        "view",
        filters=[
            {"column": "n", "op": "<", "value": 10},
            {"column": "origin", "op": "in", "value": ["JFK"]},
        ],
    )
    reply = driver.ok("values", column="origin")
    # The filter on origin itself is left out: every origin of the rows with n < 10 shows.
    assert reply["values"] == expected_values(df.loc[df["n"] < 10, "origin"])
    assert reply["rows"] == int((df["n"] < 10).sum())
    grid.close()


def test_values_search_and_limit() -> None:
    df = pd.DataFrame({"s": [f"item {i % 700}" for i in range(5000)] + ["ITEM 99x"] * 3})
    grid, driver = grid_of(df)
    first = driver.ok("values", column="s", limit=5)
    assert len(first["values"]) == 5 and first["distinct"] == 701 and not first["complete"]
    # 5000 rows over 700 values: 0-99 come 8 times; ties in text order.
    assert first["values"] == [[f"item {i}", 8] for i in (0, 1, 10, 11, 12)]
    found = driver.ok("values", column="s", search="em 99")
    assert found["values"] == [["item 99", 8], ["ITEM 99x", 3]]
    assert found["complete"] and found["distinct"] == 2
    ints = pd.DataFrame({"k": np.arange(3000) % 1500})
    grid2, driver2 = grid_of(ints)
    hits = driver2.ok("values", column="k", search="149", limit=3)
    assert hits["values"] == [[149, 2], [1149, 2], [1490, 2]] and hits["distinct"] == 12
    grid.close()
    grid2.close()


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"column": "x"}, ["'x'", "float"]),
        ({"column": "when"}, ["'when'", "datetime"]),
        ({"column": "nope"}, ["nope"]),
        ({"column": "origin", "limit": 0}, ["limit", "0"]),
        ({"column": "origin", "limit": 5000}, ["limit", "5000"]),
        ({"column": "origin", "search": 3}, ["search"]),
    ],
)
def test_values_refusals_are_one_line_naming_the_column(
    fields: dict[str, Any], words: list[str]
) -> None:
    grid, driver = grid_of(frame())
    message = driver.error("values", **fields)
    for word in words:
        assert word in message, message
    grid.close()


def test_values_refuse_integers_the_browser_cannot_hold() -> None:
    grid, driver = grid_of(pd.DataFrame({"big": [2**60, 1, 1]}))
    message = driver.error("values", column="big")
    assert "'big'" in message and str(2**60) in message
    grid.close()


def test_count_values_of_an_empty_selection() -> None:
    counted = count_values(pd.Series(["a", None]), np.array([False, False]))
    assert counted.rows == 0 and counted.nulls == 0 and len(counted.counts) == 0


def test_checked_values_applied_as_a_step_give_exact_code() -> None:
    df = frame()
    grid, driver = grid_of(df)
    listed = driver.ok("values", column="origin")
    chosen = [listed["values"][0][0], listed["values"][2][0]]
    driver.ok("view", filters=[{"column": "origin", "op": "in", "value": chosen}])
    assert grid.row_count == int(df["origin"].isin(chosen).sum())
    assert driver.ask("apply_view")["kind"] == "done"
    session = grid.session
    expected = df[df["origin"].isin(chosen) & df["origin"].notna()]
    pd.testing.assert_frame_equal(session.df, expected)
    line = session.code().strip().splitlines()[-1]
    assert line == f"df = df[df['origin'].isin({chosen!r}) & df['origin'].notna()]"
    namespace: dict[str, Any] = {"df": df.copy(), "pd": pd}
    exec(line, namespace)  # the exported line, run on the original frame
    pd.testing.assert_frame_equal(namespace["df"], expected)
    grid.close()


def test_figures_stop_once_the_view_moves_on(monkeypatch: pytest.MonkeyPatch) -> None:
    grid, driver = grid_of(frame())
    real = headerstats.header_stats
    computed: list[str] = []

    def then_filter(series: pd.Series, keep: np.ndarray | None = None, **kw: Any) -> Any:
        computed.append(str(series.name))
        # A filter set while the figures are computed makes the rest of them useless.
        grid.grid_view.set(filters=[{"column": "n", "op": ">", "value": 3}])
        return real(series, keep, **kw)

    monkeypatch.setattr(headerstats, "header_stats", then_filter)
    reply = driver.ok("header_stats", columns=["x", "n", "origin"])
    assert computed == ["x"] and list(reply["stats"]) == ["x"]
    assert reply["filters"] == []  # what the front end compares with its view: dropped
    grid.close()


def test_figures_over_every_row_are_kept_with_the_step(monkeypatch: pytest.MonkeyPatch) -> None:
    grid, driver = grid_of(frame())
    calls: list[str] = []
    real = headerstats.header_stats

    def counting(series: pd.Series, keep: np.ndarray | None = None, **kw: Any) -> Any:
        calls.append(str(series.name))
        return real(series, keep, **kw)

    monkeypatch.setattr(headerstats, "header_stats", counting)
    first = driver.ok("header_stats", columns=["x"])
    grid.session.apply("drop_columns", columns=["few"])
    driver.ok("header_stats", columns=["x"])
    grid.session.undo()
    again = driver.ok("header_stats", columns=["x"])
    # Undo returns to the first step: its figures were kept, not computed a third time.
    assert calls == ["x", "x"]
    assert again["stats"] == first["stats"] and again["version"] == grid.version
    grid.close()


@pytest.mark.parametrize("share", [None, 0.5])
def test_mostly_distinct_text_is_counted_exactly(share: float | None) -> None:
    # Nearly every value distinct (the dictionary path), with repeats and missing values.
    values = [f"id{i:05d}" for i in range(20_000)] + [None] * 7 + ["id00003"] * 4 + ["id00009"]
    series = pd.Series(values, dtype="str")
    keep = None if share is None else np.random.default_rng(1).random(len(series)) < share
    same_as_analysis(header_stats(series, keep), series if keep is None else series[keep])
    grid, driver = grid_of(pd.DataFrame({"s": series}))
    assert driver.ok("values", column="s", limit=3)["values"] == [
        ["id00003", 5],
        ["id00009", 2],
        ["id00000", 1],
    ]
    grid.close()
