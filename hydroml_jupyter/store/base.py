"""The store interface: :class:`SessionRecord`, :class:`StoredInfo`, :class:`Store`.

Every implementation stores a record as one signed JSON *manifest* (name, meta, recipe,
the list of frames and their columns) plus one signed Arrow payload per distinct column
and index, shared by the frames that hold it, built and checked by the helpers of
:mod:`hydroml_jupyter.store.manifest` and :mod:`hydroml_jupyter.store.planning`.
"""

from __future__ import annotations

import abc
import copy
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType, TracebackType
from typing import Any

import pandas as pd

from hydroml_jupyter.store.errors import StoreError
from hydroml_jupyter.store.generations import ANY, Base
from hydroml_jupyter.store.keys import store_key

__all__ = ["FRAME_ID", "SessionRecord", "Store", "StoredInfo", "check_name"]

_MAX_NAME = 1000
#: What a frame id may be: 1 to 64 lowercase letters and digits.
FRAME_ID = re.compile(r"^[0-9a-z]{1,64}$")


def check_name(name: object) -> str:
    """Return ``name`` if it can name a session, else raise :class:`StoreError`."""
    if not isinstance(name, str) or not name:
        raise StoreError(f"a session name must be a non-empty str, not {name!r}")
    if "\x00" in name or len(name) > _MAX_NAME:
        raise StoreError(f"session name {name[:50]!r} is not allowed (NUL or over 1000 chars)")
    return name


def _json_copy(value: Any, what: str, name: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise StoreError(f"session {name!r}: {what} must be a dict, not {type(value).__name__}")
    try:
        return json.loads(json.dumps(dict(value)))
    except (TypeError, ValueError) as exc:
        raise StoreError(f"session {name!r}: {what} is not JSON-friendly: {exc}") from exc


def _check_generations(name: str, base: object, generation: object) -> None:
    if not (base is ANY or base is None or (isinstance(base, str) and FRAME_ID.match(base))):
        raise StoreError(f"session {name!r}: bad base generation {base!r}")
    if not (generation is None or (isinstance(generation, str) and FRAME_ID.match(generation))):
        raise StoreError(f"session {name!r}: bad generation {generation!r}")


@dataclass(frozen=True, eq=False)
class SessionRecord:
    """The whole stored state of one session.

    Parameters
    ----------
    name
        The session's name (any non-empty str without NUL).
    meta
        JSON-friendly metadata: parent, created, updated, shape, version, cursor and
        user fields. Stores read ``updated``, ``shape`` and ``version`` for
        :meth:`Store.list`; the rest is opaque.
    recipe
        The session's recipe as a JSON-friendly dict (opaque to the store).
    frames
        Step index -> frame. The frames are not copied (with copy-on-write they never
        change); ``meta`` and ``recipe`` are copied through JSON, so tuples become
        lists, and anything JSON cannot hold raises :class:`StoreError` at once.
    frame_ids
        Step index -> frame id (1 to 64 lowercase letters and digits) for frames whose
        content that id names for good: a store that already holds the frame under
        this step and id does not write it again. Frames without an id get a fresh
        one at each save.
    base
        The stored generation this record continues from: a save refuses (with
        :class:`~hydroml_jupyter.store.StoreConflictError`) to replace any other
        generation. None: the record starts anew, so a save refuses to replace a
        stored session of that name. :data:`~hydroml_jupyter.store.generations.ANY`
        (the default for a record built by hand): replace whatever is stored. A loaded
        record's base is the generation it was loaded from, so saving it back is
        checked.
    generation
        The generation id to save the record under (None: a fresh one at each save).
        The background writer sets it, to know what it saved.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"a": [1, 2]})
    >>> rec = SessionRecord("demo", {"shape": (2, 1)}, {"steps": []}, {0: frame})
    >>> rec.meta, list(rec.frames)
    ({'shape': [2, 1]}, [0])
    """

    name: str
    meta: dict[str, Any] = field(default_factory=dict)
    recipe: dict[str, Any] = field(default_factory=dict)
    frames: Mapping[int, pd.DataFrame] = field(default_factory=dict)
    frame_ids: Mapping[int, str] = field(default_factory=dict)
    base: Base = ANY
    generation: str | None = None

    def __post_init__(self) -> None:
        name = check_name(self.name)
        object.__setattr__(self, "meta", _json_copy(self.meta, "meta", name))
        object.__setattr__(self, "recipe", _json_copy(self.recipe, "recipe", name))
        frames: dict[int, pd.DataFrame] = {}
        for step, frame in dict(self.frames).items():
            if isinstance(step, bool) or not isinstance(step, int) or step < 0:
                raise StoreError(f"session {name!r}: frame steps must be ints >= 0, not {step!r}")
            if not isinstance(frame, pd.DataFrame):
                raise StoreError(
                    f"session {name!r}, step {step}: expected a DataFrame, "
                    f"got {type(frame).__name__}"
                )
            frames[int(step)] = frame
        object.__setattr__(self, "frames", MappingProxyType(dict(sorted(frames.items()))))
        ids = dict(self.frame_ids)
        for step, fid in ids.items():
            if step not in frames or not isinstance(fid, str) or not FRAME_ID.match(fid):
                raise StoreError(f"session {name!r}: bad frame id {fid!r} for step {step!r}")
        object.__setattr__(self, "frame_ids", MappingProxyType(ids))
        _check_generations(name, self.base, self.generation)

    def stamped(self, base: Base, generation: str | None) -> SessionRecord:
        """Return this record with another ``base`` and ``generation`` (its data is shared)."""
        _check_generations(self.name, base, generation)
        new = copy.copy(self)
        object.__setattr__(new, "base", base)
        object.__setattr__(new, "generation", generation)
        return new

    def __repr__(self) -> str:
        shapes = {step: frame.shape for step, frame in self.frames.items()}
        return f"SessionRecord(name={self.name!r}, meta={self.meta!r}, frames={shapes})"


@dataclass(frozen=True)
class StoredInfo:
    """What :meth:`Store.list` tells about one stored session, from its manifest only.

    Attributes
    ----------
    name
        The session's name.
    updated
        ``meta["updated"]`` as saved (None when absent).
    shape
        ``meta["shape"]`` as a tuple (None when absent).
    version
        ``meta["version"]`` as saved (None when absent).
    bytes
        Bytes the session takes in the store (manifest and frames).
    problem
        None for a sound manifest; else why it cannot be loaded (then ``name`` may be
        the store's internal name for it, and the other fields are None or 0).
    """

    name: str
    updated: Any = None
    shape: tuple[int, ...] | None = None
    version: Any = None
    bytes: int = 0
    problem: str | None = None


class Store(abc.ABC):
    """Where sessions are kept. Implementations: memory, disk, Redis.

    Every method is thread-safe. A key (``key=None``: :func:`~hydroml_jupyter.store.
    keys.store_key`, read at each call) signs and checks every payload.
    """

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key

    def key(self) -> bytes:
        """Return the HMAC key in use."""
        return self._key if self._key is not None else store_key()

    @property
    @abc.abstractmethod
    def uri(self) -> str:
        """Where this store keeps its data, e.g. ``file:///home/me/.hydroml``."""

    @property
    def label(self) -> str:
        """A short name for people, e.g. ``.hydroml`` for a folder under the working one."""
        return self.uri

    @abc.abstractmethod
    def save(self, record: SessionRecord) -> None:
        """Replace the whole stored state of ``record.name``, atomically.

        A reader sees either the old or the new complete record, never a mix. On
        failure (:class:`StoreError`) the previous state is intact. Frames stored
        already under the same step and frame id (see :class:`SessionRecord`), and
        columns the store already holds, are not written again.

        Raises
        ------
        StoreConflictError
            When the store holds a generation other than ``record.base`` (checked
            atomically with the replacement); nothing is written then.
        """

    @abc.abstractmethod
    def load(self, name: str, steps: Collection[int] | None = None) -> SessionRecord:
        """Return the stored record of ``name`` (with ``steps``: only those frames).

        Raises
        ------
        StoreError
            Naming the session, when it is missing, tampered, truncated or written in
            an unknown format version; nothing is returned then. The record returned
            carries the stored frame ids.
        StoreUnavailable
            When the store cannot be reached.
        """

    @abc.abstractmethod
    def peek(self, name: str) -> SessionRecord:
        """Return the stored record of ``name`` without its frames (the manifest only).

        Raises
        ------
        StoreError
            As :meth:`load`.
        """

    @abc.abstractmethod
    def list(self) -> list[StoredInfo]:
        """Describe every stored session from its manifest (frames are not read)."""

    @abc.abstractmethod
    def delete(self, name: str) -> bool:
        """Delete session ``name``; return False if it was not stored."""

    def exists(self, name: str) -> bool:
        """Return True if a session called ``name`` is stored (it may still be unreadable)."""
        return any(info.name == name for info in self.list())

    def close(self) -> None:  # noqa: B027 (nothing to release by default)
        """Release connections or handles; the store must not be used afterwards."""

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.uri!r})"

    def _missing(self, name: str) -> StoreError:
        return StoreError(f"session {name!r} is not stored in {self.uri}", session=name)
