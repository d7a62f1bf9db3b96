"""Open a data source into a new session."""

from __future__ import annotations

import os
from typing import Any

import pandas as pd

from hydroml_jupyter.engine.session import Session
from hydroml_jupyter.io import load_source

__all__ = ["open_session"]


def open_session(
    source: str | os.PathLike[str] | pd.DataFrame | Session,
    name: str | None = None,
    **options: Any,
) -> Session:
    """Load ``source`` into a new session.

    Parameters
    ----------
    source
        A file (CSV, TSV, Parquet, Excel, JSON, JSON Lines, by suffix), an
        SQLAlchemy URL (with ``table=`` or ``query=``), or a DataFrame.
    name
        The session's name; by default the file's stem or the table's name.
    **options
        ``format=``, ``progress=``, ``sheet=``, ``table=``, ``query=`` and any
        keyword argument of the pandas reader (recorded for code export).

    Raises
    ------
    SourceError
        When the source cannot be loaded; the message names it and the cause.

    Examples
    --------
    >>> import hydroml_jupyter as hj
    >>> s = hj.open("notebooks/data/customers.csv")  # doctest: +SKIP
    >>> s = hj.open("sqlite:///shop.db", table="orders")  # doctest: +SKIP
    """
    if isinstance(source, Session):
        return source
    if isinstance(source, pd.DataFrame):
        if options:
            raise TypeError(f"options {sorted(options)} only apply when loading a file or URL")
        return Session(source, name=name)
    df, origin = load_source(source, **options)
    return Session(df, name=name, source=origin)
