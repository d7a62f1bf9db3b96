"""Install the magics in an IPython shell, and take them out again."""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Callable
from typing import Any

from IPython.core.interactiveshell import InteractiveShell

from hydroml_jupyter.magics import registry
from hydroml_jupyter.magics.completion import make_matcher
from hydroml_jupyter.magics.config import HydroML
from hydroml_jupyter.magics.context import Context
from hydroml_jupyter.magics.magic import HydroMLMagics

__all__ = ["context_of", "install", "uninstall"]


@dataclasses.dataclass
class _Installed:
    context: Context
    magics: HydroMLMagics
    matcher: Callable[..., Any]
    callbacks: list[tuple[str, Callable[..., Any]]]


_installed: weakref.WeakKeyDictionary[InteractiveShell, _Installed] = weakref.WeakKeyDictionary()


def install(shell: InteractiveShell) -> Context:
    """Register ``%hydroml``, ``%config HydroML`` and the completer in ``shell``.

    Installing twice in one shell keeps the first installation.
    """
    if shell in _installed:
        return _installed[shell].context
    config = HydroML(parent=shell)
    context = Context(shell, config)
    HydroMLMagics.hydroml.__doc__ = registry.usage()
    magics = HydroMLMagics(shell, context)
    shell.register_magics(magics)
    shell.configurables.append(config)
    matcher = make_matcher(context)
    shell.Completer.custom_matchers.append(matcher)

    def pre_run_cell(info: Any) -> None:
        context.cell_id = getattr(info, "cell_id", None)

    def post_run_cell(result: Any) -> None:
        context.cell_id = None

    callbacks = [("pre_run_cell", pre_run_cell), ("post_run_cell", post_run_cell)]
    for event, callback in callbacks:
        shell.events.register(event, callback)
    _installed[shell] = _Installed(context, magics, matcher, callbacks)
    return context


def uninstall(shell: InteractiveShell) -> None:
    """Remove what :func:`install` added to ``shell`` (live sessions are kept).

    What ``HydroML.store`` and ``HydroML.mlflow_uri`` set for the kernel is undone: the
    default store follows ``$HYDROML_STORE`` again, ``$MLFLOW_TRACKING_URI`` is as before.
    """
    installed = _installed.pop(shell, None)
    if installed is None:
        return
    installed.context.config.release()
    for kind in ("line", "cell"):
        table = shell.magics_manager.magics[kind]
        if getattr(table.get("hydroml"), "__self__", None) is installed.magics:
            del table["hydroml"]
    shell.magics_manager.registry.pop(type(installed.magics).__name__, None)
    if installed.context.config in shell.configurables:
        shell.configurables.remove(installed.context.config)
    if installed.matcher in shell.Completer.custom_matchers:
        shell.Completer.custom_matchers.remove(installed.matcher)
    for event, callback in installed.callbacks:
        shell.events.unregister(event, callback)


def context_of(shell: InteractiveShell) -> Context | None:
    """Return the magics' state in ``shell``, if they are installed there."""
    installed = _installed.get(shell)
    return None if installed is None else installed.context
