"""Experiments: ``train`` and ``tune`` in the background, ``runs`` and ``compare`` them."""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd
from IPython.core.error import UsageError

from hydroml_jupyter.magics.context import Context
from hydroml_jupyter.magics.parser import CommandParser, assignment, assignments, text
from hydroml_jupyter.magics.registry import Command

__all__ = ["COMMANDS", "job_options", "live_runs", "model_names", "present"]

TASKS = ("auto", "classification", "regression")


def model_names() -> list[str]:
    """Return the names ``--model`` accepts."""
    from hydroml_jupyter.experiments.catalog import MODELS

    return list(MODELS)


def _common(parser: CommandParser) -> None:
    parser.add_argument("target", metavar="TARGET", type=text, help="the column to predict")
    parser.add_argument("--model", type=text, default="xgboost", help="default: xgboost")
    parser.add_argument(
        "--preset", type=text, help="fast, balanced (default), thorough, or a saved preset"
    )
    parser.add_argument("--task", type=text, choices=TASKS, default="auto")
    parser.add_argument(
        "--test-size", type=float, default=0.2, help="share of rows held out (default 0.2)"
    )
    parser.add_argument("--cv", type=int, help="score by K-fold cross-validation instead")
    parser.add_argument(
        "--features", nargs="+", type=text, metavar="COL", help="default: every other column"
    )
    parser.add_argument("--experiment", type=text, help="MLflow experiment (default hydroml)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--param",
        action="append",
        type=assignment,
        metavar="key=value",
        dest="param",
        help="an estimator parameter (repeat for several); it overrides the preset's",
    )
    parser.add_argument(
        "params",
        nargs="*",
        type=assignment,
        metavar="key=value",
        help="estimator parameters, as --param without the flag",
    )


def job_options(args: argparse.Namespace, prog: str) -> dict[str, Any]:
    """Return the keyword arguments ``train`` and ``tune`` share, from parsed arguments."""
    params = assignments([*(args.param or ()), *args.params], prog)
    return {
        "model": args.model,
        "task": args.task,
        "params": params or None,
        "preset": args.preset,
        "features": args.features,
        "test_size": args.test_size,
        "cv": args.cv,
        "experiment": args.experiment,
        "seed": args.seed,
    }


def present(ctx: Context, run: Any) -> Any:
    """Show a new run's live panel in the cell (when the studio would show) and return it."""
    if ctx.config.autodisplay and ctx.has_front_end:
        run.show_once()
    return run


def _train(ctx: Context, args: argparse.Namespace) -> Any:
    session = ctx.session(args.session)
    options = job_options(args, "%hydroml train")
    return present(ctx, session.train(args.target, **options, tracking_uri=ctx.tracking_uri))


def _tune_arguments(parser: CommandParser) -> None:
    _common(parser)
    parser.add_argument("--trials", type=int, default=50, help="trials to run (default 50)")
    parser.add_argument("--timeout", type=float, help="stop starting trials after S seconds")
    parser.add_argument("--metric", type=text, help="default: f1 or rmse")


def _tune(ctx: Context, args: argparse.Namespace) -> Any:
    session = ctx.session(args.session)
    options = job_options(args, "%hydroml tune")
    run = session.tune(
        args.target,
        n_trials=args.trials,
        timeout=args.timeout,
        metric=args.metric,
        **options,
        tracking_uri=ctx.tracking_uri,
    )
    return present(ctx, run)


def _cancel_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "run",
        nargs="?",
        type=text,
        metavar="RUN",
        help="a run's number (see `%%hydroml runs --live`), MLflow run id or name, or `all`",
    )


def _cancel(_ctx: Context, args: argparse.Namespace) -> None:
    from hydroml_jupyter.experiments import active

    going = [h for h in active.started() if not h.done]
    if args.run == "all":
        chosen = going
    elif args.run is not None:
        chosen = [active.find(args.run)]
        if chosen[0].done:
            h = chosen[0]
            raise UsageError(
                f"%hydroml cancel: #{h.number} {h.name} has already ended ({h.status})"
            )
    else:
        chosen = going[-1:]
    if not chosen:
        raise UsageError("%hydroml cancel: nothing to cancel: no run is going")
    for handle in chosen:
        handle.cancel()
        print(f"cancelled #{handle.number} {handle.name}")


def _runs_arguments(parser: CommandParser) -> None:
    parser.add_argument("--experiment", type=text, help="only this experiment")
    parser.add_argument(
        "--trials", action="store_true", help="include each tuning trial's child run"
    )
    parser.add_argument(
        "--live", action="store_true", help="the runs started in this kernel, with their numbers"
    )


def live_runs() -> pd.DataFrame:
    """Return the runs started in this kernel: number, name, status, progress, run id."""
    from hydroml_jupyter.experiments import active

    rows = [
        {
            "run": h.number,
            "name": h.name,
            "kind": h.kind,
            "status": h.status,
            "progress": round(h.progress, 3),
            "seconds": None if h.duration is None else round(h.duration, 1),
            "run_id": h.run_id,
        }
        for h in active.started()
    ]
    columns = ["run", "name", "kind", "status", "progress", "seconds", "run_id"]
    return pd.DataFrame(rows, columns=columns).set_index("run")


def _runs(ctx: Context, args: argparse.Namespace) -> pd.DataFrame:
    from hydroml_jupyter.experiments import runs

    if args.live:
        return live_runs()
    return runs(args.experiment, tracking_uri=ctx.tracking_uri, include_trials=args.trials)


def _compare_arguments(parser: CommandParser) -> None:
    parser.add_argument("run_ids", nargs="+", metavar="RUN_ID", type=text)


def _compare(ctx: Context, args: argparse.Namespace) -> pd.DataFrame:
    from hydroml_jupyter.experiments import compare

    return compare(args.run_ids, tracking_uri=ctx.tracking_uri)


COMMANDS = (
    Command(
        "train",
        "train a model in the background, tracked in MLflow",
        "experiments",
        _train,
        _common,
        synopsis="TARGET [--model M] [--preset P] [--cv K] [--param k=v ...]",
        description=(
            "Train a model on the current frame in a background thread (the kernel stays\n"
            "free) and show the run's handle; `run.wait()` or `run.result()` wait for it.\n"
            "Models: xgboost, random_forest, gradient_boosting, logistic_regression,\n"
            "linear, ridge, svm, knn. Example:\n"
            "  run = %hydroml train churned --model random_forest --preset fast"
        ),
    ),
    Command(
        "tune",
        "tune a model with Optuna in the background",
        "experiments",
        _tune,
        _tune_arguments,
        synopsis="TARGET [--model M] [--trials N] [--timeout S] [--param k=v ...]",
    ),
    Command(
        "cancel",
        "stop a run that is going (default: the newest)",
        "experiments",
        _cancel,
        _cancel_arguments,
        synopsis="[RUN | all]",
        session=False,
    ),
    Command(
        "runs",
        "the leaderboard of tracked runs, best first",
        "experiments",
        _runs,
        _runs_arguments,
        synopsis="[--experiment E] [--trials] [--live]",
        session=False,
    ),
    Command(
        "compare",
        "tracked runs side by side",
        "experiments",
        _compare,
        _compare_arguments,
        synopsis="RUN_ID ...",
        session=False,
    ),
)
