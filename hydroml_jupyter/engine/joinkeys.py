"""How the keys of two frames match, counted before a join is built.

:func:`key_counts` counts each side's distinct keys and matches those counts with
pandas' own ``merge`` (so missing keys match each other, and an integer key matches an
equal float one, exactly as in the join itself). From them come, exactly and without
building the join: the rows each kind of join would have, the rows of each side that
find no match, and a repeated key.

Examples
--------
>>> import pandas as pd
>>> left = pd.DataFrame({"k": [1, 1, 2, None]})
>>> right = pd.DataFrame({"k": [1.0, 1.0, None, 3.0]})
>>> counts = key_counts(left, right, ["k"], ["k"])
>>> [counts.result_rows(how) for how in ("inner", "left", "right", "outer")]
[5, 6, 6, 7]
>>> counts.left_unmatched, counts.right_unmatched, counts.repeated(True)
(1, 1, ((1.0,), 2))
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from hydroml_jupyter.engine.ops.params import plain

__all__ = ["KeyCounts", "key_counts"]


@dataclasses.dataclass(frozen=True)
class KeyCounts:
    """The distinct keys of both sides, their row counts, and whether they match.

    ``table`` has one row per distinct key of either side: ``left`` and ``right`` (rows
    with that key on each side, 0 where it is absent), and the key's values.
    """

    table: pd.DataFrame
    left_keys: pd.DataFrame
    right_keys: pd.DataFrame

    def _counts(self) -> tuple[np.ndarray, np.ndarray]:
        return (
            self.table["__left"].to_numpy(dtype=np.int64),
            self.table["__right"].to_numpy(dtype=np.int64),
        )

    @property
    def matched(self) -> int:
        """Rows of an inner join."""
        left, right = self._counts()
        return int((left * right).sum())

    @property
    def left_unmatched(self) -> int:
        """Rows of the left side whose key has no row on the right."""
        left, right = self._counts()
        return int(left[right == 0].sum())

    @property
    def right_unmatched(self) -> int:
        """Rows of the right side whose key has no row on the left."""
        left, right = self._counts()
        return int(right[left == 0].sum())

    def result_rows(self, how: str) -> int:
        """Return the rows a join of kind ``how`` (inner, left, right, outer) would have."""
        rows = self.matched
        if how in ("left", "outer"):
            rows += self.left_unmatched
        if how in ("right", "outer"):
            rows += self.right_unmatched
        return rows

    def repeated(self, left: bool) -> tuple[tuple[Any, ...], int] | None:
        """Return a key that repeats on one side (its values, its rows), or None."""
        side = self.left_keys if left else self.right_keys
        counts = side.iloc[:, -1].to_numpy(dtype=np.int64)
        where = np.flatnonzero(counts > 1)
        if not len(where):
            return None
        row = side.iloc[int(where[0])]
        values = tuple(plain(row.iloc[i]) for i in range(side.shape[1] - 1))
        return values, int(counts[where[0]])

    @property
    def both_repeat(self) -> bool:
        """Whether some key has more than one row on both sides."""
        left, right = self._counts()
        return bool(((left > 1) & (right > 1)).any())


def _side(frame: pd.DataFrame, keys: Sequence[Hashable], tag: str) -> pd.DataFrame:
    """Return one row per distinct key of ``frame``: the key as ``__key<i>_<tag>``, its count."""
    named = {f"__key{i}_{tag}": frame[key] for i, key in enumerate(keys)}
    plain = pd.DataFrame(named, copy=False)
    sizes = plain.groupby(list(named), dropna=False, observed=True, sort=False).size()
    return sizes.rename(f"__n_{tag}").reset_index()


def key_counts(
    left: pd.DataFrame,
    right: pd.DataFrame,
    left_keys: Sequence[Hashable],
    right_keys: Sequence[Hashable],
) -> KeyCounts:
    """Count how the keys of ``left`` and ``right`` match (see the module's notes).

    Raises
    ------
    ValueError, TypeError
        As pandas' ``merge`` does for keys that cannot be compared.
    """
    lside = _side(left, left_keys, "l")
    rside = _side(right, right_keys, "r")
    lnames = [f"__key{i}_l" for i in range(len(left_keys))]
    rnames = [f"__key{i}_r" for i in range(len(right_keys))]
    both = lside.merge(rside, how="outer", left_on=lnames, right_on=rnames, sort=False)
    table = pd.DataFrame(
        {
            "__left": both["__n_l"].fillna(0).to_numpy(dtype=np.int64),
            "__right": both["__n_r"].fillna(0).to_numpy(dtype=np.int64),
            **{n: both[n] for n in (*lnames, *rnames)},
        }
    )
    return KeyCounts(table, lside, rside)
