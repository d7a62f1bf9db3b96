"""Precedence-climbing parser of the formula language.

Binary operators, loosest first (all left-associative except ``**``)::

    |    &    (prefix ~)    == != < <= > >=    + -    * / // %    (prefix - +)    **

Comparisons do not chain, and ``-a ** 2`` is ``-(a ** 2)`` as in Python.
"""

from __future__ import annotations

import dataclasses
from typing import Any, NoReturn

from hydroml_jupyter.engine.formula._functions import FUNCTIONS
from hydroml_jupyter.engine.formula._nodes import (
    MAX_DEPTH,
    Binary,
    Call,
    Column,
    Const,
    Node,
    Unary,
)
from hydroml_jupyter.engine.formula._tokens import MAX_LENGTH, Token, fail, tokenize

_PRECEDENCE = {
    "|": 1,
    "&": 2,
    "==": 4,
    "!=": 4,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "//": 6,
    "%": 6,
    "**": 8,
}
_NOT = 3
_SIGN = 7
_COMPARISON = 4


def parse_tree(expr: str) -> Node:
    """Parse ``expr`` into a syntax tree.

    Parameters
    ----------
    expr
        The formula text.

    Returns
    -------
    Node
        The root of the tree.

    Raises
    ------
    OperationError
        When ``expr`` is not a formula.
    """
    if not isinstance(expr, str):
        fail(f"the expression must be text, not {type(expr).__name__}", repr(expr))
    if len(expr) > MAX_LENGTH:
        fail(f"the expression is longer than {MAX_LENGTH} characters", expr)
    return _Parser(expr).parse()


class _Parser:
    def __init__(self, expr: str) -> None:
        self.expr = expr
        self.tokens = tokenize(expr)
        self.i = 0
        self.nesting = 0

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def unexpected(self, token: Token) -> NoReturn:
        fail(f"unexpected {token.show()}", self.expr, token.pos)

    def node(self, cls: type[Node], *args: Any, start: int, end: int) -> Node:
        node = cls(*args, start=start, end=end)
        if node.depth > MAX_DEPTH:
            fail(
                f"the expression is nested too deeply (more than {MAX_DEPTH} levels)",
                self.expr,
                start,
            )
        return node

    def parse(self) -> Node:
        if self.peek().kind == "end":
            fail("empty expression", self.expr)
        node = self.expression(0)
        token = self.peek()
        if token.kind == ")":
            fail("unmatched ')'", self.expr, token.pos)
        if token.kind != "end":
            self.unexpected(token)
        return node

    def expression(self, min_prec: int) -> Node:
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            fail(
                f"the expression is nested too deeply (more than {MAX_DEPTH} levels)",
                self.expr,
                self.peek().pos,
            )
        try:
            node = self.prefix(min_prec)
            while True:
                token = self.peek()
                prec = _PRECEDENCE.get(token.value, 0) if token.kind == "op" else 0
                if prec == 0 or prec < min_prec:
                    return node
                self.take()
                right = self.expression(_SIGN if token.value == "**" else prec + 1)
                node = self.node(Binary, token.value, node, right, start=node.start, end=right.end)
                after = self.peek()
                if prec == _COMPARISON and _PRECEDENCE.get(after.value) == _COMPARISON:
                    fail(
                        "comparisons cannot be chained (write (a < b) & (b < c))",
                        self.expr,
                        after.pos,
                    )
        finally:
            self.nesting -= 1

    def prefix(self, min_prec: int) -> Node:
        token = self.peek()
        if token.kind == "op" and token.value in ("-", "+", "~"):
            prec = _NOT if token.value == "~" else _SIGN
            if min_prec > prec:
                self.unexpected(token)
            self.take()
            operand = self.expression(prec)
            return self.node(Unary, token.value, operand, start=token.pos, end=operand.end)
        return self.atom()

    def atom(self) -> Node:
        token = self.take()
        if token.kind in ("num", "str"):
            return self.node(Const, token.value, start=token.pos, end=token.end)
        if token.kind == "col":
            return self.node(Column, token.value, start=token.pos, end=token.end)
        if token.kind == "name":
            if self.peek().kind == "(":
                return self.call(token)
            return self.node(Column, token.value, start=token.pos, end=token.end)
        if token.kind == "(":
            inner = self.expression(0)
            close = self.take()
            if close.kind != ")":
                if close.kind == "end":
                    fail("unmatched '('", self.expr, token.pos)
                self.unexpected(close)
            return dataclasses.replace(inner, start=token.pos, end=close.end)
        self.unexpected(token)

    def call(self, name: Token) -> Node:
        func = FUNCTIONS.get(name.value)
        if func is None:
            fail(
                f"unknown function {name.value!r}",
                self.expr,
                name.pos,
                hint=f"functions: {', '.join(FUNCTIONS)}",
            )
        opening = self.take()
        args: list[Node] = []
        if self.peek().kind == ")":
            close = self.take()
        else:
            while True:
                self.nesting += 1
                try:
                    args.append(self.expression(0))
                finally:
                    self.nesting -= 1
                close = self.take()
                if close.kind == ")":
                    break
                if close.kind == "end":
                    fail(f"unmatched '(' of {name.value}()", self.expr, opening.pos)
                if close.kind != ",":
                    self.unexpected(close)
        func.validate(tuple(args), self.expr, name.pos)
        node = Call(name.value, tuple(args), impl=func, start=name.pos, end=close.end)
        if node.depth > MAX_DEPTH:
            fail(
                f"the expression is nested too deeply (more than {MAX_DEPTH} levels)",
                self.expr,
                name.pos,
            )
        return node
