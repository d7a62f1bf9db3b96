"""The model catalog: estimators, built-in presets, search spaces and task inference.

Models
------
======================= ============================== ============================= =====
name                    classification                 regression                    scale
======================= ============================== ============================= =====
``xgboost``             ``XGBClassifier``              ``XGBRegressor``              no
``random_forest``       ``RandomForestClassifier``     ``RandomForestRegressor``     no
``gradient_boosting``   ``GradientBoostingClassifier`` ``GradientBoostingRegressor`` no
``logistic_regression`` ``LogisticRegression``         --                            yes
``linear``              --                             ``LinearRegression``          yes
``ridge``               ``RidgeClassifier``            ``Ridge``                     yes
``svm``                 ``SVC``                        ``SVR``                       yes
``knn``                 ``KNeighborsClassifier``       ``KNeighborsRegressor``       yes
======================= ============================== ============================= =====

"scale" means the preprocessing pipeline standardises numeric features.

Task inference (:func:`infer_task`)
-----------------------------------
A target is a *classification* target when its dtype is bool, category,
string or object, or when it is an integer column with at most 20 distinct
values that are also at most 5% of its non-missing rows (a 0/1 column is
always classification). Every other target (floats, wide-ranging integers)
is a *regression* target.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from hydroml_jupyter.experiments.errors import ExperimentError

__all__ = [
    "MAIN_METRIC",
    "MODELS",
    "PRESET_NAMES",
    "TASKS",
    "ModelSpec",
    "get_spec",
    "infer_task",
    "lower_is_better",
    "make_estimator",
    "validate_params",
]

TASKS = ("classification", "regression")
PRESET_NAMES = ("fast", "balanced", "thorough")
#: The metric that ranks runs and that tuning optimises by default.
MAIN_METRIC = {"classification": "f1", "regression": "rmse"}
_LOWER_IS_BETTER = frozenset({"rmse", "mae", "log_loss"})
_MAX_CLASSES = 20
_MAX_CLASS_SHARE = 0.05


@dataclass(frozen=True)
class ModelSpec:
    """How to build one model of the catalog.

    Parameters
    ----------
    name
        The catalog name, e.g. ``"xgboost"``.
    classifier, regressor
        ``"module:Class"`` of the estimator for each task (``None``: unsupported).
    scale
        Whether numeric features are standardised for this model.
    stepwise
        ``"boosting"`` (per-round metrics and cancel), ``"forest"`` (trees
        grown in chunks) or ``"single"`` (one ``fit`` call).
    defaults
        Parameters set on every instance unless the user overrides them.
    presets
        The built-in ``fast``, ``balanced`` and ``thorough`` parameters.
    """

    name: str
    classifier: str | None
    regressor: str | None
    scale: bool
    stepwise: str
    defaults: dict[str, Any] = field(default_factory=dict)
    presets: dict[str, dict[str, Any]] = field(default_factory=dict)

    def estimator_class(self, task: str) -> type:
        """Import and return the estimator class for ``task``."""
        path = self.classifier if task == "classification" else self.regressor
        if path is None:
            other = "regression" if task == "classification" else "classification"
            raise ExperimentError(f"model {self.name!r} does only {other}, not {task}")
        module, _, name = path.partition(":")
        cls: type = getattr(importlib.import_module(module), name)
        return cls


_SK = "sklearn."
MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            "xgboost",
            "xgboost:XGBClassifier",
            "xgboost:XGBRegressor",
            False,
            "boosting",
            {"tree_method": "hist"},
            {
                "fast": {"n_estimators": 100, "max_depth": 4, "learning_rate": 0.3},
                "balanced": {"n_estimators": 300, "max_depth": 6, "learning_rate": 0.1},
                "thorough": {
                    "n_estimators": 1000,
                    "max_depth": 8,
                    "learning_rate": 0.03,
                    "subsample": 0.8,
                    "colsample_bytree": 0.8,
                },
            },
        ),
        ModelSpec(
            "random_forest",
            _SK + "ensemble:RandomForestClassifier",
            _SK + "ensemble:RandomForestRegressor",
            False,
            "forest",
            {},
            {
                "fast": {"n_estimators": 50, "max_depth": 10},
                "balanced": {"n_estimators": 200},
                "thorough": {"n_estimators": 500, "min_samples_leaf": 1},
            },
        ),
        ModelSpec(
            "gradient_boosting",
            _SK + "ensemble:GradientBoostingClassifier",
            _SK + "ensemble:GradientBoostingRegressor",
            False,
            "boosting",
            {},
            {
                "fast": {"n_estimators": 100, "max_depth": 3, "learning_rate": 0.1},
                "balanced": {
                    "n_estimators": 200,
                    "max_depth": 3,
                    "learning_rate": 0.1,
                    "subsample": 0.9,
                },
                "thorough": {
                    "n_estimators": 500,
                    "max_depth": 4,
                    "learning_rate": 0.05,
                    "subsample": 0.8,
                },
            },
        ),
        ModelSpec(
            "logistic_regression",
            _SK + "linear_model:LogisticRegression",
            None,
            True,
            "single",
            {"max_iter": 1000},
            {
                "fast": {"C": 1.0, "max_iter": 200},
                "balanced": {"C": 1.0, "max_iter": 1000},
                "thorough": {"C": 1.0, "max_iter": 5000, "tol": 1e-6},
            },
        ),
        ModelSpec(
            "linear",
            None,
            _SK + "linear_model:LinearRegression",
            True,
            "single",
            {},
            {"fast": {}, "balanced": {}, "thorough": {}},
        ),
        ModelSpec(
            "ridge",
            _SK + "linear_model:RidgeClassifier",
            _SK + "linear_model:Ridge",
            True,
            "single",
            {},
            {"fast": {"alpha": 1.0}, "balanced": {"alpha": 1.0}, "thorough": {"alpha": 0.3}},
        ),
        ModelSpec(
            "svm",
            _SK + "svm:SVC",
            _SK + "svm:SVR",
            True,
            "single",
            {},
            {
                "fast": {"C": 1.0, "kernel": "rbf"},
                "balanced": {"C": 3.0, "kernel": "rbf"},
                "thorough": {"C": 10.0, "kernel": "rbf", "tol": 1e-4},
            },
        ),
        ModelSpec(
            "knn",
            _SK + "neighbors:KNeighborsClassifier",
            _SK + "neighbors:KNeighborsRegressor",
            True,
            "single",
            {},
            {
                "fast": {"n_neighbors": 5},
                "balanced": {"n_neighbors": 10, "weights": "distance"},
                "thorough": {"n_neighbors": 20, "weights": "distance"},
            },
        ),
    )
}


def get_spec(model: str) -> ModelSpec:
    """Return the catalog entry for ``model`` or raise a clear :class:`ExperimentError`."""
    if not isinstance(model, str) or model not in MODELS:
        raise ExperimentError(f"unknown model {model!r}: choose one of {', '.join(MODELS)}")
    return MODELS[model]


def lower_is_better(metric: str) -> bool:
    """Whether a smaller value of ``metric`` is better (losses and errors)."""
    return metric in _LOWER_IS_BETTER


def infer_task(y: pd.Series) -> str:
    """Return ``"classification"`` or ``"regression"`` for a target column.

    Examples
    --------
    >>> infer_task(pd.Series(["a", "b", "a"]))
    'classification'
    >>> infer_task(pd.Series([0, 1] * 50))
    'classification'
    >>> infer_task(pd.Series([1.5, 2.0, 3.25]))
    'regression'
    """
    dtype = y.dtype
    if (
        pd.api.types.is_bool_dtype(dtype)
        or isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_string_dtype(dtype)
        or pd.api.types.is_object_dtype(dtype)
    ):
        return "classification"
    if pd.api.types.is_integer_dtype(dtype):
        values = y.dropna()
        distinct = values.nunique()
        if distinct <= 2 or (
            distinct <= _MAX_CLASSES and distinct <= _MAX_CLASS_SHARE * len(values)
        ):
            return "classification"
    return "regression"


def validate_params(
    model: str, params: Any, task: str | None = None, *, values: bool = True
) -> dict[str, Any]:
    """Check that ``params`` are known parameters of ``model`` with plain, valid values.

    Values are checked against the estimator's own constraints (see
    :mod:`~hydroml_jupyter.experiments.constraints`): ``n_estimators=-1`` or
    ``C="high"`` is refused before any run starts. With no ``task``, a value is
    refused only when no task of the model accepts it.

    Parameters
    ----------
    model, params
        The catalog name and the parameters.
    task
        ``"classification"`` or ``"regression"``; ``None``: any the model does.
    values
        ``False`` checks the names only (a search space names parameters it has no
        value for yet).

    Raises
    ------
    ExperimentError
        One line naming the unknown parameter, or the parameter and its bad value.
    """
    spec = get_spec(model)
    if params is None:
        return {}
    if not isinstance(params, dict):
        raise ExperimentError(f"params for {model} must be a dict, not {type(params).__name__}")
    tasks = [task] if task else [t for t in TASKS if _supports(spec, t)]
    known: set[str] = set()
    for t in tasks:
        known |= set(spec.estimator_class(t)().get_params())
    for key, value in params.items():
        if not isinstance(key, str) or key not in known:
            raise ExperimentError(
                f"{model} has no parameter {key!r}: known ones are {', '.join(sorted(known))}"
            )
        if not _plain(value):
            raise ExperimentError(
                f"parameter {key!r} of {model} must be a number, string, bool, None or a list "
                f"of those, not {type(value).__name__}"
            )
    if values:
        from hydroml_jupyter.experiments.constraints import value_error

        errors = [value_error(spec.name, spec.estimator_class(t), params) for t in tasks]
        if all(errors):
            raise ExperimentError(str(errors[0]))
    return dict(params)


def _plain(value: Any) -> bool:
    if value is None or isinstance(value, bool | int | float | str):
        return True
    return isinstance(value, list) and all(_plain(v) and not isinstance(v, list) for v in value)


def _supports(spec: ModelSpec, task: str) -> bool:
    return (spec.classifier if task == "classification" else spec.regressor) is not None


def make_estimator(model: str, task: str, params: dict[str, Any], seed: int) -> Any:
    """Build an unfitted estimator: catalog defaults, then ``params``, plus the seed."""
    spec = get_spec(model)
    cls = spec.estimator_class(task)
    estimator = cls()
    known = estimator.get_params()
    merged = {k: v for k, v in spec.defaults.items() if k in known}
    merged.update(params)
    if "random_state" in known and "random_state" not in merged:
        merged["random_state"] = seed
    return estimator.set_params(**merged)
