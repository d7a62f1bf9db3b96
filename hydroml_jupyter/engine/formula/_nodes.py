"""The syntax tree of a formula, evaluated and turned into code node by node.

Every node has two mirrored methods: ``evaluate`` computes the value with
pandas/numpy, and ``code`` writes the Python source that performs exactly the
same calls. Keeping them side by side is what makes the exported code give
bit-for-bit the values the session computed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import operator
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pandas as pd

from hydroml_jupyter.engine.codegen import col, literal
from hydroml_jupyter.engine.formula._limits import Budget, max_digits, too_large
from hydroml_jupyter.engine.formula._sizes import (
    FormatsColumnError,
    TooManyDigitsError,
    binary_estimate,
    broadcast,
    footprint,
)
from hydroml_jupyter.errors import OperationError

if TYPE_CHECKING:
    from hydroml_jupyter.engine.formula._functions import Function

MAX_DEPTH = 100
"""Deepest syntax tree accepted, in nodes from root to leaf."""

BINARY_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "|": operator.or_,
    "&": operator.and_,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
    "**": operator.pow,
}
UNARY_OPS: dict[str, Callable[[Any], Any]] = {
    "-": operator.neg,
    "+": operator.pos,
    "~": operator.invert,
}


@dataclasses.dataclass(frozen=True)
class Node:
    """Base of the syntax tree nodes.

    ``start``/``end`` locate the node in the expression and ``depth`` is the
    height of its subtree; none of them take part in equality.
    """

    start: int = dataclasses.field(compare=False, kw_only=True)
    end: int = dataclasses.field(compare=False, kw_only=True)
    depth: int = dataclasses.field(init=False, compare=False, repr=False, default=1)

    def __post_init__(self) -> None:
        below = max((child.depth for child in self.children()), default=0)
        object.__setattr__(self, "depth", below + 1)

    def children(self) -> tuple[Node, ...]:
        """Return the direct sub-nodes."""
        return ()

    def columns(self) -> list[str]:
        """Return the column names used, in order, with repeats."""
        return [name for child in self.children() for name in child.columns()]

    @property
    def is_column(self) -> bool:
        """Whether the value depends on a column (and so is a Series)."""
        return any(child.is_column for child in self.children())

    def evaluate(self, ctx: Context) -> Any:
        """Compute the node's value on ``ctx.df``."""
        raise NotImplementedError

    def code(self, var: str) -> str:
        """Return Python source computing the node's value from frame ``var``."""
        raise NotImplementedError

    def receiver(self, var: str) -> str:
        """Return :meth:`code`, parenthesised if needed before ``.method()``."""
        return self.code(var)

    def arg(self, var: str) -> str:
        """Return :meth:`code` as a function argument, where no parentheses are needed."""
        return self.code(var)


@dataclasses.dataclass(frozen=True)
class Context:
    """What evaluation needs: the frame, the expression (for messages) and the memory budget."""

    df: pd.DataFrame
    expr: str
    budget: Budget = dataclasses.field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "budget", Budget(self.df))

    def part(self, node: Node) -> str:
        """Return the sub-expression ``node`` as the user wrote it, on one line."""
        return " ".join(self.expr[node.start : node.end].split())

    @contextlib.contextmanager
    def holding(self, node: Node, value: Any) -> Iterator[None]:
        """Count ``value`` (the value of ``node``) as held while the block runs.

        A column of the frame costs nothing: it is there already.
        """
        with self.budget.holding(0.0 if isinstance(node, Column) else footprint(value)):
            yield

    def guard(
        self, node: Node, estimate: Callable[..., float | None], *args: Any, what: str = ""
    ) -> None:
        """Refuse to compute ``node`` when ``estimate(*args)`` bytes would pass the limit.

        ``what`` follows the part's text in the message, e.g. ``" as a column of 9 rows"``.
        """
        try:
            size = self.compute(node, estimate, *args)
        except OperationError as exc:
            cause = exc.__cause__
            if isinstance(cause, TooManyDigitsError):
                raise too_large(self.part(node), _digits(cause.digits)) from None
            if isinstance(cause, FormatsColumnError):
                raise OperationError(
                    f"formula: cannot compute {self.part(node)}: '%' formats text with a "
                    "constant, not a column (it would format how the column prints)",
                    op="formula",
                    value=self.part(node),
                ) from None
            raise
        self.budget.check(self.part(node) + what, size)

    def compute(self, node: Node, func: Callable[..., Any], *args: Any) -> Any:
        """Call ``func(*args)``, turning any error into an :class:`OperationError`.

        The message names the sub-expression ``node`` as the user wrote it.
        """
        try:
            return func(*args)
        except OperationError:
            raise
        except Exception as exc:
            text = self.part(node)
            lines = str(exc).strip().splitlines()
            cause = lines[0] if lines else type(exc).__name__
            raise OperationError(
                f"formula: cannot compute {text}: {cause}", op="formula", value=text
            ) from exc


@dataclasses.dataclass(frozen=True)
class Const(Node):
    """A number, string or boolean literal."""

    value: int | float | str | bool

    def evaluate(self, ctx: Context) -> Any:
        return self.value

    def code(self, var: str) -> str:
        if isinstance(self.value, float) and math.isinf(self.value):
            return "np.inf"
        return literal(self.value)


@dataclasses.dataclass(frozen=True)
class Column(Node):
    """A column reference."""

    name: str

    def columns(self) -> list[str]:
        return [self.name]

    @property
    def is_column(self) -> bool:
        return True

    def evaluate(self, ctx: Context) -> Any:
        value = ctx.df[self.name]
        if isinstance(value, pd.DataFrame):
            raise OperationError(
                f"formula: the frame has several columns named {self.name!r}",
                op="formula",
                column=self.name,
            )
        return value

    def code(self, var: str) -> str:
        return col(var, self.name)


@dataclasses.dataclass(frozen=True)
class Unary(Node):
    """A prefix operator: ``-``, ``+`` or ``~``."""

    op: str
    operand: Node

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)

    def evaluate(self, ctx: Context) -> Any:
        value = self.operand.evaluate(ctx)
        return ctx.compute(self, UNARY_OPS[self.op], value)

    def code(self, var: str) -> str:
        return f"{self.op}{self.operand.code(var)}"

    def receiver(self, var: str) -> str:
        return f"({self.code(var)})"


@dataclasses.dataclass(frozen=True)
class Binary(Node):
    """A binary operator applied to two operands."""

    op: str
    left: Node
    right: Node

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)

    def evaluate(self, ctx: Context) -> Any:
        left = self.left.evaluate(ctx)
        with ctx.holding(self.left, left):
            right = self.right.evaluate(ctx)
            with ctx.holding(self.right, right):
                ctx.guard(self, binary_estimate, self.op, left, right, len(ctx.df))
                return ctx.compute(self, BINARY_OPS[self.op], left, right)

    def code(self, var: str) -> str:
        # Python's ``-a ** b`` is ``-(a ** b)``: a prefixed base needs parentheses.
        left = self.left.receiver(var) if self.op == "**" else self.left.code(var)
        return f"({left} {self.op} {self.right.code(var)})"

    def arg(self, var: str) -> str:
        return self.code(var)[1:-1]


@dataclasses.dataclass(frozen=True)
class Call(Node):
    """A call of a whitelisted function; ``impl`` is its ``_functions.Function``."""

    func: str
    args: tuple[Node, ...]
    impl: Function = dataclasses.field(compare=False, repr=False, kw_only=True)

    def children(self) -> tuple[Node, ...]:
        return self.args

    def evaluate(self, ctx: Context) -> Any:
        values: list[Any] = []
        with contextlib.ExitStack() as held:
            for arg in self.args:
                values.append(arg.evaluate(ctx))
                held.enter_context(ctx.holding(arg, values[-1]))
            if self.impl.estimate is not None:
                ctx.guard(self, self.impl.estimate, values, len(ctx.df))
            return ctx.compute(self, self.impl.apply, values, self.args, ctx.df)

    def code(self, var: str) -> str:
        return self.impl.render(self.args, var)


def guard_column(ctx: Context, root: Node, value: Any) -> None:
    """Refuse a constant ``value`` of ``root`` whose column (one copy per row) is too large."""
    if not isinstance(value, pd.Series):
        rows = len(ctx.df)
        with ctx.holding(root, value):
            ctx.guard(root, broadcast, value, rows, what=f" as a column of {rows:,} rows")


def _digits(digits: float) -> str:
    if digits == math.inf:
        return "a whole number of unbounded size"
    return f"a whole number of about {digits:,.0f} digits; Python prints at most {max_digits():,}"
