"""The error type of the experiments layer."""

from __future__ import annotations

from hydroml_jupyter.errors import HydroMLError
from hydroml_jupyter.messages import first_line

__all__ = ["ExperimentError", "one_line"]


class ExperimentError(HydroMLError, RuntimeError):
    """A training or tuning run could not start, failed, or was cancelled.

    The message is one line naming what went wrong. When a run failed, the
    original exception is chained as ``__cause__``.

    Examples
    --------
    >>> err = ExperimentError("unknown model 'xgb': choose one of xgboost, ridge")
    >>> isinstance(err, RuntimeError)
    True
    """


def one_line(exc: BaseException) -> str:
    r"""Return ``"TypeName: first line of the message"`` for an exception.

    Examples
    --------
    >>> one_line(ValueError("bad value\nmore detail"))
    'ValueError: bad value'
    """
    return first_line(exc, with_type=not isinstance(exc, ExperimentError), limit=None)
