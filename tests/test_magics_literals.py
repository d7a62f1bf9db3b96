"""Reading magic arguments: words, quotes, and values that are literals, never run."""

from __future__ import annotations

from pathlib import Path

import pytest
from IPython.core.error import UsageError

from hydroml_jupyter.magics.literals import (
    LiteralError,
    parse_assignments,
    parse_literal,
    parse_value,
)
from hydroml_jupyter.magics.tokens import is_quoted, split, strip_comment, unquote

# -- words ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("a  b\tc", ["a", "b", "c"]),
        ("open 'my data.csv' --name \"x y\"", ["open", "'my data.csv'", "--name", '"x y"']),
        ("columns=['a b', 'c'] value={1: [2, 3]}", ["columns=['a b', 'c']", "value={1: [2, 3]}"]),
        ("value='it\\'s' x", ["value='it\\'s'", "x"]),
        ("f(a, b) c", ["f(a, b)", "c"]),
        ("a,b->c", ["a,b->c"]),
        ("", []),
    ],
)
def test_split_keeps_quotes_and_brackets(line: str, words: list[str]) -> None:
    assert split(line) == words


def test_split_with_punctuation() -> None:
    assert split("rename a->b, 'c, d' -> [e, f]", punctuation=True) == [
        "rename", "a", "->", "b", ",", "'c, d'", "->", "[e, f]",
    ]  # fmt: skip
    assert split("filter_rows x > -5", punctuation=True) == ["filter_rows", "x", ">", "-5"]


@pytest.mark.parametrize(
    ("line", "word"), [("a 'b", "unclosed quote"), ("a [b", "unclosed bracket")]
)
def test_split_refuses_unclosed_groups(line: str, word: str) -> None:
    with pytest.raises(UsageError, match=word):
        split(line)


@pytest.mark.parametrize(
    ("word", "text"),
    [
        ("plain", "plain"),
        ("'a b'", "a b"),
        ('"a \\" b"', 'a " b'),
        ("pre'fix 'x", "prefix x"),
        ("C:\\data\\x.csv", "C:\\data\\x.csv"),
        ('"C:\\My Data\\x.csv"', "C:\\My Data\\x.csv"),
    ],
)
def test_unquote(word: str, text: str) -> None:
    assert unquote(word) == text


def test_is_quoted() -> None:
    assert is_quoted("'a b'") and is_quoted('"a\\"b"')
    assert not is_quoted("'a'b'") and not is_quoted("a") and not is_quoted("'")


def test_strip_comment() -> None:
    assert strip_comment("a b  # c") == "a b"
    assert strip_comment("replace c '# x' -> y") == "replace c '# x' -> y"
    assert strip_comment("x#y") == "x#y"


# -- values -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0),
        ("-3", -3),
        ("+2.5", 2.5),
        ("1e3", 1000.0),
        ("1_000", 1000),
        ("'0'", "0"),
        ('"New York"', "New York"),
        ("r'C:\\x'", "C:\\x"),
        ("None", None),
        ("True", True),
        ("False", False),
        ("[1, 'a', None]", [1, "a", None]),
        ("(1, 2)", (1, 2)),
        ("{'a': [1, {2: 'b'}]}", {"a": [1, {2: "b"}]}),
        ("{3, 1, 3}", [3, 1]),
        ("[]", []),
        ("{}", {}),
        ("unknown", "unknown"),
        ("[age, plan]", ["age", "plan"]),
        ("{NYC: 'New York'}", {"NYC": "New York"}),
        ("2021-01-01", "2021-01-01"),
        ("%Y-%m-%d", "%Y-%m-%d"),
        (">=", ">="),
        ("a.b", "a.b"),
        ("os.system", "os.system"),
        ("1+2", "1+2"),
        ("true", "true"),
    ],
)
def test_values(text: str, value: object) -> None:
    assert parse_value(text) == value
    assert type(parse_value(text)) is type(value)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("__import__('os')", "a call is not a literal"),
        ("__import__('os').system('touch x')", "a call is not a literal"),
        ("open('x')", "a call is not a literal"),
        ("[x for x in 'abc']", "a comprehension is not a literal"),
        ("{**a}", "** is not a literal"),
        ("[*a]", "a starred item is not a literal"),
        ("f'{a}'", "an f-string is not a literal"),
        ("'a'.upper", "an attribute is not a literal"),
        ("x['a']", "a subscript is not a literal"),
        ("[1, 2", "invalid syntax"),
        ("b'x'", "bytes values are not supported"),
        ("-'a'", "a sign applies to a number only"),
        ("{[1]: 2}", "a dict key cannot be a list"),
        ("(1 if 'a' else 2)", "an expression is not a literal"),
    ],
)
def test_non_literals_with_brackets_or_quotes_are_refused(text: str, why: str) -> None:
    with pytest.raises(UsageError) as err:
        parse_value(text, "value")
    assert str(err.value).startswith(f"malformed value value={text}: {why}")


def test_nothing_is_evaluated(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for text in (
        "__import__('pathlib').Path('pwned').touch()",
        "[__import__('pathlib').Path('pwned2').touch()]",
        "{'k': open('pwned3', 'w')}",
    ):
        with pytest.raises(UsageError):
            parse_value(text)
    assert parse_value("__import__") == "__import__"
    assert not list(tmp_path.iterdir())


def test_literal_errors_and_depth() -> None:
    with pytest.raises(LiteralError, match="nested too deeply"):
        parse_literal("[" * 60 + "]" * 60)
    with pytest.raises(LiteralError):
        parse_literal("9" * 5000)


def test_assignments() -> None:
    assert parse_assignments(["a=1", "b='x y'", "c=[1, 2]", "d=e=f"]) == {
        "a": 1, "b": "x y", "c": [1, 2], "d": "e=f",
    }  # fmt: skip
    with pytest.raises(UsageError, match="expected key=value, not 'x'"):
        parse_assignments(["x"])
    with pytest.raises(UsageError, match="expected key=value, not 'a==1'"):
        parse_assignments(["a==1"])
    with pytest.raises(UsageError, match="a= is given twice"):
        parse_assignments(["a=1", "a=2"])
    with pytest.raises(UsageError, match="b= has no value"):
        parse_assignments(["b="])


def test_expand_looks_variables_up() -> None:
    from hydroml_jupyter.magics.tokens import expand

    ns = {"out": "/tmp/a b", "n": 5, "q": 'say "hi"'}
    assert expand("export $out/x.csv", ns) == 'export "/tmp/a b"/x.csv'
    assert expand("value=$n '$n' $$n $nope ($)", ns) == "value=5 '$n' $n $nope ($)"
    assert expand('name="$q!"', ns) == 'name="say \\"hi\\"!"'
    assert unquote(split(expand("x=$q", ns))[0]) == 'x=say "hi"'
    assert expand("{n} $n.real", ns) == "{n} 5.real"
