"""Tab completion for ``%hydroml`` lines and ``%%hydroml recipe`` cells.

An IPython completion matcher (API v2) that completes subcommands, options, session
names after ``--session`` and ``use``, stored session names after ``restore`` and
``drop``, operation names after ``apply`` and ``preview``, their ``key=`` parameters
and the values of choice parameters, column names of the session for column
parameters, ``summary``, ``--target`` and ``train``, and, inside a recipe cell,
operation names and column names.
"""

from __future__ import annotations

import argparse
import dataclasses
import keyword
import re
import types
import typing
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Literal

from IPython.core.completer import (
    CompletionContext,
    SimpleCompletion,
    SimpleMatcherResult,
    context_matcher,
)

import hydroml_jupyter as hj
from hydroml_jupyter.magics import registry
from hydroml_jupyter.magics.context import Context
from hydroml_jupyter.magics.literals import is_assignment
from hydroml_jupyter.magics.tokens import QUOTES, split_partial, unquote

__all__ = ["COLUMN_PARAMS", "complete", "make_matcher"]

#: Operation parameters that name columns.
COLUMN_PARAMS = frozenset({"column", "columns", "by", "subset"})
#: Options of the recipe short forms, per operation.
RECIPE_OPTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "cast": {"--errors": ("raise", "coerce"), "--format": ()},
    "drop_missing": {"--how": ("any", "all")},
    "dedupe": {"--keep": ("first", "last", "none")},
    "one_hot": {"--drop-first": ()},
    "scale": {"--method": ("standard", "minmax", "robust")},
}
_LINE = re.compile(r"(?:^|=)\s*(%%?)hydroml(?:\s+(.*))?$")
_VALUE_SPLIT = re.compile(r"[\s=\[\](){},:]")


def make_matcher(context: Context) -> Callable[[CompletionContext], SimpleMatcherResult]:
    """Return the completion matcher of the magics in ``context``'s shell."""

    @context_matcher(priority=100, identifier="hydroml_jupyter.magics")  # type: ignore[untyped-decorator]
    def hydroml_matcher(completion: CompletionContext) -> SimpleMatcherResult:
        return complete(context, completion)

    return hydroml_matcher  # type: ignore[no-any-return]


def _result(candidates: Iterable[str], fragment: str, kind: str) -> SimpleMatcherResult:
    found = sorted(set(candidates))
    return {
        "completions": [SimpleCompletion(text, type=kind) for text in found],
        "matched_fragment": fragment,
        "suppress": bool(found),
    }


def _nothing() -> SimpleMatcherResult:
    return {"completions": [], "suppress": False}


def complete(context: Context, completion: CompletionContext) -> SimpleMatcherResult:
    """Return the completions for the cursor in ``completion``, if it is in a hydroml magic."""
    first = completion.full_text.split("\n")[0].strip()
    if completion.cursor_line > 0 and first.startswith("%%hydroml"):
        return _recipe_body(context, first, completion.text_until_cursor)
    match = _LINE.search(completion.text_until_cursor)
    if match is None or match.group(2) is None:
        return _nothing()
    cell = match.group(1) == "%%"
    words, fragment = split_partial(match.group(2))
    if not words:
        names = [c.name for c in registry.commands().values() if c.cell == cell]
        return _plain(names, fragment, "magic")
    command = registry.commands().get(unquote(words[0]))
    if command is None:
        return _nothing()
    options = {o: a for a in command.parser()._actions for o in a.option_strings}
    if fragment.startswith("-"):
        return _plain(options, fragment, "option")
    return _arguments(context, command.name, words[1:], fragment, options)


def _positional(words: list[str], options: dict[str, argparse.Action]) -> list[str]:
    """Return the words that are neither options, option values nor ``key=value``."""
    out: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word.startswith("-"):
            skip = word in options and options[word].nargs != 0
        elif not is_assignment(word):
            out.append(word)
    return out


def _option_value(
    context: Context, option: str, action: argparse.Action, words: list[str], fragment: str
) -> SimpleMatcherResult:
    if option == "--session":
        return _plain(hj.sessions(), fragment, "session")
    if option in ("--target", "--features"):
        return _columns(_session_columns(context, words), fragment)
    if option == "--model":
        from hydroml_jupyter.magics.commands.experiments import model_names

        return _plain(model_names(), fragment, "model")
    return _plain([str(c) for c in action.choices or ()], fragment, "value")


def _arguments(
    context: Context,
    name: str,
    words: list[str],
    fragment: str,
    options: dict[str, argparse.Action],
) -> SimpleMatcherResult:
    previous = words[-1] if words else ""
    if previous in options and options[previous].nargs != 0:
        return _option_value(context, previous, options[previous], words, fragment)
    positional = _positional(words, options)
    if positional:
        if name in ("apply", "preview"):
            return _parameters(context, unquote(positional[0]), words, fragment)
        return _nothing()
    if name == "use":
        return _plain(hj.sessions(), fragment, "session")
    if name in ("restore", "drop"):
        from hydroml_jupyter.magics.commands.store import stored_names

        return _plain(stored_names(), fragment, "session")
    if name in ("summary", "train", "tune"):
        return _columns(_session_columns(context, words), fragment)
    if name == "help":
        return _plain(registry.commands(), fragment, "magic")
    if name == "studio":
        from hydroml_jupyter.magics.commands.studio import showable

        return _plain(showable(context.user_ns), fragment, "variable")
    if name in ("apply", "preview"):
        return _plain(hj.catalog(), fragment, "operation")
    return _nothing()


def _plain(names: Iterable[str], fragment: str, kind: str) -> SimpleMatcherResult:
    return _result([n for n in names if n.startswith(fragment)], fragment, kind)


def _session_columns(context: Context, words: list[str]) -> list[Hashable]:
    name = None
    if "--session" in words:
        at = words.index("--session")
        name = unquote(words[at + 1]) if at + 1 < len(words) else None
    session = context.find(name)
    return [] if session is None else list(session.df.columns)


def _spell(label: Hashable) -> str:
    text = str(label)
    if isinstance(label, int) or (text.isidentifier() and not keyword.iskeyword(text)):
        return text
    return repr(text)


def _columns(labels: list[Hashable], fragment: str) -> SimpleMatcherResult:
    """Complete column names; ``fragment`` is the part of the value being typed."""
    if fragment[:1] in QUOTES and fragment[:1]:
        quote, typed = fragment[0], fragment[1:]
        found = [f"{quote}{c}{quote}" for c in labels if str(c).startswith(typed)]
    else:
        found = [_spell(c) for c in labels if str(c).startswith(fragment)]
    return _result(found, fragment, "column")


def _choices(hint: Any) -> list[Any]:
    origin = typing.get_origin(hint)
    if origin is Literal:
        return list(typing.get_args(hint))
    if origin in (typing.Union, types.UnionType):
        return [c for h in typing.get_args(hint) for c in _choices(h)]
    return []


def _parameters(context: Context, op: str, words: list[str], fragment: str) -> SimpleMatcherResult:
    cls = hj.catalog().get(op)
    if cls is None:
        return _nothing()
    fields = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    if not is_assignment(fragment):
        used = {w.split("=", 1)[0] for w in words if is_assignment(w)}
        keys = [f"{f}=" for f in fields if f not in used and f.startswith(fragment)]
        return _result(keys, fragment, "parameter")
    key, value = fragment.split("=", 1)
    typed = _VALUE_SPLIT.split(value)[-1]
    if key in COLUMN_PARAMS:
        return _columns(_session_columns(context, words), typed)
    hints = typing.get_type_hints(cls)
    if key in hints:
        names = [_spell(c) for c in _choices(hints[key])]
        return _result([n for n in names if n.startswith(typed)], typed, "value")
    return _nothing()


def _recipe_body(context: Context, first: str, before: str) -> SimpleMatcherResult:
    header = first.split()
    if len(header) < 2 or header[0] != "%%hydroml" or header[1] != "recipe" or "#" in before:
        return _nothing()
    words, fragment = split_partial(before, punctuation=True)
    if not words:
        return _plain(hj.catalog(), fragment, "operation")
    options = RECIPE_OPTIONS.get(unquote(words[0]), {})
    if fragment.startswith("--"):
        return _plain(options, fragment, "option")
    if words[-1] in options:
        return _plain(options[words[-1]], fragment, "value")
    return _columns(_session_columns(context, header), fragment)
