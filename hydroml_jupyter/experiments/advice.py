"""Which model of the catalog to train on this data, with which metric and preset, and why.

:func:`suggest_models` measures the data (task, rows, feature types, class balance,
missing values, high-cardinality categoricals), scores every catalog model that can do
the task, and proposes a metric and a preset. It is deterministic.

A model's score starts at its prior (:data:`PRIORS`); each rule that fires adds its
:data:`EFFECTS` to the models it names; the score is clipped to [0, 1]. Ties keep catalog
order. The rules (:data:`RULES`, one function each, returning the reason or ``None``):

=====================  ============================================================
rule                   fires when
=====================  ============================================================
``small_data``         fewer than 1,000 rows have a target
``tiny_data``          fewer than 100 rows have a target (on top of ``small_data``)
``large_data``         at least 50,000 rows
``categorical``        at least 50 % of the typed features are categorical or text
``high_cardinality``   a categorical or text feature has more distinct values than
                       the 30 one-hot columns the training pipeline keeps
``free_text``          at least 30 % of the typed features are free text
``missing``            at least 10 % of the feature cells are missing
``imbalance``          classification, majority / minority class count >= 4
``many_classes``       at least 10 classes
``numeric``            every typed feature is numeric, 100 to 9,999 rows
``wide``               more features than a tenth of the rows
``datetime``           a datetime feature
=====================  ============================================================

Typed features are the columns besides the target, constants and identifiers aside;
numbers and dates stored as text count as text (the pipeline one-hot encodes them until
they are cast).

Metric (:func:`choose_metric`, a metric training logs): regression: ``rmse``, or ``mae``
when more than 5 % of the target values are outliers. Binary: ``roc_auc`` when balanced;
when imbalanced, ``f1`` if the minority class is the positive label (the second class in
sorted order, which ``f1`` scores), else ``roc_auc``. Multiclass: ``accuracy`` when
balanced, ``f1`` (macro) when imbalanced.

Preset (:func:`choose_preset`): ``fast`` below 1,000 rows, and for svm, knn and
gradient_boosting from 100,000 rows; ``balanced`` otherwise.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import pandas as pd

from hydroml_jupyter.experiments.advice_result import ModelAdvice, ModelChoice
from hydroml_jupyter.experiments.catalog import MODELS, infer_task
from hydroml_jupyter.experiments.errors import ExperimentError
from hydroml_jupyter.experiments.preprocess import MAX_CATEGORIES, prepare_target
from hydroml_jupyter.labels import Label

__all__ = [
    "EFFECTS",
    "PRIORS",
    "RULES",
    "DataFacts",
    "ModelAdvice",
    "ModelChoice",
    "check_target",
    "choose_metric",
    "choose_preset",
    "measure",
    "suggest_models",
]

PRIORS: dict[str, tuple[float, str]] = {
    "xgboost": (0.70, "boosted trees, a strong default on tabular data"),
    "random_forest": (0.66, "a robust forest that needs little tuning"),
    "gradient_boosting": (0.62, "boosted trees, slower than xgboost"),
    "logistic_regression": (0.55, "a fast, interpretable linear baseline"),
    "ridge": (0.50, "a regularised linear model"),
    "linear": (0.45, "an unregularised linear baseline"),
    "svm": (0.45, "a kernel model, good on small scaled numeric data"),
    "knn": (0.40, "nearest neighbours, sensitive to scale and noise"),
}
TREES = ("xgboost", "random_forest", "gradient_boosting")
BOOSTING = ("xgboost", "gradient_boosting")
LINEAR = ("logistic_regression", "ridge", "linear")
IMBALANCE_RATIO = 4.0


def _each(models: tuple[str, ...], delta: float) -> dict[str, float]:
    return dict.fromkeys(models, delta)


#: Points each rule adds to (or takes from) each model's score when it fires.
EFFECTS: dict[str, dict[str, float]] = {
    "small_data": {**_each(LINEAR, 0.10), **_each(BOOSTING, -0.10)},
    "tiny_data": {**_each(LINEAR, 0.05), **_each(BOOSTING, -0.05)},
    "large_data": {"svm": -0.30, "knn": -0.20, "gradient_boosting": -0.10, "xgboost": 0.05},
    "categorical": {**_each(TREES, 0.05), "knn": -0.10, "svm": -0.05},
    "high_cardinality": {"knn": -0.10, "svm": -0.05},
    "free_text": {"logistic_regression": 0.05, "ridge": 0.05, "knn": -0.15, "svm": -0.10},
    "missing": {**_each(TREES, 0.03), "knn": -0.10, "svm": -0.05},
    "imbalance": {**_each(BOOSTING, 0.05), "knn": -0.10, "svm": -0.05},
    "many_classes": {"svm": -0.10, "gradient_boosting": -0.10},
    "numeric": {"svm": 0.10, "knn": 0.05},
    "wide": {"ridge": 0.10, "logistic_regression": 0.10, "linear": -0.10, "knn": -0.10},
    "datetime": _each(TREES, 0.03),
}
#: Feature kind of each semantic type (constants and identifiers have none).
_GROUPS = {"numeric": "numeric", "boolean": "numeric", "categorical": "categorical"}
_GROUPS |= {"text": "text", "numbers_as_text": "text", "dates_as_text": "text"}
_GROUPS |= {"datetime": "datetime"}


@dataclasses.dataclass(frozen=True)
class DataFacts:
    """The figures the rules read, measured on the frame and its profile."""

    target: Label
    task: str
    rows: int
    features: int
    kinds: dict[str, int]
    missing_share: float
    high_cardinality: tuple[tuple[Label, int], ...]
    free_text: tuple[Label, ...]
    classes: dict[Any, int]
    positive: Any = None
    target_outliers: float = 0.0

    def share(self, *kinds: str) -> float:
        """Return the share of typed features (no constants, no identifiers) of these kinds."""
        typed = sum(self.kinds.values())
        return sum(self.kinds[k] for k in kinds) / typed if typed else 0.0

    @property
    def minority(self) -> Any:
        """The least frequent class (ties: the first in sorted order); ``None`` for regression."""
        return min(self.classes, key=lambda k: self.classes[k]) if self.classes else None

    @property
    def imbalance(self) -> float:
        """Majority / minority class count (1.0 for regression)."""
        counts = list(self.classes.values())
        return max(counts) / min(counts) if counts else 1.0


# -- rules: each returns the reason it fires, naming the figures, or None -------------------
Rule = Callable[[DataFacts], "str | None"]


def rule_small_data(f: DataFacts) -> str | None:
    """Few rows: simple models overfit less than boosting."""
    return f"only {f.rows:,} rows: small data favours simple models" if f.rows < 1000 else None


def rule_tiny_data(f: DataFacts) -> str | None:
    """Very few rows: even more so."""
    return f"under 100 rows ({f.rows}): boosting has little to learn from" if f.rows < 100 else None


def rule_large_data(f: DataFacts) -> str | None:
    """Many rows: kernels and neighbours get slow, histogram boosting scales."""
    return f"{f.rows:,} rows: kernel and neighbour models get slow" if f.rows >= 50_000 else None


def rule_categorical(f: DataFacts) -> str | None:
    """Mostly categorical features: trees split one-hot columns well, distances do not."""
    share = f.share("categorical", "text")
    return f"{share:.0%} of features are categorical or text" if share >= 0.5 else None


def rule_high_cardinality(f: DataFacts) -> str | None:
    """Many distinct values: wide one-hot inputs blur distances."""
    named = ", ".join(f"{c} ({n:,} values)" for c, n in f.high_cardinality)
    return f"high-cardinality {named}" if named else None


def rule_free_text(f: DataFacts) -> str | None:
    """Free text becomes sparse one-hot columns: linear models cope, distances do not."""
    typed = sum(f.kinds.values())
    share = len(f.free_text) / typed if typed else 0.0
    named = ", ".join(str(c) for c in f.free_text)
    return f"{share:.0%} of features are free text ({named})" if share >= 0.3 else None


def rule_missing(f: DataFacts) -> str | None:
    """Many filled-in values: trees split around them, distances bend towards them."""
    if f.missing_share < 0.10:
        return None
    return f"{f.missing_share:.1%} of feature cells are missing"


def rule_imbalance(f: DataFacts) -> str | None:
    """Imbalanced classes: boosting keeps working on the hard minority rows."""
    if f.task != "classification" or f.imbalance < IMBALANCE_RATIO:
        return None
    minority = f.minority
    share = f.classes[minority] / sum(f.classes.values())
    return f"imbalanced classes ({f.imbalance:.1f} to 1; {minority!r} is {share:.1%})"


def rule_many_classes(f: DataFacts) -> str | None:
    """Many classes: one model per class (or pair) for svm and gradient boosting."""
    return f"{len(f.classes)} classes" if len(f.classes) >= 10 else None


def rule_numeric(f: DataFacts) -> str | None:
    """All-numeric, mid-sized data suits kernels and distances on scaled features."""
    if f.share("numeric") < 1.0 or not 100 <= f.rows < 10_000:
        return None
    return f"all {f.kinds['numeric']} typed features are numeric"


def rule_wide(f: DataFacts) -> str | None:
    """Many features for the rows: regularised linear models hold up best."""
    return f"{f.features} features for {f.rows:,} rows" if f.features > f.rows / 10 else None


def rule_datetime(f: DataFacts) -> str | None:
    """Dates become year/month/day parts: step-like signals trees split on."""
    n = f.kinds["datetime"]
    return f"{n} datetime feature{'s' * (n != 1)}" if n else None


RULES: dict[str, Rule] = {
    "small_data": rule_small_data,
    "tiny_data": rule_tiny_data,
    "large_data": rule_large_data,
    "categorical": rule_categorical,
    "high_cardinality": rule_high_cardinality,
    "free_text": rule_free_text,
    "missing": rule_missing,
    "imbalance": rule_imbalance,
    "many_classes": rule_many_classes,
    "numeric": rule_numeric,
    "wide": rule_wide,
    "datetime": rule_datetime,
}


def choose_metric(f: DataFacts) -> tuple[str, str]:
    """Return the metric (one that training logs) and why."""
    if f.task == "regression":
        if f.target_outliers > 0.05:
            return "mae", (
                f"{f.target_outliers:.1%} of the target values are outliers, "
                "which would dominate squared errors"
            )
        return "rmse", "regression: typical error in the target's units"
    total = sum(f.classes.values())
    shares = ", ".join(f"{k!r} {n / total:.0%}" for k, n in f.classes.items())
    if f.imbalance < IMBALANCE_RATIO:
        if len(f.classes) == 2:
            return "roc_auc", f"balanced binary target ({shares}): threshold-free ranking"
        return "accuracy", f"{len(f.classes)} balanced classes ({shares})"
    if len(f.classes) > 2:
        return "f1", f"imbalanced classes ({shares}): macro f1 weighs every class equally"
    minority = f.minority
    if minority == f.positive:
        return "f1", f"imbalanced binary target ({shares}): f1 of the minority {minority!r}"
    return "roc_auc", (
        f"imbalanced binary target ({shares}); f1 would score the majority {f.positive!r}"
    )


def choose_preset(f: DataFacts, model: str) -> str:
    """Return ``fast`` for small data (and slow models on large data), else ``balanced``."""
    if f.rows < 1000 or (f.rows >= 100_000 and model in ("svm", "knn", "gradient_boosting")):
        return "fast"
    return "balanced"


# -- measuring ----------------------------------------------------------------------------
def check_target(df: pd.DataFrame, target: Label) -> pd.Series:
    """Return the target's non-missing values; raise :class:`ExperimentError` naming it.

    Raises
    ------
    ExperimentError
        When ``target`` is not a column, or has fewer than two distinct values.
    """
    if not isinstance(target, Hashable) or target not in df.columns:
        raise ExperimentError(f"target {target!r} is not a column of the frame")
    y = df[target]
    y = y[y.notna()]
    values = y.unique()
    if len(values) < 2:
        what = f"one value ({values[0]!r})" if len(values) else "no values"
        raise ExperimentError(
            f"target {target!r} has {what} in {len(y)} rows: a model needs at least two"
        )
    return y


def measure(df: pd.DataFrame, target: Label, profile: Any) -> DataFacts:
    """Return the figures the rules read, from the frame and its profile."""
    y = check_target(df, target)
    task = infer_task(y)
    features = [c for c in df.columns if c != target]
    if not features:
        raise ExperimentError(f"the frame has no feature column besides the target {target!r}")
    kinds = dict.fromkeys(("numeric", "categorical", "text", "datetime"), 0)
    high: list[tuple[Label, int]] = []
    free: list[Label] = []
    for c in features:
        col = profile.columns[c]
        group = _GROUPS.get(col.semantic)
        if group is None:
            continue
        kinds[group] += 1
        distinct = col.summary.distinct or 0
        if group in ("categorical", "text") and distinct > MAX_CATEGORIES:
            high.append((c, distinct))
        if col.semantic == "text":
            free.append(c)
    nulls = sum(profile.columns[c].summary.nulls for c in features)
    classes: dict[Any, int] = {}
    positive = None
    outliers = 0.0
    if task == "classification":
        labels = prepare_target(y, task)
        found, counts = np.unique(labels, return_counts=True)
        classes = {
            k.item() if hasattr(k, "item") else k: int(n)
            for k, n in zip(found, counts, strict=True)
        }
        positive = list(classes)[1]
    else:
        extras = profile.columns[target].numeric
        outliers = float(extras.outliers_share) if extras is not None else 0.0
    return DataFacts(
        target=target,
        task=task,
        rows=len(y),
        features=len(features),
        kinds=kinds,
        missing_share=nulls / (len(df) * len(features)) if len(df) else 0.0,
        high_cardinality=tuple(high),
        free_text=tuple(free),
        classes=classes,
        positive=positive,
        target_outliers=outliers,
    )


def _fits(model: str, task: str) -> bool:
    spec = MODELS[model]
    return (spec.classifier if task == "classification" else spec.regressor) is not None


def suggest_models(data: Any, target: Label, profile: Any = None) -> ModelAdvice:
    """Rank the catalog's models for predicting ``target``, with a metric and a preset.

    Parameters
    ----------
    data
        A :class:`~hydroml_jupyter.Session` or a DataFrame.
    target
        The column to predict.
    profile
        The frame's :class:`~hydroml_jupyter.analysis.profile.Profile` (computed if omitted).

    Returns
    -------
    ModelAdvice
        ``advice.models[0].train()`` (or ``advice.train_best()``) starts training it.

    Raises
    ------
    ExperimentError
        When ``target`` is not a column or has fewer than two values.
    """
    df = data if isinstance(data, pd.DataFrame) else data.df
    check_target(df, target)
    if profile is None:
        from hydroml_jupyter.analysis.profile import profile as make_profile

        profile = make_profile(df, target=target)
    facts = measure(df, target, profile)
    fired = [(name, why) for name, why in ((n, rule(facts)) for n, rule in RULES.items()) if why]
    metric, reason = choose_metric(facts)
    choices = []
    for model, (prior, kind) in PRIORS.items():
        if not _fits(model, facts.task):
            continue
        score, parts = prior, [f"{kind} ({prior:.2f})"]
        for name, because in fired:
            delta = EFFECTS[name].get(model)
            if delta is not None:
                score += delta
                parts.append(f"{because} ({delta:+.2f})")
        score = round(min(1.0, max(0.0, score)), 2)
        why = "; ".join(parts)
        preset = choose_preset(facts, model)
        choices.append(ModelChoice(model, score, preset, why, target, facts.task, metric, data))
    order = list(MODELS)
    choices.sort(key=lambda c: (-c.score, order.index(c.model)))
    return ModelAdvice(target, facts.task, metric, reason, tuple(choices), facts)
