"""Exact column statistics and missing-value reports for the data grid and sessions.

Everything here uses pandas, NumPy and pyarrow only, computes exact values (no sampling) and
works one column at a time, so header summaries can be computed lazily.

Examples
--------
>>> import pandas as pd
>>> from hydroml_jupyter.analysis import column_summary, missing
>>> column_summary(pd.Series([1, 2, 2], name="x")).top
[(2, 2), (1, 1)]
>>> missing(pd.DataFrame({"a": [1, None]})).complete_rows
1
"""

from hydroml_jupyter.analysis._core import KINDS
from hydroml_jupyter.analysis.missing import MissingReport, missing
from hydroml_jupyter.analysis.stats import (
    ColumnInfo,
    ColumnSummary,
    Histogram,
    column_info,
    column_summary,
    histogram,
    summary,
)

__all__ = [
    "KINDS",
    "ColumnInfo",
    "ColumnSummary",
    "Histogram",
    "MissingReport",
    "column_info",
    "column_summary",
    "histogram",
    "missing",
    "summary",
]
