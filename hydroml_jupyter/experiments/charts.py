"""The plotly charts of an ended run: what the model learned and how well it does on held-out rows.

=====================  ==========================================================
chart                  drawn for
=====================  ==========================================================
``importance``         models with ``feature_importances_`` or ``coef_`` (top 20);
                       others: permutation importance of each frame column on up
                       to 2,000 held-out rows
``confusion``          classification, up to 25 classes: true vs predicted counts
``roc``                classification with probabilities, up to 10 classes: ROC
                       curve(s) with AUC
``residuals``          regression: residual against prediction
``history``            tuning: each trial's value and the best so far
``param_importance``   tuning with two or more completed trials
=====================  ==========================================================

The classification and regression charts read the run's :class:`~hydroml_jupyter.
experiments.evaluation.Holdout` (the validation split, or the out-of-fold predictions
of a cross-validated run); each title says which rows it shows.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import numpy as np

from hydroml_jupyter.experiments.errors import ExperimentError

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from hydroml_jupyter.experiments.evaluation import Holdout
    from hydroml_jupyter.experiments.handle import RunHandle

__all__ = ["MAX_CLASSES", "MAX_ROC_CLASSES", "TOP_FEATURES", "feature_importance", "run_charts"]

#: Bars in the importance chart.
TOP_FEATURES = 20
#: Classes beyond which the confusion matrix is not drawn.
MAX_CLASSES = 25
#: Classes beyond which the one-vs-rest ROC curves are not drawn.
MAX_ROC_CLASSES = 10
_MAX_POINTS = 5_000
_HEIGHT = 360


def run_charts(handle: RunHandle) -> dict[str, go.Figure]:
    """Return the charts of an ended run, by name, in the order of the table above.

    Raises
    ------
    ExperimentError
        When the run has not completed (a failed or cancelled run has no model).
    """
    if handle.status != "completed":
        raise ExperimentError(f"{handle.name} has no charts: it is {handle.status}, not completed")
    charts: dict[str, go.Figure] = {}
    pipeline = handle.result(timeout=0)
    importance = feature_importance(pipeline) if pipeline is not None else None
    held = handle.holdout
    if importance:
        charts["importance"] = _importance(importance, handle.model)
    elif held is not None and held.importance:
        charts["importance"] = _importance(held.importance, handle.model, held.importance_rows)
    if held is not None and held.task == "classification" and len(held.classes) > 1:
        if len(held.classes) <= MAX_CLASSES:
            charts["confusion"] = _confusion(held)
            if held.proba is not None and len(held.classes) <= MAX_ROC_CLASSES:
                charts["roc"] = _roc(held)
    elif held is not None and held.task == "regression":
        charts["residuals"] = _residuals(held)
    study = getattr(handle, "study", None)
    if study is not None:
        charts.update(_tuning(study))
    return charts


def feature_importance(pipeline: Any) -> dict[str, float] | None:
    """Return the fitted model's importance per encoded feature, largest first.

    Tree models give ``feature_importances_``; linear models the mean absolute
    coefficient over classes. Models with neither (k-NN, kernel SVM) give ``None``.
    """
    steps = getattr(pipeline, "named_steps", {})
    model = steps.get("model")
    values = getattr(model, "feature_importances_", None)
    raw_coef = getattr(model, "coef_", None)
    if values is None and raw_coef is not None:
        coef = np.atleast_2d(np.asarray(raw_coef, dtype=np.float64))
        values = np.abs(coef).mean(axis=0)
    if values is None:
        return None
    values = np.asarray(values, dtype=np.float64).ravel()
    names = _feature_names(steps.get("preprocess"), len(values))
    order = np.argsort(-values, kind="stable")
    return {names[i]: float(values[i]) for i in order}


def _feature_names(pre: Any, width: int) -> list[str]:
    """Name each encoded column after the frame column it came from."""
    names: list[str] = []
    for _name, part, columns in getattr(pre, "transformers_", []):
        if part == "drop" or not len(columns):
            continue
        last = part.steps[-1][1] if hasattr(part, "steps") else part
        if hasattr(last, "categories_"):
            names += [str(n) for n in last.get_feature_names_out([str(c) for c in columns])]
        elif _name == "datetime":
            names += [f"{c} {p}" for c in columns for p in ("year", "month", "day", "weekday")]
        else:
            names += [str(c) for c in columns]
    if len(names) != width:
        return [f"feature {i}" for i in range(width)]
    return names


def _figure(title: str, **layout: Any) -> go.Figure:
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.update_layout(
        title=title, height=_HEIGHT, margin={"l": 60, "r": 20, "t": 50, "b": 50}, **layout
    )
    return _neutral(fig)


def _neutral(fig: go.Figure) -> go.Figure:
    """Clear backgrounds and mid-grey text and grid, legible on light and dark themes alike."""
    grid = "rgba(128, 128, 128, 0.25)"
    fig.update_layout(
        paper_bgcolor="rgba(0, 0, 0, 0)",
        plot_bgcolor="rgba(0, 0, 0, 0)",
        font={"color": "#808080"},
    )
    fig.update_xaxes(gridcolor=grid, zerolinecolor=grid)
    fig.update_yaxes(gridcolor=grid, zerolinecolor=grid)
    return fig


def _importance(values: dict[str, float], model: str, permuted_rows: int = 0) -> go.Figure:
    import plotly.graph_objects as go

    top = list(values.items())[:TOP_FEATURES]
    shown = f"top {len(top)} of {len(values)}" if len(values) > len(top) else f"{len(top)}"
    if permuted_rows:
        title = f"Permutation importance ({model}, {shown} columns, {permuted_rows:,} rows)"
    else:
        title = f"Feature importance ({model}, {shown} features)"
    fig = _figure(title)
    names = [_text(k) for k, _ in top][::-1]
    fig.add_trace(go.Bar(x=[v for _, v in top][::-1], y=names, orientation="h"))
    fig.update_layout(height=max(_HEIGHT, 22 * len(top) + 100), xaxis_title="importance")
    return fig


def _confusion(held: Holdout) -> go.Figure:
    import plotly.graph_objects as go
    from sklearn.metrics import confusion_matrix

    labels = [_text(c) for c in held.classes]
    counts = confusion_matrix(held.y_true, held.y_pred, labels=held.classes)
    fig = _figure(f"Confusion matrix ({held.note})")
    fig.add_trace(
        go.Heatmap(
            z=counts,
            x=labels,
            y=labels,
            text=counts,
            texttemplate="%{text}",
            colorscale="Blues",
            showscale=False,
        )
    )
    fig.update_xaxes(title="predicted", type="category")
    fig.update_yaxes(title="true", type="category", autorange="reversed")
    return fig


def _roc(held: Holdout) -> go.Figure:
    import plotly.graph_objects as go
    from sklearn.metrics import roc_auc_score, roc_curve

    assert held.proba is not None
    fig = _figure(f"ROC ({held.note})", xaxis_title="false positive rate")
    fig.update_layout(yaxis_title="true positive rate")
    binary = len(held.classes) == 2
    shown = held.classes[1:] if binary else held.classes
    for k, cls in enumerate(held.classes):
        if cls not in shown:
            continue
        truth = held.y_true == cls
        if truth.all() or not truth.any():
            continue
        fpr, tpr, _ = roc_curve(truth, held.proba[:, k])
        auc = roc_auc_score(truth, held.proba[:, k])
        name = f"AUC {auc:.3f}" if binary else f"{_text(cls)}: AUC {auc:.3f}"
        fig.add_trace(go.Scatter(x=_thin(fpr), y=_thin(tpr), mode="lines", name=name))
    fig.add_trace(
        go.Scatter(
            x=[0, 1], y=[0, 1], mode="lines", name="chance", line={"dash": "dot", "color": "gray"}
        )
    )
    return fig


def _residuals(held: Holdout) -> go.Figure:
    import plotly.graph_objects as go

    pred = held.y_pred.astype(np.float64)
    residual = held.y_true.astype(np.float64) - pred
    note = held.note
    if len(pred) > _MAX_POINTS:
        keep = np.linspace(0, len(pred) - 1, _MAX_POINTS).astype(np.int64)
        pred, residual = pred[keep], residual[keep]
        note += f", {_MAX_POINTS:,} drawn"
    fig = _figure(f"Residuals ({note})", xaxis_title="predicted", yaxis_title="true - predicted")
    fig.add_trace(
        go.Scattergl(x=pred, y=residual, mode="markers", marker={"size": 4, "opacity": 0.6})
    )
    fig.add_hline(y=0, line={"dash": "dot", "color": "gray"})
    return fig


def _tuning(study: Any) -> dict[str, go.Figure]:
    import optuna
    from optuna.visualization import plot_optimization_history, plot_param_importances

    done = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    out: dict[str, go.Figure] = {}
    if not done:
        return out
    out["history"] = _neutral(plot_optimization_history(study).update_layout(height=_HEIGHT))
    varied = {k for t in done for k in t.params if len({repr(u.params.get(k)) for u in done}) > 1}
    if len(done) >= 2 and varied:
        try:
            fig = plot_param_importances(study)
        except (ValueError, RuntimeError):  # e.g. every trial scored the same
            return out
        out["param_importance"] = _neutral(fig.update_layout(height=_HEIGHT))
    return out


def _text(value: object) -> str:
    """Return a name or label as plotly text: escaped, as plotly reads tags like ``<a>``."""
    return html.escape(str(value), quote=False)


def _thin(values: np.ndarray) -> np.ndarray:
    """At most ``_MAX_POINTS`` points of a curve, its ends kept."""
    if len(values) <= _MAX_POINTS:
        return values
    return values[np.linspace(0, len(values) - 1, _MAX_POINTS).astype(np.int64)]
