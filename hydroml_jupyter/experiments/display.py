"""How a run shows itself: its live panel, the panel with the end-of-run charts, the charts."""

from __future__ import annotations

import logging
import sys
import threading
from typing import Any

from hydroml_jupyter import extensions
from hydroml_jupyter.experiments.errors import ExperimentError

__all__ = ["RunDisplay"]

log = logging.getLogger("hydroml_jupyter.experiments")


class RunDisplay:
    """The display half of :class:`~hydroml_jupyter.experiments.RunHandle`.

    The panel and view classes are the ones the faces registered with
    :mod:`hydroml_jupyter.extensions` (``"run"``, ``"panel"`` and ``"view"``), loaded
    only when a run is shown: the experiments layer never imports the widgets.
    """

    name: str
    _lock: threading.Lock
    _panel: Any
    _view: Any
    #: The figures of the ended run, once built (an ended run does not change).
    _charts: dict[str, Any] | None = None
    #: The execution count of the cell that displayed this run with :meth:`show_once`.
    _shown_in: int | None = None

    def panel(self) -> Any:
        """Return this run's live panel, an :class:`~hydroml_jupyter.widgets.ExperimentPanel`.

        The same panel is returned until it is closed; displaying it again shows another
        view of it.
        """
        current = self._panel
        if current is None or current.closed:
            current = self._panel = _registered("panel")(self)
        return current

    def view(self) -> Any:
        """Return the panel with, below it, this run's charts once it completes.

        An :class:`~hydroml_jupyter.widgets.ExperimentView`; displaying the run shows it.
        """
        current = self._view
        if current is None or current.closed:
            current = self._view = _registered("view")(self.panel())
        return current

    def charts(self) -> dict[str, Any]:
        """Return the plotly figures of the completed run, by name.

        Feature importance; confusion matrix and ROC for classification; residuals for
        regression; optimisation history and parameter importance for tuning (the table
        in :mod:`hydroml_jupyter.experiments.charts` says which applies when).

        Raises
        ------
        ExperimentError
            When the run has not completed.

        Examples
        --------
        >>> run.wait()  # doctest: +SKIP
        'completed'
        >>> list(run.charts())  # doctest: +SKIP
        ['importance', 'confusion', 'roc']
        """
        from hydroml_jupyter.experiments.charts import run_charts
        from hydroml_jupyter.experiments.handle import RunHandle

        assert isinstance(self, RunHandle), "RunDisplay is a part of RunHandle"
        with self._lock:
            cached = self._charts
        if cached is None:
            cached = run_charts(self)
            with self._lock:
                self._charts = cached
        return dict(cached)

    def show_once(self) -> None:
        """Display the run's view now; the cell's result, if it is this run, is then text only.

        So ``run = %hydroml train ...`` shows the panel, and ``%hydroml train ...`` as the
        last line of a cell shows it once, not twice.
        """
        from IPython import get_ipython
        from IPython.display import display

        display(self.view())
        shell = get_ipython()
        self._shown_in = getattr(shell, "execution_count", None)

    def _ipython_display_(self) -> None:
        """Show the run's view (the panel, then its charts and a static placeholder).

        Nothing when :meth:`show_once` already showed it in this cell: a run started by
        ``%hydroml train`` as a cell's last line leaves one output, not a second line of
        text frozen at "running 0%". Outside a kernel, the text.
        """
        from IPython.display import display

        if self._shown_in_this_cell():
            return
        if not _in_kernel():
            display({"text/plain": repr(self)}, raw=True)
            return
        try:
            view = self.view()
        except Exception:
            log.exception("the panel of %s could not be shown", self.name)
            display({"text/plain": repr(self)}, raw=True)
            return
        display(view)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> Any:
        text = {"text/plain": repr(self)}
        if not _in_kernel() or self._shown_in_this_cell():
            return text
        try:
            bundle = self.view()._repr_mimebundle_(include=include, exclude=exclude, **kwargs)
        except Exception:
            log.exception("the panel of %s could not be shown", self.name)
            return text
        if isinstance(bundle, tuple):  # anywidget answers (data, metadata)
            data, metadata = bundle
            return {**data, **text}, metadata
        return {**(bundle or {}), **text}

    def _shown_in_this_cell(self) -> bool:
        if self._shown_in is None:
            return False
        from IPython import get_ipython

        return getattr(get_ipython(), "execution_count", None) == self._shown_in


def _registered(name: str) -> Any:
    """Return the widget class the faces registered as a run's ``name`` (panel or view)."""
    found = extensions.find("run", name)
    if found is None:
        raise ExperimentError(
            f"no run {name} is registered; import hydroml_jupyter to register the widgets"
        )
    return found


def _in_kernel() -> bool:
    """Whether this process is a running IPython kernel (so a widget can be shown)."""
    kernelbase = sys.modules.get("ipykernel.kernelbase")
    return kernelbase is not None and bool(kernelbase.Kernel.initialized())
