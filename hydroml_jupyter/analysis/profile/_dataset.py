"""Frame-wide figures: duplicate rows, Pearson correlation, Cramér's V, missing matrix.

* Duplicate rows: every row is hashed with :func:`pandas.util.hash_pandas_object`; only rows
  whose hash repeats are compared value by value, so the count is exact (no false positives
  from hash collisions) at the cost of one hash pass.
* Correlation: Pearson on float64 with pairwise deletion: each pair uses the rows where both
  columns are present (as :meth:`pandas.DataFrame.corr`). Sums are accumulated over blocks of
  rows with matrix products, after centring each column on its own mean.
* Association: Cramér's V (without bias correction) from exact contingency tables built with
  ``bincount`` on the category codes, for columns with at most
  :data:`ASSOCIATION_MAX_DISTINCT` values; other columns are left out, not sampled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hydroml_jupyter.labels import Label

ASSOCIATION_MAX_DISTINCT = 50
_BLOCK = 1 << 19
_MATRIX_BLOCKS = 100


def duplicate_rows(df: pd.DataFrame, candidates: np.ndarray | None = None) -> int | None:
    """Exact number of rows equal to an earlier row; ``None`` when values cannot be hashed.

    ``candidates`` may mark the only rows that can be duplicates (those whose value repeats in
    a column with many distinct values): only those are then hashed whole.
    """
    if len(df) < 2 or df.shape[1] == 0:
        return 0
    if candidates is not None:
        if not candidates.any():
            return 0
        df = df.iloc[np.flatnonzero(candidates)]
    try:
        hashes = pd.util.hash_pandas_object(df, index=False)
    except TypeError:
        return None
    candidates = hashes.duplicated(keep=False).to_numpy()
    if not candidates.any():
        return 0
    sub = df.iloc[np.flatnonzero(candidates)]
    try:
        return int(sub.duplicated().sum())
    except TypeError:
        return None


def numeric_matrix(df: pd.DataFrame, columns: list[Label]) -> np.ndarray:
    """Columns as a float64 ``(rows, k)`` array with NaN for missing values."""
    out = np.empty((len(df), len(columns)), dtype=np.float64, order="F")
    for j, c in enumerate(columns):
        column = out[:, j]
        column[:] = df[c].to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~np.isfinite(column)
        if bad.any():
            column[bad] = np.nan
    return out


def _mask_groups(valid: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """For each column, the index of its distinct missing pattern (-1: never missing)."""
    which = np.full(valid.shape[1], -1)
    seen: dict[bytes, int] = {}
    firsts: list[int] = []
    for j in np.flatnonzero(~valid.all(axis=0)):
        key = np.packbits(valid[:, j]).tobytes()
        if key not in seen:
            seen[key] = len(firsts)
            firsts.append(int(j))
        which[j] = seen[key]
    return which, firsts


def pearson(x: np.ndarray, centres: np.ndarray | None = None) -> np.ndarray:
    """Pearson correlation matrix of the columns of ``x`` with pairwise deletion of NaN.

    Returns NaN where a pair has fewer than two common rows or no variance on them. Values
    are centred first (on ``centres``, e.g. the columns' known means, else on their means):
    any centre gives the same result, a close one keeps the sums accurate. Sums over "the
    rows where column j is present" are taken once per distinct missing pattern: columns
    never missing share the plain column sums, columns missing together share one product.
    """
    rows, k = x.shape
    valid = ~np.isnan(x)
    counts = valid.sum(axis=0)
    if centres is None:
        sums = np.where(valid, x, 0.0).sum(axis=0)
        centres = np.divide(sums, counts, out=np.zeros(k), where=counts > 0)
    which, firsts = _mask_groups(valid)
    g = len(firsts)
    sxy = np.zeros((k, k))
    col = np.zeros(k)
    sx_g, sxx_g, n_g = np.zeros((k, g)), np.zeros((k, g)), np.zeros((g, g))
    for start in range(0, rows, _BLOCK):
        part = valid[start : start + _BLOCK]
        b0 = x[start : start + _BLOCK] - centres
        np.copyto(b0, 0.0, where=~part)
        sxy += b0.T @ b0
        col += b0.sum(axis=0)
        if g:
            m = part[:, firsts].astype(np.float64)
            sx_g += b0.T @ m
            sxx_g += (b0 * b0).T @ m
            n_g += m.T @ m
    col2 = np.diag(sxy).copy()
    # sx[i, j]: sum of column i over the rows where column j is present (likewise sxx, n).
    inc = which >= 0
    sx = np.repeat(col[:, None], k, axis=1)
    sxx = np.repeat(col2[:, None], k, axis=1)
    sx[:, inc] = sx_g[:, which[inc]]
    sxx[:, inc] = sxx_g[:, which[inc]]
    n = np.minimum.outer(counts, counts).astype(np.float64)  # right unless both are missing
    both = np.ix_(inc, inc)
    n[both] = n_g[np.ix_(which[inc], which[inc])]
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sxy - sx * sx.T / n
        var_i = sxx - sx * sx / n
        r = cov / np.sqrt(var_i * var_i.T)
    r[n < 2] = np.nan
    r = np.clip(r, -1.0, 1.0)
    np.fill_diagonal(r, np.where(np.diag(var_i) > 0, 1.0, np.nan))
    return r


def codes_of(series: pd.Series) -> tuple[np.ndarray, int]:
    """Dense codes (``-1`` for missing) and the number of distinct values."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = np.asarray(series.cat.codes.to_numpy(), dtype=np.int64)
        return codes, len(series.cat.categories)
    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    except TypeError:  # unhashable values (lists, dicts, sets): compare them by their text
        codes, uniques = pd.factorize(series.map(repr, na_action="ignore"), use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64), len(uniques)


def cramers_v(a: np.ndarray, ka: int, b: np.ndarray, kb: int) -> float | None:
    """Cramér's V of two code arrays over the rows where both are present."""
    both = (a >= 0) & (b >= 0)
    if not both.all():
        a, b = a[both], b[both]
    n = len(a)
    if n == 0 or min(ka, kb) < 2:
        return None
    table = np.bincount(a * kb + b, minlength=ka * kb).reshape(ka, kb).astype(np.float64)
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    rows, cols = rows[rows > 0], cols[cols > 0]
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    r, c = len(rows), len(cols)
    if min(r, c) < 2:
        return None
    expected = np.outer(rows, cols) / n
    chi2 = float(((table - expected) ** 2 / expected).sum())
    return float(np.sqrt(min(1.0, chi2 / (n * (min(r, c) - 1)))))


Coded = dict[Label, tuple[np.ndarray, int]]


def association(df: pd.DataFrame, columns: list[Label], cache: Coded | None = None) -> np.ndarray:
    """Matrix of Cramér's V between ``columns`` (NaN where undefined).

    ``cache`` receives each column's codes (:func:`codes_of`) for later checks to reuse.
    """
    cache = {} if cache is None else cache
    for c in columns:
        if c not in cache:
            cache[c] = codes_of(df[c])
    coded = [cache[c] for c in columns]
    k = len(columns)
    out = np.full((k, k), np.nan)
    for i in range(k):
        out[i, i] = 1.0 if coded[i][1] >= 2 else np.nan
        for j in range(i + 1, k):
            v = cramers_v(coded[i][0], coded[i][1], coded[j][0], coded[j][1])
            out[i, j] = out[j, i] = np.nan if v is None else v
    return out


def missing_matrix(df: pd.DataFrame) -> tuple[list[list[float]], int]:
    """Share of missing cells per column in up to 100 consecutive row blocks (exact)."""
    n = len(df)
    if n == 0 or df.shape[1] == 0:
        return [], 0
    size = max(1, -(-n // _MATRIX_BLOCKS))
    blocks = -(-n // size)
    ids = np.arange(n) // size
    per_block = np.bincount(ids, minlength=blocks).astype(np.float64)
    cols = []
    for i in range(df.shape[1]):
        mask = np.asarray(df.iloc[:, i].isna().to_numpy(), dtype=bool)
        if not mask.any():
            cols.append(np.zeros(blocks))
            continue
        cols.append(np.bincount(ids, weights=mask, minlength=blocks) / per_block)
    matrix = np.vstack(cols).T if cols else np.zeros((blocks, 0))
    return [[round(float(v), 6) for v in row] for row in matrix], size


def as_lists(matrix: np.ndarray) -> list[list[float | None]]:
    """Return a float matrix as nested lists with ``None`` for NaN."""
    return [[None if np.isnan(v) else round(float(v), 6) for v in row] for row in matrix]
