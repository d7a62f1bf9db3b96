"""A byte-counting file wrapper that drives a tqdm progress bar while pandas reads."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["PROGRESS_THRESHOLD", "ProgressFile", "make_bar", "open_with_progress"]

#: Files at least this large (in bytes) show a progress bar when ``progress=None``.
PROGRESS_THRESHOLD = 32 * 1024 * 1024


def make_bar(total: int, desc: str) -> Any:
    """Return a ``tqdm.auto`` bar counting ``total`` bytes.

    tqdm is imported here, not at module level, so that importing the I/O
    layer never pulls in IPython or widgets.
    """
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024, leave=False)


class ProgressFile(io.BufferedIOBase):
    r"""A read-only binary file that reports every byte read to a progress bar.

    Reads pass through unchanged, so a reader gets exactly the bytes it would
    get from the file itself. Bytes read again after a seek are counted again
    but the bar never goes past ``total``.

    Parameters
    ----------
    raw
        The buffered binary file to read from (``open(path, "rb")``, :class:`io.BytesIO`).
    bar
        An object with ``update(n)`` (a tqdm bar), or None to only count.
    total
        The file's size in bytes.

    Examples
    --------
    >>> f = ProgressFile(io.BytesIO(b"a,b\n1,2\n"), None, 8)
    >>> f.read(4), f.bytes_read
    (b'a,b\n', 4)
    """

    def __init__(self, raw: io.BufferedIOBase, bar: Any, total: int) -> None:
        super().__init__()
        self._raw = raw
        self._bar = bar
        self.total = total
        self.bytes_read = 0
        self._shown = 0

    # -- counting ----------------------------------------------------------------------
    def _count(self, n: int | None) -> None:
        if not n:
            return
        self.bytes_read += n
        step = min(self.bytes_read, self.total) - self._shown
        if step > 0 and self._bar is not None:
            self._bar.update(step)
        self._shown += max(step, 0)

    def finish(self) -> None:
        """Move the bar to the end (a reader may skip bytes it does not need)."""
        step = self.total - self._shown
        if step > 0 and self._bar is not None:
            self._bar.update(step)
        self._shown = self.total

    # -- reading -----------------------------------------------------------------------
    def read(self, size: int | None = -1) -> bytes:
        """Read and count up to ``size`` bytes."""
        data = self._raw.read(-1 if size is None else size)
        self._count(len(data))
        return data

    def read1(self, size: int = -1) -> bytes:
        """Read and count up to ``size`` bytes with at most one call to the OS."""
        data = self._raw.read1(size)
        self._count(len(data))
        return data

    def readinto(self, buffer: Any) -> int:
        """Read into ``buffer`` and count the bytes."""
        n = self._raw.readinto(buffer)
        self._count(n)
        return n

    def readinto1(self, buffer: Any) -> int:
        """Read into ``buffer`` with at most one call to the OS, and count the bytes."""
        n = self._raw.readinto1(buffer)
        self._count(n)
        return n

    def readline(self, size: int | None = -1) -> bytes:
        """Read and count one line."""
        data = self._raw.readline(-1 if size is None else size)
        self._count(len(data))
        return data

    # -- the rest of the file protocol -------------------------------------------------
    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        """Move to ``offset``; see :meth:`io.IOBase.seek`."""
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        """Return the current position."""
        return self._raw.tell()

    def seekable(self) -> bool:
        """Tell whether the file supports seeking."""
        return self._raw.seekable()

    def readable(self) -> bool:
        """Return True: the file is open for reading."""
        return True

    def writable(self) -> bool:
        """Return False: the file is read-only."""
        return False

    @property
    def name(self) -> Any:
        """The underlying file's name."""
        return getattr(self._raw, "name", None)

    def close(self) -> None:
        """Close this wrapper and the underlying file."""
        if not self.closed:
            self._raw.close()
        super().close()


@contextmanager
def open_with_progress(path: str, desc: str) -> Iterator[ProgressFile]:
    """Open ``path`` for reading with a progress bar in bytes.

    The bar is filled when the block ends normally and closed in every case.

    Examples
    --------
    >>> with open_with_progress("big.csv", "big.csv") as f:  # doctest: +SKIP
    ...     df = pd.read_csv(f)
    """
    total = os.path.getsize(path)
    with open(path, "rb") as raw:
        bar = make_bar(total, desc)
        try:
            wrapped = ProgressFile(raw, bar, total)
            yield wrapped
            wrapped.finish()
        finally:
            bar.close()
