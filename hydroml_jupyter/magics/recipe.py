"""The recipe cell's grammar: one cleaning step per line.

A %%hydroml recipe cell holds one operation per line; # starts a comment and blank
lines are skipped. Each operation has one short form, which it describes itself
(:class:`~hydroml_jupyter.engine.ops.shortform.ShortForm`: column names, words,
Python literals, ``OLD -> NEW`` pairs and ``--options``); this module reads lines
with it (and :mod:`~hydroml_jupyter.magics.expect` tells completion what comes next
with it). Any operation can
also be written OP key=value ..., as for %hydroml apply. The cell's help lists every
short form (:mod:`~hydroml_jupyter.magics.ophelp`).

The cell applies all or nothing: every line is checked on the current frame before
the session changes, and when a line fails the error names it and the session is
left exactly as it was.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from IPython.core.error import UsageError

from hydroml_jupyter.engine.ops import Operation, describe, make_operation
from hydroml_jupyter.engine.ops.shortform import (
    Assign,
    Column,
    Columns,
    Keyword,
    Pairs,
    Part,
    ShortForm,
    SortKeys,
    Value,
    Values,
    Word,
    option_name,
    render,
    render_options,
    render_part,
    render_parts,
)
from hydroml_jupyter.engine.ops.spec import OperationSpec, ParamSpec
from hydroml_jupyter.errors import OperationError
from hydroml_jupyter.magics.literals import is_assignment, parse_assignments, parse_value
from hydroml_jupyter.magics.parser import one_line
from hydroml_jupyter.magics.tokens import (
    ARROW,
    COMMA,
    outside_quotes,
    split,
    strip_comment,
    unquote,
)

__all__ = ["ONE_WORD", "RecipeLine", "assign_at", "parse_line", "parse_recipe"]

Params = dict[str, Any]

#: The parts that read exactly one word.
ONE_WORD = (Column, Value, Keyword)


@dataclasses.dataclass(frozen=True)
class RecipeLine:
    """One step of a recipe: its line number in the cell (from 1), its text, its operation."""

    number: int
    text: str
    op: Operation


def parse_recipe(cell: str) -> list[RecipeLine]:
    """Return the steps of a recipe cell, each operation built and checked.

    Raises
    ------
    UsageError
        For the first line that cannot be read; the message names the line.
    """
    lines: list[RecipeLine] = []
    for number, raw in enumerate(cell.splitlines(), start=1):
        text = strip_comment(raw).strip()
        if not text:
            continue
        try:
            name, params = parse_line(text)
            op = make_operation(name, params)
        except (UsageError, OperationError) as exc:
            raise UsageError(
                f"%%hydroml recipe: line {number} ({text}): {one_line(exc)}; nothing was applied"
            ) from None
        lines.append(RecipeLine(number, text, op))
    return lines


def parse_line(text: str) -> tuple[str, Params]:
    """Return the operation name and parameters one recipe line spells.

    Examples
    --------
    >>> parse_line("rename a -> b, 'c d' -> e")
    ('rename', {'columns': {'a': 'b', 'c d': 'e'}})
    >>> parse_line("filter_rows spend between 0 1000")
    ('filter_rows', {'column': 'spend', 'op': 'between', 'value': [0, 1000]})
    """
    words = split(text, punctuation=True)
    name = unquote(words[0])
    spec = describe(name)
    fields = [p.name for p in spec.params]
    rest = words[1:]
    keys = [w.split("=", 1)[0] for w in rest if is_assignment(w)]
    if rest and len(keys) == len(rest) and set(keys) & set(fields):
        return name, parse_assignments(rest)
    if spec.short_form is None:
        if not rest:
            return name, {}
        raise UsageError(f"write {name} key=value ... (its parameters: {', '.join(fields)})")
    return name, _Reader(spec, text[len(words[0]) :]).read(rest)


# -- reading a line with its short form ---------------------------------------------------
class _Reader:
    """Reads the words after an operation's name with its short form."""

    def __init__(self, spec: OperationSpec, after: str) -> None:
        self.spec = spec
        self.params = {p.name: p for p in spec.params}
        self.after = after
        self.form = spec.short_form or ShortForm()
        self.out: Params = {}
        self.usage = [spec.name, *render(spec)]

    def fail(self, why: str = "") -> UsageError:
        return UsageError(f"write {' '.join(self.usage)}{why}")

    def read(self, words: list[str]) -> Params:
        options: Params = {}
        if self.form.options:
            words, options = self._options(words)
        self._parts(tuple(self.form.parts or ()), words, [])
        return {**self.out, **options}

    def _parts(self, parts: tuple[Part, ...], words: list[str], before: list[str]) -> None:
        for at, part in enumerate(parts):
            following = parts[at + 1 :]
            if isinstance(part, Word):
                self._word(part, words, following, before)
                return
            words = self._part(part, words, following)
            before = [*before, *render_part(part, self.params)]
        if words:
            raise self.fail()

    def _word(
        self, part: Word, words: list[str], following: tuple[Part, ...], before: list[str]
    ) -> None:
        if not words:
            raise self.fail()
        spec = self.params[part.field]
        word = unquote(words[0])
        if spec.literal and word not in spec.choices:
            noun = part.noun or part.field
            listed = " ".join(str(c) for c in spec.choices)
            raise UsageError(f"unknown {noun} {word!r}; use one of {listed}")
        self.out[part.field] = word
        branch = tuple(part.then.get(word, part.otherwise))
        if part.then:  # a branching word: say how the line goes on after this one
            options = render_options(self.form, self.params)
            rest = render_parts((*branch, *following), self.params)
            self.usage = [self.spec.name, *before, word, *rest, *options]
        self._parts((*branch, *following), words[1:], [*before, word])

    def _part(self, part: Part, words: list[str], following: tuple[Part, ...]) -> list[str]:
        """Read ``part`` from the start of ``words``; return the words left."""
        if isinstance(part, ONE_WORD):
            if not words:
                raise self.fail()
            if isinstance(part, Keyword):
                if words[0] != part.word:
                    raise self.fail()
            elif isinstance(part, Column):
                self.out[part.field] = _name(words[0])
            else:
                self.out[part.field] = parse_value(words[0])
            return words[1:]
        if isinstance(part, Columns) and part.end:
            return self._columns_until(part, words)
        # A part of many words leaves one word to each single-word part after it.
        fixed = len(following) if all(_one_word(p) for p in following) else 0
        take = max(len(words) - fixed, 0)
        mine, words = words[:take], words[take:]
        if isinstance(part, Columns):
            names = _names(mine)
            if names:
                self.out[part.field] = names
            elif self.params[part.field].required:
                raise self.fail()
        elif isinstance(part, Values):
            self.out[part.field] = self._values(part, mine)
        elif isinstance(part, Pairs):
            self.out[part.field] = self._pairs(part, mine)
        elif isinstance(part, SortKeys):
            self._sort_keys(part, mine)
        elif isinstance(part, Assign):
            self._assign(part)
            return []
        return words

    def _columns_until(self, part: Columns, words: list[str]) -> list[str]:
        for at, word in enumerate(words):
            if word.endswith(part.end):
                head = word[: -len(part.end)]
                names = [_name(w) for w in words[:at]] + ([_name(head)] if head else [])
                if not names:
                    raise self.fail()
                self.out[part.field] = names
                return words[at + 1 :]
        end = "a colon" if part.end == ":" else repr(part.end)
        raise self.fail(f" ({end} ends the columns)")

    def _values(self, part: Values, words: list[str]) -> list[Any]:
        items = words if part.count is not None else [w for w in words if w != COMMA]
        if len(items) == 1 and isinstance(parse_value(items[0]), list | tuple):
            return list(parse_value(items[0]))
        if not items or (part.count is not None and len(items) != part.count):
            raise self.fail()
        return [parse_value(w) for w in items]

    def _pairs(self, part: Pairs, words: list[str]) -> dict[Any, Any]:
        spec = self.params[part.field]
        out: dict[Any, Any] = {}
        for group in _groups(words):
            if part.sep == ARROW:
                if len(group) != 3 or group[1] != ARROW:
                    raise self.fail()
                key = _name(group[0]) if spec.columns else parse_value(group[0])
                value = _name(group[2]) if spec.value_widget == "text" else parse_value(group[2])
                if isinstance(key, list | dict):
                    raise UsageError(f"{group[0]} is a {type(key).__name__}, not a single value")
            else:
                joined = "".join(group)
                at = assign_at(joined)
                if at <= 0:
                    raise self.fail()
                key = _name(joined[:at])
                value = parse_value(joined[at + 1 :], key)
                value = list(value) if isinstance(value, tuple) else value
            out[key] = value
        if not out:
            raise self.fail()
        return out

    def _sort_keys(self, part: SortKeys, words: list[str]) -> None:
        by: list[str] = []
        ascending: list[bool] = []
        for group in _groups(words) or [[]]:
            if len(group) not in (1, 2):
                raise self.fail()
            direction = unquote(group[1]) if len(group) == 2 else "asc"
            if direction not in ("asc", "desc"):
                raise UsageError(f"sort direction is asc or desc, not {direction!r}")
            by.append(_name(group[0]))
            ascending.append(direction == "asc")
        self.out[part.field] = by
        self.out[part.ascending] = ascending[0] if len(set(ascending)) == 1 else ascending

    def _assign(self, part: Assign) -> None:
        at = assign_at(self.after)
        if at < 0:
            raise self.fail()
        target, rest = self.after[:at].strip(), self.after[at + 1 :].strip()
        if not target or not rest or len(split(target)) != 1:
            raise self.fail()
        self.out[part.field] = _name(target)
        self.out[part.rest] = rest

    def _options(self, words: list[str]) -> tuple[list[str], Params]:
        """Split ``--option value`` and ``--flag`` words from the others."""
        fields = {option_name(f): self.params[f] for f in self.form.options or ()}
        plain: list[str] = []
        options: Params = {}
        i = 0
        while i < len(words):
            word = words[i]
            if not word.startswith("--"):
                plain.append(word)
                i += 1
                continue
            spec = fields.get(word)
            if spec is None:
                raise UsageError(
                    f"unknown option {word}; options here: {', '.join(sorted(fields))}"
                )
            if spec.widget == "bool":
                options[spec.name] = True
                i += 1
                continue
            if i + 1 >= len(words):
                raise UsageError(f"{word} needs a value")
            value = unquote(words[i + 1]) if _is_text(spec) else parse_value(words[i + 1])
            if spec.literal and value not in spec.choices:
                allowed = ", ".join(str(c) for c in spec.choices)
                raise UsageError(f"{word} must be one of {allowed}, not {value!r}")
            options[spec.name] = value
            i += 2
        return plain, options


# -- words ----------------------------------------------------------------------------
def _one_word(part: Part) -> bool:
    return isinstance(part, ONE_WORD) or (isinstance(part, Word) and not part.then)


def _name(word: str) -> str:
    if word in (COMMA, ARROW) or word.startswith("--"):
        raise UsageError(f"expected a column name, not {word!r}")
    return unquote(word)


def _names(words: Sequence[str]) -> list[str]:
    return [_name(w) for w in words if w != COMMA]


def _is_text(spec: ParamSpec) -> bool:
    """Whether a word for ``spec`` is read as text as typed, rather than as a literal."""
    return spec.columns is not None or spec.widget in ("text", "choice", "dtype", "expression")


def _groups(words: list[str]) -> list[list[str]]:
    groups: list[list[str]] = [[]]
    for word in words:
        if word == COMMA:
            groups.append([])
        else:
            groups[-1].append(word)
    return [g for g in groups if g] if any(groups) else []


def assign_at(text: str) -> int:
    """Return where ``=`` (not ``==``, ``<=``, ``>=``, ``!=``) first stands unquoted, or -1."""
    for i in outside_quotes(text):
        if text[i] == "=":
            before = text[i - 1] if i else ""
            after = text[i + 1] if i + 1 < len(text) else ""
            if after != "=" and before not in "=<>!":
                return i
    return -1
