"""The Data Studio widgets (a grid, a sidebar, and both together) and the experiment panel.

The protocol the Data Studio speaks is ``docs/widget-protocol.md``; the panel's traits and
request are described in :mod:`hydroml_jupyter.widgets.experiment`.
"""

from hydroml_jupyter.widgets.experiment import ExperimentPanel
from hydroml_jupyter.widgets.experiment_view import ExperimentView
from hydroml_jupyter.widgets.grid import DataGrid
from hydroml_jupyter.widgets.protocol import ProtocolError
from hydroml_jupyter.widgets.sidebar import Sidebar
from hydroml_jupyter.widgets.studio import Studio, studio

__all__ = [
    "DataGrid",
    "ExperimentPanel",
    "ExperimentView",
    "ProtocolError",
    "Sidebar",
    "Studio",
    "studio",
]
