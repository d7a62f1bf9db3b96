"""Test strategies of operation families that live in their own modules.

An operation family (the operations of one engine module, say) may keep its test
strategies in ``tests/ops_<family>.py`` instead of growing the shared test modules.
Such a module defines any of:

``PROPERTY``
    ``{op: strategy(draw, df) -> (op, params)}`` for the property test
    (``tests/test_properties.py``): typical, mostly valid parameters.
``HOSTILE``
    ``{op: strategy(draw, df, columns) -> (op, params)}`` for the code-safety test
    (``tests/hostile.py``): names and values from all of Unicode.
``API``, ``NAMES``, ``ENUMS``
    Sets adding to what an exported script may use (pandas attributes, variable
    names) and to the parameters whose values are fixed words (see ``tests/hostile.py``).
"""

from __future__ import annotations

import functools
import importlib
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


@functools.cache
def modules() -> tuple[Any, ...]:
    """Every ``tests/ops_*.py`` module, imported, in name order (found once)."""
    return tuple(importlib.import_module(p.stem) for p in sorted(HERE.glob("ops_*.py")))


def collect(attribute: str) -> dict[str, Any]:
    """Merge the ``attribute`` dicts of every family module; an op given twice fails."""
    merged: dict[str, Any] = {}
    for module in modules():
        for op, strategy in getattr(module, attribute, {}).items():
            assert op not in merged, f"{op}: two {attribute} strategies ({module.__name__})"
            merged[op] = strategy
    return merged


def union(attribute: str) -> set[str]:
    """Join the ``attribute`` sets of every family module."""
    out: set[str] = set()
    for module in modules():
        out |= set(getattr(module, attribute, set()))
    return out
