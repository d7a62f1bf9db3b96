"""Read tracked runs back: a leaderboard and a side-by-side comparison."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from hydroml_jupyter.experiments import lifecycle, tracking
from hydroml_jupyter.experiments.catalog import MAIN_METRIC
from hydroml_jupyter.experiments.errors import ExperimentError
from hydroml_jupyter.experiments.presets import resolve_tracking_uri

__all__ = ["compare", "runs"]

METRIC_COLUMNS = ("accuracy", "f1", "roc_auc", "log_loss", "rmse", "mae", "r2")
_BOOKKEEPING = frozenset(
    {
        "model",
        "preset",
        "task",
        "target",
        "test_size",
        "cv",
        "seed",
        "n_rows",
        "n_features",
        "n_trials",
        "metric",
        "direction",
        "study_name",
        "storage",
    }
)
COLUMNS = [
    "run_id",
    "run_name",
    "model",
    "task",
    "kind",
    "status",
    "end_reason",
    *METRIC_COLUMNS,
    "duration",
    "params",
    "target",
    "experiment",
    "start_time",
]


def _duration(info: Any) -> float | None:
    if info.end_time and info.start_time:
        return (info.end_time - info.start_time) / 1000.0
    return None


def _status(client: Any, run: Any) -> tuple[str, str | None]:
    """Return the run's status and end reason, after ending it if its process here is gone."""
    reason = run.data.tags.get(tracking.END_REASON)
    try:
        stale = lifecycle.reap(client, run)
    except Exception as exc:  # a read-only or unreachable store: show it as it is
        return run.info.status, f"its process is gone, but the run could not be ended: {exc}"
    if stale is not None:
        return "KILLED", stale
    return run.info.status, reason


def _search(client: Any, experiment_ids: list[str]) -> list[Any]:
    found: list[Any] = []
    token = None
    while True:
        page = client.search_runs(experiment_ids, max_results=1000, page_token=token)
        found += list(page)
        token = page.token
        if not token:
            return found


def runs(
    experiment: str | None = None,
    tracking_uri: str | None = None,
    include_trials: bool = False,
) -> pd.DataFrame:
    """Return a leaderboard of hydroml runs, best first.

    Rows are grouped by task (classification first); within a task they are
    ranked by its main metric (``f1`` high first, ``rmse`` low first), runs
    without it last.

    A ``RUNNING`` run whose process on this host is gone (killed, crashed) is ended
    ``KILLED`` as it is listed, and ``end_reason`` says so; ``end_reason`` also says
    why a run was cancelled or failed. Runs of other hosts are shown as they are.

    Parameters
    ----------
    experiment
        Only this experiment (default: every experiment).
    tracking_uri
        The MLflow tracking URI (default as in :func:`train`).
    include_trials
        Include the child run of every tuning trial.

    Raises
    ------
    ExperimentError
        When ``experiment`` does not exist.
    """
    uri = resolve_tracking_uri(tracking_uri)
    client = tracking.get_client(uri)
    if experiment is not None:
        found = client.get_experiment_by_name(experiment)
        if found is None:
            raise ExperimentError(f"no MLflow experiment named {experiment!r} at {uri}")
        experiments = {found.experiment_id: found.name}
    else:
        experiments = {e.experiment_id: e.name for e in client.search_experiments()}
    rows = []
    for run in _search(client, list(experiments)):
        tags, params, metrics = run.data.tags, run.data.params, run.data.metrics
        kind = tags.get("hydroml.kind")
        if kind is None:
            continue
        status, reason = _status(client, run)
        if kind == "trial" and not include_trials:
            continue
        summary = ", ".join(
            f"{k}={v}"
            for k, v in sorted(params.items())
            if k not in _BOOKKEEPING and not k.startswith("best_")
        )
        rows.append(
            {
                "run_id": run.info.run_id,
                "run_name": run.info.run_name,
                "model": tags.get("hydroml.model"),
                "task": tags.get("hydroml.task"),
                "kind": kind,
                "status": status,
                "end_reason": reason,
                **{m: metrics.get(m, np.nan) for m in METRIC_COLUMNS},
                "duration": _duration(run.info),
                "params": summary,
                "target": tags.get("hydroml.target"),
                "experiment": experiments[run.info.experiment_id],
                "start_time": pd.to_datetime(run.info.start_time, unit="ms", utc=True),
            }
        )
    table = pd.DataFrame(rows, columns=COLUMNS)
    if table.empty:
        return table
    regression = table["task"] == "regression"
    score = np.where(
        regression, table[MAIN_METRIC["regression"]], -table[MAIN_METRIC["classification"]]
    )
    table = table.assign(_group=regression.astype(int), _score=score)
    table = table.sort_values(
        ["_group", "_score", "start_time"],
        na_position="last",
        ascending=[True, True, False],
        kind="stable",
    )
    return table.drop(columns=["_group", "_score"]).reset_index(drop=True)


def compare(run_ids: Sequence[str], tracking_uri: str | None = None) -> pd.DataFrame:
    """Return runs side by side: one column per run, rows for info, params and metrics.

    Row labels are ``run_name``, ``model``, ``task``, ``status``, ``end_reason``,
    ``duration``, then ``param.<name>`` and ``metric.<name>`` (sorted). A run whose
    process is gone is ended as in :func:`runs`.

    Raises
    ------
    ExperimentError
        When a run id does not exist.
    """
    if isinstance(run_ids, str):
        run_ids = [run_ids]
    client = tracking.get_client(resolve_tracking_uri(tracking_uri))
    columns: dict[str, dict[str, Any]] = {}
    for run_id in run_ids:
        try:
            run = client.get_run(run_id)
        except Exception as exc:
            raise ExperimentError(f"no MLflow run {run_id!r}: {exc}") from exc
        tags = run.data.tags
        status, reason = _status(client, run)
        col: dict[str, Any] = {
            "run_name": run.info.run_name,
            "model": tags.get("hydroml.model"),
            "task": tags.get("hydroml.task"),
            "status": status,
            "end_reason": reason,
            "duration": _duration(run.info),
        }
        col.update({f"param.{k}": v for k, v in run.data.params.items()})
        col.update({f"metric.{k}": v for k, v in run.data.metrics.items()})
        columns[run_id] = col
    head = ["run_name", "model", "task", "status", "end_reason", "duration"]
    rest = sorted(
        {k for c in columns.values() for k in c} - set(head),
        key=lambda k: (not k.startswith("param."), k),
    )
    table = pd.DataFrame(columns, index=pd.Index(head + rest, name="field"), dtype=object)
    return table
