"""The tornado handlers of ``/hydroml/api/sessions``: read-only, under Jupyter's auth.

Every handler is a jupyter_server :class:`~jupyter_server.base.handlers.APIHandler`
whose ``get`` is wrapped in ``@tornado.web.authenticated`` (no token or login: 403)
and ``@authorized`` (the server's authorizer decides; resource ``"hydroml"``, action
``"read"``). Store work runs on a worker thread, never on the server's event loop.

Which stores are read is :func:`~hydroml_jupyter.server.stores.find_stores`'s choice:
the ``.hydroml`` of the root and its folders, plus those of the folders the server's
notebooks have kernels in (asked of its session manager); ``?dir=`` picks one folder.

Answers are JSON. Errors too: ``{"message": ..., "reason": ...}`` with 400 (a ``dir``
that cannot be a folder name), 404 (no such session, or ``dir`` is not a folder inside
the root), 409 (a name stored in several folders: add ``?dir=``), 422 (stored but
unreadable: tampered, truncated, foreign) or 503 (the store cannot be reached).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import ensure_async, url_path_join
from tornado import web
from tornado.ioloop import IOLoop

from hydroml_jupyter.server import stores, views
from hydroml_jupyter.store import Store, StoreError, StoreUnavailable

__all__ = ["AUTH_RESOURCE", "setup_handlers"]

#: The resource name the server's authorizer is asked about.
AUTH_RESOURCE = "hydroml"

View = Callable[[Store | None, str], dict[str, Any]]
Build = Callable[[list[stores.Located], stores.Scan], dict[str, Any]]
_PARTS: dict[str, View] = {
    "history": views.history_view,
    "code": views.code_view,
    "summary": views.summary_view,
}


class _Handler(APIHandler):
    """Common ground: the store, the worker thread, JSON errors."""

    auth_resource = AUTH_RESOURCE

    def initialize(self, root_dir: str) -> None:
        self.root_dir = root_dir

    async def _answer(self, build: Build) -> None:
        """Answer with ``build(the stores to read, what the search visited)`` on a worker thread."""
        folder = self.get_argument("dir", None)
        kernel_dirs = [] if folder else await self._kernel_dirs()

        def run() -> dict[str, Any]:
            scan = stores.Scan()
            return build(stores.find_stores(self.root_dir, folder, kernel_dirs, scan=scan), scan)

        try:
            body = await IOLoop.current().run_in_executor(None, run)
        except stores.BadFolder as exc:
            return self._error(400, "Bad Request", str(exc))
        except views.NotFound as exc:
            return self._error(404, "Not Found", str(exc))
        except views.Ambiguous as exc:
            return self._error(409, "Conflict", str(exc))
        except StoreUnavailable as exc:
            return self._error(503, "Service Unavailable", str(exc))
        except StoreError as exc:
            return self._error(422, "Unprocessable Entity", str(exc))
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, default=str))
        return None

    async def _kernel_dirs(self) -> list[str]:
        """Return the folders (relative to the root) the server's notebook kernels run in."""
        try:
            models: list[dict[str, Any]] = await ensure_async(self.session_manager.list_sessions())
            return [
                await ensure_async(self.contents_manager.get_kernel_path(path=model["path"]))
                for model in models
                if model.get("path")
            ]
        except Exception:  # a view of stored sessions works without the kernels' folders
            self.log.debug("hydroml_jupyter: no kernel folders", exc_info=True)
            return []

    def _error(self, status: int, reason: str, message: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"message": message, "reason": reason}))


class SessionsHandler(_Handler):
    """``GET /hydroml/api/sessions``: every stored session."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        await self._answer(views.sessions_view)


class SessionHandler(_Handler):
    """``GET /hydroml/api/sessions/<name>``: one session's status."""

    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        await self._answer(_one(views.session_view, name))


class SessionPartHandler(_Handler):
    """``GET /hydroml/api/sessions/<name>/(history|code|summary)``."""

    @web.authenticated
    @authorized
    async def get(self, name: str, part: str) -> None:
        await self._answer(_one(_PARTS[part], name))


def _one(view: View, name: str) -> Build:
    """Answer with ``view`` of the store holding ``name``, and the folder it is in."""

    def build(found: list[stores.Located], _scan: stores.Scan) -> dict[str, Any]:
        located = views.locate(found, name)
        return {**view(located.store, name), "dir": located.dir}

    return build


def setup_handlers(web_app: Any, root_dir: str) -> None:
    """Add the handlers to the server's tornado application."""
    base = url_path_join(web_app.settings["base_url"], "hydroml", "api", "sessions")
    options = {"root_dir": root_dir}
    web_app.add_handlers(
        ".*$",
        [
            (base, SessionsHandler, options),
            (base + r"/([^/]+)", SessionHandler, options),
            (base + r"/([^/]+)/(history|code|summary)", SessionPartHandler, options),
        ],
    )
