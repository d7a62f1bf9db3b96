"""What a saved notebook shows where a widget was, once the kernel that made it is gone.

A widget's output holds only its model's id. After the kernel restarts (or the notebook is
opened on another server) JupyterLab and Notebook 7 find no model and write "Error displaying
widget: model not found"; a ``text/html`` beside the widget's own mime type is never chosen,
since the widget renderer ranks first. So every Data Studio widget is displayed as two
outputs: the widget, then a short static placeholder saying what it was and to run the cell
again.

Which of the two shows is decided in the page:

- the placeholder's own ``<style>`` hides it while the widget output before it is live or
  loading, and hides that output's error line once the widget manager has given up on the
  model (its renderer then carries the ``jupyter-widgets`` class); nothing of ours needs to
  be loaded for that;
- the widget's front end also hides the placeholder that follows it when it renders, for
  front ends whose page differs (VS Code).

Every name in the text is escaped here, in one place.
"""

from __future__ import annotations

import html
from typing import Any

__all__ = ["PLACEHOLDER_CLASS", "display_with_placeholder", "placeholder_bundle"]

#: The class of the placeholder's element (the front end looks for it).
PLACEHOLDER_CLASS = "hydroml-static"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

_OUTPUT = ".jp-OutputArea-child"
# The widget renderer is the one output renderer that is a Lumino panel (the others are plain
# widgets, and it has no data-mime-type); it takes the ``jupyter-widgets`` class on an error.
_WIDGET = ".jp-OutputArea-output.lm-Panel"
_STYLE = (
    # A live (or still loading) widget output hides the placeholder after it ...
    f"{_OUTPUT}:has(> {_WIDGET}:not(.jupyter-widgets)) + {_OUTPUT}:has(.{PLACEHOLDER_CLASS})"
    "{display:none}"
    # ... and a widget output whose model was not found gives way to the placeholder.
    f"{_OUTPUT}:has(> {_WIDGET}.jupyter-widgets):has(+ {_OUTPUT} .{PLACEHOLDER_CLASS})"
    "{display:none}"
    f".{PLACEHOLDER_CLASS}{{padding:6px 10px;border:1px dashed #999;border-radius:4px;"
    "color:var(--jp-ui-font-color1,inherit);font-size:var(--jp-ui-font-size1,13px);"
    "max-width:60em}"
)


def placeholder_bundle(what: str, detail: str = "") -> dict[str, str]:
    """Return the placeholder output's mime bundle for a widget described by ``what``.

    Parameters
    ----------
    what
        What the widget was, e.g. ``"Data Studio of session 'flights'"``; it may hold
        any text (it is escaped).
    detail
        A further sentence, e.g. where a finished run's charts can be found.

    Examples
    --------
    >>> b = placeholder_bundle("Data Studio of session '<b>'")
    >>> b["text/plain"]
    "Data Studio of session '<b>': its kernel has stopped. Run the cell again to show it."
    >>> "&lt;b&gt;" in b["text/html"] and "<b>" not in b["text/html"]
    True
    """
    sentence = f"{what}: its kernel has stopped. Run the cell again to show it."
    if detail:
        sentence += f" {detail}"
    body = html.escape(sentence)
    markup = (
        f'<style>{_STYLE}</style><div class="{PLACEHOLDER_CLASS}" data-hydroml-static="1">'
        f"{body}</div>"
    )
    return {"text/html": markup, "text/plain": sentence}


def display_with_placeholder(widget: Any, what: str, detail: str = "") -> None:
    """Display ``widget``, then its placeholder (see the module's notes).

    Outside a kernel (no widget view in the bundle) only the widget's own bundle is shown.
    """
    from IPython.display import display

    bundle = widget._repr_mimebundle_()
    data, metadata = bundle if isinstance(bundle, tuple) else (bundle or {}, {})
    display(data, metadata=metadata, raw=True)
    if WIDGET_VIEW in data:
        display(placeholder_bundle(what, detail), raw=True)
