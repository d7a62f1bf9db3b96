"""Write ``messy_customers.csv``: 300 customers with the usual data-quality problems.

Deterministic (seeded): running it again writes the same file. The problems, each one a
profile alert: an id column, a constant column, numbers stored as text (``income`` has a
few ``"unknown"``), spelling variants differing in case and spaces (``city``), missing
values (``age``, ``plan``, ``monthly_spend``), one duplicated row and an imbalanced target
(``churned``: about one customer in eight says ``yes``).

Run from the repository root: ``python notebooks/data/make_messy_customers.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

ROWS = 300
OUT = Path(__file__).with_name("messy_customers.csv")
INTERCEPT, TENURE, SPEND, BASIC = -2.4, 0.15, 0.04, 1.5


def make(rows: int = ROWS, seed: int = 7) -> pd.DataFrame:
    """Return the messy frame (before it is written as CSV)."""
    rng = np.random.default_rng(seed)
    tenure = rng.integers(1, 72, rows)
    spend = np.round(rng.gamma(4.0, 15.0, rows), 2)
    plan = rng.choice(["basic", "plus", "pro"], rows, p=[0.5, 0.3, 0.2])
    basic = np.where(plan == "basic", BASIC, 0.0)
    logit = INTERCEPT - TENURE * tenure + SPEND * spend + basic
    churned = np.where(rng.random(rows) < 1 / (1 + np.exp(-logit)), "yes", "no")
    city = rng.choice(["Paris", "Lyon", "Nice", "Lille"], rows, p=[0.4, 0.3, 0.2, 0.1])
    city = city.astype(object)
    variants = {"Paris": [" paris", "PARIS"], "Lyon": ["lyon "], "Nice": ["nice"]}
    for i in np.flatnonzero(rng.random(rows) < 0.12):
        city[i] = rng.choice(variants.get(city[i], [city[i]]))
    income = (np.round(rng.normal(42_000, 9_000, rows), -2)).astype(int).astype(str)
    income[rng.random(rows) < 0.04] = "unknown"
    df = pd.DataFrame(
        {
            "customer_id": [f"C{1000 + i}" for i in range(rows)],
            "age": rng.integers(18, 80, rows).astype(float),
            "income": income,
            "city": city,
            "plan": plan,
            "tenure_months": tenure,
            "monthly_spend": spend,
            "country": "FR",
            "churned": churned,
        }
    )
    df.loc[rng.random(rows) < 0.08, "age"] = np.nan
    df.loc[rng.random(rows) < 0.10, "plan"] = None
    df.loc[rng.random(rows) < 0.06, "monthly_spend"] = np.nan
    return pd.concat([df, df.iloc[[41]]], ignore_index=True)


if __name__ == "__main__":
    make().to_csv(OUT, index=False)
    print(f"wrote {OUT}")
