"""Experiments: ``train`` and ``tune`` in the background, ``runs`` and ``compare`` them."""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd

from hydroml_jupyter.magics.context import Context
from hydroml_jupyter.magics.parser import CommandParser, assignment, assignments, text
from hydroml_jupyter.magics.registry import Command

__all__ = ["COMMANDS", "model_names"]

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
        "params",
        nargs="*",
        type=assignment,
        metavar="key=value",
        help="estimator parameters (they override the preset's)",
    )


def _train(ctx: Context, args: argparse.Namespace) -> Any:
    session = ctx.session(args.session)
    params = assignments(args.params, "%hydroml train")
    return session.train(
        args.target,
        model=args.model,
        task=args.task,
        params=params or None,
        preset=args.preset,
        features=args.features,
        test_size=args.test_size,
        cv=args.cv,
        experiment=args.experiment,
        seed=args.seed,
        tracking_uri=ctx.tracking_uri,
    )


def _tune_arguments(parser: CommandParser) -> None:
    _common(parser)
    parser.add_argument("--trials", type=int, default=50, help="trials to run (default 50)")
    parser.add_argument("--timeout", type=float, help="stop starting trials after S seconds")
    parser.add_argument("--metric", type=text, help="default: f1 or rmse")


def _tune(ctx: Context, args: argparse.Namespace) -> Any:
    session = ctx.session(args.session)
    params = assignments(args.params, "%hydroml tune")
    return session.tune(
        args.target,
        model=args.model,
        n_trials=args.trials,
        timeout=args.timeout,
        metric=args.metric,
        task=args.task,
        params=params or None,
        preset=args.preset,
        features=args.features,
        test_size=args.test_size,
        cv=args.cv,
        experiment=args.experiment,
        seed=args.seed,
        tracking_uri=ctx.tracking_uri,
    )


def _runs_arguments(parser: CommandParser) -> None:
    parser.add_argument("--experiment", type=text, help="only this experiment")
    parser.add_argument(
        "--trials", action="store_true", help="include each tuning trial's child run"
    )


def _runs(ctx: Context, args: argparse.Namespace) -> pd.DataFrame:
    from hydroml_jupyter.experiments import runs

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
        synopsis="TARGET [--model M] [--preset P] [--cv K] [key=value ...]",
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
        synopsis="TARGET [--model M] [--trials N] [--timeout S]",
    ),
    Command(
        "runs",
        "the leaderboard of tracked runs, best first",
        "experiments",
        _runs,
        _runs_arguments,
        synopsis="[--experiment E]",
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
