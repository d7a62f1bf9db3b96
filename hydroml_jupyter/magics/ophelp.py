"""Help about operations, derived from the catalogue: nothing here names one operation.

:func:`recipe_help` is the recipe cell's grammar (every short form, with an example),
:func:`operations_help` the list ``%hydroml help apply`` ends with, and
:func:`operation_help` one operation's page (``%hydroml help OP``): its doc, each
parameter's doc, choices and default, and its recipe line.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from hydroml_jupyter.engine.ops import catalog, describe
from hydroml_jupyter.engine.ops.shortform import (
    SHOWN_CHOICES,
    Pairs,
    Part,
    Value,
    Word,
    alternatives,
    meta,
)
from hydroml_jupyter.engine.ops.spec import OperationSpec, ParamSpec

__all__ = ["operation_help", "operations_help", "recipe_help"]

_WIDTH = 88
_TABLE = 48

_INTRO = """\
A %%hydroml recipe cell holds one operation per line; # starts a comment and blank
lines are skipped. Each operation has one short form, and any operation can also be
written OP key=value ..., as for %hydroml apply:
"""

_NOTES = """\
- A column name is text; quote it when it holds spaces or punctuation ("Customer ID").
- A value (VALUE, LOW, HIGH, and OLD -> NEW between values) is a Python literal, read
  and never run (0, -1.5, '0', None, [1, 2]); a bare word is text (unknown).
- An EXPRESSION is the rest of the line, as the formula operation reads it.
- A line whose words are all key=value, one of them a parameter of the operation, is
  read in the OP key=value form. `%hydroml help OP` shows one operation's parameters.

The cell applies all or nothing: every line is checked on the current frame before
the session changes, and when a line fails the error names it and the session is
left exactly as it was.
"""

_KINDS = {
    "any": ("a column", "columns"),
    "numeric": ("a numeric column", "numeric columns"),
    "text": ("a text column", "text columns"),
    "datetime": ("a datetime column", "datetime columns"),
    "new": ("a new or existing column's name", "new or existing columns' names"),
}


def recipe_help() -> str:
    """Return the recipe cell's grammar: one row per short form, then notes."""
    rows = [("short form", "example")]
    notes: list[str] = []
    for name, cls in catalog().items():
        spec = describe(cls)
        form = spec.short_form
        if form is None:
            continue
        for at, words in enumerate(alternatives(spec)):
            rows.append((" ".join([name, *words]), form.example if at == 0 else ""))
        notes += [
            f"- {shown} ({name}): {listed}" for shown, listed in _choice_notes(spec, form.parts)
        ]
    rows.append(("OP key=value ...", "cast column=age dtype=Int64 errors=coerce"))
    table = []
    for usage, example in rows:
        if len(usage) < _TABLE - 1 or not example:
            table.append(f"    {usage:<{_TABLE - 1}} {example}".rstrip())
        else:
            table += [f"    {usage}", f"    {'':<{_TABLE - 1}} {example}"]
    wrapped = [textwrap.fill(n, _WIDTH, subsequent_indent="  ") for n in notes]
    return "\n".join([_INTRO, *table, "", *wrapped, _NOTES])


def _choice_notes(spec: OperationSpec, parts: tuple[Part, ...] | None) -> Iterator[tuple[str, str]]:
    """Yield ``(NAME, choices)`` for every word of the form whose choices its usage hides."""
    params = {p.name: p for p in spec.params}
    seen: set[str] = set()
    for shown, param in _named_words(parts or (), params):
        if shown in seen or (len(param.choices) <= SHOWN_CHOICES and param.literal):
            continue
        seen.add(shown)
        listed = ", ".join(str(c) for c in param.choices)
        yield shown, listed + (", or a list of them" if param.collects else "")
    form = spec.short_form
    for field in form.options if form is not None and form.options else ():
        param = params[field]
        if param.choices and meta(param) == field.upper() and field.upper() not in seen:
            yield field.upper(), ", ".join(str(c) for c in param.choices)


def _named_words(
    parts: tuple[Part, ...], params: dict[str, ParamSpec]
) -> Iterator[tuple[str, ParamSpec]]:
    for part in parts:
        if isinstance(part, Word):
            if params[part.field].choices:
                yield part.meta or meta(params[part.field]), params[part.field]
            for branch in [*part.then.values(), part.otherwise]:
                yield from _named_words(tuple(branch), params)
        elif isinstance(part, Value) and params[part.field].choices:
            yield part.meta, params[part.field]
        elif isinstance(part, Pairs) and params[part.field].choices:
            yield part.value, params[part.field]


def operations_help() -> str:
    """Return one line per operation: its parameters (optional ones in brackets), its summary."""
    lines = ["operations (OP key=value ...; `%hydroml help OP` shows one):"]
    for name, cls in catalog().items():
        spec = describe(cls)
        params = " ".join(f"{p.name}=" if p.required else f"[{p.name}=]" for p in spec.params)
        row = f"  {name} {params}".rstrip()
        lines.append(f"{row:<{_TABLE}} {spec.summary}".rstrip() if len(row) < _TABLE else row)
    return "\n".join(lines)


def operation_help(name: str) -> str:
    """Return the help of the operation ``name``: its doc, parameters and recipe line."""
    spec = describe(name)
    lines = [f"{spec.name}: {spec.summary}", "", spec.doc, "", "parameters (key=value):"]
    width = max(len(p.name) for p in spec.params) + 3
    for param in spec.params:
        facts = "; ".join(_facts(param))
        text = f"{param.doc} ({facts})" if param.doc else facts
        body = textwrap.wrap(text, _WIDTH - width - 2) or [""]
        lines.append(f"  {param.name + '=':<{width}}{body[0]}")
        lines += [" " * (width + 2) + more for more in body[1:]]
    form = spec.short_form
    if form is not None:
        lines += ["", "in a %%hydroml recipe cell:"]
        lines += [f"  {' '.join([name, *words])}" for words in alternatives(spec)]
        if form.example:
            lines.append(f"  e.g. {form.example}")
    return "\n".join(lines) + "\n"


def _facts(param: ParamSpec) -> Iterator[str]:
    yield "required" if param.required else f"default {param.default!r}"
    if param.columns is not None:
        one, many = _KINDS[param.columns]
        if param.widget == "mapping":
            yield f"keys: {many}"
        else:
            yield many if param.many else one
    if param.choices:
        what = "values: one of" if param.widget == "mapping" else "one of"
        yield f"{what} {', '.join(str(c) for c in param.choices)}"
