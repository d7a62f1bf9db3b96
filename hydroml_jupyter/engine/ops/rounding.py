"""Round numeric columns (the ``round`` operation)."""

from __future__ import annotations

import dataclasses
from dataclasses import field

import numpy as np
import pandas as pd

from hydroml_jupyter.engine.codegen import col, literal, name, shown
from hydroml_jupyter.engine.ops.base import Label, Operation, kind_of, register
from hydroml_jupyter.engine.ops.shortform import ShortForm
from hydroml_jupyter.engine.ops.spec import param

__all__ = ["MAX_DECIMALS", "Round"]

#: ``decimals`` reaches at most this far either way: a float64 has no digit beyond.
MAX_DECIMALS = 308


@register
@dataclasses.dataclass(frozen=True, repr=False)
class Round(Operation):
    """Round the numeric ``columns`` to ``decimals`` digits after the point.

    pandas' ``round``: the value times 10**decimals goes to the nearest whole number,
    a half to the even one, and is divided back (0.5 → 0, 1.5 → 2, 2.5 → 2; to 2
    decimals 2.675 → 2.68 but 1.005 → 1.0, as the binary values fall). ``decimals`` may be
    negative: -1 rounds to tens, -2 to hundreds; integer columns change only then.
    Each column keeps its dtype (``Int64`` and ``Float64`` stay nullable), missing
    and infinite values stay as they are. A value whose rounding would overflow
    (pandas would make it ``inf``, or wrap an integer) is refused, naming it.

    Examples
    --------
    >>> Round(columns=["price"], decimals=2).code()
    "df['price'] = df['price'].round(2)"
    """

    name = "round"
    summary = "Round numbers"
    short_form = ShortForm(example="round price --decimals 2")

    columns: list[Label] = field(metadata=param("the numeric columns to round", columns="numeric"))
    decimals: int = field(
        default=0,
        metadata=param(
            "digits after the point; negative rounds to tens (-1), hundreds (-2) …",
            placeholder="0",
        ),
    )

    def columns_used(self) -> list[Label]:
        return list(self.columns)

    def validate(self, df: pd.DataFrame) -> None:
        if not self.columns:
            raise self.error("no columns to round")
        if len(set(self.columns)) != len(self.columns):
            twice = next(c for c in self.columns if self.columns.count(c) > 1)
            raise self.error(f"column {twice!r} is listed twice", column=twice)
        if abs(self.decimals) > MAX_DECIMALS:
            raise self.error(
                f"decimals={self.decimals} for {self.columns[0]!r} is out of range "
                f"(-{MAX_DECIMALS} to {MAX_DECIMALS})",
                column=self.columns[0],
                value=self.decimals,
            )
        super().validate(df)

    def _overflow(self, series: pd.Series, rounded: pd.Series) -> int | None:
        """Return the position of a value whose rounding overflows, or None."""
        if kind_of(series.dtype) in "iu":
            if self.decimals >= 0 or not series.notna().any():
                return None
            limits = np.iinfo(getattr(series.dtype, "numpy_dtype", series.dtype))
            # Rounding keeps the order: only the ends can leave the dtype's range.
            if round(int(series.max()), self.decimals) > limits.max:
                return int(
                    np.flatnonzero((series == series.max()).to_numpy(bool, na_value=False))[0]
                )
            if round(int(series.min()), self.decimals) < limits.min:
                return int(
                    np.flatnonzero((series == series.min()).to_numpy(bool, na_value=False))[0]
                )
            return None
        after = rounded.to_numpy(dtype="float64", na_value=np.nan)
        # An overflowing float becomes infinite: look closer only when one is.
        if not np.isinf(after).any():
            return None
        before = series.to_numpy(dtype="float64", na_value=np.nan)
        broken = np.flatnonzero(np.isfinite(before) & ~np.isfinite(after))
        return int(broken[0]) if len(broken) else None

    def _rounded(self, column: Label, series: pd.Series) -> pd.Series:
        with np.errstate(over="ignore", invalid="ignore"):
            out = series.round(self.decimals)
        at = self._overflow(series, out)
        if at is not None:
            value = series.iloc[at]
            raise self.error(
                f"{shown(value)} in {column!r} (row {series.index[at]!r}) cannot be rounded to "
                f"{self.decimals} decimals in {series.dtype}: the result would overflow",
                column=column,
                value=value,
            )
        return out

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        out = df.copy(deep=False)
        for column in self.columns:
            out[column] = self._rounded(column, df[column])
        return out

    def code(self, var: str = "df") -> str:
        lines = []
        for column in self.columns:
            target = col(var, column)
            lines.append(f"{target} = {target}.round({literal(self.decimals)})")
        return "\n".join(lines)

    def label(self) -> str:
        what = ", ".join(map(name, self.columns))
        if self.decimals == 0:
            to = "whole numbers"
        elif self.decimals > 0:
            to = f"{self.decimals} decimal{'s' if self.decimals > 1 else ''}"
        else:
            to = f"the nearest {10**-self.decimals:,}"
        return f"Round {what} to {to}"
