"""Run widget updates on the kernel's event loop, whichever thread asks.

Under ipykernel 7 trait updates and comm messages sent from other threads are unreliable
(ipykernel#1450, ipywidgets#4001). Session listeners and background work may run on any
thread, so a widget hands its updates to :class:`Dispatcher`: on the kernel's own thread
they run at once, from any other thread they are queued on the kernel's asyncio loop with
``call_soon_threadsafe``. Without a kernel (plain Python, tests) they run at once.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

__all__ = ["Dispatcher", "kernel_dispatcher", "worker_pool"]

log = logging.getLogger("hydroml_jupyter")

_WORKERS = 2
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


class Dispatcher:
    """Call functions on one event loop's thread.

    Parameters
    ----------
    loop
        The loop to hand calls to; ``None`` runs every call at once, in the caller's thread.
    thread_id
        The identity of the thread running ``loop`` (calls from it run at once).

    Examples
    --------
    >>> calls = []
    >>> Dispatcher(None)(calls.append, 1)
    >>> calls
    [1]
    """

    def __init__(
        self, loop: asyncio.AbstractEventLoop | None, thread_id: int | None = None
    ) -> None:
        self.loop = loop
        self.thread_id = thread_id

    def __call__(self, func: Callable[..., Any], /, *args: Any) -> None:
        """Run ``func(*args)`` on the loop's thread: now if already there, else soon."""
        if self.loop is None or threading.get_ident() == self.thread_id:
            func(*args)
            return
        try:
            self.loop.call_soon_threadsafe(_logged, func, args)
        except RuntimeError:  # the loop is closed: the kernel is shutting down
            log.debug("dropped a widget update: the kernel's event loop is closed")


def _logged(func: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        func(*args)
    except Exception:
        log.exception("a widget update failed")


def kernel_dispatcher() -> Dispatcher:
    """Return a dispatcher for the running IPython kernel, or a direct one without a kernel.

    The kernel's loop is its ``io_loop`` (a tornado loop on asyncio), which runs the shell
    on the main thread; calls from that thread run at once.
    """
    kernelbase = sys.modules.get("ipykernel.kernelbase")
    if kernelbase is not None and kernelbase.Kernel.initialized():
        io_loop = getattr(kernelbase.Kernel.instance(), "io_loop", None)
        loop = getattr(io_loop, "asyncio_loop", None)
        if isinstance(loop, asyncio.AbstractEventLoop) and not loop.is_closed():
            return Dispatcher(loop, threading.main_thread().ident)
    return Dispatcher(None)


def worker_pool() -> ThreadPoolExecutor:
    """Return the small thread pool shared by every widget for slow, read-only work."""
    global _pool  # noqa: PLW0603
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="hydroml-widget")
            atexit.register(_pool.shutdown, wait=False, cancel_futures=True)
        return _pool
