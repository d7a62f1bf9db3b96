# ruff: noqa: N803, N806, PLR0917 - X/y are scikit-learn's names; fit steps take many arrays
"""The worker of :func:`~hydroml_jupyter.experiments.tune`: an Optuna study, trials as child runs.

Storage
-------
``storage=None`` keeps the study in memory. An RDB URL (``sqlite:///study.db``,
``postgresql://...``) or a Redis URL (``redis://host:6379/0``, stored with
``optuna.storages.JournalStorage(JournalRedisBackend(url))``) lets tuners in
other kernels or machines join the same ``study_name``; a path ending in
``.log`` uses a journal file. An ``optuna`` storage object is used as is.

Pruning
-------
With ``pruner="median"`` (``MedianPruner``, 5 warm-up steps) xgboost,
gradient boosting and random forest trials report their validation loss every
round (or chunk) and stop when they fall behind the median of earlier trials;
with ``cv`` they report the mean score after each fold. A pruned trial's child
run ends ``KILLED`` with tag ``hydroml.trial_state=PRUNED``.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from hydroml_jupyter.experiments import tracking
from hydroml_jupyter.experiments.catalog import MAIN_METRIC, lower_is_better
from hydroml_jupyter.experiments.errors import ExperimentError, one_line
from hydroml_jupyter.experiments.evaluation import holdout
from hydroml_jupyter.experiments.fitting import EarlyStopError, Hooks, fit_pipeline
from hydroml_jupyter.experiments.handle import TuningRun
from hydroml_jupyter.experiments.interrupt import abandonable
from hydroml_jupyter.experiments.metrics import evaluate
from hydroml_jupyter.experiments.options import Job
from hydroml_jupyter.experiments.running import Tracked
from hydroml_jupyter.experiments.scoring import split
from hydroml_jupyter.experiments.spaces import search_space
from hydroml_jupyter.experiments.train import keep_model, prepare, run_params
from hydroml_jupyter.experiments.writer import RunCancelledError, RunWriter

__all__ = ["METRICS", "Tuner", "open_storage"]

METRICS = {
    "classification": ("accuracy", "f1", "roc_auc", "log_loss"),
    "regression": ("rmse", "mae", "r2"),
}


def open_storage(storage: Any) -> Any:
    """Return an Optuna storage (or URL) for ``storage``: Redis and ``.log`` become journals."""
    if storage is None or not isinstance(storage, str):
        return storage
    if storage.startswith(("redis://", "rediss://", "unix://")):
        from optuna.storages import JournalStorage
        from optuna.storages.journal import JournalRedisBackend

        return JournalStorage(JournalRedisBackend(storage))
    if storage.endswith(".log") and "://" not in storage:
        from optuna.storages import JournalStorage
        from optuna.storages.journal import JournalFileBackend

        return JournalStorage(JournalFileBackend(storage))
    return storage


def _suggest(trial: Any, name: str, dim: dict[str, Any]) -> Any:
    if dim["type"] == "int":
        return trial.suggest_int(name, int(dim["low"]), int(dim["high"]), log=bool(dim.get("log")))
    if dim["type"] == "float":
        return trial.suggest_float(
            name, float(dim["low"]), float(dim["high"]), log=bool(dim.get("log"))
        )
    return trial.suggest_categorical(name, dim["choices"])


class Tuner:
    """The work of one :func:`tune` run: it writes its run through ``writer``.

    ``tracked`` is where it notes the parent MLflow run, for the run's end.
    """

    def __init__(self, writer: RunWriter, tracked: Tracked, job: Job, opts: dict[str, Any]) -> None:
        self.writer, self.tracked, self.job, self.opts = writer, tracked, job, opts
        assert isinstance(writer.handle, TuningRun), "a tuning worker writes a TuningRun"
        self.handle = writer.handle
        self.best: tuple[float, int, Any] | None = None
        self.finished = 0
        self.first_error: str | None = None

    @property
    def client(self) -> Any:
        """The ``MlflowClient`` of the parent run, once opened (None without tracking)."""
        return self.tracked.client

    def parent(self) -> tuple[str, str]:
        """Return the experiment id and run id of the parent MLflow run (tracking opened it)."""
        experiment_id, run_id = self.handle.experiment_id, self.handle.run_id
        if experiment_id is None or run_id is None:
            raise ExperimentError(f"{self.handle.name}: its MLflow run is not open")
        return experiment_id, run_id

    def child(self, trial: Any, params: dict[str, Any], task: str, X: pd.DataFrame) -> str | None:
        if self.client is None:
            return None
        experiment_id, parent_id = self.parent()
        run_id = tracking.start_run(
            self.client,
            experiment_id,
            f"{self.job.run_name}-trial-{trial.number}",
            {
                "mlflow.parentRunId": parent_id,
                "hydroml.kind": "trial",
                "hydroml.model": self.job.model,
                "hydroml.task": task,
                "hydroml.target": str(self.job.target),
                "hydroml.trial": trial.number,
            },
        )
        tracking.log_params(self.client, run_id, {**run_params(self.job, task, X), **params})
        return run_id

    def objective(self, trial: Any, task: str, X: pd.DataFrame, y: np.ndarray, data: Any) -> float:
        import optuna

        if self.handle.cancel_requested:
            raise optuna.TrialPruned("cancelled")
        params = {**self.job.params, **{n: _suggest(trial, n, d) for n, d in self.space.items()}}
        run_id = self.child(trial, params, task, X)
        buffer = tracking.MetricBuffer(self.client, run_id) if run_id else None
        sign = 1.0 if self.direction == "minimize" else -1.0
        every = max(1, int(params.get("n_estimators") or 100) // 50)
        pruned: list[bool] = []
        reported = [0]

        def on_step(step: int, values: dict[str, float]) -> None:
            if self.handle.cancel_requested:
                return  # the trial was given up: an abandoned fit reports nothing more
            if buffer is not None and values:
                buffer.add(values, step)
            key = next((k for k in values if k.startswith("val_")), None)
            # report on a fixed grid of steps, so trials are compared at the same steps
            # even when a forest's chunks end at different tree counts
            mark = step // every * every
            if key is None or self.job.cv or mark <= reported[-1]:
                return
            reported.append(mark)
            lower = key.endswith(("logloss", "rmse"))
            trial.report(values[key] * (sign if lower else -sign), mark)
            if trial.should_prune():
                pruned.append(True)

        hooks = Hooks(
            should_stop=lambda: (
                "cancel" if self.handle.cancel_requested else ("prune" if pruned else None)
            ),
            on_step=on_step,
            log=self.writer.log,
        )
        state, value = "FAILED", None
        metrics: dict[str, float] = {}
        failure: BaseException | None = None

        def work() -> tuple[dict[str, float], Any]:
            if self.job.cv:
                return self.cross_validate(trial, params, task, X, y, hooks), None
            X_tr, X_va, y_tr, y_va = data
            pipe = fit_pipeline(
                self.job.model, task, params, self.job.seed, X_tr, y_tr, X_va, y_va, hooks
            )
            return evaluate(pipe, X_va, y_va, task), pipe

        try:
            metrics, pipe = abandonable(work, self.cancelled, on_thread=self.watch_thread)
            if self.metric not in metrics:
                raise ExperimentError(
                    f"metric {self.metric!r} is not available for {self.job.model}"
                )
            value, state = metrics[self.metric], "COMPLETE"
            trial.set_user_attr("metrics", metrics)
            if not self.job.cv and (self.best is None or sign * value < sign * self.best[0]):
                self.best = (value, trial.number, pipe)
            return value
        except optuna.TrialPruned:
            state = "PRUNED"
            raise
        except EarlyStopError as exc:
            state = "PRUNED"
            raise optuna.TrialPruned(exc.reason) from None
        except Exception as exc:
            failure = exc
            self.first_error = self.first_error or one_line(exc)
            raise
        finally:
            if run_id is not None:
                if buffer is not None:
                    buffer.add(metrics, 0)
                    buffer.flush()
                self.client.set_tag(run_id, "hydroml.trial_state", state)
                status = {"COMPLETE": "completed", "PRUNED": "cancelled"}.get(state, "failed")
                why: str | None
                if state == "PRUNED":
                    why = self.handle.end_reason if self.handle.cancel_requested else "pruned"
                else:
                    why = one_line(failure) if failure is not None else None
                tracking.end_run(self.client, run_id, status, why)

    def cancelled(self) -> str | None:
        """``"cancel"`` once the run was cancelled (a fit then is abandoned), else ``None``."""
        return "cancel" if self.handle.cancel_requested else None

    def watch_thread(self, thread: Any) -> None:
        """Keep the thread that fits the current trial on the handle."""
        self.handle.fit_thread = thread

    def cross_validate(
        self,
        trial: Any,
        params: dict[str, Any],
        task: str,
        X: pd.DataFrame,
        y: np.ndarray,
        hooks: Hooks,
    ) -> dict[str, float]:
        import optuna
        from sklearn.model_selection import KFold, StratifiedKFold

        folds = self.job.cv
        assert folds is not None, "a trial is cross-validated only with cv"
        strat = task == "classification" and pd.Series(y).value_counts().min() >= folds
        cls = StratifiedKFold if strat else KFold
        scores = []
        for k, (tr, va) in enumerate(
            cls(folds, shuffle=True, random_state=self.job.seed).split(X, y)
        ):
            pipe = fit_pipeline(
                self.job.model,
                task,
                params,
                self.job.seed,
                X.iloc[tr],
                y[tr],
                X.iloc[va],
                y[va],
                hooks,
            )
            scores.append(evaluate(pipe, X.iloc[va], y[va], task))
            mean = float(np.mean([s.get(self.metric, np.nan) for s in scores]))
            trial.report(mean, k + 1)
            if trial.should_prune():
                raise optuna.TrialPruned(f"pruned after fold {k + 1}")
        return {str(k): float(v) for k, v in pd.DataFrame(scores).mean().items()}

    def on_trial(self, study: Any, frozen: Any) -> None:
        self.finished += 1
        try:
            best = study.best_value
        except ValueError:
            best = None
        self.writer.add_step(
            {
                "trial": frozen.number,
                "state": frozen.state.name,
                "value": frozen.value,
                "best_value": best,
                "params": dict(frozen.params),
                "duration": frozen.duration.total_seconds() if frozen.duration else None,
            }
        )
        n = self.opts["n_trials"]
        if n:
            self.writer.progress(self.finished / n)
        if self.handle.cancel_requested:
            study.stop()

    def run(self, df: pd.DataFrame, lineage: tracking.Lineage) -> Any:
        import optuna

        job, handle = self.job, self.handle
        self.source = (df, lineage)
        X, y, task = prepare(df, job, self.writer.log)
        handle.task = task
        self.metric = self.opts["metric"] or MAIN_METRIC[task]
        if self.metric not in METRICS[task]:
            raise ExperimentError(
                f"metric {self.metric!r} is not a {task} metric: "
                f"choose one of {', '.join(METRICS[task])}"
            )
        self.direction: Literal["minimize", "maximize"] = (
            "minimize" if lower_is_better(self.metric) else "maximize"
        )
        self.space = search_space(job.model, self.opts["search_space"])
        pruner = self.opts["pruner"]
        if pruner == "median":
            n = self.opts["n_trials"] or 20
            pruner = optuna.pruners.MedianPruner(
                n_startup_trials=max(1, min(5, n // 4)), n_warmup_steps=5
            )
        elif pruner in (None, "none"):
            pruner = optuna.pruners.NopPruner()
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.create_study(
            storage=open_storage(self.opts["storage"]),
            study_name=self.opts["study_name"],
            direction=self.direction,
            pruner=pruner,
            load_if_exists=True,
        )
        if study.direction.name.lower() != self.direction:
            raise ExperimentError(f"study {study.study_name!r} already optimises the other way")
        study.sampler = optuna.samplers.TPESampler(seed=job.seed + len(study.trials))
        handle.study, handle.study_name = study, study.study_name
        if job.track:
            self.tracked.client = tracking.get_client(job.tracking_uri)
            handle.tracking_uri = job.tracking_uri
            handle.experiment_id = tracking.get_experiment_id(
                self.client, job.experiment, job.tracking_uri
            )
            handle.run_id = tracking.start_run(
                self.client,
                handle.experiment_id,
                job.run_name,
                {
                    "hydroml.kind": "tune",
                    "hydroml.model": job.model,
                    "hydroml.task": task,
                    "hydroml.target": str(job.target),
                    "hydroml.study": study.study_name,
                },
            )
            from hydroml_jupyter.io.source import mask_url

            storage = self.opts["storage"]
            tracking.log_params(
                self.client,
                handle.run_id,
                {
                    **run_params(job, task, X),
                    "n_trials": self.opts["n_trials"],
                    "metric": self.metric,
                    "direction": self.direction,
                    "study_name": study.study_name,
                    "storage": mask_url(storage)
                    if isinstance(storage, str)
                    else type(storage).__name__,
                },
            )
            frame = X.assign(**{str(job.target): y})
            tracking.log_lineage(self.client, handle.run_id, lineage, frame)
        data = None if job.cv else split(X, y, task, job.test_size, job.seed, self.writer.log)
        study.optimize(
            lambda t: self.objective(t, task, X, y, data),
            n_trials=self.opts["n_trials"],
            timeout=self.opts["timeout"],
            callbacks=[self.on_trial],
            catch=(Exception,),
        )
        return self.finish(study, task, X, y, data)

    def finish(self, study: Any, task: str, X: pd.DataFrame, y: np.ndarray, data: Any) -> Any:
        handle, job = self.handle, self.job
        try:
            best = study.best_trial
        except ValueError:
            if handle.cancel_requested:
                raise RunCancelledError from None
            why = self.first_error or "all were pruned"
            raise ExperimentError(f"no trial completed: {why}") from None
        metrics = dict(best.user_attrs.get("metrics") or {self.metric: best.value})
        self.writer.set_metrics(metrics)
        self.writer.log(f"best trial {best.number}: {self.metric}={best.value:.4g} {best.params}")
        if self.client is not None:
            _, run_id = self.parent()
            tracking.log_params(
                self.client, run_id, {f"best_{k}": v for k, v in best.params.items()}
            )
            buffer = tracking.MetricBuffer(self.client, run_id)
            buffer.add({**metrics, "best_trial": best.number}, 0)
            buffer.flush()
        self.writer.check_cancel()
        cached = self.best[2] if self.best is not None and self.best[1] == best.number else None

        def refit() -> tuple[Any, Any]:
            pipe = cached
            if pipe is None:
                params = {**job.params, **best.params}
                Xf, yf, Xv, yv = (
                    (X, y, None, None) if job.cv else (data[0], data[2], data[1], data[3])
                )
                hooks = Hooks(should_stop=self.cancelled, log=self.writer.log)
                pipe = fit_pipeline(job.model, task, params, job.seed, Xf, yf, Xv, yv, hooks)
            if data is None:
                return pipe, None
            source = "validation split"
            return pipe, holdout(pipe, data[1], data[3], task, source, permute=True, seed=job.seed)

        pipe, held = abandonable(refit, self.cancelled, on_thread=self.watch_thread)
        if held is not None:
            handle.holdout = held
        run = self.parent() if self.client is not None else None
        keep_model(
            self.writer,
            job,
            self.source,
            (X, y, task),
            pipe=pipe,
            metrics=metrics,
            client=self.client,
            run=run,
        )
        return pipe
