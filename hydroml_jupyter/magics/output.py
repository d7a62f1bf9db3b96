"""One-line reports of what a subcommand did, and the Data Studio, imported on demand."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError

from hydroml_jupyter.io.export import ExportError

if TYPE_CHECKING:
    from hydroml_jupyter.engine import Session, Step

__all__ = ["not_overwriting", "shape_text", "step_line", "studio", "studio_available"]


def shape_text(shape: tuple[int, int]) -> str:
    """Return ``410 rows x 9 columns`` (with a multiplication sign)."""
    rows, cols = shape
    return f"{rows:,} row{'s' * (rows != 1)} × {cols} column{'s' * (cols != 1)}"


def step_line(session: Session, step: Step, verb: str = "") -> str:
    """Return ``customers: step 2 of 3 · Rename a → b · 410 rows x 9 columns``.

    ``verb`` (``undo``, ``redo``, ...) says how the session got there.
    """
    last = len(session.history) - 1
    how = f"{verb} → " if verb else ""
    return (
        f"{session.name}: {how}step {step.index} of {last} · {step.label} · "
        f"{shape_text(step.shape)}"
    )


def _factory() -> Any:
    import hydroml_jupyter

    try:
        return getattr(hydroml_jupyter, "studio", None)
    except ImportError:
        return None


def studio_available() -> bool:
    """Whether the Data Studio widgets are installed."""
    return _factory() is not None


def studio(target: Session | Any) -> Any:
    """Return the Data Studio widget of a session or DataFrame.

    Raises
    ------
    UsageError
        When the Data Studio widgets are not available.
    """
    factory = _factory()
    if factory is None:
        raise UsageError(
            "the Data Studio widgets are not available in this installation "
            "(hydroml_jupyter.studio is missing)"
        )
    return factory(target)


def not_overwriting(exc: ExportError) -> UsageError:
    """Return the one-line refusal of a magic asked to write over an existing file.

    Raise it from the ``ExportError`` (reason ``exists``) the write raised.
    """
    return UsageError(
        f"Not writing {exc.path!r}: the file exists; add --overwrite to replace it, "
        "or choose another name"
    )
