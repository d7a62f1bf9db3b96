"""Frames several test modules train on."""

from __future__ import annotations

import numpy as np
import pandas as pd


def flights(n: int = 240, seed: int = 0, *, ids: bool = True, gap_every: int = 9) -> pd.DataFrame:
    """A raw file's frame: an id (``ids``), text, integers, floats with gaps, bools, a text target.

    ``dep_delay`` is missing on every ``gap_every``-th row; ``late`` is ``"yes"`` or ``"no"``.
    """
    rng = np.random.default_rng(seed)
    columns = {"flight": np.arange(1000, 1000 + n)} if ids else {}
    columns |= {
        "carrier": rng.choice(["AA", "UA", "DL"], n),
        "distance": rng.integers(100, 3000, n),
        "dep_delay": rng.normal(10, 20, n).round(1),
        "weekend": rng.random(n) > 0.7,
    }
    df = pd.DataFrame(columns)
    df.loc[::gap_every, "dep_delay"] = np.nan
    signal = df["dep_delay"].fillna(0) / 20 + (df["carrier"] == "AA")
    df["late"] = np.where(signal > 0.8, "yes", "no")
    return df


def noisy(n: int = 600, seed: int = 0) -> pd.DataFrame:
    """One weak signal under much noise: deep trees overfit, so validation loss soon rises."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({f"x{i}": rng.normal(size=n) for i in range(5)})
    df["y"] = df["x0"] + rng.normal(scale=1.0, size=n)
    return df
