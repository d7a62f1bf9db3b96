# ruff: noqa: N803 - X/y are scikit-learn's names; fit steps take many arrays
"""Turn any cleaned frame into model inputs: the preprocessing pipeline and the target.

:func:`build_preprocessor` looks at the frame's dtypes and builds a
scikit-learn ``ColumnTransformer``:

- numbers and bools (nullable ones too): to float, missing values filled with
  the median, standardised when the model needs it (linear, logistic, svm, knn);
- strings, categories and objects: missing values become ``"__missing__"``,
  then one-hot encoded with ``handle_unknown="ignore"`` and at most
  :data:`MAX_CATEGORIES` columns (rarer values share one column); a string
  column whose every value is distinct (an identifier) is dropped;
- datetimes: year, month, day and day of week, missing ones filled with the median;
- columns of any other dtype (timedeltas, periods, intervals...) and columns
  with no value at all are dropped. Every drop is reported as a log line.

Every function used by the pipeline lives in this module, so a saved model
needs only ``hydroml_jupyter``, scikit-learn and numpy to load.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from hydroml_jupyter.experiments.errors import ExperimentError
from hydroml_jupyter.experiments.slices import text_values

__all__ = [
    "MAX_CATEGORIES",
    "MISSING",
    "build_preprocessor",
    "column_kinds",
    "prepare_target",
]

MAX_CATEGORIES = 30
MISSING = "__missing__"
_ID_MIN_ROWS = 50


def to_float(X: pd.DataFrame) -> np.ndarray:
    """Return numeric and bool columns as a float array (missing values as NaN)."""
    return np.column_stack([X[c].astype("float64").to_numpy() for c in X.columns])


def to_text(X: pd.DataFrame) -> np.ndarray:
    """Return columns as an object array of strings, missing values as :data:`MISSING`."""
    if not len(X.columns):
        return np.column_stack([])  # scikit-learn's own error for no column
    out = np.empty((len(X), len(X.columns)), dtype=object)
    for j, c in enumerate(X.columns):
        out[:, j] = text_values(X[c], MISSING)
    return out


def datetime_parts(X: pd.DataFrame) -> np.ndarray:
    """Return year, month, day and day of week of each datetime column (NaN when missing)."""
    parts = []
    for c in X.columns:
        dt = pd.to_datetime(X[c], errors="coerce")
        parts += [dt.dt.year, dt.dt.month, dt.dt.day, dt.dt.day_of_week]
    return np.column_stack([p.astype("float64").to_numpy() for p in parts])


def column_kinds(X: pd.DataFrame) -> tuple[dict[str, list[str]], list[str]]:
    """Sort columns into ``numeric``, ``text`` and ``datetime``; return them and log lines.

    Examples
    --------
    >>> frame = pd.DataFrame({"n": [1, 2], "s": ["a", "b"], "d": pd.to_datetime(["2020", "2021"])})
    >>> column_kinds(frame)[0]
    {'numeric': ['n'], 'text': ['s'], 'datetime': ['d']}
    """
    kinds: dict[str, list[str]] = {"numeric": [], "text": [], "datetime": []}
    logs: list[str] = []
    for name in X.columns:
        col = X[name]
        dtype = col.dtype
        if col.isna().all():
            logs.append(f"dropped column {name!r}: it has no values")
        elif pd.api.types.is_bool_dtype(dtype) or (
            pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype)
        ):
            kinds["numeric"].append(name)
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            kinds["datetime"].append(name)
        elif (
            isinstance(dtype, pd.CategoricalDtype)
            or pd.api.types.is_string_dtype(dtype)
            or pd.api.types.is_object_dtype(dtype)
        ):
            values = col.dropna()
            if (
                not isinstance(dtype, pd.CategoricalDtype)
                and len(values) >= _ID_MIN_ROWS
                and (values.nunique() == len(values))
            ):
                logs.append(f"dropped column {name!r}: every value is distinct (an identifier?)")
            else:
                kinds["text"].append(name)
        else:
            logs.append(f"dropped column {name!r}: dtype {dtype} is not supported")
    return kinds, logs


def build_preprocessor(X: pd.DataFrame, scale: bool) -> tuple[Any, list[str]]:
    """Build an unfitted ``ColumnTransformer`` for ``X``; return it and its log lines.

    Parameters
    ----------
    X
        The feature frame (string column names).
    scale
        Standardise numeric and datetime features (for distance and linear models).

    Raises
    ------
    ExperimentError
        When no column is usable as a feature.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

    kinds, logs = column_kinds(X)

    def numeric(fn: Callable[[pd.DataFrame], np.ndarray]) -> Any:
        steps: list[tuple[str, Any]] = [
            ("to_float", FunctionTransformer(fn)),
            ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
        ]
        if scale:
            steps.append(("scale", StandardScaler()))
        return Pipeline(steps)

    parts: list[tuple[str, Any, list[str]]] = []
    if kinds["numeric"]:
        parts.append(("numeric", numeric(to_float), kinds["numeric"]))
    if kinds["datetime"]:
        parts.append(("datetime", numeric(datetime_parts), kinds["datetime"]))
    if kinds["text"]:
        encoder = OneHotEncoder(
            handle_unknown="ignore", max_categories=MAX_CATEGORIES, sparse_output=False
        )
        parts.append(
            (
                "text",
                Pipeline([("to_text", FunctionTransformer(to_text)), ("onehot", encoder)]),
                kinds["text"],
            )
        )
    if not parts:
        raise ExperimentError("no usable feature column: every column was dropped")
    return ColumnTransformer(parts, remainder="drop", sparse_threshold=0.0), logs


def prepare_target(y: pd.Series, task: str) -> np.ndarray:
    """Return the target as a numpy array fit for scikit-learn (no missing values).

    Classification labels keep their values (strings for text and category
    columns, bools, integers); regression targets become float64.

    Raises
    ------
    ExperimentError
        When a regression target is not numeric, or a classification target has
        fewer than two classes.
    """
    name = y.name
    if task == "regression":
        if not (pd.api.types.is_numeric_dtype(y.dtype) or pd.api.types.is_bool_dtype(y.dtype)):
            raise ExperimentError(
                f"target {name!r} has dtype {y.dtype}: regression needs a numeric target"
            )
        return y.astype("float64").to_numpy()
    values: np.ndarray
    if pd.api.types.is_bool_dtype(y.dtype):
        values = y.astype(bool).to_numpy()
    elif pd.api.types.is_integer_dtype(y.dtype):
        values = y.astype("int64").to_numpy()
    else:
        values = text_values(y)
    classes = pd.unique(values)
    if len(classes) < 2:
        shown = repr(classes[0]) if len(classes) else "none"
        raise ExperimentError(
            f"target {name!r} has one class ({shown}) in {len(values)} rows: "
            "classification needs at least two"
        )
    return values
