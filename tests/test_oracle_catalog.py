"""Every registered operation has oracle tests: a tests/test_oracle_<family>.py module that
names it in its ``COVERS`` set. A new operation without one fails here."""

from __future__ import annotations

import importlib
from pathlib import Path

from hydroml_jupyter.engine.ops.base import catalog

HERE = Path(__file__).parent


def covered() -> dict[str, str]:
    """Each operation named in a ``COVERS`` set, with the module naming it."""
    names: dict[str, str] = {}
    for path in sorted(HERE.glob("test_oracle_*.py")):
        if path.stem == Path(__file__).stem:
            continue
        module = importlib.import_module(path.stem)
        for name in module.COVERS:
            assert name not in names, f"{name} is covered by {names[name]} and {path.stem}"
            names[name] = path.stem
    return names


def test_every_operation_has_an_oracle_module() -> None:
    names = covered()
    missing = sorted(set(catalog()) - set(names))
    assert not missing, (
        f"operations without oracle tests (add them to a test_oracle_*.py): {missing}"
    )
    stale = sorted(set(names) - set(catalog()))
    assert not stale, f"oracle modules cover operations that are not registered: {stale}"
