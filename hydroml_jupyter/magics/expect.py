"""What the word being typed in a recipe line can be, read from the operation's short form.

Completion asks :func:`expecting` with the words of the line so far: after
``cast Age`` comes a dtype, after ``scale`` a numeric column, after
``group_aggregate by plan:`` a column, ``=`` and an aggregation function.
"""

from __future__ import annotations

import dataclasses

from hydroml_jupyter.engine.ops import catalog, describe
from hydroml_jupyter.engine.ops.shortform import (
    Assign,
    Column,
    Columns,
    Keyword,
    Pairs,
    Part,
    SortKeys,
    Value,
    Values,
    Word,
    option_name,
)
from hydroml_jupyter.engine.ops.spec import ParamSpec
from hydroml_jupyter.magics.recipe import ONE_WORD, assign_at
from hydroml_jupyter.magics.tokens import ARROW, COMMA, unquote

__all__ = ["Expect", "expecting"]


@dataclasses.dataclass(frozen=True)
class Expect:
    """What the word being typed in a recipe line can be.

    ``columns``: a column of this kind (``new`` and ``any``: every column); ``choices``:
    one of these words; ``sep``/``then``: a word ``KEY{sep}VALUE`` whose value is ``then``.
    """

    columns: str | None = None
    choices: tuple[str, ...] = ()
    sep: str = ""
    then: Expect | None = None


def expecting(name: str, words: list[str]) -> Expect | None:
    """Return what the next word after ``name`` and its finished ``words`` can be."""
    cls = catalog().get(name)
    form = None if cls is None else describe(cls).short_form
    if cls is None or form is None:
        return None
    spec = describe(cls)
    params = {p.name: p for p in spec.params}
    flags = {option_name(f) for f in form.options or () if params[f].widget == "bool"}
    plain: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word.startswith("--") and form.options:
            skip = word not in flags
        else:
            plain.append(word)
    return _walk(tuple(form.parts or ()), plain, params)


def _walk(parts: tuple[Part, ...], words: list[str], params: dict[str, ParamSpec]) -> Expect | None:
    for at, part in enumerate(parts):
        if isinstance(part, Word):
            if not words:
                return Expect(choices=_choices(params[part.field]))
            branch = part.then.get(unquote(words[0]), part.otherwise)
            return _walk((*branch, *parts[at + 1 :]), words[1:], params)
        if isinstance(part, ONE_WORD):
            if not words:
                return _one(part, params)
            words = words[1:]
            continue
        group = words[len(words) - words[::-1].index(COMMA) :] if COMMA in words else words
        match part:
            case Columns(end=end) if end and any(w.endswith(end) for w in words):
                ended = next(i for i, w in enumerate(words) if w.endswith(end))
                words = words[ended + 1 :]
                continue
            case Columns(field=field):
                return Expect(columns=params[field].columns)
            case Pairs(field=field, sep=sep):
                return _pair(params[field], sep, group)
            case SortKeys(field=field):
                if not group:
                    return Expect(columns=params[field].columns)
                return Expect(choices=("asc", "desc")) if len(group) == 1 else None
            case Assign(field=field):
                named = assign_at(" ".join(words)) >= 0
                return Expect(columns="any" if named else params[field].columns)
        return Expect(choices=_choices(params[part.field])) if isinstance(part, Values) else None
    return None


def _one(part: Part, params: dict[str, ParamSpec]) -> Expect:
    if isinstance(part, Keyword):
        return Expect(choices=(part.word,))
    if isinstance(part, Column):
        return Expect(columns=params[part.field].columns)
    return Expect(choices=_choices(params[part.field])) if isinstance(part, Value) else Expect()


def _pair(spec: ParamSpec, sep: str, group: list[str]) -> Expect | None:
    value = Expect(choices=_choices(spec))
    if sep == ARROW:
        if not group:
            return Expect(columns=spec.columns)
        return value if group[-1] == ARROW and len(group) == 2 else None
    return Expect(columns=spec.columns, sep=sep, then=value) if not group else None


def _choices(spec: ParamSpec) -> tuple[str, ...]:
    return tuple(str(c) for c in spec.choices)
