"""Rows of a frame as an Arrow IPC stream, at a cost that grows with the rows asked for only.

One :class:`FrameEncoder` serves one frame (one session version). Each column gets an Arrow
type fixed for that frame, so every window of a column has the same type:

- NumPy numbers, booleans, datetimes and timedeltas keep their types (NaN and NaT are null);
- nullable (masked) and Arrow-backed columns keep theirs;
- categoricals are sent as their values (the categories are converted once);
- object columns keep the type all their values share (strings, booleans, floats, or
  integers that fit ``int64``), found once per frame; others, and types Arrow cannot
  hold, are sent as text (``str(value)``), with missing values kept as nulls.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = ["FrameEncoder"]

Converter = Callable[[np.ndarray], pa.Array]

_TEXT = pa.large_string()
_NUMPY_KINDS = "biufMm"
_OBJECT_TYPES: dict[str, pa.DataType] = {
    "string": _TEXT,
    "empty": _TEXT,
    "boolean": pa.bool_(),
    "floating": pa.float64(),
}


class FrameEncoder:
    """Encode windows of one frame's rows as Arrow IPC streams.

    Parameters
    ----------
    frame
        The frame; it is read, never copied or changed.
    names
        The Arrow field name of each column, in frame order.

    Examples
    --------
    >>> enc = FrameEncoder(pd.DataFrame({"a": [1, 2, 3]}), ["a"])
    >>> table = pa.ipc.open_stream(enc.encode(np.array([2, 0]))).read_all()
    >>> table.column("a").to_pylist()
    [3, 1]
    """

    def __init__(self, frame: pd.DataFrame, names: Sequence[str]) -> None:
        self._columns = [frame.iloc[:, i] for i in range(frame.shape[1])]
        self._names = list(names)
        self._converters: list[Converter | None] = [None] * len(self._columns)

    def arrays(self, positions: np.ndarray) -> list[pa.Array]:
        """Return one Arrow array per column holding the rows at ``positions``."""
        out = []
        for i, series in enumerate(self._columns):
            converter = self._converters[i]
            if converter is None:
                converter = self._converters[i] = _converter(series)
            out.append(converter(positions))
        return out

    def encode(self, positions: np.ndarray) -> pa.Buffer:
        """Return the rows at ``positions`` as an Arrow IPC stream (one record batch)."""
        arrays = self.arrays(positions)
        if arrays:
            batch = pa.RecordBatch.from_arrays(arrays, names=self._names)
        else:
            batch = pa.RecordBatch.from_pydict({})
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, batch.schema) as writer:
            writer.write_batch(batch)
        return sink.getvalue()


def _converter(series: pd.Series) -> Converter:
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return _categorical(series)
    array = series.array
    if isinstance(dtype, pd.DatetimeTZDtype) and isinstance(array, pd.arrays.DatetimeArray):
        return _zoned(array, dtype)
    if isinstance(dtype, np.dtype):
        if dtype.kind in _NUMPY_KINDS:
            return _numpy(series.to_numpy())
        if dtype.kind == "O":
            return _object(series.to_numpy())
        return _as_text(series.to_numpy())
    return _extension(array)


def _numpy(values: np.ndarray) -> Converter:
    try:
        arrow_type = pa.from_numpy_dtype(values.dtype)
        pa.array(values[:0], type=arrow_type, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):
        return _as_text(values)

    def convert(positions: np.ndarray) -> pa.Array:
        return pa.array(values[positions], type=arrow_type, from_pandas=True)

    return convert


def _extension(array: pd.api.extensions.ExtensionArray) -> Converter:
    try:
        arrow_type = pa.array(array[:0], from_pandas=True).type  # no rows: O(1)
    except (pa.ArrowException, TypeError, ValueError):
        arrow_type = None
    if arrow_type is None or isinstance(arrow_type, pa.ExtensionType):
        return _as_text(array)

    def convert(positions: np.ndarray) -> pa.Array:
        out = pa.array(array.take(positions), type=arrow_type, from_pandas=True)
        return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out

    return convert


def _zoned(array: pd.arrays.DatetimeArray, dtype: pd.DatetimeTZDtype) -> Converter:
    arrow_type = pa.timestamp(dtype.unit, tz=str(dtype.tz))

    def convert(positions: np.ndarray) -> pa.Array:
        # The UTC instants, as Arrow stores them, with the zone in the type.
        instants = np.asarray(array.take(positions).tz_convert(None))
        return pa.array(instants, type=arrow_type, from_pandas=True)

    return convert


def _categorical(series: pd.Series) -> Converter:
    codes = np.asarray(series.cat.codes)
    categories = series.cat.categories
    dictionary = _converter(pd.Series(categories))(np.arange(len(categories)))

    def convert(positions: np.ndarray) -> pa.Array:
        picked = codes[positions]
        return dictionary.take(pa.array(picked, mask=picked < 0))

    return convert


def _object(values: np.ndarray) -> Converter:
    inferred = pd.api.types.infer_dtype(values, skipna=True)
    arrow_type = _OBJECT_TYPES.get(inferred)
    if inferred == "integer":
        try:
            pa.array(values, type=pa.int64(), from_pandas=True)
            arrow_type = pa.int64()
        except (pa.ArrowException, OverflowError, TypeError, ValueError):
            arrow_type = None
    if arrow_type is None:
        return _as_text(values)

    def convert(positions: np.ndarray) -> pa.Array:
        return pa.array(values[positions], type=arrow_type, from_pandas=True)

    return convert


def _as_text(values: np.ndarray | pd.api.extensions.ExtensionArray) -> Converter:
    def convert(positions: np.ndarray) -> pa.Array:
        picked = values[positions] if isinstance(values, np.ndarray) else values.take(positions)
        cells = np.asarray(picked, dtype=object)
        missing = np.asarray(pd.isna(cells), dtype=bool)
        return pa.array(
            [None if gone else str(cell) for cell, gone in zip(cells, missing, strict=True)],
            type=_TEXT,
        )

    return convert
