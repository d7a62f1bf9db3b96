"""Frames to bytes and back: Arrow IPC (compressed), exact pandas dtypes, no pickle.

A frame is written as one Arrow IPC stream. pyarrow's own pandas metadata restores
most dtypes and the index; what it does not restore exactly is kept in a small JSON
document under the schema metadata key ``hydroml``:

- the column labels with their Python types (``1`` stays an int, ``"1"`` a str), the
  columns' dtype and name, and a RangeIndex's start/stop/step;
- every column's dtype (``object`` columns of strings come back as ``object``, the
  ``string``/``str`` dtypes with their storage and missing-value marker);
- for ``object`` columns, which missing-value marker was used (``None``, ``NaN``,
  ``pd.NA``, ``NaT``);
- the index names, dtypes and ``freq``.

Before writing, the first rows are round-tripped and compared exactly, so a dtype this
codec cannot restore fails at save time with a :class:`StoreError` instead of loading
back as something else later.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.api.extensions import ExtensionArray

from hydroml_jupyter.store.errors import StoreError
from hydroml_jupyter.store.framing import BytesLike

__all__ = [
    "columns_index",
    "columns_meta",
    "compression",
    "decode_frame",
    "dtype_spec",
    "encode_frame",
]

_META_KEY = b"hydroml"
_CODEC_VERSION = 1
_PROBE_ROWS = 8
# What an object column may hold: one of these kinds (as pandas infers it) and missing
# values. Each comes back from Arrow as the same Python type.
_OBJECT_KINDS = frozenset(
    {"string", "empty", "bytes", "boolean", "integer", "floating", "decimal", "date", "time"}
)
_ARROW_ERRORS = (
    pa.ArrowInvalid,
    pa.ArrowTypeError,
    pa.ArrowNotImplementedError,
    TypeError,
    ValueError,
    OverflowError,
)


@functools.cache
def compression() -> str | None:
    """Return the IPC compression used for writing: ``"zstd"``, else ``"lz4"``, else None.

    Examples
    --------
    >>> compression() in ("zstd", "lz4", None)
    True
    """
    for codec in ("zstd", "lz4"):
        if pa.Codec.is_available(codec):
            return codec
    return None


# -- small JSON helpers -----------------------------------------------------------------
def _scalar(value: Hashable, what: str, where: str) -> Any:
    """Return ``value`` as a JSON scalar (str, int, float, bool, None) or refuse it."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise StoreError(
        f"{where}{what} {value!r} of type {type(value).__name__} cannot be stored "
        "(labels must be str, int, float, bool or None)"
    )


def _dtype_spec(dtype: Any) -> str:
    """Return a string that identifies ``dtype`` exactly (storage included)."""
    if isinstance(dtype, pd.StringDtype):
        na = "NA" if dtype.na_value is pd.NA else "nan"
        return f"string:{dtype.storage}:{na}"
    return str(dtype)


dtype_spec = _dtype_spec  # (public name, for the column layout)


def _pandas_dtype(spec: str) -> Any:
    if spec.startswith("string:"):
        _, storage, na = spec.split(":")
        return pd.StringDtype(storage, na_value=np.nan if na == "nan" else pd.NA)
    return pd.api.types.pandas_dtype(spec)


def _is_object(dtype: Any) -> bool:
    """Return True for numpy's ``object`` dtype only (``str`` compares equal to ``object`` too)."""
    return isinstance(dtype, np.dtype) and dtype.kind == "O"


def _na_kind(value: Any) -> str:
    if value is pd.NA:
        return "NA"
    if value is pd.NaT:
        return "NaT"
    if isinstance(value, float | np.floating):
        return "nan"
    return "None"


_NA_VALUES: dict[str, Any] = {"None": None, "NA": pd.NA, "NaT": pd.NaT, "nan": float("nan")}


# -- encoding ---------------------------------------------------------------------------
def _check_object_column(series: pd.Series, label: Any, where: str) -> dict[str, Any] | None:
    """Refuse an object column Arrow cannot hold exactly; return its missing-value markers."""
    kind = pd.api.types.infer_dtype(series, skipna=True)
    if kind not in _OBJECT_KINDS:
        values = series.to_numpy()
        present = [i for i in np.flatnonzero(~pd.isna(values))[:100_000]]
        first = type(values[present[0]]) if present else type(None)
        other = next((i for i in present if type(values[i]) is not first), None)
        if other is not None and kind.startswith("mixed"):
            raise StoreError(
                f"{where}column {label!r} mixes {first.__name__} and "
                f"{type(values[other]).__name__} values (first {type(values[other]).__name__}"
                f" at row {other}); cast it to one type before saving"
            )
        raise StoreError(
            f"{where}column {label!r} holds {first.__name__} values, which cannot be stored "
            "as Arrow; convert them (e.g. to str) before saving"
        )
    values = series.to_numpy()
    missing = np.flatnonzero(pd.isna(values))
    if not len(missing):
        return None
    kinds: dict[str, list[int]] = {}
    for pos in missing:
        kinds.setdefault(_na_kind(values[pos]), []).append(int(pos))
    if len(kinds) == 1:
        return {"all": next(iter(kinds))}
    main = max(kinds, key=lambda k: len(kinds[k]))
    return {"all": main, **{k: v for k, v in kinds.items() if k != main}}


def columns_meta(df: pd.DataFrame, where: str = "") -> dict[str, Any]:
    """Return what restores ``df.columns`` exactly; raise :class:`StoreError` if nothing can."""
    if not isinstance(df, pd.DataFrame):
        raise StoreError(f"{where}expected a pandas DataFrame, got {type(df).__name__}")
    if isinstance(df.columns, pd.MultiIndex):
        raise StoreError(f"{where}frames with MultiIndex columns cannot be stored")
    columns = df.columns
    col_meta: dict[str, Any] = {
        "labels": [_scalar(label, "column label", where) for label in columns],
        "dtype": _dtype_spec(columns.dtype),
        "name": _scalar(columns.name, "columns name", where),
    }
    if isinstance(columns, pd.RangeIndex):
        col_meta["range"] = [columns.start, columns.stop, columns.step]
    return col_meta


def columns_index(cols: dict[str, Any]) -> pd.Index:
    """Return the columns :func:`columns_meta` describes.

    Examples
    --------
    >>> import pandas as pd
    >>> columns_index(columns_meta(pd.DataFrame(columns=[1, "1"]))).tolist()
    [1, '1']
    """
    if "range" in cols:
        start, stop, step = cols["range"]
        return pd.RangeIndex(start, stop, step, name=cols["name"])
    dtype = cols["dtype"]
    labels = cols["labels"]
    if dtype == "object":
        return pd.Index(labels, dtype=object, name=cols["name"])
    return pd.Index(labels, dtype=_pandas_dtype(dtype), name=cols["name"])


def _to_table(df: pd.DataFrame, where: str) -> pa.Table:
    col_meta = columns_meta(df, where)
    labels = col_meta["labels"]
    index = df.index
    idx_meta: dict[str, Any] = {
        "names": [_scalar(n, "index name", where) for n in index.names],
        "dtypes": [_dtype_spec(level.dtype) for level in getattr(index, "levels", [index])],
        "freq": getattr(index, "freqstr", None),
        "rows": len(index),
    }
    objects: dict[str, Any] = {}
    for i in range(df.shape[1]):
        series = df.iloc[:, i]
        if _is_object(series.dtype):
            markers = _check_object_column(series, labels[i], where)
            if markers:
                objects[str(i)] = markers
    texts = [str(label) for label in labels]
    if len(set(texts)) < len(texts) or any(t.startswith("__index_level_") for t in texts):
        texts = [f"__column_{i}__" for i in range(len(texts))]
    plain = df.set_axis(texts, axis=1)
    plain.index = index.set_names([None] * index.nlevels)
    if isinstance(index.dtype, pd.DatetimeTZDtype):  # (see below)
        arrow_type = pa.timestamp(index.dtype.unit, tz=str(index.dtype.tz))
        plain.index = pd.Index(index.astype(pd.ArrowDtype(arrow_type)), name=None)
    for i, dtype in enumerate(df.dtypes):
        if isinstance(dtype, pd.DatetimeTZDtype):
            # pyarrow reads tz-aware columns through Series.values, deprecated in
            # pandas 3.1; as an Arrow-backed column it goes through __arrow_array__
            arrow_type = pa.timestamp(dtype.unit, tz=str(dtype.tz))
            plain.isetitem(i, plain.iloc[:, i].astype(pd.ArrowDtype(arrow_type)).array)
    try:
        table = pa.Table.from_pandas(plain, preserve_index=None)
    except _ARROW_ERRORS as exc:
        for i in range(df.shape[1]):
            try:
                pa.Array.from_pandas(df.iloc[:, i])
            except _ARROW_ERRORS as col_exc:
                reason = str(col_exc).splitlines()[0] if str(col_exc) else type(col_exc).__name__
                raise StoreError(
                    f"{where}column {labels[i]!r} (dtype {df.dtypes.iloc[i]}) cannot be stored "
                    f"as Arrow: {reason}"
                ) from col_exc
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise StoreError(f"{where}the frame cannot be stored as Arrow: {reason}") from exc
    meta = {
        "v": _CODEC_VERSION,
        "columns": col_meta,
        "dtypes": [_dtype_spec(dtype) for dtype in df.dtypes],
        "objects": objects,
        "index": idx_meta,
        "compression": compression(),
    }
    extra = {_META_KEY: json.dumps(meta, separators=(",", ":")).encode("utf-8")}
    return table.replace_schema_metadata({**(table.schema.metadata or {}), **extra})


def _probe(df: pd.DataFrame, where: str) -> None:
    """Round-trip the first rows and refuse the frame if they do not come back exactly."""
    head = df.iloc[:_PROBE_ROWS]
    back = _from_table(_to_table(head, where), where)
    for i in range(df.shape[1]):
        try:
            pd.testing.assert_series_equal(
                head.iloc[:, i], back.iloc[:, i], check_exact=True, check_names=False
            )
        except AssertionError as exc:
            raise StoreError(
                f"{where}column {df.columns[i]!r} (dtype {df.dtypes.iloc[i]}) would not load "
                "back exactly; cast it to a standard dtype before saving"
            ) from exc
    try:
        pd.testing.assert_frame_equal(head, back, check_exact=True)
    except AssertionError as exc:
        first = str(exc).strip().splitlines()[0]
        raise StoreError(f"{where}the frame would not load back exactly: {first}") from exc


def encode_frame(df: pd.DataFrame, *, where: str = "") -> memoryview:
    """Return ``df`` as a compressed Arrow IPC stream.

    Parameters
    ----------
    df
        The frame. Column labels and index names must be str, int, float, bool or None.
    where
        A prefix for error messages, e.g. ``"session 'x', step 2: "``.

    Raises
    ------
    StoreError
        Naming the column (and the value type) that cannot be stored exactly.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1, None], 2: ["x", None]}, index=[10, 20])
    >>> decode_frame(encode_frame(df)).equals(df)
    True
    """
    table = _to_table(df, where)
    _probe(df, where)
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression=compression())
    with pa.ipc.new_stream(sink, table.schema, options=options) as writer:
        if table.num_rows:
            writer.write_table(table)
        else:  # an explicit empty batch, else a category's dictionary is not written
            arrays = [
                col.combine_chunks() if col.num_chunks else pa.array([], type=col.type)
                for col in table.columns
            ]
            writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=table.schema))
    return memoryview(sink.getvalue())


# -- decoding ---------------------------------------------------------------------------
def _objects(column: pa.ChunkedArray, markers: dict[str, Any] | None) -> np.ndarray:
    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_binary(kind):
        out = column.to_numpy(zero_copy_only=False).astype(object, copy=False)
    else:
        out = np.empty(len(column), dtype=object)
        out[:] = column.to_pylist()
    if markers:
        missing = np.flatnonzero(pd.isna(out))
        out[missing] = _NA_VALUES[markers["all"]]
        for kind_name, positions in markers.items():
            if kind_name != "all":
                out[np.asarray(positions, dtype=np.int64)] = _NA_VALUES[kind_name]
    return out


def _from_arrow(values: Any) -> Any:
    """Return an Arrow-backed array as pandas' own array (fast for timestamps)."""
    return pa.array(values).to_pandas().array


def _fix_index(index: pd.Index, meta: dict[str, Any]) -> pd.Index:
    if not isinstance(index, pd.MultiIndex) and _dtype_spec(index.dtype) != meta["dtypes"][0]:
        spec = meta["dtypes"][0]
        values: np.ndarray | ExtensionArray | pd.Index
        if spec == "object":
            values = index.to_numpy(dtype=object)
        elif isinstance(index.dtype, pd.ArrowDtype):
            values = _from_arrow(index.array)
        else:
            values = index
        index = pd.Index(values).astype(_pandas_dtype(spec))
    freq = meta.get("freq")
    if freq and isinstance(index, pd.DatetimeIndex) and index.freq is None:
        index = pd.DatetimeIndex(index, freq=freq)
    elif freq and isinstance(index, pd.TimedeltaIndex) and index.freq is None:
        index = pd.TimedeltaIndex(index, freq=freq)
    return index.set_names(meta["names"])


def _from_table(table: pa.Table, where: str) -> pd.DataFrame:
    raw = (table.schema.metadata or {}).get(_META_KEY)
    if raw is None:
        raise StoreError(f"{where}the stored frame has no hydroml metadata")
    meta = json.loads(raw)
    if meta.get("v") != _CODEC_VERSION:
        raise StoreError(f"{where}the stored frame uses codec version {meta.get('v')!r}")
    df = table.to_pandas()
    objects = meta["objects"]
    for i, spec in enumerate(meta["dtypes"]):
        if spec == "object":
            if not _is_object(df.dtypes.iloc[i]) or str(i) in objects:
                values = _objects(table.column(i), objects.get(str(i)))
                # a Series keeps dtype object (an ndarray of str would become ``str``)
                df.isetitem(i, pd.Series(values, index=df.index, dtype=object, copy=False))
        elif _dtype_spec(df.dtypes.iloc[i]) != spec:
            column = df.iloc[:, i]
            if isinstance(column.dtype, pd.ArrowDtype):  # (tz-aware: see _to_table)
                column = table.column(i).to_pandas().array
            df.isetitem(i, pd.Series(column, index=df.index).astype(_pandas_dtype(spec)))
    df.columns = columns_index(meta["columns"])
    if df.shape[1] == 0 and len(df) != meta["index"]["rows"]:
        # a table without columns has no rows: rebuild the (range) index from pandas'
        # metadata, which kept start/stop/step
        ranges = [
            c
            for c in json.loads(table.schema.metadata[b"pandas"])["index_columns"]
            if isinstance(c, dict) and c.get("kind") == "range"
        ]
        if len(ranges) != 1:
            raise StoreError(f"{where}the stored frame has lost its rows")
        r = ranges[0]
        df = pd.DataFrame(index=pd.RangeIndex(r["start"], r["stop"], r["step"]), columns=df.columns)
    df.index = _fix_index(df.index, meta["index"])
    return df


def decode_frame(data: BytesLike, *, where: str = "") -> pd.DataFrame:
    """Return the frame stored by :func:`encode_frame`.

    Call it only on a body whose integrity was checked (see
    :func:`~hydroml_jupyter.store.framing.unpack`).

    Raises
    ------
    StoreError
        When ``data`` is not a frame written by :func:`encode_frame`.
    """
    try:
        table = pa.ipc.open_stream(pa.py_buffer(data)).read_all()
        return _from_table(table, where)
    except StoreError:
        raise
    except (*_ARROW_ERRORS, KeyError, IndexError, OSError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise StoreError(f"{where}the stored frame cannot be read: {reason}") from exc
