"""Recipe short forms as data: how one line of a ``%%hydroml recipe`` cell spells an operation.

A short form is a sequence of parts (a column name, a word, a literal, pairs ...) and
``--options`` for the parameters the parts leave out (``--flag`` for True/False ones).
An operation declares one as ``short_form = ShortForm(...)``, or lets it be derived:
its required parameters in order, and the one naming several columns even when it is
optional, each a word (a column name, text or a literal) or, for several columns or a
mapping, as many words as the others leave; every other parameter is an option. The
magics read lines with it; its usage lines and notes are the recipe help.

Examples
--------
>>> from hydroml_jupyter.engine.ops.spec import describe
>>> " ".join(render(describe("cast")))
'COL DTYPE [--errors raise|coerce] [--format FORMAT]'
>>> [" ".join(u) for u in alternatives(describe("fill_missing"))]
['COL STRATEGY [--by BY]', 'COL value VALUE [--by BY]']
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from hydroml_jupyter.engine.ops.spec import OperationSpec, ParamSpec

__all__ = [
    "Assign",
    "Column",
    "Columns",
    "Keyword",
    "Pairs",
    "Part",
    "ShortForm",
    "SortKeys",
    "Value",
    "Values",
    "Word",
    "alternatives",
    "option_name",
    "render",
    "resolve",
]

#: Choices are spelled out in a usage line up to this many, else the part's name shows.
SHOWN_CHOICES = 4


@dataclasses.dataclass(frozen=True)
class Column:
    """One column name (``COL``)."""

    field: str
    meta: str = "COL"


@dataclasses.dataclass(frozen=True)
class Columns:
    """Column names, commas allowed between them (``COL [COL ...]``).

    With ``end``, the names run up to the word that ends with it (``COL ...:``).
    """

    field: str
    end: str = ""


@dataclasses.dataclass(frozen=True)
class Word:
    """One word, read as text; a ``Literal`` parameter's word must be one of its choices.

    ``then`` maps a word to the parts that follow it; any other word is followed by
    ``otherwise``. ``noun`` names the word in messages (``unknown comparison '~'``).
    """

    field: str
    meta: str = ""
    noun: str = ""
    then: Mapping[str, tuple[Part, ...]] = dataclasses.field(default_factory=dict)
    otherwise: tuple[Part, ...] = ()


@dataclasses.dataclass(frozen=True)
class Value:
    """One Python literal, read and never run; a bare word is text."""

    field: str
    meta: str = "VALUE"


@dataclasses.dataclass(frozen=True)
class Values:
    """A list of literals: one ``[...]``, or ``count`` words (any number, commas between)."""

    field: str
    count: int | None = None
    meta: str = ""


@dataclasses.dataclass(frozen=True)
class Pairs:
    """``KEY -> VALUE[, KEY -> VALUE ...]``, or ``KEY=VALUE, ...`` with ``sep="="``: a dict.

    Keys are read as column names when the parameter names columns, values as names
    when the mapping's values are text; the others are literals.
    """

    field: str
    sep: Literal["->", "="] = "->"
    key: str = "OLD"
    value: str = "NEW"


@dataclasses.dataclass(frozen=True)
class Keyword:
    """A fixed word (``by``)."""

    word: str


@dataclasses.dataclass(frozen=True)
class SortKeys:
    """``COL [asc|desc][, COL [asc|desc] ...]``: the columns and one direction per column.

    The directions go to ``ascending`` as one True/False when they all agree.
    """

    field: str
    ascending: str


@dataclasses.dataclass(frozen=True)
class Assign:
    """``NAME = REST``: a name, the first ``=`` standing alone, the rest of the line as typed."""

    field: str
    rest: str
    meta: str = "NEW"
    rest_meta: str = "EXPRESSION"


Part = Column | Columns | Word | Value | Values | Pairs | Keyword | SortKeys | Assign


@dataclasses.dataclass(frozen=True)
class ShortForm:
    """An operation's recipe short form.

    ``parts`` None: derived from the parameters. ``options`` None: every parameter the
    parts leave out. ``example`` is a line the recipe help shows (and tests parse).
    """

    parts: tuple[Part, ...] | None = None
    options: tuple[str, ...] | None = None
    example: str = ""


def option_name(field: str) -> str:
    """Return the option that sets ``field``: ``drop_first`` → ``--drop-first``."""
    return "--" + field.replace("_", "-")


def fields_of(parts: Sequence[Part]) -> Iterator[str]:
    """Yield the parameters ``parts`` set (branches included; repeats possible)."""
    for part in parts:
        match part:
            case Keyword():
                continue
            case SortKeys(field=field, ascending=ascending):
                yield from (field, ascending)
            case Assign(field=field, rest=rest):
                yield from (field, rest)
            case Word(field=field, then=then, otherwise=otherwise):
                yield field
                for branch in [*then.values(), otherwise]:
                    yield from fields_of(branch)
            case _:
                yield part.field


def resolve(
    declared: ShortForm | None, params: Mapping[str, ParamSpec], name: str
) -> ShortForm | None:
    """Return the short form with its parts and options filled in, or None when none fits.

    Raises
    ------
    TypeError
        When a declared short form names a parameter the operation does not have,
        leaves a required one out, or makes an option of a parameter its parts read.
    """
    declared = declared or ShortForm()
    parts = declared.parts if declared.parts is not None else _derive(params)
    if parts is None:
        return None
    named = set(fields_of(parts))
    unknown = sorted(named - set(params))
    if unknown:
        raise TypeError(f"{name}: the short form names no parameter {unknown[0]!r}")
    options = declared.options
    if options is None:
        options = tuple(p for p in params if p not in named)
    for field in options:
        if field not in params or field in named:
            raise TypeError(f"{name}: option {field!r} is not a parameter the parts leave out")
    left = [p.name for p in params.values() if p.required and p.name not in named]
    if left:
        raise TypeError(f"{name}: the short form leaves out the required parameter {left[0]!r}")
    return ShortForm(tuple(parts), tuple(options), declared.example)


def _derive(params: Mapping[str, ParamSpec]) -> tuple[Part, ...] | None:
    parts = tuple(_part(p) for p in params.values() if p.required or p.many)
    # One part of many words at most: the single-word parts around it say where it ends.
    return parts if sum(isinstance(p, Columns | Pairs) for p in parts) <= 1 else None


def _part(spec: ParamSpec) -> Part:
    if spec.many:
        return Columns(spec.name)
    if spec.widget == "mapping":
        return Pairs(spec.name)
    if spec.columns is not None:
        return Column(spec.name, "NEW" if spec.columns == "new" else "COL")
    if spec.widget in ("text", "choice", "dtype", "expression"):
        return Word(spec.name)
    return Value(spec.name, spec.name.upper())


# -- usage --------------------------------------------------------------------------------
def meta(spec: ParamSpec) -> str:
    """Return how a usage line shows one word of ``spec``: ``a|b|c`` or ``NAME``."""
    if spec.literal and len(spec.choices) <= SHOWN_CHOICES:
        return "|".join(str(c) for c in spec.choices)
    return spec.name.upper()


def render_part(part: Part, params: Mapping[str, ParamSpec]) -> list[str]:
    """Return the usage words of one part, a branching word's general form included."""
    match part:
        case Column(meta=shown) | Value(meta=shown):
            return [shown]
        case Columns(field=field, end=end):
            if end:
                return [f"COL ...{end}"]
            return ["COL [COL ...]"] if params[field].required else ["[COL ...]"]
        case Word(field=field, then=then, otherwise=otherwise):
            words = [part.meta or meta(params[field])]
            rest = render_parts(otherwise, params)
            if rest and any(not branch for branch in then.values()):
                return [*words, "[" + " ".join(rest) + "]"]
            return words + rest
        case Values(count=count, meta=shown):
            if shown:
                return [shown]
            return ["VALUE[, VALUE ...]"] if count is None else ["VALUE"] * count
        case Pairs(sep=sep, key=key, value=value):
            pair = f"{key} -> {value}" if sep == "->" else f"{key}{sep}{value}"
            return [f"{pair}[, {pair} ...]"]
        case Keyword(word=word):
            return [word]
        case SortKeys():
            return ["COL [asc|desc][, COL [asc|desc] ...]"]
        case Assign(meta=shown, rest_meta=rest_meta):
            return [shown, "=", rest_meta]
    raise TypeError(f"not a short form part: {part!r}")


def render_parts(parts: Sequence[Part], params: Mapping[str, ParamSpec]) -> list[str]:
    """Return the usage words of ``parts``, in order."""
    return [word for part in parts for word in render_part(part, params)]


def render_options(form: ShortForm, params: Mapping[str, ParamSpec]) -> list[str]:
    """Return ``[--option VALUE]`` words for the options of ``form``."""
    words = []
    for field in form.options or ():
        spec = params[field]
        flag = option_name(field)
        words.append(f"[{flag}]" if spec.widget == "bool" else f"[{flag} {meta(spec)}]")
    return words


def render(spec: OperationSpec) -> list[str]:
    """Return the general usage words of an operation's short form (empty without one)."""
    form = spec.short_form
    if form is None:
        return []
    params = {p.name: p for p in spec.params}
    return render_parts(form.parts or (), params) + render_options(form, params)


def alternatives(spec: OperationSpec) -> list[list[str]]:
    """Return the usage lines of the help: the general one, then one per branch of a word.

    Branches that continue alike share a line (``COL is_null|not_null``).
    """
    form = spec.short_form
    if form is None:
        return []
    params = {p.name: p for p in spec.params}
    parts = form.parts or ()
    lines = [render(spec)]
    for at, part in enumerate(parts):
        if not isinstance(part, Word) or not part.then:
            continue
        grouped: dict[tuple[Part, ...], list[str]] = {}
        for word, branch in part.then.items():
            grouped.setdefault(tuple(branch), []).append(word)
        before = render_parts(parts[:at], params)
        after = render_parts(parts[at + 1 :], params) + render_options(form, params)
        for branch, words in grouped.items():
            lines.append([*before, "|".join(words), *render_parts(branch, params), *after])
    return lines
