"""Append the rows of another frame (a file, a database table, another session)."""

from __future__ import annotations

import dataclasses
from dataclasses import field
from typing import Any, Literal, get_args

import pandas as pd

from hydroml_jupyter.engine import others
from hydroml_jupyter.engine.codegen import literal, name, word
from hydroml_jupyter.engine.ops.base import Operation, register
from hydroml_jupyter.engine.ops.merge import OTHER_DOC, OTHER_HINT
from hydroml_jupyter.engine.ops.shortform import ShortForm
from hydroml_jupyter.engine.ops.spec import param

Join = Literal["outer", "inner"]
_JOINS: tuple[str, ...] = get_args(Join)
_SHOWN = 5


@register
@dataclasses.dataclass(frozen=True, repr=False)
class Concat(Operation):
    """Append the rows of ``other`` below this frame's, columns matched by name.

    ``join="outer"`` keeps every column of both (missing values where a frame has no
    such column); ``"inner"`` keeps the columns both have. ``other`` is what ``merge``
    takes: a file, an SQL source as a dict, or a live or stored session's name. The
    result has a fresh index (0, 1, 2, ...), so row labels stay unique.

    Examples
    --------
    >>> import pandas as pd, hydroml_jupyter as hj, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "more.csv")
    >>> pd.DataFrame({"a": [3], "b": ["x"]}).to_csv(path, index=False)
    >>> s = hj.Session(pd.DataFrame({"a": [1, 2]}), name="concat-doc")
    >>> s.apply("concat", other=path).shape
    (3, 2)
    >>> s.close()
    """

    name = "concat"
    summary = "Append rows of another frame"
    short_form = ShortForm(example="concat more.csv --join inner")

    other: str | dict[str, Any] = field(
        metadata=param(OTHER_DOC, widget="text", placeholder=OTHER_HINT, order=-1)
    )
    join: Join = field(
        default="outer",
        metadata=param("keep every column of both frames, or only those both have"),
    )

    @classmethod
    def normalize(cls, params: dict[str, Any]) -> dict[str, Any]:
        return {**params, "other": others.resolve(params["other"], cls.name)}

    @property
    def _other_name(self) -> str:
        return others.describe(self.other)

    def validate(self, df: pd.DataFrame) -> None:
        other = others.load(self.other, self.name)
        if isinstance(other.columns, pd.MultiIndex) or not other.columns.is_unique:
            raise self.error(f"{self._other_name} has two columns of one name; rename one first")

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        other = others.load(self.other, self.name)
        return pd.concat([df, other], join=self.join, ignore_index=True)

    def code(self, var: str = "df") -> str:
        target = others.other_var(var)
        join = literal(word(self.join, _JOINS))
        return (
            f"{others.code(self.other, target)}\n"
            f"{var} = pd.concat([{var}, {target}], join={join}, ignore_index=True)"
        )

    def imports(self) -> list[str]:
        return others.imports(self.other)

    def label(self) -> str:
        kept = "" if self.join == "outer" else ", common columns only"
        return f"Append rows of {self._other_name}{kept}"

    def explain(self, before: pd.DataFrame, after: pd.DataFrame) -> list[str]:
        other = others.load(self.other, self.name)
        what = self._other_name
        notes = [f"adds {len(other):,} rows of {what} to the {len(before):,} here"]
        mine = [c for c in before.columns if c not in other.columns]
        theirs = [c for c in other.columns if c not in before.columns]
        if self.join == "inner":
            if mine:
                notes.append(f"drops the columns {what} does not have: {_names(mine)}")
            if theirs:
                notes.append(f"leaves out the columns only {what} has: {_names(theirs)}")
            return notes
        if mine:
            notes.append(f"columns only here are missing in the added rows: {_names(mine)}")
        if theirs:
            notes.append(f"columns only in {what} are missing in the rows before: {_names(theirs)}")
        return notes


def _names(labels: list[Any]) -> str:
    more = f" (+{len(labels) - _SHOWN})" if len(labels) > _SHOWN else ""
    return ", ".join(name(c) for c in labels[:_SHOWN]) + more
