"""The recipe cell's grammar: one cleaning step per line.

A %%hydroml recipe cell holds one operation per line; # starts a comment and blank
lines are skipped. Each operation has one short form, and any operation can also be
written OP key=value ..., as for %hydroml apply:

    short form                                     example
    rename OLD -> NEW[, OLD -> NEW ...]            rename "Customer ID" -> id, Age -> age
    drop_columns COL [COL ...]                     drop_columns notes internal_id
    cast COL DTYPE [--errors E] [--format FMT]     cast age Int64 --errors coerce
    fill_missing COL STRATEGY                      fill_missing age median
    fill_missing COL value VALUE                   fill_missing plan value unknown
    drop_missing [COL ...] [--how any|all]         drop_missing age income --how all
    filter_rows COL CMP [VALUE]                    filter_rows year >= 2000
    sort_rows COL [asc|desc][, COL [asc|desc]]     sort_rows spend desc, name
    dedupe [COL ...] [--keep first|last|none]      dedupe email --keep last
    replace COL OLD -> NEW[, OLD -> NEW ...]       replace city NYC -> "New York"
    text COL strip|lower|upper|title               text country strip
    formula NEW = EXPRESSION                       formula ratio = spend / income
    one_hot COL [--drop-first]                     one_hot plan --drop-first
    scale COL [COL ...] [--method M]               scale age income --method minmax
    group_aggregate by COL ...: COL=FUNC, ...      group_aggregate by city: n=count, age=[min, max]
    OP key=value ...                               cast column=age dtype=Int64 errors=coerce

- CMP (filter_rows): == != < <= > >= contains startswith endswith take one value;
  between takes two (between 0 1000); in and not_in a list (in [1, 2] or in a, b, c);
  is_null and not_null none.
- E (cast): raise (the default) or coerce; M (scale): standard, minmax or robust;
  STRATEGY (fill_missing): mean, median, mode, ffill, bfill or interpolate.
- FUNC (group_aggregate): count sum mean median min max std var first last nunique
  size, or a list of them.
- A column name is text; quote it when it holds spaces or punctuation ("Customer ID").
- A value (VALUE, OLD, NEW in replace) is a Python literal, read and never run
  (0, -1.5, '0', None, [1, 2]); a bare word is text (unknown).
- The expression of formula is the rest of the line, as the formula operation reads it.
- A line whose words are all key=value, one of them a parameter of the operation, is
  read in the OP key=value form.

The cell applies all or nothing: every line is checked on the current frame before
the session changes, and when a line fails the error names it and the session is
left exactly as it was.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable
from typing import Any

from IPython.core.error import UsageError

from hydroml_jupyter.engine.ops import Operation, make_operation, operation_class
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

__all__ = ["SHORT_FORMS", "RecipeLine", "parse_line", "parse_recipe"]

Params = dict[str, Any]


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
    fields = [f.name for f in dataclasses.fields(operation_class(name))]  # type: ignore[arg-type]
    rest = words[1:]
    keys = [w.split("=", 1)[0] for w in rest if is_assignment(w)]
    if rest and len(keys) == len(rest) and set(keys) & set(fields):
        return name, parse_assignments(rest)
    short = SHORT_FORMS.get(name)
    if short is None:
        if not rest:
            return name, {}
        raise UsageError(f"write {name} key=value ... (its parameters: {', '.join(fields)})")
    after = text[len(words[0]) :]
    return name, short(rest, after)


# -- words ----------------------------------------------------------------------------
def _name(word: str) -> str:
    if word in (COMMA, ARROW) or word.startswith("--"):
        raise UsageError(f"expected a column name, not {word!r}")
    return unquote(word)


def _names(words: list[str]) -> list[str]:
    return [_name(w) for w in words if w != COMMA]


def _groups(words: list[str]) -> list[list[str]]:
    groups: list[list[str]] = [[]]
    for word in words:
        if word == COMMA:
            groups.append([])
        else:
            groups[-1].append(word)
    return [g for g in groups if g] if any(groups) else []


def _options(
    words: list[str], choices: dict[str, tuple[str, ...] | None], flags: tuple[str, ...] = ()
) -> tuple[list[str], Params]:
    """Split ``--option value`` and ``--flag`` words from the others.

    ``choices`` maps an option to its allowed values (``None``: any text).
    """
    plain: list[str] = []
    options: Params = {}
    known = sorted([*choices, *flags])
    i = 0
    while i < len(words):
        word = words[i]
        if not word.startswith("--"):
            plain.append(word)
            i += 1
            continue
        key = word[2:].replace("-", "_")
        if word in flags:
            options[key] = True
            i += 1
            continue
        if word not in choices:
            listed = ", ".join(known) if known else "none"
            raise UsageError(f"unknown option {word}; options here: {listed}")
        if i + 1 >= len(words):
            raise UsageError(f"{word} needs a value")
        val = unquote(words[i + 1])
        allowed = choices[word]
        if allowed is not None and val not in allowed:
            raise UsageError(f"{word} must be one of {', '.join(allowed)}, not {val!r}")
        options[key] = val
        i += 2
    return plain, options


def _pairs(groups: list[list[str]], form: str, read: Callable[[str], Any]) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for group in groups:
        if len(group) != 3 or group[1] != ARROW:
            raise UsageError(f"write {form}")
        key, new = read(group[0]), read(group[2])
        if isinstance(key, list | dict):
            raise UsageError(f"{group[0]} is a {type(key).__name__}, not a single value")
        out[key] = new
    return out


def _expect(words: list[str], count: int, form: str) -> None:
    if len(words) != count:
        raise UsageError(f"write {form}")


# -- one short form per operation -------------------------------------------------------
def _rename(words: list[str], text: str) -> Params:
    form = "rename OLD -> NEW[, OLD -> NEW ...]"
    if not words:
        raise UsageError(f"write {form}")
    return {"columns": _pairs(_groups(words), form, _name)}


def _drop_columns(words: list[str], text: str) -> Params:
    names = _names(words)
    if not names:
        raise UsageError("write drop_columns COL [COL ...]")
    return {"columns": names}


def _cast(words: list[str], text: str) -> Params:
    plain, options = _options(words, {"--errors": ("raise", "coerce"), "--format": None})
    _expect(plain, 2, "cast COL DTYPE [--errors coerce] [--format FMT]")
    return {"column": _name(plain[0]), "dtype": unquote(plain[1]), **options}


def _fill_missing(words: list[str], text: str) -> Params:
    form = "fill_missing COL STRATEGY or fill_missing COL value VALUE"
    if len(words) == 3 and unquote(words[1]) == "value":
        return {"column": _name(words[0]), "strategy": "value", "value": parse_value(words[2])}
    _expect(words, 2, form)
    strategy = unquote(words[1])
    if strategy == "value":
        raise UsageError(f"write {form}")
    return {"column": _name(words[0]), "strategy": strategy}


def _drop_missing(words: list[str], text: str) -> Params:
    plain, options = _options(words, {"--how": ("any", "all")})
    names = _names(plain)
    return {**({"columns": names} if names else {}), **options}


def _comparisons() -> tuple[str, ...]:
    hint = typing.get_type_hints(operation_class("filter_rows"))["op"]
    return typing.get_args(hint)


def _filter_rows(words: list[str], text: str) -> Params:
    if len(words) < 2:
        raise UsageError("write filter_rows COL CMP [VALUE]")
    column, cmp, values = _name(words[0]), unquote(words[1]), words[2:]
    known = _comparisons()
    if cmp not in known:
        raise UsageError(f"unknown comparison {cmp!r}; use one of {' '.join(known)}")
    params: Params = {"column": column, "op": cmp}
    if cmp in ("is_null", "not_null"):
        _expect(values, 0, f"filter_rows COL {cmp}")
    elif cmp == "between":
        if len(values) == 1 and isinstance(parse_value(values[0]), list | tuple):
            params["value"] = list(parse_value(values[0]))
        else:
            _expect(values, 2, "filter_rows COL between LOW HIGH")
            params["value"] = [parse_value(v) for v in values]
    elif cmp in ("in", "not_in"):
        items = [w for w in values if w != COMMA]
        if len(items) == 1 and isinstance(parse_value(items[0]), list | tuple):
            params["value"] = list(parse_value(items[0]))
        elif items:
            params["value"] = [parse_value(w) for w in items]
        else:
            raise UsageError(f"write filter_rows COL {cmp} [VALUE, ...]")
    else:
        _expect(values, 1, f"filter_rows COL {cmp} VALUE")
        params["value"] = parse_value(values[0])
    return params


def _sort_rows(words: list[str], text: str) -> Params:
    form = "sort_rows COL [asc|desc][, COL [asc|desc] ...]"
    by: list[str] = []
    ascending: list[bool] = []
    for group in _groups(words) or [[]]:
        if len(group) not in (1, 2):
            raise UsageError(f"write {form}")
        direction = unquote(group[1]) if len(group) == 2 else "asc"
        if direction not in ("asc", "desc"):
            raise UsageError(f"sort direction is asc or desc, not {direction!r}")
        by.append(_name(group[0]))
        ascending.append(direction == "asc")
    return {"by": by, "ascending": ascending[0] if len(set(ascending)) == 1 else ascending}


def _dedupe(words: list[str], text: str) -> Params:
    plain, options = _options(words, {"--keep": ("first", "last", "none")})
    names = _names(plain)
    return {**({"subset": names} if names else {}), **options}


def _replace(words: list[str], text: str) -> Params:
    form = "replace COL OLD -> NEW[, OLD -> NEW ...]"
    if len(words) < 4:
        raise UsageError(f"write {form}")
    return {"column": _name(words[0]), "mapping": _pairs(_groups(words[1:]), form, parse_value)}


def _text(words: list[str], text: str) -> Params:
    _expect(words, 2, "text COL strip|lower|upper|title")
    return {"column": _name(words[0]), "action": unquote(words[1])}


def _assign_at(text: str) -> int:
    """Return where ``=`` (not ``==``, ``<=``, ``>=``, ``!=``) first stands unquoted, or -1."""
    for i in outside_quotes(text):
        if text[i] == "=":
            before = text[i - 1] if i else ""
            after = text[i + 1] if i + 1 < len(text) else ""
            if after != "=" and before not in "=<>!":
                return i
    return -1


def _formula(words: list[str], text: str) -> Params:
    form = "formula NEW = EXPRESSION"
    at = _assign_at(text)
    if at < 0:
        raise UsageError(f"write {form}")
    name, expr = text[:at].strip(), text[at + 1 :].strip()
    if not name or not expr or len(split(name)) != 1:
        raise UsageError(f"write {form}")
    return {"column": _name(name), "expr": expr}


def _one_hot(words: list[str], text: str) -> Params:
    plain, options = _options(words, {}, flags=("--drop-first",))
    _expect(plain, 1, "one_hot COL [--drop-first]")
    return {"column": _name(plain[0]), **options}


def _scale(words: list[str], text: str) -> Params:
    plain, options = _options(words, {"--method": ("standard", "minmax", "robust")})
    names = _names(plain)
    if not names:
        raise UsageError("write scale COL [COL ...] [--method standard|minmax|robust]")
    return {"columns": names, **options}


def _group_aggregate(words: list[str], text: str) -> Params:
    form = "group_aggregate by COL [COL ...]: COL=FUNC[, COL=FUNC ...]"
    if not words or words[0] != "by":
        raise UsageError(f"write {form}")
    by: list[str] = []
    for i, word in enumerate(words[1:], start=1):
        if word.endswith(":"):
            if word != ":":
                by.append(_name(word[:-1]))
            aggs_words = words[i + 1 :]
            break
        by.append(_name(word))
    else:
        raise UsageError(f"write {form} (a colon ends the group columns)")
    aggs: dict[str, Any] = {}
    for group in _groups(aggs_words):
        joined = "".join(group)
        at = _assign_at(joined)
        if at <= 0:
            raise UsageError(f"write {form}")
        column = _name(joined[:at])
        funcs = parse_value(joined[at + 1 :], column)
        aggs[column] = list(funcs) if isinstance(funcs, tuple) else funcs
    if not by or not aggs:
        raise UsageError(f"write {form}")
    return {"by": by, "aggs": aggs}


#: The short form of each operation: ``parse(words, text_after_the_op_name) -> params``.
SHORT_FORMS: dict[str, Callable[[list[str], str], Params]] = {
    "rename": _rename,
    "drop_columns": _drop_columns,
    "cast": _cast,
    "fill_missing": _fill_missing,
    "drop_missing": _drop_missing,
    "filter_rows": _filter_rows,
    "sort_rows": _sort_rows,
    "dedupe": _dedupe,
    "replace": _replace,
    "text": _text,
    "formula": _formula,
    "one_hot": _one_hot,
    "scale": _scale,
    "group_aggregate": _group_aggregate,
}
