"""Operations that prepare columns for models: one-hot encoding and scaling."""

from __future__ import annotations

import dataclasses
from dataclasses import field
from typing import Any, Literal

import numpy as np
import pandas as pd

from hydroml_jupyter.engine.codegen import col, literal, name
from hydroml_jupyter.engine.ops.base import Label, Operation, register
from hydroml_jupyter.engine.ops.shortform import ShortForm
from hydroml_jupyter.engine.ops.spec import param

#: The most distinct values ``one_hot`` turns into columns.
MAX_CATEGORIES = 1000


@register
@dataclasses.dataclass(frozen=True, repr=False)
class OneHot(Operation):
    """Replace ``column`` by one boolean column per value (``column_value``)."""

    name = "one_hot"
    summary = "One-hot encode a column"
    short_form = ShortForm(example="one_hot plan --drop-first")

    column: Label = field(metadata=param("the column to encode", columns="any"))
    drop_first: bool = field(default=False, metadata=param("leave out the first value's column"))

    def columns_used(self) -> list[Label]:
        return [self.column]

    def validate(self, df: pd.DataFrame) -> None:
        super().validate(df)
        series = df[self.column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            distinct = len(series.cat.categories)
            if distinct > MAX_CATEGORIES:
                distinct = series.nunique()
        else:
            distinct = series.nunique()
        if distinct > MAX_CATEGORIES:
            raise self.error(
                f"column {self.column!r} has {distinct:,} distinct values, more than "
                f"{MAX_CATEGORIES:,} columns would be made",
                column=self.column,
            )

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        return pd.get_dummies(df, columns=[self.column], drop_first=self.drop_first)

    def code(self, var: str = "df") -> str:
        return (
            f"{var} = pd.get_dummies({var}, columns=[{literal(self.column)}], "
            f"drop_first={literal(self.drop_first)})"
        )

    def label(self) -> str:
        return f"One-hot encode {name(self.column)}" + (" (drop first)" if self.drop_first else "")


Method = Literal["standard", "minmax", "robust"]


@register
@dataclasses.dataclass(frozen=True, repr=False)
class Scale(Operation):
    """Scale numeric ``columns``.

    ``standard``: (x - mean) / std (population std, as scikit-learn's
    ``StandardScaler``); ``minmax``: (x - min) / (max - min); ``robust``:
    (x - median) / IQR.
    """

    name = "scale"
    summary = "Scale numeric columns"
    short_form = ShortForm(example="scale age income --method minmax")

    columns: list[Label] = field(metadata=param("the numeric columns to scale", columns="numeric"))
    method: Method = field(
        default="standard",
        metadata=param("standard: (x - mean) / std; minmax: to [0, 1]; robust: (x - median) / IQR"),
    )

    def columns_used(self) -> list[Label]:
        return list(self.columns)

    def validate(self, df: pd.DataFrame) -> None:
        if not self.columns:
            raise self.error("no columns to scale")
        if len(set(self.columns)) != len(self.columns):
            raise self.error("a column is listed twice", value=self.columns)
        super().validate(df)

    # Reductions of an untyped Series are Any in the stubs; they are numbers (numpy scalars).
    def _center(self, s: pd.Series) -> float:
        center: float = {"standard": s.mean, "minmax": s.min, "robust": s.median}[self.method]()
        return center

    def _spread(self, s: pd.Series) -> float | np.floating[Any]:
        spread: float | np.floating[Any]
        match self.method:
            case "standard":
                spread = s.std(ddof=0)
            case "minmax":
                spread = s.max() - s.min()
            case _:
                spread = s.quantile(0.75) - s.quantile(0.25)
        return spread

    def _code_for(self, s: str) -> str:
        match self.method:
            case "standard":
                return f"({s} - {s}.mean()) / {s}.std(ddof=0)"
            case "minmax":
                return f"({s} - {s}.min()) / ({s}.max() - {s}.min())"
            case _:
                return f"({s} - {s}.median()) / ({s}.quantile(0.75) - {s}.quantile(0.25))"

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        out = df.copy(deep=False)
        for column in self.columns:
            s = df[column]
            spread = self._spread(s)
            if not spread > 0:
                if s.notna().sum() == 0:
                    raise self.error(f"column {column!r} has no values to scale", column=column)
                raise self.error(
                    f"column {column!r} has no spread ({self.method} divisor is {spread}); "
                    "nothing to scale",
                    column=column,
                )
            out[column] = (s - self._center(s)) / spread
        return out

    def code(self, var: str = "df") -> str:
        lines = []
        for column in self.columns:
            target = col(var, column)
            lines.append(f"{target} = {self._code_for(target)}")
        return "\n".join(lines)

    def label(self) -> str:
        return f"Scale {', '.join(map(name, self.columns))} ({self.method})"
