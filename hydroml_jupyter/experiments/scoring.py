# ruff: noqa: N803, N806, PLR0917 - X/y are scikit-learn's names
"""Fit and score one model: on a validation split, or by K folds then refit on every row."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hydroml_jupyter.experiments import tracking
from hydroml_jupyter.experiments.evaluation import Holdout, holdout, merge
from hydroml_jupyter.experiments.fitting import Hooks, fit_pipeline
from hydroml_jupyter.experiments.metrics import evaluate
from hydroml_jupyter.experiments.writer import RunWriter

if TYPE_CHECKING:
    from hydroml_jupyter.experiments.options import Job

__all__ = ["fit_and_score", "make_hooks", "split"]


def split(X: pd.DataFrame, y: np.ndarray, task: str, test_size: float, seed: int, log: Any) -> Any:
    """Split rows into train and validation, stratified for classification when possible."""
    from sklearn.model_selection import train_test_split

    stratify = None
    if task == "classification":
        # the same split as by the labels: sorted codes, without sorting every label
        found = pd.factorize(y, sort=True)[0]
        counts = np.bincount(found[found >= 0])
        if counts.size and counts.min() >= 2 and len(counts) <= test_size * len(y):
            stratify = found
        else:
            log("validation split is not stratified: some class has fewer than 2 rows")
    return train_test_split(X, y, test_size=test_size, random_state=seed, stratify=stratify)


def make_hooks(writer: RunWriter, part: float = 0.0, parts: int = 1, **kw: Any) -> Hooks:
    """Hooks that report to ``writer``'s run (progress scaled into slot ``part`` of ``parts``)."""
    handle = writer.handle
    return Hooks(
        should_stop=lambda: "cancel" if handle.cancel_requested else None,
        on_progress=lambda f: writer.progress((part + f) / parts),
        log=writer.log,
        **kw,
    )


def fit_and_score(
    writer: RunWriter,
    job: Job,
    X: pd.DataFrame,
    y: np.ndarray,
    task: str,
    buffer: tracking.MetricBuffer | None,
    hooks: Hooks | None = None,
) -> tuple[Any, dict[str, float], Holdout]:
    """Fit on a split (per-step history) or by ``cv`` folds (per-fold history) and score.

    Returns
    -------
    tuple
        The fitted pipeline, its metrics and the held-out rows the charts draw.
    """
    if job.cv is None:
        X_tr, X_va, y_tr, y_va = split(X, y, task, job.test_size, job.seed, writer.log)

        def on_step(step: int, values: dict[str, float]) -> None:
            # a fit abandoned on cancel may still report: the ended run takes nothing
            if writer.add_step({"step": step, **values}) and buffer is not None and values:
                buffer.add(values, step)

        hooks = hooks or make_hooks(writer, on_step=on_step)
        pipe = fit_pipeline(job.model, task, job.params, job.seed, X_tr, y_tr, X_va, y_va, hooks)
        held = holdout(
            pipe,
            X_va,
            y_va,
            task,
            "validation split",
            permute=True,
            seed=job.seed,
            features=hooks.validation,
        )
        return pipe, evaluate(pipe, X_va, y_va, task, held), held
    from sklearn.model_selection import KFold, StratifiedKFold

    strat = task == "classification" and pd.Series(y).value_counts().min() >= job.cv
    splitter = (StratifiedKFold if strat else KFold)(job.cv, shuffle=True, random_state=job.seed)
    scores: list[dict[str, float]] = []
    folds: list[Holdout] = []
    for k, (tr, va) in enumerate(splitter.split(X, y)):
        writer.check_cancel()
        fold_hooks = make_hooks(writer, k, job.cv + 1)
        pipe = fit_pipeline(
            job.model, task, job.params, job.seed, X.iloc[tr], y[tr], X.iloc[va], y[va], fold_hooks
        )
        held = holdout(pipe, X.iloc[va], y[va], task, "fold", features=fold_hooks.validation)
        score = evaluate(pipe, X.iloc[va], y[va], task, held)
        scores.append(score)
        folds.append(held)
        if writer.add_step({"fold": k + 1, **score}) and buffer is not None:
            buffer.add({f"cv_{m}": v for m, v in score.items()}, k + 1)
    table = pd.DataFrame(scores)
    metrics = {
        **{str(m): v for m, v in table.mean().items()},
        **{f"{m}_std": v for m, v in table.std().items()},
    }
    pipe = fit_pipeline(
        job.model,
        task,
        job.params,
        job.seed,
        X,
        y,
        None,
        None,
        make_hooks(writer, job.cv, job.cv + 1),
    )
    merged = merge(folds, f"out-of-fold predictions of {job.cv} folds")
    return pipe, {k: float(v) for k, v in metrics.items() if pd.notna(v)}, merged
