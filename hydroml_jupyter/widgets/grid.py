"""``DataGrid``: a session's rows, one window at a time, sorted and filtered in the kernel."""

from __future__ import annotations

import contextlib
from collections.abc import Hashable, Sequence
from typing import Any, ClassVar

import pandas as pd
import traitlets

from hydroml_jupyter.engine.ops.rows import FilterRows
from hydroml_jupyter.errors import HydroMLError
from hydroml_jupyter.widgets import previewgrid
from hydroml_jupyter.widgets.base import SessionWidget
from hydroml_jupyter.widgets.protocol import ColumnNames, ProtocolError, protocol_name
from hydroml_jupyter.widgets.shapes import WidgetKind
from hydroml_jupyter.widgets.view import GridView

__all__ = ["DataGrid"]


class DataGrid(SessionWidget):
    """A scrolling grid over a session: the browser holds a few windows of rows, never the frame.

    Parameters
    ----------
    data
        A :class:`~hydroml_jupyter.Session`, or a DataFrame to start a new session from.
    name
        The new session's name, when ``data`` is a DataFrame.
    sort, filters
        The view to start with; see :meth:`set_view`.

    Attributes
    ----------
    total_rows : int
        Rows in the session's frame.
    row_count : int
        Rows in the current view (after filters).
    view : int
        Bumped whenever the rows of the view change: sort, filters or a new version.
    sort : list of dict
        ``{"column", "descending"}`` keys, primary first; ``[]`` is frame order.
    filters : list of dict
        ``{"column", "op", "value"}`` conditions that must all hold; ``[]`` keeps every row.

    Examples
    --------
    >>> import pandas as pd
    >>> grid = DataGrid(pd.DataFrame({"a": [3, 1, 2]}), sort=[("a", True)])
    >>> grid.row_count, grid.sort
    (3, [{'column': 'a', 'descending': True}])
    """

    _KIND: ClassVar[WidgetKind] = "grid"
    _kind = traitlets.Unicode("grid", help="Which view the front end renders.").tag(sync=True)
    total_rows = traitlets.Int(0, help="Rows in the session's frame.").tag(sync=True)
    row_count = traitlets.Int(0, help="Rows in the current view.").tag(sync=True)
    view = traitlets.Int(0, help="Bumped whenever the rows of the view change.").tag(sync=True)
    sort = traitlets.List(traitlets.Dict(), help="Sort keys, primary first.").tag(sync=True)
    filters = traitlets.List(traitlets.Dict(), help="Filters that must all hold.").tag(sync=True)

    _OPTIONS: ClassVar[tuple[str, ...]] = ("sort", "filters")

    def _setup(self, options: dict[str, Any]) -> None:
        super()._setup(options)
        self._problem = ""
        self._grid = GridView(self._session)
        sort, filters = options.get("sort"), options.get("filters")
        if sort is not None or filters is not None:
            names = self._grid.names
            self._grid.set(
                sort=None if sort is None else _sort_items(sort, names),
                filters=None if filters is None else _filter_items(filters, names),
            )

    def _state(self, initial: bool = False) -> dict[str, Any]:
        grid = self._grid
        previewgrid.drop_stale(self)
        with grid.lock:
            grid.sync()
            problems = grid.take_problems()
            if problems:
                self._problem = "; ".join(problems)
            state = super()._state(initial)
            state.update(
                total_rows=grid.total_rows,
                row_count=grid.row_count,
                view=grid.view,
                sort=grid.sort,
                filters=grid.filters,
                error=self._problem,
            )
            return state

    def _names(self) -> ColumnNames:
        return self._grid.names

    def _current(self) -> tuple[int, pd.DataFrame]:
        with self._grid.lock:
            self._grid.sync()
            return self._grid.version, self._grid.frame

    @property
    def grid_view(self) -> GridView:
        """The :class:`~hydroml_jupyter.widgets.view.GridView` behind the grid."""
        return self._grid

    # -- Python conveniences ------------------------------------------------------------------
    def set_view(
        self,
        sort: Sequence[Any] | str | None = None,
        filters: Sequence[Any] | None = None,
    ) -> None:
        """Sort and/or filter the grid (``None`` keeps the current sort or filters).

        Parameters
        ----------
        sort
            A column, or a list of columns, ``(column, descending)`` pairs or
            ``{"column", "descending"}`` dicts; ``[]`` restores frame order.
        filters
            A list of ``(column, op, value)`` triples or ``{"column", "op", "value"}``
            dicts, with the ops of ``filter_rows``; ``[]`` removes every filter.

        Raises
        ------
        ProtocolError, OperationError
            When a key or filter does not apply; nothing changes then.

        Examples
        --------
        >>> import pandas as pd
        >>> grid = DataGrid(pd.DataFrame({"a": [3, 1, 2]}))
        >>> grid.set_view(sort="a", filters=[("a", ">", 1)])
        >>> grid.row_count, grid.grid_view.positions(0, 5).tolist()
        (2, [2, 0])
        """
        names = self._grid.names
        self._show(
            None if sort is None else _sort_items(sort, names),
            None if filters is None else _filter_items(filters, names),
        )

    def _show(self, sort: Any, filters: Any) -> None:
        """Give the view this sort and/or these filters (``None`` keeps one), then sync."""
        self._grid.set(sort=sort, filters=filters)
        self._problem = ""
        self._sync()

    def close(self) -> None:
        """Stop following the session, drop the view's caches and close the comm."""
        grid = getattr(self, "_grid", None)
        if grid is not None:
            grid.release()
        super().close()

    def apply_view(self) -> None:
        """Make the view's filters ``filter_rows`` steps and its sort a ``sort_rows`` step.

        The session's frame then equals the view, and the view's sort and filters are cleared.

        Raises
        ------
        ProtocolError
            When the view has no sort or filters; nothing changes then.

        Examples
        --------
        >>> import pandas as pd
        >>> grid = DataGrid(pd.DataFrame({"a": [3, 1, 2]}), sort="a")
        >>> grid.apply_view()
        >>> grid.session.df["a"].tolist(), grid.sort
        ([1, 2, 3], [])
        """
        grid = self._grid
        steps = grid.to_steps()
        if not steps:
            raise ProtocolError("apply_view: the view has no sort or filters to apply")
        # A filter may refuse the rows the filters before it left (an object column with
        # no text left, say): try them on those columns first, so no step fails half-way.
        filters = [op for op in steps if isinstance(op, FilterRows)]
        narrow = grid.frame[list(dict.fromkeys(op.column for op in filters))]
        for op in filters:
            narrow = op.apply(narrow)
        saved = (grid.sort, grid.filters)
        grid.clear()
        try:
            self._session.apply_all(steps)
        except Exception:
            # Only a change made meanwhile from another thread gets here; the session is
            # unchanged (all or nothing): give the view its sort and filters back.
            with contextlib.suppress(HydroMLError):
                grid.set(sort=saved[0], filters=saved[1])
            self._sync()
            raise
        self._problem = ""
        self._sync()


def _name(column: Hashable, names: ColumnNames) -> Any:
    if isinstance(column, int) and not isinstance(column, bool) and protocol_name(column) in names:
        return protocol_name(column)
    return column


def _sort_items(sort: Sequence[Any] | str, names: ColumnNames) -> list[Any]:
    items = [sort] if isinstance(sort, str | int) else list(sort)
    out: list[Any] = []
    for item in items:
        if isinstance(item, dict):
            out.append(item)
        elif isinstance(item, tuple) and len(item) == 2:
            out.append({"column": _name(item[0], names), "descending": item[1]})
        else:
            out.append({"column": _name(item, names), "descending": False})
    return out


def _filter_items(filters: Sequence[Any], names: ColumnNames) -> list[Any]:
    if not isinstance(filters, list | tuple):
        raise ProtocolError(f"filters: expected a list of filters, not {filters!r}")
    out: list[Any] = []
    for item in filters:
        if isinstance(item, tuple) and len(item) in (2, 3):
            column, op, *value = item
            out.append({"column": _name(column, names), "op": op, "value": (value or [None])[0]})
        else:
            out.append(item)
    return out
