"""What the experiments layer adds to sessions: ``s.train``, ``s.tune``, ``s.suggest_models``.

The package registers these with :mod:`hydroml_jupyter.extensions` (loaded on first
use), as pandas registers ``DataFrame.plot``: the engine never imports this layer.

Examples
--------
>>> import pandas as pd, hydroml_jupyter as hj
>>> s = hj.Session(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [0, 1, 0, 1]}))
>>> s.train.__func__ is train
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hydroml_jupyter.experiments.advice import ModelAdvice, check_target
from hydroml_jupyter.experiments.advice import suggest_models as _suggest_models
from hydroml_jupyter.experiments.train import train
from hydroml_jupyter.experiments.tune import tune
from hydroml_jupyter.labels import Label

if TYPE_CHECKING:
    from hydroml_jupyter.engine.session import Session

__all__ = ["suggest_models", "train", "tune"]


def suggest_models(session: Session, target: Label) -> ModelAdvice:
    """Rank the catalog's models for predicting ``target``, with a metric and a preset.

    Each choice has a score in [0, 1] and a rationale naming the figures behind it;
    ``advice.train_best()`` (or ``choice.train()``) starts training with them. The
    session's profile (cached per step) is reused. See
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
    check_target(session.df, target)
    return _suggest_models(session, target, profile=session.profile(target))
