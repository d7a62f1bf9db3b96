"""Redis URLs and errors, as the Redis store reports them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

from hydroml_jupyter.store.errors import StoreError, StoreUnavailable

__all__ = ["glob_escape", "mask_url", "redis_errors", "unreachable_reason"]


def mask_url(url: str) -> str:
    """Return ``url`` with its password replaced by ``***``.

    Examples
    --------
    >>> mask_url("redis://me:secret@host:6379/0")
    'redis://me:***@host:6379/0'
    """
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname or ''}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def unreachable_reason(exc: BaseException) -> str:
    """Return a short reason why Redis could not be reached."""
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    if "timeout" in text or "timed out" in text or type(exc).__name__ == "TimeoutError":
        return "timed out"
    if "name or service not known" in text or "nodename nor servname" in text:
        return "unknown host"
    if "no such file" in text:
        return "no such socket"
    first = str(exc).strip().splitlines()
    return first[0] if first else type(exc).__name__


def glob_escape(text: str) -> str:
    """Escape the glob characters of ``text`` for SCAN MATCH (each gets a backslash)."""
    for char in "\\*?[]":
        text = text.replace(char, "\\" + char)
    return text


@contextlib.contextmanager
def redis_errors(uri: str, name: str | None = None) -> Iterator[None]:
    """Turn redis-py errors into :class:`StoreUnavailable` (unreachable) or :class:`StoreError`."""
    import redis.exceptions as rx

    who = f"session {name!r}: " if name else ""
    try:
        yield
    except rx.AuthenticationError as exc:
        raise StoreError(f"{who}Redis at {uri} refused the credentials", session=name) from exc
    except (rx.ConnectionError, rx.TimeoutError, rx.ReadOnlyError) as exc:
        raise StoreUnavailable(
            f"cannot reach Redis at {uri}: {unreachable_reason(exc)}", session=name
        ) from exc
    except rx.RedisError as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise StoreError(f"{who}Redis at {uri} failed: {first}", session=name) from exc
