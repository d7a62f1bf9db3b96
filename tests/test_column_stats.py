"""The Column tab's ``column_stats`` request: percentiles computed in the kernel's pool."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_widgets_protocol import XSS, Driver

import hydroml_jupyter as hj
from hydroml_jupyter.widgets import Sidebar, Studio
from hydroml_jupyter.widgets.columnstats import PERCENTILES, percentiles


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 1_000
    return pd.DataFrame(
        {
            "delay": rng.lognormal(2, 1.5, n),
            "count": pd.array(rng.integers(0, 50, n), dtype="Int64"),
            "when": pd.date_range("2024-01-01", periods=n, freq="h"),
            XSS: rng.choice(["a", "b"], n),
            "flag": rng.random(n) > 0.5,
            "empty": [None] * n,
        }
    ).astype({"empty": "float64"})


def test_percentiles_match_numpy_for_numbers_and_skip_text(frame: pd.DataFrame) -> None:
    got = percentiles(frame["delay"])
    assert [p for p, _ in got] == list(PERCENTILES) == [1, 5, 25, 50, 75, 95, 99]
    assert np.allclose([v for _, v in got], np.percentile(frame["delay"], PERCENTILES))
    assert percentiles(frame[XSS]) == [] and percentiles(frame["flag"]) == []
    assert percentiles(frame["empty"]) == [(p, None) for p in PERCENTILES]


def test_percentiles_of_dates_and_nullable_integers(frame: pd.DataFrame) -> None:
    with_missing = frame["count"].copy()
    with_missing[:10] = pd.NA
    got = dict(percentiles(with_missing))
    assert got[50] == float(np.percentile(with_missing.dropna().to_numpy(int), 50))
    dates = dict(percentiles(frame["when"]))
    assert dates[50] == frame["when"].quantile(0.5).isoformat()


@pytest.mark.parametrize("kind", [Studio, Sidebar])
def test_request_replies_with_the_columns_percentiles(frame: pd.DataFrame, kind: type) -> None:
    widget = kind(hj.Session(frame, name="stats"))
    d = Driver(widget)
    reply = d.ok("column_stats", column="delay")
    assert reply["kind"] == "column_stats" and reply["column"] == "delay"
    assert reply["version"] == widget.session.version
    assert [p for p, _ in reply["percentiles"]] == list(PERCENTILES)
    assert d.ok("column_stats", column=XSS)["percentiles"] == []
    widget.close()


def test_unknown_column_is_an_error_naming_it(frame: pd.DataFrame) -> None:
    d = Driver(Studio(hj.Session(frame, name="stats")))
    content, _ = d.ask("column_stats", column="nope")
    assert content["kind"] == "error"
    assert content["message"].startswith("column_stats: no column named 'nope'")
    content, _ = d.ask("column_stats", column=None)
    assert content["kind"] == "error" and "must be a string" in content["message"]
    d.widget.close()
