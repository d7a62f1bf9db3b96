"""``ExperimentView``: the live panel, and below it each run's plotly charts once the runs end.

The charts are drawn on the kernel's event loop when the panel sees every run end (the
panel's flush runs there), never on a worker thread. Each figure goes into an
``ipywidgets.Output`` as plotly's own ``application/vnd.plotly.v1+json`` output, which
JupyterLab, Notebook 7 and VS Code render with the plotly extension they ship; the
``text/plain`` beside it names the chart.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import ipywidgets

from hydroml_jupyter.errors import HydroMLError
from hydroml_jupyter.widgets.protocol import one_line

if TYPE_CHECKING:
    from hydroml_jupyter.experiments.handle import RunHandle
    from hydroml_jupyter.widgets.experiment import ExperimentPanel

__all__ = ["ExperimentView", "figure_output"]

log = logging.getLogger("hydroml_jupyter")

PLOTLY_MIME = "application/vnd.plotly.v1+json"
_CONFIG = {"displaylogo": False}


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
    title = (spec.get("layout", {}).get("title") or {}).get("text") or "chart"
    return {
        "output_type": "display_data",
        "data": {PLOTLY_MIME: {**spec, "config": _CONFIG}, "text/plain": f"<Figure: {title}>"},
        "metadata": {},
    }


class ExperimentView(ipywidgets.VBox):  # type: ignore[misc]
    """An :class:`~hydroml_jupyter.widgets.ExperimentPanel` with the runs' charts below it.

    Displaying a run (``run`` as a cell's last line) shows this view. While the runs go,
    only the panel shows; when every run has ended, each completed run's charts appear
    under its name (failed and cancelled runs have none: the panel says why).

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
        """Draw the charts of every completed run (called on the kernel loop at the end)."""
        if self._closed or self._drawing:
            return
        self._drawing = True
        blocks: list[ipywidgets.Widget] = []
        several = len(self.panel.handles) > 1
        for handle in self.panel.handles:
            if handle.status != "completed":
                continue
            block = _run_charts(handle)
            if block is None:
                continue
            if several:
                blocks.append(ipywidgets.Label(f"Charts of {handle.name}"))
            blocks.append(block)
        self.charts.children = tuple(blocks)
        self._drawn = True

    def close(self) -> None:
        """Close the charts and this view; the panel stays open (the run's handle keeps it)."""
        self._closed = True
        for child in self.charts.children:
            _close_all(child)
        self.charts.close()
        super().close()

    def __repr__(self) -> str:
        return repr(self.panel).replace("ExperimentPanel", "ExperimentView", 1)


def _run_charts(handle: RunHandle) -> ipywidgets.Widget | None:
    """One box of ``handle``'s charts, two side by side where the width allows."""
    try:
        figures = handle.charts()
    except (HydroMLError, ValueError, TypeError, RuntimeError, ImportError) as exc:
        log.warning("the charts of %s could not be drawn: %s", handle.name, exc)
        return ipywidgets.Label(f"The charts of {handle.name} could not be drawn: {one_line(exc)}")
    if not figures:
        return None
    cells = []
    for fig in figures.values():
        out = ipywidgets.Output(layout=ipywidgets.Layout(flex="1 1 340px", min_width="300px"))
        out.outputs = (figure_output(fig),)
        cells.append(out)
    return ipywidgets.Box(
        cells, layout=ipywidgets.Layout(display="flex", flex_flow="row wrap", width="100%")
    )


def _close_all(widget: ipywidgets.Widget) -> None:
    for child in getattr(widget, "children", ()):
        _close_all(child)
    widget.close()
