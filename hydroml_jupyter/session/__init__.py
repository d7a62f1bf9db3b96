"""The session engine: operations, history, undo/redo and code export."""

from hydroml_jupyter.session.loading import open_session
from hydroml_jupyter.session.ops import Operation, catalog, make_operation
from hydroml_jupyter.session.recipe import Recipe
from hydroml_jupyter.session.registry import get as get_session
from hydroml_jupyter.session.registry import sessions
from hydroml_jupyter.session.session import Session
from hydroml_jupyter.session.steps import HistoryView, Preview, Step

__all__ = [
    "HistoryView",
    "Operation",
    "Preview",
    "Recipe",
    "Session",
    "Step",
    "catalog",
    "get_session",
    "make_operation",
    "open_session",
    "sessions",
]
