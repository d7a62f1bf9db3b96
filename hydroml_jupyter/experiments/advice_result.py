"""The result of :func:`~hydroml_jupyter.experiments.suggest_models`: models, ranked."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import pandas as pd

from hydroml_jupyter.labels import Label

if TYPE_CHECKING:
    from hydroml_jupyter.experiments.advice import DataFacts

__all__ = ["ModelAdvice", "ModelChoice"]


@dataclasses.dataclass(frozen=True)
class ModelChoice:
    """One ranked model: ``score`` in [0, 1], the preset to start with and why."""

    model: str
    score: float
    preset: str
    rationale: str
    target: Label = dataclasses.field(repr=False)
    task: str = dataclasses.field(default="auto", repr=False)
    metric: str = dataclasses.field(default="", repr=False)
    source: Any = dataclasses.field(default=None, repr=False, compare=False)

    def train(self, **kw: Any) -> Any:
        """Start training this model with its preset and task; return the run handle.

        ``train`` logs every metric of the task; the advised one is ``run.metrics[metric]``.
        Keyword arguments go to :func:`~hydroml_jupyter.experiments.train` and win.
        """
        options = {"model": self.model, "preset": self.preset, "task": self.task, **kw}
        if hasattr(self.source, "train"):
            return self.source.train(self.target, **options)
        from hydroml_jupyter.experiments.train import train

        return train(self.source, self.target, **options)

    def tune(self, **kw: Any) -> Any:
        """Start tuning this model, optimising the advised metric; return the run handle."""
        options = {"model": self.model, "preset": self.preset, "metric": self.metric, **kw}
        if hasattr(self.source, "tune"):
            return self.source.tune(self.target, task=self.task, **options)
        from hydroml_jupyter.experiments.tune import tune

        return tune(self.source, self.target, task=self.task, **options)


@dataclasses.dataclass(frozen=True)
class ModelAdvice:
    """Models ranked best first, the metric to judge them by and the figures behind it.

    Examples
    --------
    >>> import numpy as np
    >>> from hydroml_jupyter.experiments import suggest_models
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"x": rng.normal(size=200), "y": [0, 1] * 100})
    >>> advice = suggest_models(df, "y")
    >>> advice.task, advice.metric, advice.models[0].model
    ('classification', 'roc_auc', 'random_forest')
    """

    target: Label
    task: str
    metric: str
    metric_reason: str
    models: tuple[ModelChoice, ...]
    facts: DataFacts = dataclasses.field(repr=False, compare=False)

    @property
    def best(self) -> ModelChoice:
        """The best-ranked model."""
        return self.models[0]

    def train_best(self, **kw: Any) -> Any:
        """Train the best-ranked model with its preset; return the run handle."""
        return self.best.train(**kw)

    def to_frame(self) -> pd.DataFrame:
        """Return one row per model, best first: model, score, preset, metric, why."""
        return pd.DataFrame(
            {
                "model": [c.model for c in self.models],
                "score": [c.score for c in self.models],
                "preset": [c.preset for c in self.models],
                "metric": [self.metric] * len(self.models),
                "why": [c.rationale for c in self.models],
            },
            index=pd.RangeIndex(1, len(self.models) + 1, name="rank"),
        )

    def __repr__(self) -> str:
        f = self.facts
        lines = [
            f"Model advice for {self.target!r}: {self.task}, {f.rows:,} rows, "
            f"{f.features} feature{'s' * (f.features != 1)}",
            f"metric: {self.metric} ({self.metric_reason})",
        ]
        width = max(len(c.model) for c in self.models)
        for rank, c in enumerate(self.models, 1):
            lines.append(
                f"{rank:>2}. {c.model:<{width}}  {c.score:.2f}  {c.preset:<8}  {c.rationale}"
            )
        return "\n".join(lines)
