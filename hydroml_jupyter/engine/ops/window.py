"""Window functions of one column: shifts, differences, running totals, ranks, rolling means.

Computed over the whole column, or within groups (``by``), in the frame's row order or
in another one (``order_by``); the result is aligned back to the rows, whose order
never changes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import field
from typing import Any, Literal, get_args

import pandas as pd

from hydroml_jupyter.engine.codegen import col, literal, name, word
from hydroml_jupyter.engine.ops.base import Label, Operation, kind_of, register
from hydroml_jupyter.engine.ops.placement import place_after, place_code
from hydroml_jupyter.engine.ops.shortform import Column, ShortForm, Word
from hydroml_jupyter.engine.ops.spec import param

__all__ = ["Func", "Window"]

Func = Literal[
    "shift",
    "diff",
    "pct_change",
    "cumsum",
    "cummax",
    "cummin",
    "rank",
    "rolling_mean",
    "rolling_sum",
]
_FUNCS: tuple[str, ...] = get_args(Func)
_PERIODS = ("shift", "diff", "pct_change")
_ROLLING = ("rolling_mean", "rolling_sum")

#: The column kinds each function takes (``kind_of`` letters), and how to say them.
_KINDS: dict[str, tuple[str, str]] = {
    "shift": ("", "any"),
    "diff": ("iufMm", "a numeric, datetime or timedelta"),
    "pct_change": ("iuf", "a numeric"),
    "cumsum": ("iufm", "a numeric or timedelta"),
    "cummax": ("iufMm", "a numeric, datetime or timedelta"),
    "cummin": ("iufMm", "a numeric, datetime or timedelta"),
    "rank": ("iufMm", "a numeric, datetime or timedelta"),
    "rolling_mean": ("iuf", "a numeric"),
    "rolling_sum": ("iuf", "a numeric"),
}

_LABELS = {
    "shift": "Shift",
    "diff": "Difference of",
    "pct_change": "Change (%) of",
    "cumsum": "Running sum of",
    "cummax": "Running max of",
    "cummin": "Running min of",
    "rank": "Rank of",
    "rolling_mean": "Rolling mean of",
    "rolling_sum": "Rolling sum of",
}


@register
@dataclasses.dataclass(frozen=True, repr=False)
class Window(Operation):
    """Compute ``func`` over ``column`` into a new column, within groups and in an order.

    ``shift`` (the value ``periods`` rows before; negative: after), ``diff`` (minus
    that value), ``pct_change`` (relative change from it; missing values are not
    filled first, as in pandas 3), ``cumsum``, ``cummax``, ``cummin`` (running; a
    missing value stays missing and is skipped), ``rank`` (1 for the smallest; ties
    share the average of their ranks: 1, 2.5, 2.5, 4; missing stays missing),
    ``rolling_mean`` and ``rolling_sum`` over ``window`` rows (the row and those
    before it; the first ``window - 1`` rows of each group, and any window holding a
    missing value, are missing).

    ``by``: computed within the groups of these columns (missing keys form a group).
    ``order_by``: computed in the order of these columns (ascending, stable: ties keep
    the frame's order, missing last) and aligned back: the frame's rows keep their
    order. The new column is ``into`` (``<column>_<func>`` by default), placed right
    after ``column``; an existing column of that name is replaced (and moved there).

    Examples
    --------
    >>> print(Window(column="sales", func="cumsum", by=["store"]).code().splitlines()[0])
    df['sales_cumsum'] = df.groupby(['store'], dropna=False, sort=False)['sales'].cumsum()
    """

    name = "window"
    summary = "Shift, difference, running total, rank or rolling mean"
    short_form = ShortForm(
        parts=(Column("column"), Word("func")),
        example="window sales rolling_mean --window 7 --by store --order-by date",
    )

    column: Label = field(metadata=param("the column to compute from", columns="any"))
    func: Func = field(metadata=param("what to compute"))
    periods: int = field(
        default=1,
        metadata=param(
            "rows back for shift, diff and pct_change (negative: ahead)", placeholder="1"
        ),
    )
    window: int = field(default=3, metadata=param("rows in each rolling window", placeholder="3"))
    by: list[Label] | None = field(
        default=None,
        metadata=param("compute within the groups of these columns", columns="any"),
    )
    order_by: list[Label] | None = field(
        default=None,
        metadata=param(
            "compute in the order of these columns (rows stay where they are)", columns="any"
        ),
    )
    into: Label | None = field(
        default=None,
        metadata=param(
            "the new column's name (<column>_<func> when none)", columns="new", advanced=True
        ),
    )

    def columns_used(self) -> list[Label]:
        return [self.column, *(self.by or []), *(self.order_by or [])]

    def _into(self) -> Label:
        return f"{name(self.column)}_{self.func}" if self.into is None else self.into

    def validate(self, df: pd.DataFrame) -> None:
        for key in ("by", "order_by"):
            if getattr(self, key) == []:
                raise self.error(f"{key}= names no column", column=self.column)
        super().validate(df)
        if isinstance(self.into, str) and not self.into.strip():
            raise self.error("the new column needs a name (into=)", column=self.column)
        kinds, what = _KINDS[self.func]
        dtype = df[self.column].dtype
        if kinds and kind_of(dtype) not in kinds:
            raise self.error(
                f"{self.func} needs {what} column; {self.column!r} is {dtype}",
                column=self.column,
            )
        if self.func not in _PERIODS and self.periods != 1:
            raise self.error(
                f"periods= goes with shift, diff and pct_change, not {self.func} "
                f"(column {self.column!r})",
                column=self.column,
                value=self.periods,
            )
        if self.func not in _ROLLING and self.window != 3:
            raise self.error(
                f"window= goes with rolling_mean and rolling_sum, not {self.func} "
                f"(column {self.column!r})",
                column=self.column,
                value=self.window,
            )
        if self.func in _ROLLING and self.window < 1:
            raise self.error(
                f"the window over {self.column!r} must be at least 1 row, not {self.window}",
                column=self.column,
                value=self.window,
            )

    # -- the step ------------------------------------------------------------------------
    def _realigned(self) -> bool:
        """Whether the rows are reordered or regrouped, so the result must be put back."""
        return bool(self.order_by) or (bool(self.by) and self.func in _ROLLING)

    def _call(self) -> str:
        """Return the call that computes ``func`` on a column or a column's groups."""
        match self.func:
            case "shift" | "diff" | "pct_change":
                return f".{word(self.func, _PERIODS)}(periods={literal(self.periods)})"
            case "rank":
                return ".rank(method='average')"
            case "rolling_mean" | "rolling_sum":
                agg = word(self.func.removeprefix("rolling_"), ("mean", "sum"))
                return f".rolling(window={literal(self.window)}).{agg}()"
            case _:
                return f".{word(self.func, ('cumsum', 'cummax', 'cummin'))}()"

    def _compute(self, frame: pd.DataFrame, groups: pd.Series | None = None) -> pd.Series:
        """Apply ``func`` to the column of ``frame``, within ``by`` or the ``groups`` ids."""
        grouped: Any = frame[self.column]
        if groups is not None:
            grouped = grouped.groupby(groups)
        elif self.by:
            grouped = frame.groupby(self.by, dropna=False, sort=False)[self.column]
        result: pd.Series
        match self.func:
            case "shift":
                result = grouped.shift(periods=self.periods)
            case "diff":
                result = grouped.diff(periods=self.periods)
            case "pct_change":
                result = grouped.pct_change(periods=self.periods)
            case "rank":
                result = grouped.rank(method="average")
            case "rolling_mean":
                result = grouped.rolling(window=self.window).mean()
            case "rolling_sum":
                result = grouped.rolling(window=self.window).sum()
            case "cumsum":
                result = grouped.cumsum()
            case "cummax":
                result = grouped.cummax()
            case _:
                result = grouped.cummin()
        return result

    def _values(self, df: pd.DataFrame) -> pd.Series:
        if not self._realigned():
            return self._compute(df)
        work = df.reset_index(drop=True)
        # pandas' grouped rolling loses rows of a missing categorical key: it rolls
        # within plain group numbers instead.
        ids = work.groupby(self.by, dropna=False, sort=False).ngroup() if self._numbered() else None
        if self.order_by:
            # pandas-stubs type ``by`` as str names; pandas sorts by any column label.
            work = work.sort_values(self.order_by, kind="stable")  # type: ignore[call-overload]
        result = self._compute(work, ids)
        if ids is not None:
            result = result.droplevel([0])
        return result.sort_index().set_axis(df.index)

    def _numbered(self) -> bool:
        return bool(self.by) and self.func in _ROLLING

    def _expression(self, var: str) -> str:
        source = col(var, self.column)
        groups = f".groupby({literal(self.by)}, dropna=False, sort=False)"
        if not self._realigned():
            if not self.by:
                return f"{source}{self._call()}"
            return f"{var}{groups}[{literal(self.column)}]{self._call()}"
        chain = [f"{var}.reset_index(drop=True)"]
        if self.order_by:
            chain.append(f".sort_values({literal(self.order_by)}, kind='stable')")
        if self._numbered():
            ids = f"{var}.reset_index(drop=True){groups}.ngroup()"
            chain += [f"[{literal(self.column)}].groupby({ids})", self._call(), ".droplevel([0])"]
        elif self.by:
            chain.append(f"{groups}[{literal(self.column)}]{self._call()}")
        else:
            chain.append(f"[{literal(self.column)}]{self._call()}")
        chain += [".sort_index()", f".set_axis({var}.index)"]
        return "(\n    " + "\n    ".join(chain) + "\n)"

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        into = self._into()
        out = df.copy(deep=False)
        out[into] = self._values(df)
        return place_after(out, self.column, [into])

    def code(self, var: str = "df") -> str:
        into = self._into()
        lines = [f"{col(var, into)} = {self._expression(var)}"]
        return "\n".join(filter(None, [*lines, place_code(var, self.column, [into])]))

    def label(self) -> str:
        what = f"{_LABELS.get(self.func, self.func)} {name(self.column)}"
        if self.func in _PERIODS and self.periods != 1:
            rows = abs(self.periods)
            way = "back" if self.periods >= 0 else "ahead"
            what += f" ({rows} row{'s' if rows != 1 else ''} {way})"
        if self.func in _ROLLING:
            what += f" over {self.window} row{'s' if self.window != 1 else ''}"
        if self.by:
            what += " within " + ", ".join(map(name, self.by))
        if self.order_by:
            what += " ordered by " + ", ".join(map(name, self.order_by))
        return f"{what} → {name(self._into())}"
