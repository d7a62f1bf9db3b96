"""Signed payloads: every stored blob is ``header + HMAC + body``.

The header is fixed-size binary::

    magic b"HYDRML" | format version (uint16) | kind (uint8) | pad | body length (uint64)

followed by HMAC-SHA256 (32 bytes) over ``header + context + body``, then the body.
The *context* is not stored: the reader supplies it (the session name, and for a
column payload its column id), so a payload signed for one session or one place
cannot be passed off as another. :func:`unpack` checks magic, version, length and
HMAC before it returns the body; nothing in the body is parsed before that.
"""

from __future__ import annotations

import hashlib
import hmac
import struct

from hydroml_jupyter.store.errors import StoreError

__all__ = [
    "FORMAT_VERSION",
    "KIND_FRAME",
    "KIND_MANIFEST",
    "OVERHEAD",
    "BytesLike",
    "pack_head",
    "unpack",
]

#: What a payload may be given as.
BytesLike = bytes | bytearray | memoryview

MAGIC = b"HYDRML"
#: The payload format this code writes and the only one it reads.
FORMAT_VERSION = 1
KIND_MANIFEST = 1
KIND_FRAME = 2
_HEADER = struct.Struct(">6sHBxQ")
_MAC_SIZE = hashlib.sha256().digest_size
#: Bytes added to a body by :func:`pack_head`.
OVERHEAD = _HEADER.size + _MAC_SIZE


def _mac(key: bytes, header: bytes, context: str, body: BytesLike) -> bytes:
    ctx = context.encode("utf-8")
    mac = hmac.new(key, header, hashlib.sha256)
    mac.update(struct.pack(">I", len(ctx)))
    mac.update(ctx)
    mac.update(body)
    return mac.digest()


def pack_head(kind: int, context: str, body: BytesLike, key: bytes) -> bytes:
    """Return the header and HMAC to write before ``body``.

    Examples
    --------
    >>> head = pack_head(KIND_MANIFEST, "s", b"{}", b"k")
    >>> bytes(unpack(head + b"{}", KIND_MANIFEST, "s", b"k", session="s"))
    b'{}'
    """
    header = _HEADER.pack(MAGIC, FORMAT_VERSION, kind, memoryview(body).nbytes)
    return header + _mac(key, header, context, body)


def unpack(data: BytesLike, kind: int, context: str, key: bytes, *, session: str) -> memoryview:
    """Check a payload and return its body (a view, no copy).

    Raises
    ------
    StoreError
        Naming ``session``, when the payload is not hydroml data, is truncated, was
        written in another format version, or fails its integrity check.
    """
    view = memoryview(data).cast("B")
    where = f"session {session!r}: stored data"
    if view.nbytes < OVERHEAD:
        raise StoreError(f"{where} is truncated ({view.nbytes} bytes)", session=session)
    magic, version, got_kind, length = _HEADER.unpack_from(view)
    if magic != MAGIC:
        raise StoreError(f"{where} is not in hydroml store format", session=session)
    if version != FORMAT_VERSION:
        raise StoreError(
            f"{where} was written in format version {version}; this hydroml-jupyter "
            f"reads version {FORMAT_VERSION} only",
            session=session,
        )
    body = view[OVERHEAD:]
    if body.nbytes != length:
        state = "truncated" if body.nbytes < length else "longer than its header says"
        raise StoreError(f"{where} is {state} ({body.nbytes} of {length} bytes)", session=session)
    header = bytes(view[: _HEADER.size])
    expected = _mac(key, header, context, body)
    if not hmac.compare_digest(expected, bytes(view[_HEADER.size : OVERHEAD])):
        raise StoreError(
            f"{where} failed its integrity check (tampered or written with another key)",
            session=session,
        )
    if got_kind != kind:
        raise StoreError(f"{where} is of the wrong kind ({got_kind})", session=session)
    return body
