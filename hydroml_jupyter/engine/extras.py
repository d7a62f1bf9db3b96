"""Session methods that hand off to the analysis and experiments layers.

They import those layers only when called, so the engine itself imports no
profiling or machine-learning library.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from hydroml_jupyter.analysis.profile import Profile, Suggestion

if TYPE_CHECKING:
    from hydroml_jupyter.engine.steps import Step
    from hydroml_jupyter.experiments import ModelAdvice, TrainingRun, TuningRun

__all__ = ["AnalysisMixin", "SessionSuggestion"]


@dataclasses.dataclass(frozen=True)
class SessionSuggestion(Suggestion):
    """A suggestion that knows its session: ``sugg.apply()`` applies it as a normal step."""

    session: Any = dataclasses.field(default=None, repr=False, compare=False)

    def apply(self) -> Step:
        """Apply the suggestion to its session; it can be undone like any step."""
        return self.session.apply(self.op, **self.params)


class AnalysisMixin:
    """Profiling, suggestions and model training for :class:`~hydroml_jupyter.Session`."""

    def profile(self, target: str | None = None) -> Profile:
        """Profile the current frame: semantic types, exact statistics, alerts, target candidates.

        Cached per step: profiling the same step again is free.
        """
        from hydroml_jupyter.analysis.profile import profile

        return self._cached(("profile", target), lambda df: profile(df, target=target))  # type: ignore[attr-defined]

    def suggest(self, target: str | None = None) -> list[SessionSuggestion]:
        """Return cleaning suggestions for the current frame, most confident first.

        Each names the engine operation and parameters it would apply, the alert it
        answers, a confidence in [0, 1] and a one-sentence rationale.
        """
        from hydroml_jupyter.analysis.profile import suggest

        report = self.profile(target)
        found = suggest(report, self.df, target=target)  # type: ignore[attr-defined]
        return [
            SessionSuggestion(
                **{f.name: getattr(s, f.name) for f in dataclasses.fields(s)}, session=self
            )
            for s in found
        ]

    def apply_suggestion(self, suggestion: Suggestion) -> Step:
        """Apply ``suggestion`` as an ordinary, undoable step."""
        return self.apply(suggestion.op, **suggestion.params)  # type: ignore[attr-defined]

    def suggest_models(self, target: str) -> ModelAdvice:
        """Rank the catalog's models for predicting ``target``, with a metric and a preset.

        Each choice has a score in [0, 1] and a rationale naming the figures behind it;
        ``advice.train_best()`` (or ``choice.train()``) starts training with them. See
        :func:`hydroml_jupyter.experiments.suggest_models` for the rules.

        Raises
        ------
        ExperimentError
            When ``target`` is not a column or has fewer than two values.

        Examples
        --------
        >>> advice = s.suggest_models("churned")  # doctest: +SKIP
        >>> advice.metric, advice.models[0].model  # doctest: +SKIP
        >>> run = advice.train_best()  # doctest: +SKIP
        """
        from hydroml_jupyter.experiments.advice import check_target, suggest_models

        check_target(self.df, target)  # type: ignore[attr-defined]
        return suggest_models(self, target, profile=self.profile(target))

    def train(  # noqa: PLR0917  (the contract takes these positionally)
        self,
        target: str,
        model: str = "xgboost",
        task: str = "auto",
        params: dict[str, Any] | None = None,
        preset: str | None = None,
        features: Sequence[str] | None = None,
        test_size: float = 0.2,
        cv: int | None = None,
        experiment: str | None = None,
        seed: int = 0,
        **options: Any,
    ) -> TrainingRun:
        """Train a model on the current frame in a background thread, tracked in MLflow.

        Returns a :class:`~hydroml_jupyter.experiments.TrainingRun` at once; see
        :func:`hydroml_jupyter.experiments.train` for every option.
        """
        from hydroml_jupyter.experiments import train

        return train(
            self,
            target,
            model=model,
            task=task,
            params=params,
            preset=preset,
            features=features,
            test_size=test_size,
            cv=cv,
            experiment=experiment,
            seed=seed,
            **options,
        )

    def tune(  # noqa: PLR0917
        self,
        target: str,
        model: str = "xgboost",
        n_trials: int | None = 50,
        timeout: float | None = None,
        search_space: dict[str, dict[str, Any]] | None = None,
        metric: str | None = None,
        storage: Any = None,
        study_name: str | None = None,
        **options: Any,
    ) -> TuningRun:
        """Tune a model with Optuna in a background thread; each trial is an MLflow child run.

        See :func:`hydroml_jupyter.experiments.tune` for every option.
        """
        from hydroml_jupyter.experiments import tune

        return tune(
            self,
            target,
            model=model,
            n_trials=n_trials,
            timeout=timeout,
            search_space=search_space,
            metric=metric,
            storage=storage,
            study_name=study_name,
            **options,
        )
