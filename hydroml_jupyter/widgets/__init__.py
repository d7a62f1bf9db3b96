"""The Data Studio widgets: a grid, a sidebar, and both together.

The protocol they speak is ``docs/widget-protocol.md``.
"""

from hydroml_jupyter.widgets.grid import DataGrid
from hydroml_jupyter.widgets.protocol import ProtocolError
from hydroml_jupyter.widgets.sidebar import Sidebar
from hydroml_jupyter.widgets.studio import Studio, studio

__all__ = ["DataGrid", "ProtocolError", "Sidebar", "Studio", "studio"]
