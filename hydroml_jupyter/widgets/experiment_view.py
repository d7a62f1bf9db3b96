"""``ExperimentView``: the live panel, and below it each run's plotly charts once the runs end.

When the panel sees every run end (its flush runs on the kernel's event loop), the figures
are built on a worker thread and handed back to the loop, where the widgets showing them
are made: widgets are never touched from a worker thread. Each figure goes into an
``ipywidgets.Output`` as plotly's own ``application/vnd.plotly.v1+json`` output, which
JupyterLab, Notebook 7 and VS Code render with the plotly extension they ship; the
``text/plain`` beside it names the chart. Long titles are broken into lines that fit a
chart 300 px wide (Notebook 7's narrower page cut them off).

A view displayed once every run has ended shows its charts as plain outputs of the cell
instead (plotly's own output, no widget), so a saved notebook keeps them after the kernel
is gone; like every Data Studio widget, the view is followed by a static placeholder (see
:mod:`~hydroml_jupyter.widgets.placeholder`).
"""

from __future__ import annotations

import json
import logging
import textwrap
import threading
from typing import TYPE_CHECKING, Any

import ipywidgets

from hydroml_jupyter.messages import first_line
from hydroml_jupyter.widgets.placeholder import display_with_placeholder
from hydroml_jupyter.widgets.run_actions import RunActions, has_actions

if TYPE_CHECKING:
    from hydroml_jupyter.experiments.handle import RunHandle
    from hydroml_jupyter.widgets.experiment import ExperimentPanel

__all__ = ["ExperimentView", "figure_output"]

log = logging.getLogger("hydroml_jupyter")

PLOTLY_MIME = "application/vnd.plotly.v1+json"
_CONFIG = {"displaylogo": False}
#: A title line of at most this many characters fits a chart 300 px wide.
TITLE_WIDTH = 30
_LINE_PX = 22
_LIVE = "Display the run again once it has ended to keep its charts in the notebook."


def wrap_title(title: str, width: int = TITLE_WIDTH) -> str:
    """Return ``title`` broken into lines of at most ``width`` characters (plotly's ``<br>``).

    Examples
    --------
    >>> wrap_title("Feature importance (xgboost, 13 features)")
    'Feature importance (xgboost,<br>13 features)'
    >>> wrap_title("ROC (held-out 20%)")
    'ROC (held-out 20%)'
    """
    if "<br>" in title or len(title) <= width:
        return title
    return "<br>".join(textwrap.wrap(title, width, break_on_hyphens=False))


def figure_output(fig: Any) -> dict[str, Any]:
    """Return one plotly figure as a ``display_data`` output (what an ``Output`` holds).

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> out = figure_output(go.Figure(layout={"title": "Residuals"}))
    >>> sorted(out["data"]), out["data"]["text/plain"]
    (['application/vnd.plotly.v1+json', 'text/plain'], '<Figure: Residuals>')
    """
    spec = json.loads(fig.to_json())
    layout = spec.setdefault("layout", {})
    title = (layout.get("title") or {}).get("text") or "chart"
    wrapped = wrap_title(title)
    if wrapped != title:
        layout["title"]["text"] = wrapped
        margin = layout.setdefault("margin", {})
        margin["t"] = int(margin.get("t", 50)) + _LINE_PX * wrapped.count("<br>")
    return {
        "output_type": "display_data",
        "data": {PLOTLY_MIME: {**spec, "config": _CONFIG}, "text/plain": f"<Figure: {title}>"},
        "metadata": {},
    }


class ExperimentView(ipywidgets.VBox):
    """An :class:`~hydroml_jupyter.widgets.ExperimentPanel` with the runs' charts below it.

    Displaying a run (``run`` as a cell's last line) shows this view. While the runs go,
    only the panel shows; when every run has ended, each completed run's charts appear
    under its name, with its Register, Serve and Check drift row when it logged a model
    (failed and cancelled runs have none: the panel says why).

    Parameters
    ----------
    panel
        The panel to show, e.g. ``run.panel()``.

    Examples
    --------
    >>> run = s.train("churned", model="random_forest", preset="fast")  # doctest: +SKIP
    >>> ExperimentView(run.panel())  # doctest: +SKIP
    """

    def __init__(self, panel: ExperimentPanel) -> None:
        self.panel = panel
        self.charts = ipywidgets.VBox(layout=ipywidgets.Layout(width="100%"))
        self._closed = False
        self._drawing = self._drawn = False
        #: The charts are shown as the cell's own outputs, not in this view.
        self._static = False
        super().__init__([panel, self.charts], layout=ipywidgets.Layout(width="100%"))
        self.add_class("hydroml-experiment-view")
        panel.on_end(self.draw)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    @property
    def drawn(self) -> bool:
        """Whether the charts have been drawn (every run has ended)."""
        return self._drawn

    def draw(self) -> None:
        """Draw the charts of every completed run (called on the kernel loop at the end).

        The figures are built on a worker thread (a tuning run's parameter importance can
        take a while) and shown from the kernel's loop, so the kernel is never held up.
        """
        if self._closed or self._drawing:
            return
        self._drawing = True
        handles = [h for h in self.panel.handles if h.status == "completed"]
        dispatch = self.panel._throttle.dispatch
        if handles and not self._static:
            self.panel.charting(True)

        def work() -> None:
            made = [(handle.name, _outputs(handle)) for handle in handles]
            dispatch(self._show, made, handles)

        threading.Thread(target=work, name="hydroml-charts", daemon=True).start()

    def _show(
        self, made: list[tuple[str, list[dict[str, Any]] | str]], handles: list[RunHandle]
    ) -> None:
        """Put the built figures, and each run's actions row, into widgets (on the kernel loop)."""
        if self._closed:
            return
        self.panel.charting(False)
        blocks: list[ipywidgets.Widget] = []
        for (name, outputs), handle in zip(made, handles, strict=True):
            if isinstance(outputs, str):
                blocks.append(ipywidgets.Label(outputs))
            elif outputs and not self._static:
                if len(made) > 1:
                    blocks.append(ipywidgets.Label(f"Charts of {name}"))
                blocks.append(_grid(outputs))
            if has_actions(handle):
                blocks.append(RunActions(handle, self.panel._throttle.dispatch))
        self.charts.children = tuple(blocks)
        self._drawn = True

    def _ipython_display_(self) -> None:
        from IPython.display import display

        from hydroml_jupyter.widgets.experiment import placeholder_text

        handles = self.panel.handles
        what = placeholder_text(handles)
        if not all(h.done for h in handles):
            display_with_placeholder(self, what, _LIVE)
            return
        # Every run has ended: the charts become the cell's own outputs, kept by a saved
        # notebook; the view keeps the panel and the actions rows.
        completed = [h for h in handles if h.status == "completed"]
        made = [(h.name, _outputs(h)) for h in completed]
        self._static = True
        if self._drawn:
            self._show(made, completed)
        display_with_placeholder(self, what)
        for name, outputs in made:
            if isinstance(outputs, str):
                display({"text/plain": outputs}, raw=True)
                continue
            if len(made) > 1 and outputs:
                display({"text/plain": f"Charts of {name}"}, raw=True)
            for output in outputs:
                display(output["data"], metadata=output["metadata"], raw=True)

    def close(self) -> None:
        """Close the charts and this view; the panel stays open (the run's handle keeps it)."""
        self._closed = True
        for child in self.charts.children:
            _close_all(child)
        self.charts.close()
        super().close()

    def __repr__(self) -> str:
        return repr(self.panel).replace("ExperimentPanel", "ExperimentView", 1)


def _outputs(handle: RunHandle) -> list[dict[str, Any]] | str:
    """Return the run's figures as ``display_data`` outputs, or a line saying why not."""
    try:
        return [figure_output(fig) for fig in handle.charts().values()]
    except Exception as exc:  # a broken chart must not leave the view waiting
        log.warning("the charts of %s could not be drawn", handle.name, exc_info=True)
        return f"The charts of {handle.name} could not be drawn: {first_line(exc, limit=None)}"


def _grid(outputs: list[dict[str, Any]]) -> ipywidgets.Widget:
    """Return the figures side by side, as many to a row as the width allows."""
    cells = []
    for output in outputs:
        out = ipywidgets.Output(layout=ipywidgets.Layout(flex="1 1 340px", min_width="300px"))
        out.outputs = (output,)
        cells.append(out)
    return ipywidgets.Box(
        cells, layout=ipywidgets.Layout(display="flex", flex_flow="row wrap", width="100%")
    )


def _close_all(widget: ipywidgets.Widget) -> None:
    for child in getattr(widget, "children", ()):
        _close_all(child)
    widget.close()
