"""Check parameter values before a run starts, with scikit-learn's own constraints.

Every scikit-learn estimator declares what each parameter accepts
(``_parameter_constraints``, checked by ``validate_parameter_constraints``, the
function behind ``estimator._validate_params()``); XGBoost declares none, so
:data:`XGBOOST` gives the same for the parameters of its scikit-learn API. Only
the parameters given are checked, and a ``bool`` where a number is expected is
refused (``True`` is an ``int`` to Python, not a tree count to a person).

Examples
--------
>>> from sklearn.ensemble import RandomForestClassifier
>>> value_error("random_forest", RandomForestClassifier, {"n_estimators": -1})
"parameter 'n_estimators' of random_forest must be an int in the range [1, inf), not -1"
"""

from __future__ import annotations

import re
from numbers import Integral, Real
from typing import Any

__all__ = ["XGBOOST", "value_error"]

_SKLEARN_MESSAGE = re.compile(
    r"^The '(?P<name>.+?)' parameter of \S* ?must be (?P<what>.+)\. Got (?P<got>.+) instead\.$",
    re.DOTALL,
)


def _xgboost() -> dict[str, list[Any]]:
    from sklearn.utils._param_validation import Interval, StrOptions

    def at_least(kind: type, low: float, closed: str = "left") -> list[Any]:
        return [Interval(kind, low, None, closed=closed), None]

    fraction = [Interval(Real, 0, 1, closed="right"), None]
    return {
        "n_estimators": at_least(Integral, 1),
        "max_depth": at_least(Integral, 0),
        "max_leaves": at_least(Integral, 0),
        "max_bin": at_least(Integral, 2),
        "num_parallel_tree": at_least(Integral, 1),
        "early_stopping_rounds": at_least(Integral, 1),
        "max_cat_to_onehot": at_least(Integral, 1),
        "max_cat_threshold": at_least(Integral, 1),
        "learning_rate": at_least(Real, 0, "neither"),
        "gamma": at_least(Real, 0),
        "min_child_weight": at_least(Real, 0),
        "max_delta_step": at_least(Real, 0),
        "reg_alpha": at_least(Real, 0),
        "reg_lambda": at_least(Real, 0),
        "scale_pos_weight": at_least(Real, 0, "neither"),
        "subsample": fraction,
        "colsample_bytree": fraction,
        "colsample_bylevel": fraction,
        "colsample_bynode": fraction,
        "n_jobs": [Integral, None],
        "random_state": [Interval(Integral, 0, None, closed="left"), None],
        "verbosity": [Interval(Integral, 0, 3, closed="both"), None],
        "tree_method": [StrOptions({"hist", "approx", "exact", "auto"}), None],
        "booster": [StrOptions({"gbtree", "gblinear", "dart"}), None],
        "grow_policy": [StrOptions({"depthwise", "lossguide"}), None],
        "sampling_method": [StrOptions({"uniform", "gradient_based"}), None],
        "importance_type": [
            StrOptions({"gain", "weight", "cover", "total_gain", "total_cover"}),
            None,
        ],
    }


#: Constraints of XGBoost's scikit-learn parameters, in scikit-learn's form (built on use).
XGBOOST: dict[str, list[Any]] = {}


def _allows_bool(options: list[Any]) -> bool:
    return any(o in ("boolean", "no_validation") or o is bool or o is object for o in options)


def value_error(model: str, cls: type, params: dict[str, Any]) -> str | None:
    """Return a one-line message naming the first invalid value in ``params``, else ``None``.

    Parameters
    ----------
    model
        The catalog name the message uses.
    cls
        The estimator class whose constraints apply.
    params
        The parameters given (names already known to be parameters of ``cls``).
    """
    from sklearn.utils._param_validation import (
        InvalidParameterError,
        validate_parameter_constraints,
    )

    if model == "xgboost":
        if not XGBOOST:
            XGBOOST.update(_xgboost())
        constraints = XGBOOST
    else:
        constraints = getattr(cls, "_parameter_constraints", None) or {}
    for key, value in params.items():
        options = constraints.get(key)
        if options is None or options == "no_validation":
            continue
        # a bool is refused where no bool is allowed: checked as a value nothing accepts,
        # so the message still says what the parameter takes
        checked = _Refused() if isinstance(value, bool) and not _allows_bool(options) else value
        try:
            validate_parameter_constraints({key: options}, {key: checked}, caller_name="")
        except InvalidParameterError as exc:
            found = _SKLEARN_MESSAGE.match(str(exc).strip())
            if found is None:
                return f"parameter {key!r} of {model}: {' '.join(str(exc).split())}"
            what = " ".join(found["what"].split())
            return f"parameter {key!r} of {model} must be {what}, not {value!r}"
    return None


class _Refused:
    """A value no constraint accepts."""
