"""Sample rows: a reproducible random subset."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import field

import pandas as pd

from hydroml_jupyter.engine.codegen import literal, shown
from hydroml_jupyter.engine.ops.base import Operation, register, short_repr
from hydroml_jupyter.engine.ops.shortform import ShortForm
from hydroml_jupyter.engine.ops.spec import param

#: numpy's ``RandomState`` takes seeds in [0, 2**32).
MAX_SEED = 2**32 - 1


@register
@dataclasses.dataclass(frozen=True, repr=False)
class Sample(Operation):
    """Keep a random sample of rows: ``n`` rows or a fraction ``frac``, never both.

    The rows keep their index labels and come in the sampled order; the same
    ``seed`` picks the same rows (``df.sample(n=..., random_state=seed)``, as the
    exported code does). Asking for more rows than the frame has is refused with both
    counts rather than clamped, so a recipe never silently keeps all rows; ``frac``
    is between 0 and 1.

    Examples
    --------
    >>> Sample(n=1000, seed=1).code()
    'df = df.sample(n=1000, random_state=1)'
    """

    name = "sample"
    summary = "Keep a random sample of rows"
    short_form = ShortForm(example="sample --n 1000 --seed 1")

    n: int | None = field(
        default=None,
        metadata=param("how many rows to keep (or give frac)", placeholder="e.g. 1000"),
    )
    frac: float | None = field(
        default=None,
        metadata=param("the fraction of rows to keep, 0 to 1 (or give n)", placeholder="e.g. 0.1"),
    )
    seed: int = field(
        default=0,
        metadata=param(
            "the random seed: the same seed keeps the same rows", placeholder="0", advanced=True
        ),
    )

    def validate(self, df: pd.DataFrame) -> None:
        if (self.n is None) == (self.frac is None):
            raise self.error(
                "give n= (a number of rows) or frac= (a fraction), one of them"
                + (
                    ""
                    if self.n is None
                    else f", not both (n={short_repr(self.n)}, frac={shown(self.frac)})"
                ),
                value=self.n,
            )
        if not 0 <= self.seed <= MAX_SEED:
            raise self.error(
                f"seed={short_repr(self.seed)} is not between 0 and {MAX_SEED:,}", value=self.seed
            )
        if self.n is not None:
            if self.n < 0:
                raise self.error(f"n={self.n} is negative", value=self.n)
            if self.n > len(df):
                raise self.error(
                    f"n={short_repr(self.n)} is more rows than the frame has ({len(df):,}); "
                    "ask for fewer, or use frac=",
                    value=self.n,
                )
        elif self.frac is not None and not (math.isfinite(self.frac) and 0 <= self.frac <= 1):
            raise self.error(f"frac={shown(self.frac)} is not between 0 and 1", value=self.frac)

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        if self.n is not None:
            return df.sample(n=self.n, random_state=self.seed)
        return df.sample(frac=self.frac, random_state=self.seed)

    def code(self, var: str = "df") -> str:
        size = f"n={literal(self.n)}" if self.n is not None else f"frac={literal(self.frac)}"
        return f"{var} = {var}.sample({size}, random_state={literal(self.seed)})"

    def label(self) -> str:
        if self.n is not None:
            return f"Sample {self.n:,} rows (seed {self.seed})"
        return f"Sample {shown(self.frac)} of the rows (seed {self.seed})"
