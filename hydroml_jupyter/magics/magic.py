"""The ``%hydroml`` magic: split the line, find the subcommand, parse, run.

IPython's own expansion of the line (which evaluates ``{...}``) is turned off;
``$name`` is replaced by the variable's text, looked up and never evaluated.

Engine errors raised by a subcommand (:class:`~hydroml_jupyter.HydroMLError`:
operations, sources, stores, experiments) become a one-line ``UsageError``: the
notebook shows the message, not a traceback.
"""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class, no_var_expand

from hydroml_jupyter.errors import HydroMLError
from hydroml_jupyter.magics import registry
from hydroml_jupyter.magics.context import Context
from hydroml_jupyter.magics.parser import one_line
from hydroml_jupyter.magics.tokens import expand, split, unquote

__all__ = ["HydroMLMagics", "route"]

_HELP = ("-h", "--help")


def route(context: Context, line: str, cell: str | None = None) -> Any:
    """Run ``%hydroml LINE`` (or ``%%hydroml LINE`` with ``cell``) and return its result.

    Raises
    ------
    UsageError
        For bad input, with one line; nothing has changed.
    """
    try:
        words = split(expand(line, context.user_ns))
    except UsageError as exc:
        raise UsageError(f"%hydroml: {exc}") from None
    if not words:
        if cell is not None:
            raise UsageError(
                "%%hydroml needs a subcommand: %%hydroml recipe or %%hydroml experiment"
            )
        print(registry.usage(), end="")
        return None
    command = registry.get(unquote(words[0]))
    if cell is None and command.cell:
        raise UsageError(
            f"%hydroml {command.name} is a cell magic: start the cell with %%hydroml {command.name}"
        )
    if cell is not None and not command.cell:
        cells = [f"%%hydroml {c.name}" for c in registry.commands().values() if c.cell]
        which = " and ".join([", ".join(cells[:-1]), cells[-1]] if len(cells) > 1 else cells)
        verb = "take" if len(cells) > 1 else "takes"
        raise UsageError(
            f"%%hydroml {command.name}: only {which} {verb} a cell; "
            f"write %hydroml {command.name} ... on a line"
        )
    rest = words[1:]
    if any(w in _HELP for w in rest):
        print(command.help(), end="")
        return None
    args = command.parser().parse(rest)
    args.cell = cell
    try:
        return command.run(context, args)
    except HydroMLError as exc:
        raise UsageError(one_line(exc)) from None


@magics_class
class HydroMLMagics(Magics):
    """The ``%hydroml`` line magic and ``%%hydroml`` cell magic."""

    def __init__(self, shell: Any, context: Context) -> None:
        super().__init__(shell)
        self.context = context

    @no_var_expand
    @line_cell_magic
    def hydroml(self, line: str, cell: str | None = None) -> Any:
        """Clean data from notebook text (``%hydroml help`` lists the subcommands)."""
        return route(self.context, line, cell)
