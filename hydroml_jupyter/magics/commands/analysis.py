"""``profile`` a frame, ``suggest`` cleaning steps (and apply them), ``suggest-models``."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd
from IPython.core.error import UsageError

from hydroml_jupyter.engine import BatchError, Session
from hydroml_jupyter.errors import HydroMLError
from hydroml_jupyter.labels import Label
from hydroml_jupyter.magics.commands.studio import namespace_frame, var_argument
from hydroml_jupyter.magics.commands.views import resolve_column
from hydroml_jupyter.magics.context import Context
from hydroml_jupyter.magics.output import step_line
from hydroml_jupyter.magics.parser import CommandParser, one_line, text
from hydroml_jupyter.magics.registry import Command

if TYPE_CHECKING:
    from hydroml_jupyter.engine import Step
    from hydroml_jupyter.engine.extras import SessionSuggestion
    from hydroml_jupyter.experiments import ModelAdvice

__all__ = ["COMMANDS", "apply_suggestions"]


def _target(parser: CommandParser) -> None:
    parser.add_argument(
        "--target", metavar="COL", type=text, help="the column a model would predict"
    )


def _checked_target(columns: Iterable[Label], target: str | None, prog: str) -> Label | None:
    if target is None:
        return None
    return resolve_column(columns, target, prog)


def _profile_arguments(parser: CommandParser) -> None:
    var_argument(parser)
    _target(parser)


def _profile(ctx: Context, args: argparse.Namespace) -> Any:
    prog = "%hydroml profile"
    if args.var is None:
        source: pd.DataFrame | Session = ctx.session(args.session)
    elif args.session is not None:
        raise UsageError(f"{prog}: give VAR or --session, not both")
    else:
        source = namespace_frame(ctx, args.var, prog)
    if isinstance(source, Session):
        ctx.use(source)
        return source.profile(_checked_target(source.df.columns, args.target, prog))
    from hydroml_jupyter.analysis.profile import profile

    if not source.columns.is_unique:
        raise UsageError(f"{prog}: {args.var!r} has duplicate column names")
    return profile(source, target=_checked_target(source.columns, args.target, prog))


def _suggest_arguments(parser: CommandParser) -> None:
    _target(parser)
    how = parser.add_mutually_exclusive_group()
    how.add_argument(
        "--apply",
        metavar="N",
        type=int,
        help="apply suggestion N of the list (as an ordinary, undoable step)",
    )
    how.add_argument(
        "--apply-all-above",
        metavar="X",
        type=float,
        help="apply every suggestion with confidence >= X (0 to 1), in order, all or nothing",
    )


def _describe(number: int, suggestion: SessionSuggestion) -> str:
    params = ", ".join(f"{k}={v!r}" for k, v in suggestion.params.items())
    return f"suggestion {number} ({suggestion.op} {params})".replace(" )", ")")


def apply_suggestions(
    session: Session, chosen: list[tuple[int, SessionSuggestion]], prog: str
) -> list[Step]:
    """Apply numbered suggestions in order as one change, all or nothing; return the new steps.

    Raises
    ------
    UsageError
        Naming the suggestion that failed and the engine's reason; the session is unchanged.
    """
    try:
        steps = session.apply_all([(s.op, s.params) for _, s in chosen])
    except BatchError as exc:
        number, suggestion = chosen[exc.index]
        raise UsageError(
            f"{prog}: {_describe(number, suggestion)} failed: {one_line(exc.cause)}; "
            "none was applied"
        ) from None
    return steps


def _apply_above(session: Session, found: list[SessionSuggestion], threshold: float) -> None:
    prog = "%hydroml suggest"
    if not 0.0 <= threshold <= 1.0:
        raise UsageError(
            f"{prog}: --apply-all-above takes a confidence from 0 to 1, not {threshold}"
        )
    chosen = [(i, s) for i, s in enumerate(found) if s.confidence >= threshold]
    if not chosen:
        top = (
            f"the highest is {max(s.confidence for s in found):.2f}" if found else "there are none"
        )
        print(
            f"{session.name}: no suggestion has confidence >= {threshold:g} ({top}); none applied"
        )
        return
    for step in apply_suggestions(session, chosen, prog):
        print(step_line(session, step))


def _suggest(ctx: Context, args: argparse.Namespace) -> pd.DataFrame | None:
    session = ctx.session(args.session)
    target = _checked_target(session.df.columns, args.target, "%hydroml suggest")
    found = session.suggest(target)
    if args.apply_all_above is not None:
        _apply_above(session, found, args.apply_all_above)
        return None
    if args.apply is not None:
        if not 0 <= args.apply < len(found):
            last = f"0 to {len(found) - 1}" if found else "none"
            raise UsageError(f"%hydroml suggest: no suggestion {args.apply}; suggestions: {last}")
        print(step_line(session, found[args.apply].apply()))
        return None
    return pd.DataFrame(
        {
            "op": [s.op for s in found],
            "params": [s.params for s in found],
            "confidence": [round(s.confidence, 2) for s in found],
            "why": [s.rationale for s in found],
        },
        index=pd.RangeIndex(len(found), name="suggestion"),
    )


def _suggest_models_arguments(parser: CommandParser) -> None:
    parser.add_argument("target", metavar="TARGET", type=text, help="the column to predict")


def _suggest_models(ctx: Context, args: argparse.Namespace) -> ModelAdvice:
    prog = "%hydroml suggest-models"
    session = ctx.session(args.session)
    target = resolve_column(session.df.columns, args.target, prog)
    try:
        return session.suggest_models(target)
    except HydroMLError as exc:
        raise UsageError(f"{prog}: {one_line(exc)}") from None


COMMANDS = (
    Command(
        "profile",
        "profile the current frame, or a DataFrame or session variable: types, statistics, alerts",
        "views",
        _profile,
        _profile_arguments,
        synopsis="[VAR] [--target COL]",
    ),
    Command(
        "suggest",
        "cleaning suggestions, most confident first; --apply N applies one, "
        "--apply-all-above X every one at least that confident",
        "views",
        _suggest,
        _suggest_arguments,
        synopsis="[--target COL] [--apply N | --apply-all-above X]",
    ),
    Command(
        "suggest-models",
        "rank the catalog's models for TARGET, with a metric, a preset and why",
        "experiments",
        _suggest_models,
        _suggest_models_arguments,
        synopsis="TARGET",
        description=(
            "Rank the catalog's models for predicting TARGET, best first, with a score,\n"
            "a preset and the figures behind each, and the metric to judge them by.\n"
            "The result is the advice: `advice = _` then `advice.train_best()` trains the\n"
            "best model with its preset."
        ),
    ),
)
