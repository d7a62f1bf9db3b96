"""Handing widget updates to the kernel's loop, and the package's lazy widget exports."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading

import pandas as pd

import hydroml_jupyter as hj
from hydroml_jupyter.widgets.dispatch import Dispatcher, kernel_dispatcher, worker_pool


def test_calls_from_other_threads_run_on_the_loop_thread() -> None:
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.call_soon(ready.set)
        loop.run_forever()

    runner = threading.Thread(target=run, name="fake-kernel")
    runner.start()
    ready.wait(5)
    try:
        dispatch = Dispatcher(loop, runner.ident)
        seen: list[str] = []
        done = threading.Event()

        def record(tag: str) -> None:
            seen.append(f"{tag}@{threading.current_thread().name}")
            if len(seen) == 2:
                done.set()

        worker = threading.Thread(target=dispatch, args=(record, "worker"), name="worker")
        worker.start()
        worker.join()
        loop.call_soon_threadsafe(dispatch, record, "loop")  # already on the loop: runs at once
        assert done.wait(5)
        assert seen == ["worker@fake-kernel", "loop@fake-kernel"]
    finally:
        loop.call_soon_threadsafe(loop.stop)
        runner.join(5)
        loop.close()
    calls: list[int] = []
    Dispatcher(loop, runner.ident)(calls.append, 1)  # a closed loop drops the call quietly
    assert calls == []


def test_without_a_kernel_calls_run_at_once() -> None:
    dispatch = kernel_dispatcher()
    assert dispatch.loop is None
    where: list[str] = []
    thread = threading.Thread(
        target=dispatch, args=(lambda: where.append(threading.current_thread().name),), name="t"
    )
    thread.start()
    thread.join()
    assert where == ["t"]


def test_listeners_from_threads_update_widgets_without_a_kernel() -> None:
    s = hj.Session(pd.DataFrame({"a": [1, 2, 3]}))
    grid = hj.DataGrid(s)
    thread = threading.Thread(
        target=s.apply, args=("filter_rows",), kwargs={"column": "a", "op": ">", "value": 1}
    )
    thread.start()
    thread.join()
    assert (grid.version, grid.total_rows) == (1, 2)
    grid.close()
    s.close()


def test_the_worker_pool_is_shared_and_small() -> None:
    assert worker_pool() is worker_pool()
    assert worker_pool()._max_workers == 2


def test_importing_the_package_does_not_load_widgets() -> None:
    code = (
        "import sys, hydroml_jupyter as hj\n"
        "assert 'anywidget' not in sys.modules and 'ipywidgets' not in sys.modules\n"
        "assert {'DataGrid', 'Sidebar', 'Studio', 'studio'} <= set(hj.__all__) <= set(dir(hj))\n"
        "from hydroml_jupyter import studio, DataGrid\n"
        "assert 'anywidget' in sys.modules\n"
        "assert studio.__module__ == 'hydroml_jupyter.widgets.studio'\n"
        "assert hj.Studio is hj.widgets.Studio and DataGrid is hj.widgets.DataGrid\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    try:
        hj.not_a_thing  # noqa: B018
    except AttributeError as exc:
        assert "has no attribute 'not_a_thing'" in str(exc)
    else:
        raise AssertionError("expected AttributeError")
