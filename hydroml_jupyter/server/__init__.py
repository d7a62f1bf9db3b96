"""A Jupyter server extension: a read-only JSON view of the stored sessions.

Enabled by ``jupyter-config/jupyter_server_config.d/hydroml_jupyter.json`` (installed
with the wheel), or on the command line::

    jupyter server --ServerApp.jpserver_extensions="{'hydroml_jupyter.server': True}"

It serves, under Jupyter's own authentication (token or password, and the server's
authorizer with the resource ``"hydroml"``, action ``"read"``):

- ``GET /hydroml/api/sessions``: every stored session (name, ``dir``, updated, shape,
  version, bytes, and a problem when one cannot be read), and the stores read;
- ``GET /hydroml/api/sessions/<name>``: its status, shape, version, created, updated,
  parent, source, steps, position and ``dir``;
- ``GET /hydroml/api/sessions/<name>/history``: its steps;
- ``GET /hydroml/api/sessions/<name>/code``: the pandas script that rebuilds it;
- ``GET /hydroml/api/sessions/<name>/summary``: per-column statistics of its frame.

Names are URL-encoded (``/`` as ``%2F``). Which sessions: a kernel saves to the store
``HYDROML_STORE`` names (the server's environment is the kernels'), by default
``.hydroml`` in its working folder, which is the notebook's folder. So the view reads
the ``.hydroml`` of the root and of its folders down to four levels (hidden folders
and links to folders are not searched) and of every folder the server's notebooks
have kernels in: a session saved by ``notebooks/clean.ipynb`` is listed with
``"dir": "notebooks"``. ``?dir=FOLDER`` (relative to the root) reads that folder's
store only; a name stored in several folders needs it (409 otherwise). With
``HYDROML_STORE`` set to a ``redis://`` URL or an absolute folder, every kernel saves
to that one store and the view reads it. Unknown names answer 404 with a JSON
``message``; a ``dir`` outside the root, missing or a link loop 404, one that cannot be
a folder name (over 1,024 characters) 400. See :mod:`hydroml_jupyter.server.stores`.
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
