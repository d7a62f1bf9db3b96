"""``Sidebar``: operation forms, history, the quality report and the buttons acting on a session."""

from __future__ import annotations

from typing import Any, ClassVar

import traitlets

from hydroml_jupyter.widgets.base import SessionWidget
from hydroml_jupyter.widgets.forms import forms
from hydroml_jupyter.widgets.shapes import WidgetKind

__all__ = ["Sidebar"]


class Sidebar(SessionWidget):
    """Forms for every cleaning operation, the session's history, undo, redo and export.

    Besides the shared requests it answers ``quality`` (alerts, suggestions and target
    candidates of the current frame) and ``apply_suggestion``.

    Parameters
    ----------
    data
        A :class:`~hydroml_jupyter.Session`, or a DataFrame to start a new session from.
    name
        The new session's name, when ``data`` is a DataFrame.

    Attributes
    ----------
    catalog : list of dict
        One ``OpForm`` per operation of the engine's catalog.
    history : list of dict
        ``{"index", "label", "rows", "columns"}`` per step; index 0 is the loaded data.
    position : int
        The history cursor (index of the current step).
    can_undo, can_redo : bool
        Whether there is a step to undo, or an undone step to redo.

    Examples
    --------
    >>> import pandas as pd
    >>> bar = Sidebar(pd.DataFrame({"a": [1.0, None]}))
    >>> bar.session.apply("fill_missing", column="a", strategy="mean").index
    1
    >>> bar.position, bar.can_undo, [step["label"] for step in bar.history]
    (1, True, ['Original (DataFrame)', 'Fill missing a by mean'])
    """

    _KIND: ClassVar[WidgetKind] = "sidebar"
    _kind = traitlets.Unicode("sidebar", help="Which view the front end renders.").tag(sync=True)
    catalog = traitlets.List(traitlets.Dict(), help="One form per operation.").tag(sync=True)
    history = traitlets.List(traitlets.Dict(), help="Every step, the original first.").tag(
        sync=True
    )
    position = traitlets.Int(0, help="The index of the current step.").tag(sync=True)
    can_undo = traitlets.Bool(False, help="Whether there is a step to undo.").tag(sync=True)
    can_redo = traitlets.Bool(False, help="Whether there is a step to redo.").tag(sync=True)

    def _state(self, initial: bool = False) -> dict[str, Any]:
        state = super()._state(initial)
        session = self._session
        steps = session.history
        position = next((step.index for step in steps if step.current), session.position)
        state.update(
            history=[
                {"index": s.index, "label": s.label, "rows": s.shape[0], "columns": s.shape[1]}
                for s in steps
            ],
            position=position,
            can_undo=position > 0,
            can_redo=position < len(steps) - 1,
        )
        if initial:
            state["catalog"] = forms()
        return state
