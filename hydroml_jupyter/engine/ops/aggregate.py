"""Group rows and aggregate: one row per group."""

from __future__ import annotations

import dataclasses
from dataclasses import field

import pandas as pd

from hydroml_jupyter.engine.codegen import literal, name
from hydroml_jupyter.engine.ops.base import Label, Operation, register, short_repr
from hydroml_jupyter.engine.ops.shortform import Columns, Keyword, Pairs, ShortForm
from hydroml_jupyter.engine.ops.spec import param

#: Aggregations ``group_aggregate`` accepts.
AGG_FUNCS = (
    "count",
    "sum",
    "mean",
    "median",
    "min",
    "max",
    "std",
    "var",
    "first",
    "last",
    "nunique",
    "size",
)


@register
@dataclasses.dataclass(frozen=True, repr=False)
class GroupAggregate(Operation):
    """Group by ``by`` and aggregate: ``aggs={column: func or [funcs]}``.

    A single function keeps the column's name; a list names the results
    ``column_func``. Missing keys form their own group (nothing is dropped).
    Two entries whose results would have the same name (``{1: "sum", "1": "mean"}``,
    ``{"x": ["sum"], "x_sum": "max"}``), or a result named like a group key, are
    refused: a name is never silently shared.
    """

    name = "group_aggregate"
    summary = "Group and aggregate"
    short_form = ShortForm(
        parts=(Keyword("by"), Columns("by", end=":"), Pairs("aggs", "=", "COL", "FUNC")),
        example="group_aggregate by city: n=count, age=[min, max]",
    )

    by: list[Label] = field(
        metadata=param("the columns whose values make the groups", columns="any")
    )
    aggs: dict[Label, str | list[str]] = field(
        metadata=param(
            "each column to aggregate, with a function or a list of them",
            columns="any",
            choices=AGG_FUNCS,
        )
    )

    def columns_used(self) -> list[Label]:
        return [*self.by, *self.aggs]

    def _results(self) -> list[tuple[str, Label, str]]:
        """Return ``(result name, column, function)`` for every aggregation, in order."""
        results: list[tuple[str, Label, str]] = []
        for column, funcs in self.aggs.items():
            if isinstance(funcs, str):
                results.append((str(column), column, funcs))
            else:
                results.extend((f"{column}_{func}", column, func) for func in funcs)
        return results

    def _named(self) -> dict[str, tuple[Label, str]]:
        return {result: (column, func) for result, column, func in self._results()}

    def _check_names(self) -> None:
        """Refuse two aggregations with one result name, or a result named like a group key."""

        def entry(column: Label) -> str:
            return f"{short_repr(column)}: {short_repr(self.aggs[column], 60)}"

        keys = {str(key): key for key in self.by}
        seen: dict[str, tuple[Label, str]] = {}
        for result, column, func in self._results():
            if result in keys:
                raise self.error(
                    f"the result column {short_repr(result)} of aggs {entry(column)} would "
                    f"clash with a group key ({short_repr(keys[result])})",
                    column=result,
                )
            if result in seen:
                first, first_func = seen[result]
                both = (
                    f"aggs {entry(column)} asks for {func!r} twice"
                    if first == column and first_func == func
                    else f"aggs {entry(first)} and {entry(column)}"
                )
                raise self.error(
                    f"{both}: both would make the column {short_repr(result)}; "
                    "rename a column first, or keep one of them",
                    column=column,
                    value=result,
                )
            seen[result] = (column, func)

    def validate(self, df: pd.DataFrame) -> None:
        if not self.by:
            raise self.error("by= names no column")
        if not self.aggs:
            raise self.error("aggs= is empty")
        super().validate(df)
        for column, funcs in self.aggs.items():
            for func in [funcs] if isinstance(funcs, str) else funcs:
                if func not in AGG_FUNCS:
                    raise self.error(
                        f"unknown aggregation {func!r} for {column!r}; use one of "
                        f"{', '.join(AGG_FUNCS)}",
                        column=column,
                        value=func,
                    )
            if isinstance(funcs, list) and not funcs:
                raise self.error(f"no aggregation for {column!r}", column=column)
        self._check_names()

    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        grouped = df.groupby(self.by, dropna=False, sort=True)
        return grouped.agg(**self._named()).reset_index()

    def code(self, var: str = "df") -> str:
        named = ", ".join(f"{literal(k)}: {literal(v)}" for k, v in self._named().items())
        return (
            f"{var} = {var}.groupby({literal(self.by)}, dropna=False, sort=True)"
            f".agg(**{{{named}}}).reset_index()"
        )

    def label(self) -> str:
        parts = [f"{func}({name(column)})" for column, func in self._named().values()]
        return f"Group by {', '.join(map(name, self.by))}: " + ", ".join(parts)
