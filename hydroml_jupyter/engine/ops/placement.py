"""Where new columns go: right after the column they are made from.

An operation that derives columns from one (``bin``, ``window``, ``datetime_parts``,
``split``, ``extract``) sets them, then moves them right after their source with
:func:`place_after`; its script does the same with the line :func:`place_code` writes,
so the session and the script order the columns alike.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"a": [1], "b": [2], "a_bin": ["x"]})
>>> list(place_after(df, "a", ["a_bin"]).columns)
['a', 'a_bin', 'b']
>>> print(place_code("df", "a", ["a_bin"]))
df = df[np.insert(df.columns.drop(['a_bin']).astype('object'), \
df.columns.drop(['a_bin']).get_loc('a') + 1, ['a_bin'])]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from hydroml_jupyter.engine.codegen import literal
from hydroml_jupyter.labels import Label

__all__ = ["place_after", "place_code"]


def place_after(df: pd.DataFrame, column: Label, new: Sequence[Label]) -> pd.DataFrame:
    """Return ``df`` with its columns ``new`` moved, in order, right after ``column``.

    ``column`` itself among ``new`` stays where it is (a result written over its
    source). The frame's data is not copied.

    Raises
    ------
    ValueError
        When the frame has several columns named ``column``.
    """
    moved = [label for label in new if label != column]
    if not moved:
        return df
    rest = df.columns.drop(moved)
    at = rest.get_loc(column)
    if not isinstance(at, int):
        raise ValueError(f"the frame has more than one column named {column!r}")
    # As objects: numpy would turn an int label inserted among text labels into text.
    return df[np.insert(rest.astype("object"), at + 1, moved)]


def place_code(var: str, column: Label, new: Sequence[Label]) -> str:
    """Return the line of code doing what :func:`place_after` does ("" when nothing moves)."""
    moved = [label for label in new if label != column]
    if not moved:
        return ""
    rest = f"{var}.columns.drop({literal(moved)})"
    return (
        f"{var} = {var}[np.insert({rest}.astype('object'), "
        f"{rest}.get_loc({literal(column)}) + 1, {literal(moved)})]"
    )
