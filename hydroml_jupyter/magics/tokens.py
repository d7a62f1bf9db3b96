"""Split a magic's line into words, the way a shell would, keeping values intact.

Words are separated by whitespace. Quotes group words (``--name "my data"``), and
so do brackets (``columns=['a', 'b']`` is one word even with spaces inside).
Unlike :func:`shlex.split`, quotes are kept in the word: ``value='0'`` must stay
the string ``'0'`` when its value is read as a Python literal. Options and
names are unquoted with :func:`unquote`.

Inside quotes, a backslash escapes the next character for the purpose of finding
the closing quote.

A ``#`` outside quotes begins a comment (it and the rest of the line are not words)
when it is the line's first character that is not a space, or when whitespace comes
before it and after it (``undo  # oops``). A ``#`` inside a word (``a#b``), inside
quotes (``'#1'``) or starting a word (``#3``, a run's number) is kept.
:func:`split`, :func:`split_partial`, :func:`strip_comment` and :func:`expand`
share this one rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from IPython.core.error import UsageError

__all__ = [
    "ARROW",
    "COMMA",
    "QUOTES",
    "expand",
    "is_quoted",
    "outside_quotes",
    "split",
    "split_partial",
    "strip_comment",
    "unquote",
]

QUOTES = "'\""
_OPEN = "([{"
_CLOSE = ")]}"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Separate words in recipe lines (``rename a -> b, c -> d``).
ARROW = "->"
COMMA = ","


def split(text: str, *, punctuation: bool = False) -> list[str]:
    """Return the words of ``text``, quotes and brackets kept.

    Parameters
    ----------
    text
        One line of magic arguments.
    punctuation
        Also make ``,`` and ``->`` (outside quotes and brackets) words of their own,
        as the recipe grammar needs.

    Raises
    ------
    UsageError
        For an unclosed quote or bracket.

    Examples
    --------
    >>> split("apply fill_missing column='Customer ID' value=[1, 2]")
    ['apply', 'fill_missing', "column='Customer ID'", 'value=[1, 2]']
    >>> split('rename a -> b, "c d"->e', punctuation=True)
    ['rename', 'a', '->', 'b', ',', '"c d"', '->', 'e']
    >>> split("help  # every subcommand"), split("replace c '#1' -> a#b  #x #")
    (['help'], ['replace', 'c', "'#1'", '->', 'a#b', '#x'])
    """
    words, tail, quote, depth = _scan(text, punctuation)
    if quote:
        raise UsageError(f"unclosed quote {quote} in {text.strip()!r}")
    if depth:
        raise UsageError(f"unclosed bracket in {text.strip()!r}")
    return [*words, tail] if tail else words


def split_partial(text: str, *, punctuation: bool = False) -> tuple[list[str], str]:
    """Return the finished words of ``text`` and the word still being typed.

    The last word counts as unfinished unless whitespace follows it; it may hold an
    open quote or bracket. Nothing is refused. In a comment, no word is being typed.

    Examples
    --------
    >>> split_partial("apply drop_columns columns=['a', 'b")
    (['apply', 'drop_columns'], "columns=['a', 'b")
    >>> split_partial("undo ")
    (['undo'], '')
    """
    words, tail, _, _ = _scan(text, punctuation)
    return words, tail


def _scan(text: str, punctuation: bool) -> tuple[list[str], str, str, int]:
    """Return (finished words, the last word if unfinished, open quote, open brackets)."""
    words: list[str] = []
    word: list[str] = []
    depth = 0
    quote = ""
    i = 0

    def flush() -> None:
        if word:
            words.append("".join(word))
            word.clear()

    while i < len(text):
        ch = text[i]
        if quote:
            word.append(ch)
            if ch == "\\" and i + 1 < len(text):
                word.append(text[i + 1])
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif _starts_comment(text, i):
            break
        elif ch in QUOTES:
            quote = ch
            word.append(ch)
        elif ch in _OPEN:
            depth += 1
            word.append(ch)
        elif ch in _CLOSE:
            depth = max(depth - 1, 0)
            word.append(ch)
        elif depth == 0 and ch.isspace():
            flush()
        elif depth == 0 and punctuation and ch == COMMA:
            flush()
            words.append(COMMA)
        elif depth == 0 and punctuation and text.startswith(ARROW, i):
            flush()
            words.append(ARROW)
            i += len(ARROW)
            continue
        else:
            word.append(ch)
        i += 1
    return words, "".join(word), quote, depth


def is_quoted(word: str) -> bool:
    """Return whether ``word`` is one quoted string (``'a b'`` or ``"a b"``)."""
    if len(word) < 2 or word[0] not in QUOTES or word[-1] != word[0]:
        return False
    i = 1
    while i < len(word) - 1:
        if word[i] == "\\":
            i += 2
            continue
        if word[i] == word[0]:
            return False
        i += 1
    return i == len(word) - 1


def unquote(word: str) -> str:
    r"""Remove the quotes of ``word``, as a shell would.

    Quoted parts lose their quotes; inside them ``\\``, ``\'`` and ``\"`` become the
    character, and any other backslash stays (so Windows paths survive). Unquoted
    parts are kept as typed.

    Examples
    --------
    >>> unquote('"my data.csv"'), unquote("a'b c'd"), unquote(r"C:\data\x.csv")
    ('my data.csv', 'ab cd', 'C:\\data\\x.csv')
    """
    if not any(q in word for q in QUOTES):
        return word
    out: list[str] = []
    quote = ""
    i = 0
    while i < len(word):
        ch = word[i]
        if quote:
            if ch == "\\" and i + 1 < len(word) and word[i + 1] in "\\'\"":
                out.append(word[i + 1])
                i += 2
                continue
            if ch == quote:
                quote = ""
            else:
                out.append(ch)
        elif ch in QUOTES:
            quote = ch
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def strip_comment(line: str) -> str:
    """Return ``line`` without its ``# comment`` (see the module's notes for what is one).

    Examples
    --------
    >>> strip_comment("replace city '#1' -> first  # fix the ranks")
    "replace city '#1' -> first"
    >>> strip_comment("# only a comment")
    ''
    """
    for i in outside_quotes(line):
        if _starts_comment(line, i):
            return line[:i].rstrip()
    return line.rstrip()


def _starts_comment(text: str, at: int) -> bool:
    """Whether the ``#`` at ``at`` (outside quotes) begins a comment (see the module's notes)."""
    if text[at] != "#":
        return False
    if not text[:at].strip():
        return True
    return text[at - 1].isspace() and (at + 1 == len(text) or text[at + 1].isspace())


def outside_quotes(text: str) -> Iterator[int]:
    r"""Yield the index of every character of ``text`` that stands outside quotes.

    The quotes themselves are not yielded. Inside quotes a backslash hides the next
    character, so an escaped quote does not close them; the rest of an unclosed
    quote is inside it.

    Examples
    --------
    >>> text = "x='a = b' y"
    >>> [i for i in outside_quotes(text) if text[i] == "="]
    [1]
    >>> list(outside_quotes(r"'it\'s' ok")), list(outside_quotes("a 'b"))
    ([7, 8, 9], [0, 1])
    """
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in QUOTES:
            quote = ch
        else:
            yield i
        i += 1


def expand(text: str, namespace: Mapping[str, Any]) -> str:
    r"""Replace ``$name`` with the text of the variable ``name``, as IPython magics do.

    Only a plain name is looked up (nothing is evaluated); a name that is not in
    ``namespace`` stays as typed, and so does anything inside single quotes. ``$$``
    is a literal ``$``. A value that holds spaces or quotes, or starts with ``#``, becomes
    one quoted word. A comment is kept as typed.

    Examples
    --------
    >>> expand("export $out/x.csv value=$n '$n' $$n $missing", {"out": "/tmp/a b", "n": 5})
    'export "/tmp/a b"/x.csv value=5 \'$n\' $n $missing'
    >>> expand("open $p  # not $p", {"p": "#1"})
    'open "#1"  # not $p'
    """
    out: list[str] = []
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            out.append(ch)
            if ch == "\\" and i + 1 < len(text):
                out.append(text[i + 1])
                i += 2
                continue
            if ch == quote:
                quote = ""
            elif quote == '"' and ch == "$":
                out[-1:] = [_variable(text, i, namespace, quoted=True)]
                i = _skip(text, i, namespace)
                continue
        elif _starts_comment(text, i):
            out.append(text[i:])
            break
        elif ch in QUOTES:
            quote = ch
            out.append(ch)
        elif ch == "$":
            out.append(_variable(text, i, namespace, quoted=False))
            i = _skip(text, i, namespace)
            continue
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _variable(text: str, at: int, namespace: Mapping[str, Any], *, quoted: bool) -> str:
    if text.startswith("$$", at):
        return "$"
    match = _NAME.match(text, at + 1)
    if match is None or match.group() not in namespace:
        return "$"
    value = str(namespace[match.group()])
    if quoted:
        return value.replace("\\", "\\\\").replace('"', '\\"')
    if value.startswith("#") or any(c.isspace() or c in QUOTES for c in value):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


def _skip(text: str, at: int, namespace: Mapping[str, Any]) -> int:
    if text.startswith("$$", at):
        return at + 2
    match = _NAME.match(text, at + 1)
    if match is None or match.group() not in namespace:
        return at + 1
    return match.end()
