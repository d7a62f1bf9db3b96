"""``Studio``: the grid and the sidebar over one session, in one widget."""

from __future__ import annotations

from typing import Any, ClassVar

import pandas as pd
import traitlets

from hydroml_jupyter.engine.session import Session
from hydroml_jupyter.widgets.grid import DataGrid
from hydroml_jupyter.widgets.shapes import WidgetKind
from hydroml_jupyter.widgets.sidebar import Sidebar

__all__ = ["Studio", "studio"]


class Studio(DataGrid, Sidebar):
    """The Data Studio: a :class:`DataGrid` and a :class:`Sidebar` over one session.

    It has the traits, requests and options of both.

    Examples
    --------
    >>> import pandas as pd
    >>> st = Studio(pd.DataFrame({"a": [2, 1]}), name="studio_doc")
    >>> st.session_name, st.row_count, st.position
    ('studio_doc', 2, 0)
    """

    _KIND: ClassVar[WidgetKind] = "studio"
    _kind = traitlets.Unicode("studio", help="Which view the front end renders.").tag(sync=True)


def studio(data: Session | pd.DataFrame, /, **kwargs: Any) -> Studio:
    """Open the Data Studio on a session, or on a DataFrame (which starts a new session).

    Examples
    --------
    >>> import pandas as pd, hydroml_jupyter as hj
    >>> hj.studio(pd.DataFrame({"a": [1]}), name="quick").session.name
    'quick'
    """
    return Studio(data, **kwargs)
