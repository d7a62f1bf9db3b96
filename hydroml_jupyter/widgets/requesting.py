"""The request path every widget shares: route a request, answer it exactly once.

A widget mixes in :class:`RequestRouter` and says which kind of widget it is (``_KIND``);
:func:`~hydroml_jupyter.widgets.schema.answers` says which requests that kind answers and
:data:`~hydroml_jupyter.widgets.requests.HANDLERS` which function answers each. Each request
the front end sends gets one reply: the handler's, or an error reply whose message is one
line. The small helpers here serve the widgets' constructors (:func:`check_options`), their
trait updates (:func:`set_changed`) and how they follow what they show
(:func:`weak_listener`).
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, TypeVar

import ipywidgets

from hydroml_jupyter.errors import HydroMLError
from hydroml_jupyter.messages import did_you_mean, first_line
from hydroml_jupyter.widgets.protocol import (
    ProtocolError,
    Reply,
    error_reply,
    request_id,
)
from hydroml_jupyter.widgets.requests import HANDLERS
from hydroml_jupyter.widgets.schema import answers
from hydroml_jupyter.widgets.shapes import WidgetKind

__all__ = [
    "Reply",
    "RequestRouter",
    "article",
    "check_options",
    "set_changed",
    "weak_listener",
]

log = logging.getLogger("hydroml_jupyter")

T = TypeVar("T")


def article(name: str) -> str:
    """Return ``name`` after its indefinite article.

    Examples
    --------
    >>> article("Studio"), article("ExperimentPanel")
    ('a Studio', 'an ExperimentPanel')
    """
    return f"{'an' if name[:1] in tuple('AEIOU') else 'a'} {name}"


def check_options(owner_name: str, kwargs: Iterable[str], accepted: Iterable[str]) -> None:
    """Refuse keyword arguments a constructor does not accept, suggesting the closest one.

    Parameters
    ----------
    owner_name
        The class's name, as the message shows it (``DataGrid``).
    kwargs
        The keyword arguments given (their names are enough).
    accepted
        The names the constructor accepts, in the order the message lists them.

    Raises
    ------
    TypeError
        Naming the first unknown argument, the closest accepted name if any, and them all.

    Examples
    --------
    >>> check_options("Panel", {"interval": 1}, ["interval"])
    >>> try:
    ...     check_options("Panel", {"intervall": 1}, ["interval"])
    ... except TypeError as exc:
    ...     print(exc)  # doctest: +ELLIPSIS
    Panel() got an unexpected keyword argument 'intervall' (did you mean 'interval'?); ...
    """
    names = list(accepted)
    unknown = [k for k in kwargs if k not in names]
    if unknown:
        hint = did_you_mean(unknown[0], names)
        raise TypeError(
            f"{owner_name}() got an unexpected keyword argument {unknown[0]!r}{hint}; "
            f"it accepts: {', '.join(names)}"
        )


def set_changed(widget: ipywidgets.Widget, state: Mapping[str, Any]) -> None:
    """Set the traits of ``widget`` whose values differ from ``state``, in one message."""
    with widget.hold_sync():
        for key, value in state.items():
            if getattr(widget, key) != value:
                setattr(widget, key, value)


def weak_listener(
    subscribe: Callable[[Callable[[Any], None]], Callable[[], None]],
    owner: T,
    act: Callable[[T], None],
) -> Callable[[], None]:
    """Subscribe a listener calling ``act(owner)`` on each event, without keeping ``owner`` alive.

    Once ``owner`` is collected the listener unsubscribes itself at the next event.

    Parameters
    ----------
    subscribe
        Registers a listener (called with one event argument) and returns its unsubscribe
        function, e.g. ``session.subscribe``.
    owner
        The object to notify; held through a weak reference only.
    act
        What to do with ``owner`` on each event; it must not hold ``owner`` itself.

    Returns
    -------
    Callable[[], None]
        The unsubscribe function.

    Examples
    --------
    >>> listeners = []
    >>> def subscribe(listener):
    ...     listeners.append(listener)
    ...     return lambda: listeners.remove(listener)
    >>> class Owner:
    ...     calls = 0
    >>> owner = Owner()
    >>> _ = weak_listener(subscribe, owner, lambda o: setattr(o, "calls", o.calls + 1))
    >>> listeners[0]("event")
    >>> owner.calls
    1
    >>> del owner
    >>> listeners[0]("event")
    >>> listeners
    []
    """
    ref = weakref.ref(owner)
    holder: list[Callable[[], None]] = []

    def listener(_event: Any) -> None:
        target = ref()
        if target is None:
            for unsubscribe in holder:
                unsubscribe()
            return
        act(target)

    holder.append(subscribe(listener))
    return holder[0]


class RequestRouter:
    """Mixin of the widgets: answer each request from the front end with exactly one reply.

    A widget answers the requests the protocol gives its ``_KIND``; a handler of
    :data:`~hydroml_jupyter.widgets.requests.HANDLERS` takes the widget and the request's
    content and returns its :data:`Reply`, or ``None`` when the reply comes later (from
    background work). Whatever it raises becomes an error reply: a
    :class:`~hydroml_jupyter.errors.HydroMLError` as its one-line message, anything else
    logged and prefixed with the request kind and the exception's type.
    """

    #: Which kind of widget this is: the ``_kind`` trait, and the requests it answers.
    _KIND: ClassVar[WidgetKind]
    #: Keyword arguments the constructor accepts; subclasses add theirs.
    _OPTIONS: ClassVar[tuple[str, ...]] = ()

    _closed: bool
    send: Callable[..., None]

    @classmethod
    def _merged(cls, attribute: str) -> dict[str, Any]:
        """Return the items of a tuple ``attribute`` merged along the MRO, bases first."""
        merged: dict[str, Any] = {}
        for klass in reversed(cls.__mro__):
            merged.update(dict.fromkeys(klass.__dict__.get(attribute, ())))
        return merged

    def _check_options(self, kwargs: Iterable[str]) -> None:
        """Refuse keyword arguments not named in the merged ``_OPTIONS`` (a ``TypeError``)."""
        check_options(type(self).__name__, kwargs, self._merged("_OPTIONS"))

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        """Answer one request from the front end (``on_msg`` callback)."""
        request = request_id(content)
        kind = content.get("kind") if isinstance(content, dict) else None
        try:
            if not isinstance(content, dict):
                raise ProtocolError(f"a request must be an object, not {content!r}")
            answered = answers(self._KIND)
            if kind not in answered:
                raise ProtocolError(
                    f"unknown request kind {kind!r}; {article(type(self).__name__)} answers "
                    f"{', '.join(answered)}"
                )
            if isinstance(request, bool) or not isinstance(request, int):
                raise ProtocolError(f"{kind}: request must be an integer id, not {request!r}")
            result = HANDLERS[kind](self, content)
        except Exception as exc:
            self._reply(error_reply(request, self._message(exc, kind)))
            return
        if result is not None:
            self._reply(*result)

    def _message(self, exc: BaseException, kind: Any) -> str:
        """Return the one-line message of the error reply to a ``kind`` request."""
        if isinstance(exc, HydroMLError):
            return first_line(exc, limit=None)
        log.exception("the %r request of %s failed", kind, article(type(self).__name__))
        return f"{kind}: {type(exc).__name__}: {first_line(exc, limit=None)}"

    def _reply(self, content: dict[str, Any], buffers: list[Any] | None = None) -> None:
        """Send one reply, unless the widget is closed."""
        if not self._closed:
            self.send(content, buffers)
