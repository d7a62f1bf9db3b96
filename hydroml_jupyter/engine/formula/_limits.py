"""How much memory a formula may build, and the budget that enforces it while it runs.

The limit is, first match wins: what :func:`set_memory_limit` set in this process,
``$HYDROML_FORMULA_LIMIT`` (read at each evaluation), else automatic: four times the
frame's memory plus 64 MiB, at most 1 GiB. A set limit is taken as given, above 1 GiB
too: whoever sets it knows the machine.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import threading
from collections.abc import Iterator
from typing import Final

import pandas as pd

from hydroml_jupyter.engine.memory import frame_buffers, unique_bytes
from hydroml_jupyter.errors import OperationError

__all__ = [
    "LIMIT_CAP",
    "LIMIT_ENV",
    "LIMIT_FACTOR",
    "LIMIT_FLOOR",
    "Budget",
    "memory_limit",
    "parse_limit",
    "set_memory_limit",
]

#: The environment variable holding the limit, in bytes (``2GiB``, ``512MiB`` work too).
LIMIT_ENV: Final = "HYDROML_FORMULA_LIMIT"
#: The automatic limit is this many times the frame's memory...
LIMIT_FACTOR: Final = 4
#: ... plus this many bytes...
LIMIT_FLOOR: Final = 64 * 2**20
#: ... and never more than this many bytes.
LIMIT_CAP: Final = 2**30

_UNITS = {"": 1, "b": 1, "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
_SIZE = re.compile(r"^\s*(\d[\d_]*)\s*([a-z]*)\s*$", re.IGNORECASE)
_AUTO = ("", "auto")
_lock = threading.Lock()
_configured: dict[str, int | None] = {"value": None}


def parse_limit(value: int | str | None, *, source: str = "the formula limit") -> int | None:
    """Read a limit: bytes as a positive int or text (``"2GiB"``); None or ``"auto"``: automatic.

    Raises
    ------
    OperationError
        For anything else, naming ``source`` and the value.
    """
    if value is None or (isinstance(value, str) and value.strip().lower() in _AUTO):
        return None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and (match := _SIZE.match(value)):
        unit = _UNITS.get(match.group(2).lower())
        if unit is not None and len(match.group(1)) <= 30:
            number = int(match.group(1)) * unit
    if number is None or number <= 0:
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        raise OperationError(
            f"formula: {source} must be a positive number of bytes (e.g. 536870912 or "
            f"'512MiB') or 'auto', not {shown}",
            op="formula",
            value=value,
        )
    return number


def set_memory_limit(value: int | str | None) -> int | None:
    """Set how many bytes a formula may build at once; None or ``"auto"``: automatic.

    Returns the limit set (None: automatic). Takes precedence over ``$HYDROML_FORMULA_LIMIT``.

    Raises
    ------
    OperationError
        For a value that is not a positive number of bytes; the limit is then unchanged.

    Examples
    --------
    >>> set_memory_limit("256MiB")
    268435456
    >>> set_memory_limit(None) is None
    True
    """
    number = parse_limit(value)
    with _lock:
        _configured["value"] = number
    return number


def memory_limit(df: pd.DataFrame | None = None) -> int:
    """Return the bytes a formula on ``df`` may build at once (see the module's notes).

    Without ``df``, the automatic limit is that of an empty frame (64 MiB).

    Raises
    ------
    OperationError
        When ``$HYDROML_FORMULA_LIMIT`` holds something that is not a limit.
    """
    with _lock:
        configured = _configured["value"]
    if configured is not None:
        return configured
    from_env = parse_limit(_from_env(), source=f"${LIMIT_ENV}")
    if from_env is not None:
        return from_env
    frame = 0 if df is None else unique_bytes([frame_buffers(df)])
    return min(LIMIT_FACTOR * frame + LIMIT_FLOOR, LIMIT_CAP)


def _from_env() -> str:
    return os.environ.get(LIMIT_ENV, "").strip()


def max_digits() -> int:
    """Return the most digits a whole number may have: what Python can still print."""
    return sys.get_int_max_str_digits() or 100_000


def show_bytes(size: float) -> str:
    """Return ``size`` bytes for a message, e.g. ``'95.4 MiB'``."""
    if size == float("inf") or size >= 2**80:
        return "an unbounded amount"
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= scale:
            return f"{size / scale:,.1f} {unit}"
    return f"{int(size)} bytes"


class Budget:
    """The memory one evaluation may use: the value being built plus the values held.

    A value held is a part already computed and waiting for its siblings (the left
    operand while the right one is computed); the frame's own columns cost nothing.
    """

    def __init__(self, df: pd.DataFrame) -> None:
        self.df = df
        self.held = 0.0
        self._limit: int | None = None

    @property
    def limit(self) -> int:
        """The limit, computed on first use."""
        if self._limit is None:
            self._limit = memory_limit(self.df)
        return self._limit

    @contextlib.contextmanager
    def holding(self, size: float) -> Iterator[None]:
        """Count ``size`` bytes as held while the block runs."""
        self.held += size
        try:
            yield
        finally:
            self.held -= size

    def check(self, part: str, size: float | None) -> None:
        """Refuse to build ``part`` when ``size`` bytes more would go past the limit.

        Raises
        ------
        OperationError
            ``formula: cannot compute <part>: the result would be too large (about N MiB,
            over the limit of M MiB ...)``.
        """
        if size is None or size <= 0:
            return
        # Measuring the frame can take a while (object columns): skip it when under the floor.
        automatic = self._limit is None and _configured["value"] is None and not _from_env()
        if automatic and self.held + size <= LIMIT_FLOOR:
            return
        if self.held + size <= self.limit:
            return
        held = f" with {show_bytes(self.held)} of other parts held" if self.held >= 2**16 else ""
        raise too_large(
            part,
            f"about {show_bytes(size)}{held}, over the limit of {show_bytes(self.limit)}; "
            f"set ${LIMIT_ENV} to change it",
        )


def too_large(part: str, why: str) -> OperationError:
    """Return the one-line error refusing to compute ``part`` because of ``why``."""
    return OperationError(
        f"formula: cannot compute {part}: the result would be too large ({why})",
        op="formula",
        value=part,
    )
