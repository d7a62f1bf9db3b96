"""Group rows and aggregate: one row per group."""

from __future__ import annotations

import dataclasses

import pandas as pd

from hydroml_jupyter.engine.codegen import literal, name
from hydroml_jupyter.engine.ops.base import Label, Operation, as_list, register

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
    """

    name = "group_aggregate"
    summary = "Group and aggregate"

    by: list[Label] | Label
    aggs: dict[Label, str | list[str]]

    @staticmethod
    def normalize(params: dict) -> dict:
        return {**params, "by": as_list(params["by"])}

    def columns_used(self) -> list[Label]:
        return [*self.by, *self.aggs]  # type: ignore[misc]

    def _named(self) -> dict[str, tuple[Label, str]]:
        named: dict[str, tuple[Label, str]] = {}
        for column, funcs in self.aggs.items():
            if isinstance(funcs, str):
                named[str(column)] = (column, funcs)
            else:
                for func in funcs:
                    named[f"{column}_{func}"] = (column, func)
        return named

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
        clash = [n for n in self._named() if n in self.by]  # type: ignore[operator]
        if clash:
            raise self.error(
                f"the result column {clash[0]!r} would clash with a group key", column=clash[0]
            )

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
        return f"Group by {', '.join(map(name, self.by))}: " + ", ".join(parts)  # type: ignore[arg-type]
