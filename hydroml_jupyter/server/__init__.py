"""A Jupyter server extension: a read-only JSON view of the stored sessions.

Enabled by ``jupyter-config/jupyter_server_config.d/hydroml_jupyter.json`` (installed
with the wheel), or on the command line::

    jupyter server --ServerApp.jpserver_extensions="{'hydroml_jupyter.server': True}"

It serves, under Jupyter's own authentication (token or password, and the server's
authorizer with the resource ``"hydroml"``, action ``"read"``):

- ``GET /hydroml/api/sessions``: every stored session (name, updated, shape, version,
  bytes, and a problem when one cannot be read);
- ``GET /hydroml/api/sessions/<name>``: its status, shape, version, created, updated,
  parent, source, steps and position;
- ``GET /hydroml/api/sessions/<name>/history``: its steps;
- ``GET /hydroml/api/sessions/<name>/code``: the pandas script that rebuilds it;
- ``GET /hydroml/api/sessions/<name>/summary``: per-column statistics of its frame.

Names are URL-encoded (``/`` as ``%2F``). The store is the configured one
(``HYDROML_STORE`` of the server's environment); the default disk store is
``.hydroml`` in the server's root folder, or in the folder given by ``?dir=`` (relative
to the root, e.g. the notebook's folder). Unknown names answer 404 with a JSON
``message``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["_jupyter_server_extension_points", "_load_jupyter_server_extension"]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """Tell jupyter_server where the extension is (this module)."""
    return [{"module": "hydroml_jupyter.server"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Add the ``/hydroml/api`` handlers to the running server."""
    from hydroml_jupyter.server.handlers import setup_handlers

    setup_handlers(serverapp.web_app, serverapp.root_dir)
    serverapp.log.info("hydroml_jupyter: session view at /hydroml/api/sessions")
