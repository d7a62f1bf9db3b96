"""Recipes: a session's steps as JSON, replayable on a new frame and writable as pandas code."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from hydroml_jupyter.engine.codegen import check_var, comment, shown
from hydroml_jupyter.engine.ops.base import Operation, make_operation
from hydroml_jupyter.engine.transaction import label_of, run
from hydroml_jupyter.errors import OperationError
from hydroml_jupyter.io import Source

__all__ = ["FORMAT", "Recipe"]

#: Identifies a hydroml recipe document; ``version`` is bumped on incompatible changes.
FORMAT = "hydroml-recipe"
VERSION = 1

_HEADER = ["import numpy as np", "import pandas as pd"]


@dataclasses.dataclass(frozen=True)
class Recipe:
    """An ordered list of operations, with where the frame came from.

    Parameters
    ----------
    steps
        The operations, in order.
    source
        The file or database the original frame was loaded from, if any.
    base
        For a session saved from another one: the parent's recipe, which
        produced this recipe's starting frame.

    Examples
    --------
    >>> import pandas as pd
    >>> recipe = Recipe.from_json('{"format": "hydroml-recipe", "version": 1, '
    ...                           '"steps": [{"op": "rename", "params": {"columns": {"a": "b"}}}]}')
    >>> list(recipe.apply(pd.DataFrame({"a": [1]})).columns)
    ['b']
    """

    steps: tuple[Operation, ...] = ()
    source: Source | None = None
    base: Recipe | None = None
    name: str | None = None

    # -- replay ----------------------------------------------------------------------
    def apply(self, df: pd.DataFrame) -> pd.DataFrame:
        """Replay the steps on ``df`` (a frame shaped like the original) and return the result.

        Raises
        ------
        OperationError
            When a step fails, whatever the cause; the message names the step.
        """
        out = df
        for number, op in enumerate(self.steps, start=1):
            try:
                out = run(op, out)
            except OperationError as exc:
                raise OperationError(
                    f"step {number} ({label_of(op)}): {exc}",
                    op=exc.op,
                    column=exc.column,
                    value=exc.value,
                ) from exc
        return out

    # -- code ------------------------------------------------------------------------
    def code(self, source: bool = True, var: str = "df") -> str:
        """Return a runnable pandas script.

        With ``source=True`` the script starts by loading the source (and, for a
        saved session, by running its parent's recipe). With ``source=False`` it
        assumes ``var`` holds the original frame, which it leaves untouched.

        User text (names, values, labels, the source) appears in the script only as
        Python literals or in comments written by :func:`~hydroml_jupyter.engine.codegen.comment`.

        Raises
        ------
        ValueError
            When ``var`` is not a valid Python variable name.
        """
        check_var(var)
        imports = list(_HEADER)
        body: list[str] = []
        if source:
            self._source_lines(imports, body, var)
        else:
            body += [
                comment(f"`{var}` holds the original frame; it is not modified."),
                f"{var} = {var}.copy(deep=False)",
            ]
        body += self._step_lines(var, start=1)
        for op in self.steps:
            imports += op.imports()
        return "\n".join([*dict.fromkeys(imports), "", *body]) + "\n"

    def _source_lines(self, imports: list[str], body: list[str], var: str) -> None:
        if self.base is not None:
            parent = self.base.code(source=True, var=var).rstrip("\n").split("\n")
            blank = parent.index("")
            imports += parent[:blank]
            body += parent[blank + 1 :]
            saved = f"Saved as {shown(self.name)}" if self.name else "Saved as a new session"
            body += ["", comment(saved)]
        elif self.source is not None:
            imports += self.source.imports
            body.append(self.source.code(var))
        else:
            body += [
                comment(f"`{var}` holds the frame the session started from."),
                f"{var} = {var}.copy(deep=False)",
            ]

    def _step_lines(self, var: str, start: int) -> list[str]:
        lines: list[str] = []
        for number, op in enumerate(self.steps, start=start):
            lines += ["", comment(f"{number}. {op.label()}"), op.code(var)]
        return lines

    # -- JSON ------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly description."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "name": self.name,
            "source": None if self.source is None else self.source.to_dict(),
            "base": None if self.base is None else self.base.to_dict(),
            "steps": [{"op": op.name, "params": _encode(op.params)} for op in self.steps],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """Return the recipe as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Recipe:
        """Build a recipe from :meth:`to_dict` output; every step is checked."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise OperationError(f"not a hydroml recipe (format is not {FORMAT!r})")
        if data.get("version") != VERSION:
            raise OperationError(f"unsupported recipe version {data.get('version')!r}")
        steps = data.get("steps", [])
        if not isinstance(steps, Sequence):
            raise OperationError("recipe steps must be a list")
        ops = []
        for number, step in enumerate(steps, start=1):
            if not isinstance(step, dict) or not isinstance(step.get("op"), str):
                raise OperationError(f"recipe step {number} has no operation name")
            try:
                ops.append(make_operation(step["op"], _decode(step.get("params", {}))))
            except OperationError as exc:
                raise OperationError(f"recipe step {number}: {exc}", op=exc.op) from exc
        source = data.get("source")
        base = data.get("base")
        return cls(
            steps=tuple(ops),
            source=None if source is None else Source.from_dict(source),
            base=None if base is None else cls.from_dict(base),
            name=data.get("name"),
        )

    @classmethod
    def from_json(cls, text: str) -> Recipe:
        """Parse JSON text written by :meth:`to_json`."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise OperationError(f"recipe is not valid JSON: {exc}") from exc
        return cls.from_dict(data)


# -- a JSON codec for parameter values -------------------------------------------------
# JSON has no NaN, no timestamps and only string keys; these wrap them losslessly.
def _encode(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return {"$float": str(value)}
    if isinstance(value, pd.Timestamp):
        return {"$timestamp": value.isoformat()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: _encode(v) for k, v in value.items()}
        return {"$pairs": [[_encode(k), _encode(v)] for k, v in value.items()]}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {"$float"}:
            return float(value["$float"])
        if set(value) == {"$timestamp"}:
            return pd.Timestamp(value["$timestamp"])
        if set(value) == {"$pairs"}:
            return {_decode(k): _decode(v) for k, v in value["$pairs"]}
        return {k: _decode(v) for k, v in value.items()}
    return value
