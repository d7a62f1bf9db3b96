"""A stored session as the other frame of a join: its recipe, up to its current step.

The package registers :func:`stored_recipe` with :mod:`hydroml_jupyter.extensions`
(``find("other", "stored")``), so the engine resolves ``merge``'s and ``concat``'s
``other`` by a stored session's name without knowing the store.
"""

from __future__ import annotations

from typing import Any

from hydroml_jupyter.store.config import default_store

__all__ = ["stored_recipe"]


def stored_recipe(name: str) -> dict[str, Any] | None:
    """Return the recipe (as JSON) of the session stored as ``name``, or None.

    Only the manifest is read, never a frame; undone steps are left out.

    Raises
    ------
    StoreError
        When the stored session cannot be trusted.
    StoreUnavailable
        When the store cannot be reached.
    """
    store = default_store()
    if store is None or not store.exists(name):
        return None
    record = store.peek(name)
    recipe = dict(record.recipe)
    cursor = int(record.meta.get("cursor", len(recipe.get("steps", []))))
    recipe["steps"] = list(recipe.get("steps", []))[:cursor]
    return recipe
