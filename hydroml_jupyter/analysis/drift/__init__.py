"""Drift: how new rows differ from the rows a model trained on, column by column.

:func:`build_reference` summarises a training frame (JSON only, a bounded sample per
numeric column); :func:`compare` checks new rows against it and returns a
:class:`DriftReport` of alerts, each with a severity and the figure behind it:

- numbers: population stability index on the training deciles, Kolmogorov-Smirnov
  on the stored sample, values outside the training range;
- categories: population stability index and chi-squared on the counts, values
  unseen in training;
- every column: the change of its missing rate.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> old = pd.DataFrame({"x": rng.normal(size=5000), "c": rng.choice(["a", "b"], 5000)})
>>> new = old.assign(x=old["x"] + 1.0)
>>> report = drift(old, new)
>>> report.verdict, report.drifted
('severe drift in 1 of 2 columns', ['x'])
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from hydroml_jupyter.analysis.drift._compare import ALPHA, THRESHOLDS, compare, performance_alert
from hydroml_jupyter.analysis.drift._reference import (
    ColumnReference,
    Reference,
    ReferenceError,
    build_reference,
)
from hydroml_jupyter.analysis.drift._report import SEVERITIES, Alert, ColumnDrift, DriftReport

__all__ = [
    "ALPHA",
    "SEVERITIES",
    "THRESHOLDS",
    "Alert",
    "ColumnDrift",
    "ColumnReference",
    "DriftReport",
    "Reference",
    "ReferenceError",
    "build_reference",
    "compare",
    "drift",
    "performance_alert",
]


def _frame(data: Any) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    frame = getattr(data, "df", None)
    if isinstance(frame, pd.DataFrame):
        return frame
    raise TypeError(f"expected a DataFrame or a Session, got {type(data).__name__}")


def drift(reference: Any, new: Any) -> DriftReport:
    """Compare two frames (or sessions, by their current frames): ``new`` against ``reference``.

    ``reference`` may also be a :class:`Reference` already built.
    """
    ref = reference if isinstance(reference, Reference) else build_reference(_frame(reference))
    return compare(ref, _frame(new))
