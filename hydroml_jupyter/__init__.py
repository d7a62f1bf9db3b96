"""hydroml-jupyter: clean data and run ML experiments without leaving the notebook.

Examples
--------
>>> import hydroml_jupyter as hj
>>> s = hj.open("notebooks/data/customers.csv")  # doctest: +SKIP
>>> s.apply("cast", column="age", dtype="Int64", errors="coerce")  # doctest: +SKIP
>>> print(s.code())  # doctest: +SKIP
"""

from importlib.metadata import PackageNotFoundError, version

from hydroml_jupyter.engine import (
    Operation,
    Recipe,
    Session,
    catalog,
    sessions,
)
from hydroml_jupyter.engine import get_session as session
from hydroml_jupyter.engine import open_session as open
from hydroml_jupyter.errors import HydroMLError, OperationError, SourceError
from hydroml_jupyter.experiments import compare, presets, runs, save_preset

try:
    __version__ = version("hydroml-jupyter")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

__all__ = [
    "HydroMLError",
    "Operation",
    "OperationError",
    "Recipe",
    "Session",
    "SourceError",
    "__version__",
    "catalog",
    "compare",
    "open",
    "presets",
    "runs",
    "save_preset",
    "session",
    "sessions",
]
