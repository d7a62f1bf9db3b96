"""``%config HydroML``: the defaults of the ``%hydroml`` magics.

Examples
--------
In a notebook, after ``%load_ext hydroml_jupyter``::

    %config HydroML                              # list the options and their values
    %config HydroML.memory_budget = 2**30        # 1 GiB of snapshots per session
    %config HydroML.autodisplay = False          # `open` prints a line, no studio

The same options can be set in ``ipython_config.py``
(``c.HydroML.code_cell = False``).
"""

from __future__ import annotations

from traitlets import Bool, Int, Unicode
from traitlets.config import Configurable

from hydroml_jupyter.engine.history import DEFAULT_MEMORY_BUDGET

__all__ = ["HydroML", "mlflow_uri", "store_spec"]


class HydroML(Configurable):
    """Defaults of the ``%hydroml`` magics."""

    memory_budget = Int(
        DEFAULT_MEMORY_BUDGET,
        help=(
            "Bytes the history snapshots of each session opened by `%hydroml open` may "
            "hold; beyond it, the snapshots farthest from the current step are dropped "
            "and rebuilt on demand by replaying steps."
        ),
    ).tag(config=True)

    autodisplay = Bool(
        True,
        help="Show the Data Studio of a session right after `%hydroml open` loads it.",
    ).tag(config=True)

    code_cell = Bool(
        True,
        help=(
            "`%hydroml code` puts the session's script into a new cell below the current "
            "one (when a notebook front end is attached); False prints it instead."
        ),
    ).tag(config=True)

    store = Unicode(
        "",
        help=(
            "Where sessions are stored: 'disk' (.hydroml beside the notebook), "
            "'memory://', a folder, or a redis:// URL. Empty: $HYDROML_STORE, else disk."
        ),
    ).tag(config=True)

    mlflow_uri = Unicode(
        "",
        help=(
            "MLflow tracking URI of `%hydroml train`, `tune`, `runs` and `compare`. "
            "Empty: $MLFLOW_TRACKING_URI, else sqlite:///mlflow.db in the working folder."
        ),
    ).tag(config=True)


def store_spec(config: HydroML) -> str | None:
    """Return the store the magics use: ``HydroML.store``, or ``None`` for the default."""
    return config.store.strip() or None


def mlflow_uri(config: HydroML) -> str | None:
    """Return the MLflow tracking URI the magics use: ``HydroML.mlflow_uri``, or ``None``."""
    return config.mlflow_uri.strip() or None
