"""Write the small CSVs the profile tests detect targets on (deterministic).

Run from the repository root: ``python tests/data/make_profile_data.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def churn(rng: np.random.Generator, n: int = 300) -> pd.DataFrame:
    tenure = rng.integers(1, 72, n)
    charges = np.round(rng.uniform(20, 120, n), 2)
    contract = rng.choice(["month-to-month", "one year", "two year"], n, p=[0.5, 0.3, 0.2])
    risk = 0.5 * (contract == "month-to-month") + 0.3 * (tenure < 12)
    return pd.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in range(n)],
            "tenure": tenure,
            "contract": contract,
            "churned": rng.random(n) < risk,
            "monthly_charges": charges,
            "total_charges": np.round(charges * tenure * rng.uniform(0.9, 1.1, n), 2),
        }
    )


def houses(rng: np.random.Generator, n: int = 250) -> pd.DataFrame:
    sqft = rng.integers(500, 4000, n)
    bedrooms = rng.integers(1, 6, n)
    year = rng.integers(1950, 2022, n)
    hood = rng.choice(["north", "south", "east", "west"], n)
    price = 50_000 + 150 * sqft + 10_000 * bedrooms + rng.normal(0, 40_000, n)
    return pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "sqft": sqft,
            "bedrooms": bedrooms,
            "year_built": year,
            "neighborhood": hood,
            "lot_size": np.round(rng.uniform(0.05, 1.0, n), 3),
            "price": np.round(price, -2),
        }
    )


def iris_like(rng: np.random.Generator, per_class: int = 50) -> pd.DataFrame:
    frames = []
    for species, center in (("setosa", 5.0), ("versicolor", 5.9), ("virginica", 6.6)):
        frames.append(
            pd.DataFrame(
                {
                    "sepal_length": np.round(rng.normal(center, 0.4, per_class), 1),
                    "sepal_width": np.round(rng.normal(3.0, 0.3, per_class), 1),
                    "petal_length": np.round(rng.normal(center - 2.0, 0.5, per_class), 1),
                    "petal_width": np.round(rng.normal(center / 4.0, 0.2, per_class), 1),
                    "species": species,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def main() -> None:
    rng = np.random.default_rng(7)
    churn(rng).to_csv(HERE / "churn.csv", index=False)
    houses(rng).to_csv(HERE / "houses.csv", index=False)
    iris_like(rng).to_csv(HERE / "iris_like.csv", index=False)


if __name__ == "__main__":
    main()
