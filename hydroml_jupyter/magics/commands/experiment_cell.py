"""``%%hydroml experiment``: a training or tuning run described in ``key: value`` lines.

::

    %%hydroml experiment
    # churn model, small and quick
    target: churned
    model: random_forest
    preset: fast
    params: {"n_estimators": 200, "max_depth": 6}
    cv: 5
    experiment: churn

Values are Python literals or bare words, never evaluated. ``params`` is a dict literal
or ``key=value`` words. A ``trials`` line makes it a tuning run (an Optuna study) instead
of a single training run. The cell shows the run's live panel and returns its handle at
once.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from IPython.core.error import UsageError

from hydroml_jupyter.magics.commands.experiments import present
from hydroml_jupyter.magics.context import Context
from hydroml_jupyter.magics.literals import is_assignment, parse_assignments, parse_value
from hydroml_jupyter.magics.registry import Command
from hydroml_jupyter.magics.tokens import split, strip_comment
from hydroml_jupyter.messages import did_you_mean

__all__ = ["COMMANDS", "KEYS", "parse_experiment"]

_PROG = "%%hydroml experiment"
_PARAMS = 'expected {"name": value, ...} or name=value words'


def _text(value: Any) -> str:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    raise ValueError("expected one word")


def _count(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise ValueError("expected a whole number above 0")


def _number(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    raise ValueError("expected a number above 0")


def _seed(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError("expected a whole number")


def _columns(value: Any) -> list[str]:
    items = list(value) if isinstance(value, list | tuple) else [value]
    if not items or not all(isinstance(v, str | int) and not isinstance(v, bool) for v in items):
        raise ValueError("expected a column or a list of columns")
    return [str(v) for v in items]


def _params(value: Any) -> dict[str, Any]:
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return value
    raise ValueError(_PARAMS)


#: Each key a cell may hold, and how its value is read.
KEYS: dict[str, Callable[[Any], Any]] = {
    "target": _text,
    "model": _text,
    "preset": _text,
    "params": _params,
    "task": _text,
    "features": _columns,
    "test_size": _number,
    "cv": _count,
    "experiment": _text,
    "seed": _seed,
    "run_name": _text,
    "trials": _count,
    "timeout": _number,
    "metric": _text,
}
_TUNING_ONLY = ("timeout", "metric")


def parse_experiment(body: str) -> dict[str, Any]:
    r"""Read the cell's ``key: value`` lines into keyword arguments.

    Raises
    ------
    UsageError
        Naming the line, for an unknown or repeated key, a malformed value, or no ``target``.

    Examples
    --------
    >>> parse_experiment("target: churned\nmodel: knn  # quick\nparams: n_neighbors=7")
    {'target': 'churned', 'model': 'knn', 'params': {'n_neighbors': 7}}
    """
    out: dict[str, Any] = {}
    for number, raw in enumerate(body.splitlines(), start=1):
        line = strip_comment(raw).strip()
        if not line:
            continue
        where = f"{_PROG}: line {number} ({line})"
        key, colon, text = line.partition(":")
        key = key.strip().replace("-", "_")
        if not colon or not key.isidentifier():
            raise UsageError(f"{where}: expected `key: value`")
        if key not in KEYS:
            raise UsageError(
                f"{where}: unknown key {key!r}{did_you_mean(key, KEYS)}; keys: {', '.join(KEYS)}"
            )
        if key in out:
            raise UsageError(f"{where}: {key} is given twice")
        try:
            out[key] = KEYS[key](_value(key, text.strip()))
        except (ValueError, UsageError) as exc:
            raise UsageError(f"{where}: {exc}") from None
    if "target" not in out:
        raise UsageError(f"{_PROG}: the cell needs a `target: COLUMN` line")
    tuning = [k for k in _TUNING_ONLY if k in out]
    if tuning and "trials" not in out:
        raise UsageError(f"{_PROG}: {tuning[0]} applies to tuning: add a `trials: N` line")
    return out


def _value(key: str, text: str) -> Any:
    if key == "params" and not text.startswith("{"):
        words = split(text)
        if not words or not all(is_assignment(w) for w in words):
            raise ValueError(_PARAMS)
        return parse_assignments(words)
    return parse_value(text, key)


def _experiment(ctx: Context, args: argparse.Namespace) -> Any:
    options = parse_experiment(args.cell or "")
    session = ctx.session(args.session)
    target = options.pop("target")
    if "trials" in options:
        options["n_trials"] = options.pop("trials")
        return present(ctx, session.tune(target, **options, tracking_uri=ctx.tracking_uri))
    return present(ctx, session.train(target, **options, tracking_uri=ctx.tracking_uri))


COMMANDS = (
    Command(
        "experiment",
        "(cell) a training or tuning run as key: value lines",
        "experiments",
        _experiment,
        description=(
            "Start a run described by the cell's `key: value` lines, show its live panel\n"
            "and return its handle. A `trials: N` line makes it an Optuna study."
        ),
        epilog=lambda: "keys: " + ", ".join(KEYS) + "\n\n" + (__doc__ or "").split("::")[1],
        cell=True,
    ),
)
