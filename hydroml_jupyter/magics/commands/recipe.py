"""``%%hydroml recipe``: a cell of cleaning steps, applied all or nothing, re-runnable.

All or nothing: every step is first applied to the frame outside the session
(operations are pure and frames copy-on-write, so this costs the steps' own time);
only when all succeed are they applied to the session. A failing line leaves the
session as it was, undone steps included.

Re-running: the steps a recipe applied are remembered per session, keyed by the
notebook cell's id when the front end sends one, else by the cell's text. When the
same recipe runs again and its steps are still the newest at the cursor, they are
replaced (the session goes back to the step before them and applies the recipe
again, which drops them); otherwise the recipe is applied again on top, and one
printed line says so.
"""

from __future__ import annotations

import argparse
import hashlib
import weakref

from IPython.core.error import UsageError

from hydroml_jupyter.engine import BatchError, Session
from hydroml_jupyter.magics.context import Context, RecipeMark
from hydroml_jupyter.magics.ophelp import recipe_help
from hydroml_jupyter.magics.output import shape_text
from hydroml_jupyter.magics.parser import one_line
from hydroml_jupyter.magics.recipe import RecipeLine, parse_recipe
from hydroml_jupyter.magics.registry import Command

__all__ = ["COMMANDS", "apply_recipe", "recipe_key"]


def recipe_key(ctx: Context, cell: str) -> str:
    """Return what identifies a recipe cell: its notebook cell id, else a hash of its text."""
    if ctx.cell_id:
        return f"cell:{ctx.cell_id}"
    return "text:" + hashlib.sha256(cell.strip().encode()).hexdigest()


def _span(first: int, last: int) -> str:
    return f"step {first}" if first == last else f"steps {first} to {last}"


def apply_recipe(session: Session, lines: list[RecipeLine], start: int) -> int:
    """Apply ``lines`` after step ``start``, all or nothing; return the first new step's index.

    Steps after ``start`` are dropped when the recipe applies (as any apply does),
    and kept when it fails.

    Raises
    ------
    UsageError
        When a line fails; the message names the line and the engine's reason.
    """
    try:
        session.apply_all([line.op for line in lines], after=start)
    except BatchError as exc:
        line = lines[exc.index]
        raise UsageError(
            f"%%hydroml recipe: line {line.number} ({line.text}): {one_line(exc.cause)}; "
            "nothing was applied"
        ) from None
    return start + 1


def _recipe(ctx: Context, args: argparse.Namespace) -> None:
    session = ctx.session(args.session)
    lines = parse_recipe(args.cell or "")
    if not lines:
        print(f"{session.name}: the recipe has no steps; nothing applied")
        return
    key = recipe_key(ctx, args.cell)
    marks = ctx.marks.setdefault(session.name, {})
    mark = marks.get(key)
    if mark is not None and not mark.applies_to(session):
        mark = None
    replacing = mark is not None and mark.is_newest(session)
    start = mark.first - 1 if mark is not None and replacing else session.position
    first = apply_recipe(session, lines, start)
    new = RecipeMark(
        weakref.ref(session), first, tuple((ln.op.name, repr(ln.op.params)) for ln in lines)
    )
    marks[key] = new
    done = f"{len(lines)} step{'s' * (len(lines) != 1)} as {_span(new.first, new.last)}"
    shape = shape_text(session.shape)
    if mark is None:
        print(f"{session.name}: recipe applied {done} · {shape}")
    elif replacing:
        print(
            f"{session.name}: recipe re-run: replaced its earlier "
            f"{_span(mark.first, mark.last)} with {done} · {shape}"
        )
    else:
        single = mark.first == mark.last
        which = "is no longer the newest step" if single else "are no longer the newest steps"
        print(
            f"{session.name}: this recipe already ran as {_span(mark.first, mark.last)}, "
            f"which {which}; applied it again as {_span(new.first, new.last)} · {shape}"
        )


COMMANDS = (
    Command(
        "recipe",
        "(cell) one cleaning step per line, all or nothing",
        "steps",
        _recipe,
        description=(
            "Apply the cell's steps all or nothing. Re-running the cell replaces the steps\n"
            "it applied when they are still the newest; otherwise it applies them again\n"
            "and says so."
        ),
        epilog=recipe_help,
        cell=True,
    ),
)
