"""Oracle tests of rename and drop_columns, with hand-written expected frames (tests/oracle.py)."""

from __future__ import annotations

import pandas as pd
from oracle import check, refuse

COVERS = {"rename", "drop_columns"}

ABC = pd.DataFrame({"a": [1], "b": [2], 3: [4]})


def test_rename_swaps_integer_and_text_labels_in_place() -> None:
    check(ABC, "rename", pd.DataFrame({"b": [1], "a": [2], 3: [4]}), columns={"a": "b", "b": "a"})
    check(
        ABC, "rename", pd.DataFrame({3: [1], "b": [2], "three": [4]}), columns={3: "three", "a": 3}
    )
    # '3' and 3 are two labels.
    check(ABC, "rename", pd.DataFrame({"3": [1], "b": [2], 3: [4]}), columns={"a": "3"})
    check(ABC, "rename", ABC, columns={"a": "a"})


def test_rename_refusals() -> None:
    refuse(ABC, "rename", ["renaming would give two columns named 'b'"], columns={"a": "b"})
    refuse(ABC, "rename", ["the new name of 'a' is empty"], columns={"a": " \t"})
    refuse(ABC, "rename", ["no column named 'c'"], columns={"c": "d"})
    refuse(ABC, "rename", ["rename: no columns to rename"], columns={})


def test_drop_columns() -> None:
    # Labels of mixed types stay an object index, even when only text is left.
    left = pd.DataFrame({"b": [2]}, columns=pd.Index(["b"], dtype=object))
    check(ABC, "drop_columns", left, columns=[3, "a"])
    check(ABC, "drop_columns", pd.DataFrame({"a": [1], 3: [4]}), columns="b")
    check(ABC, "drop_columns", pd.DataFrame({"b": [2], 3: [4]}), columns=["a", "a"])
    every = pd.DataFrame(index=pd.RangeIndex(1), columns=pd.Index([], dtype=object))
    check(ABC, "drop_columns", every, columns=["a", "b", 3])


def test_drop_columns_refusals() -> None:
    refuse(ABC, "drop_columns", ["drop_columns: no columns to drop"], columns=[])
    refuse(ABC, "drop_columns", ["no column named '3'"], columns=["3"])
