"""The type of a column label, shared by every layer.

Sessions hold only frames whose column labels are strings or integers (booleans
excepted), so a column is named by a :data:`Label` wherever one is meant: in
operations, statistics, stores, runs and widgets.

Examples
--------
>>> from hydroml_jupyter.labels import Label
>>> isinstance("price", Label), isinstance(3, Label), isinstance(2.5, Label)
(True, True, False)
"""

from __future__ import annotations

__all__ = ["Label"]

#: A column label. Sessions only hold frames whose labels are strings or integers.
Label = str | int
