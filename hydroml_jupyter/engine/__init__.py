"""The session engine: operations, history, undo/redo and code export."""

from hydroml_jupyter.engine.batch import BatchError
from hydroml_jupyter.engine.loading import open_session
from hydroml_jupyter.engine.ops import (
    Operation,
    OperationSpec,
    catalog,
    describe,
    make_operation,
)
from hydroml_jupyter.engine.recipe import Recipe
from hydroml_jupyter.engine.registry import get as get_session
from hydroml_jupyter.engine.registry import sessions
from hydroml_jupyter.engine.session import Session
from hydroml_jupyter.engine.steps import HistoryView, Preview, Step

__all__ = [
    "BatchError",
    "HistoryView",
    "Operation",
    "OperationSpec",
    "Preview",
    "Recipe",
    "Session",
    "Step",
    "catalog",
    "describe",
    "get_session",
    "make_operation",
    "open_session",
    "sessions",
]
