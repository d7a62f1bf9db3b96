"""The ``%hydroml`` IPython magics: a notebook cleaned from text alone.

Load them with ``%load_ext hydroml_jupyter`` (or ``hydroml_jupyter.magics``); ``%hydroml`` (or
``%hydroml help``) lists the subcommands, ``%hydroml help recipe`` the grammar of
the ``%%hydroml recipe`` cell, ``%config HydroML`` the options.

Examples
--------
In a notebook::

    %load_ext hydroml_jupyter
    %hydroml open data/customers.csv
    %hydroml apply cast column=Age dtype=Int64 errors=coerce
    %hydroml undo
    %hydroml code

Importing this package registers nothing; it imports neither the widgets nor any
machine-learning or plotting library.
"""

from __future__ import annotations

from typing import Any

__all__ = ["load_ipython_extension", "unload_ipython_extension"]


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%hydroml``, ``%%hydroml``, ``%config HydroML`` and their completion."""
    from hydroml_jupyter.magics.extension import install

    install(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """Remove what :func:`load_ipython_extension` registered (live sessions are kept)."""
    from hydroml_jupyter.magics.extension import uninstall

    uninstall(ipython)
