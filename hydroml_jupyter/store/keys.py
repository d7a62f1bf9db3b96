"""The secret key that signs every stored payload (HMAC-SHA256).

The key comes from the environment variable ``HYDROML_STORE_KEY`` (hex digits or any
string), or else from a per-user key file, ``$XDG_CONFIG_HOME/hydroml/store.key``
(``~/.config/hydroml/store.key`` by default), created on first use with 32 random
bytes and mode 0600.

A key shorter than 16 bytes, or a key file other users can read or change, is used
but warned about (:class:`~hydroml_jupyter.store.StoreKeyWarning`, one line, once per
process for each key or file).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
import string
import threading
import time
import warnings
from pathlib import Path

from hydroml_jupyter.store.errors import StoreError, StoreKeyWarning

__all__ = ["KEY_ENV", "key_path", "store_key"]

#: Environment variable holding the store key (overrides the key file).
KEY_ENV = "HYDROML_STORE_KEY"
_KEY_BYTES = 32
#: Keys shorter than this many bytes are warned about.
MIN_KEY_BYTES = 16
_HEX = frozenset(string.hexdigits)
_warned: set[tuple[str, str]] = set()
_warned_lock = threading.Lock()


def _warn_once(kind: str, detail: str, message: str) -> None:
    with _warned_lock:
        if (kind, detail) in _warned:
            return
        _warned.add((kind, detail))
    # line 0: the warning shows as one line, with no source line under it
    warnings.warn_explicit(message, StoreKeyWarning, __file__, 0, module=__name__, registry={})


def _check_length(key: bytes) -> bytes:
    if len(key) < MIN_KEY_BYTES:
        _warn_once(
            "short",
            hashlib.sha256(key).hexdigest(),
            f"the store key in ${KEY_ENV} is only {len(key)} bytes, so stored sessions are "
            f"easy to forge; use {MIN_KEY_BYTES} bytes or more, e.g. 64 hex digits from "
            "secrets.token_hex(32)",
        )
    return key


def _check_mode(path: Path) -> None:
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return
    if mode & 0o077:
        _warn_once(
            "mode",
            f"{path}:{mode}",
            f"other users can read or change the store key file {str(path)!r} (mode "
            f"{mode:o}); run: chmod 600 {str(path)!r}",
        )


def key_path() -> Path:
    """Return the path of the per-user key file (it may not exist yet).

    Examples
    --------
    >>> key_path().name
    'store.key'
    """
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "hydroml" / "store.key"


def _from_env(value: str) -> bytes:
    text = value.strip()
    if len(text) >= 32 and len(text) % 2 == 0 and set(text) <= _HEX:
        return bytes.fromhex(text)
    return value.encode("utf-8")


def _read_key(path: Path) -> bytes | None:
    """Read a complete key file, waiting briefly for a concurrent creator to finish it."""
    deadline = time.monotonic() + 2.0
    while True:
        data = path.read_bytes()
        if len(data) >= _KEY_BYTES:
            return data[:_KEY_BYTES]
        if time.monotonic() > deadline:
            return None
        time.sleep(0.01)


def _create_key(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_bytes(_KEY_BYTES)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(key)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)
    return key


def store_key() -> bytes:
    """Return the store key, creating the per-user key file on first use.

    Raises
    ------
    StoreError
        When the key file cannot be read or created, or is damaged.

    Examples
    --------
    >>> import os
    >>> os.environ["HYDROML_STORE_KEY"] = "correct horse battery staple"
    >>> store_key()
    b'correct horse battery staple'
    >>> del os.environ["HYDROML_STORE_KEY"]
    """
    value = os.environ.get(KEY_ENV)
    if value:
        return _check_length(_from_env(value))
    path = key_path()
    try:
        try:
            return _create_key(path)
        except FileExistsError:
            pass  # made earlier, or by another process at the same moment: read theirs
        key = _read_key(path)
        _check_mode(path)
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise StoreError(f"cannot read or create the store key {path}: {reason}") from exc
    if key is None:
        raise StoreError(
            f"the store key {path} is damaged (shorter than {_KEY_BYTES} bytes); "
            f"delete it or set {KEY_ENV}"
        )
    return key
