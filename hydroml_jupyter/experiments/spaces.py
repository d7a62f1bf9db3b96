"""Default Optuna search spaces, and checking user ones.

A search space maps a parameter to ``{"type": "int" | "float", "low", "high",
"log": bool}`` or ``{"type": "categorical", "choices": [...]}``.

Defaults (:data:`SEARCH_SPACES`):

- ``xgboost``: n_estimators 50-500, max_depth 2-10, learning_rate 0.01-0.3 (log),
  subsample and colsample_bytree 0.5-1, min_child_weight 1-10 (log), reg_lambda 0.001-10 (log);
- ``random_forest``: n_estimators 50-400, max_depth 2-20, min_samples_leaf 1-10,
  max_features sqrt / log2 / 1.0;
- ``gradient_boosting``: n_estimators 50-400, learning_rate 0.01-0.3 (log), max_depth 2-6,
  subsample 0.5-1;
- ``logistic_regression``: C 0.001-100 (log); ``ridge``: alpha 0.001-100 (log);
  ``linear``: fit_intercept;
- ``svm``: C 0.01-100 (log), gamma scale / auto, kernel rbf / linear;
- ``knn``: n_neighbors 1-50, weights uniform / distance.
"""

from __future__ import annotations

from typing import Any

from hydroml_jupyter.experiments.catalog import _plain, get_spec, validate_params
from hydroml_jupyter.experiments.errors import ExperimentError

__all__ = ["SEARCH_SPACES", "search_space"]


def _i(low: int, high: int, log: bool = False) -> dict[str, Any]:
    return {"type": "int", "low": low, "high": high, "log": log}


def _f(low: float, high: float, log: bool = False) -> dict[str, Any]:
    return {"type": "float", "low": low, "high": high, "log": log}


def _c(*choices: Any) -> dict[str, Any]:
    return {"type": "categorical", "choices": list(choices)}


#: Default Optuna search space per model.
SEARCH_SPACES: dict[str, dict[str, dict[str, Any]]] = {
    "xgboost": {
        "n_estimators": _i(50, 500),
        "max_depth": _i(2, 10),
        "learning_rate": _f(0.01, 0.3, True),
        "subsample": _f(0.5, 1.0),
        "colsample_bytree": _f(0.5, 1.0),
        "min_child_weight": _f(1.0, 10.0, True),
        "reg_lambda": _f(1e-3, 10.0, True),
    },
    "random_forest": {
        "n_estimators": _i(50, 400),
        "max_depth": _i(2, 20),
        "min_samples_leaf": _i(1, 10),
        "max_features": _c("sqrt", "log2", 1.0),
    },
    "gradient_boosting": {
        "n_estimators": _i(50, 400),
        "learning_rate": _f(0.01, 0.3, True),
        "max_depth": _i(2, 6),
        "subsample": _f(0.5, 1.0),
    },
    "logistic_regression": {"C": _f(1e-3, 100.0, True)},
    "linear": {"fit_intercept": _c(True, False)},
    "ridge": {"alpha": _f(1e-3, 100.0, True)},
    "svm": {
        "C": _f(1e-2, 100.0, True),
        "gamma": _c("scale", "auto"),
        "kernel": _c("rbf", "linear"),
    },
    "knn": {"n_neighbors": _i(1, 50), "weights": _c("uniform", "distance")},
}


def search_space(model: str, overrides: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Return the search space for ``model``: the default one, or ``overrides`` checked.

    Raises
    ------
    ExperimentError
        When a dimension is not a valid ``int``, ``float`` or ``categorical`` entry.
    """
    get_spec(model)
    space = SEARCH_SPACES[model] if overrides is None else overrides
    if not isinstance(space, dict) or not space:
        raise ExperimentError(f"the search space for {model} must be a non-empty dict")
    validate_params(model, dict.fromkeys(space), values=False)
    for name, dim in space.items():
        kind = dim.get("type") if isinstance(dim, dict) else None
        if kind in ("int", "float"):
            low, high = dim.get("low"), dim.get("high")
            if not (
                isinstance(low, int | float)
                and isinstance(high, int | float)
                and low <= high
                and not (dim.get("log") and low <= 0)
            ):
                raise ExperimentError(
                    f"search space {name!r}: needs numbers low <= high (and low > 0 when log)"
                )
            for end in (low, high):
                _check_value(model, name, int(end) if kind == "int" else float(end))
        elif kind == "categorical":
            choices = dim.get("choices")
            if not isinstance(choices, list) or not choices or not all(map(_plain, choices)):
                raise ExperimentError(f"search space {name!r}: choices must be a non-empty list")
            for choice in choices:
                _check_value(model, name, choice)
        else:
            raise ExperimentError(
                f"search space {name!r}: type must be 'int', 'float' or 'categorical', got {dim!r}"
            )
    return {k: dict(v) for k, v in space.items()}


def _check_value(model: str, name: str, value: Any) -> None:
    """Refuse a search-space value the estimator would refuse, naming the dimension."""
    try:
        validate_params(model, {name: value})
    except ExperimentError as exc:
        raise ExperimentError(f"search space {name!r}: {exc}") from None
