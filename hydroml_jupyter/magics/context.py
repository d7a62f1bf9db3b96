"""What every subcommand gets: the shell, the options, and which session is current."""

from __future__ import annotations

import dataclasses
import weakref
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError

from hydroml_jupyter.engine import registry
from hydroml_jupyter.magics.config import HydroML, mlflow_uri, store_spec

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

    from hydroml_jupyter.engine import Session

__all__ = ["Context", "RecipeMark"]


@dataclasses.dataclass
class RecipeMark:
    """The steps a recipe cell applied to a session, to replace them on a re-run.

    Attributes
    ----------
    session
        The session they were applied to (weakly: a closed session lets go).
    first
        The index of the first step applied.
    signature
        ``(op name, repr of params)`` of each step applied, in order.
    """

    session: weakref.ReferenceType[Session]
    first: int
    signature: tuple[tuple[str, str], ...]

    @property
    def last(self) -> int:
        """The index of the last step applied."""
        return self.first + len(self.signature) - 1

    def applies_to(self, session: Session) -> bool:
        """Whether the mark was made on ``session`` (and not on an older one of that name)."""
        return self.session() is session

    def is_newest(self, session: Session) -> bool:
        """Whether the marked steps are still there and are the newest steps at the cursor."""
        if not self.applies_to(session) or session.position != self.last:
            return False
        history = session.history
        if len(history) <= self.last:
            return False
        found = tuple((step.op, repr(step.params)) for step in history[self.first : self.last + 1])
        return found == self.signature


class Context:
    """The state the ``%hydroml`` subcommands share in one shell.

    Parameters
    ----------
    shell
        The IPython shell.
    config
        The :class:`~hydroml_jupyter.magics.config.HydroML` options.
    """

    def __init__(self, shell: InteractiveShell, config: HydroML) -> None:
        self.shell = shell
        self.config = config
        self.current: str | None = None
        #: Per session name, per recipe key (cell id or text hash): the steps applied.
        self.marks: dict[str, dict[str, RecipeMark]] = {}
        #: The id of the notebook cell running now, when the front end sends one.
        self.cell_id: str | None = None
        #: The sessions the magics opened or restored: ``HydroML.memory_budget`` applies to them.
        self.adopted: weakref.WeakSet[Session] = weakref.WeakSet()
        config.observe(self._memory_budget_changed, "memory_budget")

    # -- sessions ----------------------------------------------------------------------
    def session(self, name: str | None = None) -> Session:
        """Return the session ``name``, else the current one; the result becomes current.

        Raises
        ------
        UsageError
            When there is no such session, or no way to tell which one is meant.
        """
        if name is not None:
            try:
                found = registry.get(name)
            except KeyError as exc:
                raise UsageError(str(exc.args[0])) from None
            self.current = found.name
            return found
        live = registry.sessions()
        if self.current in live:
            return live[self.current]
        if len(live) == 1:
            (only,) = live.values()
            self.current = only.name
            return only
        if not live:
            raise UsageError("no session yet: load one with `%hydroml open PATH`")
        names = ", ".join(repr(n) for n in live)
        raise UsageError(
            f"which session? {len(live)} are live ({names}): "
            "pick one with `%hydroml use NAME` or `--session NAME`"
        )

    def find(self, name: str | None = None) -> Session | None:
        """Return the session :meth:`session` would, or ``None``; nothing becomes current."""
        live = registry.sessions()
        if name is not None:
            return live.get(name)
        if self.current in live:
            return live[self.current]
        return next(iter(live.values())) if len(live) == 1 else None

    def use(self, session: Session) -> None:
        """Make ``session`` the current one."""
        self.current = session.name

    def adopt(self, session: Session) -> Session:
        """Make ``session`` current, under ``HydroML.memory_budget`` now and when it changes."""
        session.memory_budget = self.config.memory_budget
        self.adopted.add(session)
        self.use(session)
        return session

    def _memory_budget_changed(self, change: dict[str, Any]) -> None:
        live = set(registry.sessions().values())
        for session in list(self.adopted):
            if session in live:
                session.memory_budget = change["new"]

    # -- options -----------------------------------------------------------------------
    @property
    def store_spec(self) -> str | None:
        """The store named by ``HydroML.store`` (``None``: the default)."""
        return store_spec(self.config)

    @property
    def tracking_uri(self) -> str | None:
        """The MLflow tracking URI named by ``HydroML.mlflow_uri`` (``None``: the default)."""
        return mlflow_uri(self.config)

    # -- output ------------------------------------------------------------------------
    @property
    def user_ns(self) -> dict[str, Any]:
        """The notebook's namespace."""
        return self.shell.user_ns

    def show(self, obj: Any) -> None:
        """Display ``obj`` in the cell's output, as the last line of a cell would."""
        from IPython.display import display

        display(obj)

    @property
    def has_front_end(self) -> bool:
        """Whether a kernel, and so maybe a notebook front end, is attached to the shell."""
        return getattr(self.shell, "kernel", None) is not None
