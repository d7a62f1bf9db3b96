"""Tab completion for ``%hydroml`` lines and ``%%hydroml recipe`` cells.

An IPython completion matcher (API v2) that completes subcommands, options, session
names after ``--session`` and ``use``, stored session names after ``restore`` and
``drop``, operation names after ``apply``, ``preview`` and ``help``, their ``key=``
parameters and the values of choice parameters, column names of the session for column
parameters, ``summary``, ``--target`` and ``train``, and, inside a recipe cell, what
each operation's short form expects next: a column, a word of its choices or an option.

What an operation takes comes from its description
(:func:`~hydroml_jupyter.engine.ops.spec.describe`): a parameter naming columns of a
kind (numeric, text ...) is offered only the session's columns of that kind.
"""

from __future__ import annotations

import argparse
import keyword
import re
from collections.abc import Callable, Iterable
from typing import cast

from IPython.core.completer import (
    CompletionContext,
    SimpleCompletion,
    SimpleMatcherResult,
    context_matcher,
)

import hydroml_jupyter as hj
from hydroml_jupyter.engine.ops import describe
from hydroml_jupyter.engine.ops.kinds import accepts
from hydroml_jupyter.engine.ops.shortform import option_name
from hydroml_jupyter.labels import Label
from hydroml_jupyter.magics import registry
from hydroml_jupyter.magics.context import Context
from hydroml_jupyter.magics.expect import expecting
from hydroml_jupyter.magics.literals import is_assignment
from hydroml_jupyter.magics.tokens import QUOTES, split_partial, unquote

__all__ = ["complete", "make_matcher"]
_LINE = re.compile(r"(?:^|=)\s*(%%?)hydroml(?:\s+(.*))?$")
_VALUE_SPLIT = re.compile(r"[\s=\[\](){},:]")


def make_matcher(context: Context) -> Callable[[CompletionContext], SimpleMatcherResult]:
    """Return the completion matcher of the magics in ``context``'s shell."""

    @context_matcher(priority=100, identifier="hydroml_jupyter.magics")
    def hydroml_matcher(completion: CompletionContext) -> SimpleMatcherResult:
        return complete(context, completion)

    return hydroml_matcher


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
        return _plain([*registry.commands(), *hj.catalog()], fragment, "magic")
    if name == "studio":
        from hydroml_jupyter.magics.commands.studio import showable

        return _plain(showable(context.user_ns), fragment, "variable")
    if name in ("apply", "preview"):
        return _plain(hj.catalog(), fragment, "operation")
    return _nothing()


def _plain(names: Iterable[str], fragment: str, kind: str) -> SimpleMatcherResult:
    return _result([n for n in names if n.startswith(fragment)], fragment, kind)


def _session_columns(context: Context, words: list[str], kind: str | None = None) -> list[Label]:
    """Return the columns of the session ``words`` name (else the current one) of ``kind``."""
    name = None
    if "--session" in words:
        at = words.index("--session")
        name = unquote(words[at + 1]) if at + 1 < len(words) else None
    session = context.find(name)
    if session is None:
        return []
    frame = session.df
    return [cast("Label", label) for label, series in frame.items() if accepts(kind, series)]


def _spell(label: Label) -> str:
    text = str(label)
    if isinstance(label, int) or (text.isidentifier() and not keyword.iskeyword(text)):
        return text
    return repr(text)


def _columns(labels: list[Label], fragment: str) -> SimpleMatcherResult:
    """Complete column names; ``fragment`` is the part of the value being typed."""
    if fragment[:1] in QUOTES and fragment[:1]:
        quote, typed = fragment[0], fragment[1:]
        found = [f"{quote}{c}{quote}" for c in labels if str(c).startswith(typed)]
    else:
        found = [_spell(c) for c in labels if str(c).startswith(fragment)]
    return _result(found, fragment, "column")


def _parameters(context: Context, op: str, words: list[str], fragment: str) -> SimpleMatcherResult:
    cls = hj.catalog().get(op)
    if cls is None:
        return _nothing()
    spec = describe(cls)
    if not is_assignment(fragment):
        used = {w.split("=", 1)[0] for w in words if is_assignment(w)}
        keys = [f"{p.name}=" for p in spec.params if p.name not in used]
        return _result([k for k in keys if k.startswith(fragment)], fragment, "parameter")
    key, value = fragment.split("=", 1)
    typed = _VALUE_SPLIT.split(value)[-1]
    if not spec.has(key):
        return _nothing()
    param = spec.param(key)
    if param.columns is not None:
        return _columns(_session_columns(context, words, param.columns), typed)
    names = [_spell(c) for c in param.choices]
    return _result([n for n in names if n.startswith(typed)], typed, "value")


def _recipe_body(context: Context, first: str, before: str) -> SimpleMatcherResult:
    header = first.split()
    if len(header) < 2 or header[0] != "%%hydroml" or header[1] != "recipe" or "#" in before:
        return _nothing()
    words, fragment = split_partial(before, punctuation=True)
    if not words:
        return _plain(hj.catalog(), fragment, "operation")
    cls = hj.catalog().get(unquote(words[0]))
    form = None if cls is None else describe(cls).short_form
    if cls is None or form is None:
        return _nothing()
    spec = describe(cls)
    options = {option_name(f): spec.param(f) for f in form.options or ()}
    if fragment.startswith("--"):
        return _plain(options, fragment, "option")
    if words[-1] in options and options[words[-1]].widget != "bool":
        return _plain([str(c) for c in options[words[-1]].choices], fragment, "value")
    expect = expecting(spec.name, words[1:])
    if expect is not None and expect.then is not None and expect.sep in fragment:
        typed = fragment.split(expect.sep, 1)[1]
        return _plain(expect.then.choices, typed, "value")
    if is_assignment(fragment) and spec.has(fragment.split("=", 1)[0]):
        return _parameters(context, spec.name, words, fragment)
    if expect is None:
        return _nothing()
    if expect.columns is not None:
        return _columns(_session_columns(context, header, expect.columns), fragment)
    return _plain(expect.choices, fragment, "value")
