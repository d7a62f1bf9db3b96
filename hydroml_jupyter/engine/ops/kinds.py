"""Kinds of columns: what a column parameter accepts, one definition for every face.

An operation's parameter that names columns says which kind it accepts (see
:func:`~hydroml_jupyter.engine.ops.spec.param`). Validation refuses a column of another
kind with the message below, the sidebar's forms offer only columns of that kind and
completion proposes only them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Literal, get_args

import pandas as pd

__all__ = ["CHECKS", "COLUMN_KINDS", "ColumnKind", "KindCheck", "accepts", "is_text", "kind_of"]

#: What a column parameter accepts: ``any`` existing column, one of a kind, or ``new``:
#: a name that may be a new column's (a formula's target).
ColumnKind = Literal["any", "numeric", "text", "datetime", "new"]
COLUMN_KINDS: tuple[str, ...] = get_args(ColumnKind)


def kind_of(dtype: Any) -> str:
    """Return a one-letter kind: numpy's (``i u f b M m O``), ``T`` for text, ``c`` for category."""
    if isinstance(dtype, pd.CategoricalDtype):
        return "c"
    if isinstance(dtype, pd.StringDtype):
        return "T"
    if isinstance(dtype, pd.ArrowDtype):
        import pyarrow as pa

        pa_type = dtype.pyarrow_dtype
        if pa.types.is_string(pa_type) or pa.types.is_large_string(pa_type):
            return "T"
    return str(getattr(dtype, "kind", "O"))


def is_text(series: pd.Series) -> bool:
    """Return True for string columns (``str``, ``string`` or object columns holding str)."""
    kind = kind_of(series.dtype)
    if kind == "T":
        return True
    if kind == "O":
        values = series.dropna()
        return bool(len(values)) and all(isinstance(v, str) for v in values.head(1000))
    return kind == "c" and is_text(pd.Series(series.cat.categories))


def _text_like(series: pd.Series) -> bool:
    # An object column with no value at all may hold text once filled.
    return is_text(series) or (series.dtype == object and bool(series.isna().all()))


@dataclasses.dataclass(frozen=True)
class KindCheck:
    """How one column kind is checked, and what the refusal says.

    The message reads ``column 'x' is int64, not {what}{advice}``.
    """

    accepts: Callable[[pd.Series], bool]
    what: str
    advice: str = ""


#: The kinds that restrict which columns a parameter accepts (``any`` and ``new`` do not).
CHECKS: dict[str, KindCheck] = {
    "numeric": KindCheck(lambda s: kind_of(s.dtype) in "iuf", "numeric"),
    "text": KindCheck(_text_like, "text", "; cast it to str first"),
    "datetime": KindCheck(
        lambda s: kind_of(s.dtype) == "M",
        "a datetime",
        "; cast it to datetime64[ns] first (or to datetime64[ns, UTC] to keep time zones)",
    ),
}


def accepts(kind: str | None, series: pd.Series) -> bool:
    """Return whether a parameter of column ``kind`` accepts the column ``series``."""
    check = CHECKS.get(kind or "any")
    return check is None or check.accepts(series)
