"""Write the messy sample files under notebooks/data/ (deterministic).

Run: ``python scripts/make_sample_data.py``. The files are committed; this script
documents how they were made and remakes them identically.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parent.parent / "notebooks" / "data"

COUNTRIES = ["USA", "usa", " USA", "U.S.A.", "Canada", "canada ", "Mexico", "Germany", "germany"]
PLANS = ["basic", "pro", "enterprise", "Pro", None]
CHURN = ["yes", "no", "no", "no", "Y", "N", "true", "false", "no"]


def customers(rows: int, seed: int, start_id: int) -> pd.DataFrame:
    """Return a messy customer table of ``rows`` rows."""
    rng = np.random.default_rng(seed)
    ages = rng.integers(18, 80, rows).astype(object)
    for i in rng.choice(rows, rows // 12, replace=False):
        ages[i] = rng.choice(["n/a", "unknown", "", None, f"{ages[i]} ", f"{ages[i]}.0"])
    income = np.round(rng.lognormal(10.8, 0.5, rows), -2)
    income[rng.choice(rows, rows // 7, replace=False)] = np.nan
    days = rng.integers(0, 1500, rows)
    signup = (pd.Timestamp("2021-01-01") + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d")
    signup = signup.to_numpy(dtype=object)
    for i in rng.choice(rows, 4, replace=False):
        signup[i] = rng.choice(["2022-02-30", "not a date", "31/12/2022"])
    spend = np.round(rng.gamma(2.0, 30.0, rows), 2)
    spend[rng.choice(rows, 3, replace=False)] = [-15.0, 9999.0, -1.0]
    df = pd.DataFrame(
        {
            "Customer ID": np.arange(start_id, start_id + rows),
            " Name": [f"customer {i}" for i in range(start_id, start_id + rows)],
            "Age": ages,
            "Annual Income ($)": income,
            "signup date": signup,
            "Country": rng.choice(COUNTRIES, rows),
            "plan": rng.choice(np.array(PLANS, dtype=object), rows),
            "monthly_spend": spend,
            "churned": rng.choice(CHURN, rows),
        }
    )
    duplicates = df.sample(rows // 40, random_state=seed)
    return pd.concat([df, duplicates], ignore_index=True)


def main() -> None:
    """Write customers.csv (this month) and customers_next.csv (next month)."""
    OUT.mkdir(parents=True, exist_ok=True)
    customers(400, seed=7, start_id=1000).to_csv(OUT / "customers.csv", index=False)
    customers(250, seed=8, start_id=2000).to_csv(OUT / "customers_next.csv", index=False)


if __name__ == "__main__":
    main()
