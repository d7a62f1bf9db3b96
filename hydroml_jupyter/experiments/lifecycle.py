"""No run stays ``RUNNING`` after its process: end runs at exit, mark stale ones when listed.

At exit
-------
When the first run of a process starts, :func:`watch` registers :func:`end_at_exit`
with :mod:`atexit` (importing hydroml registers nothing). At interpreter exit
(a script's end, ``sys.exit``, a kernel shut down or restarted) every run still
going is cancelled with the reason :data:`EXIT_REASON`; runs whose worker does not
end in time are ended ``KILLED`` directly, then the fits still running are given
the time left to stop. The whole takes at most :data:`EXIT_SECONDS`; a run that
could not be ended by then gets a one-line warning on stderr and is found stale
later.

Stale runs
----------
A process killed outright (``SIGKILL``, a crash, a lost machine) runs no exit
hook. Every run records its owner (host, pid, process start time; see
:mod:`~hydroml_jupyter.experiments.owner`), so :func:`reap` can tell, when runs
are listed, that a ``RUNNING`` run's process on this host is gone: it ends the run
``KILLED`` with the tag ``hydroml.end_reason`` saying so. Runs of other hosts are
left as they are.
"""

from __future__ import annotations

import atexit
import sys
import threading
import time
from typing import Any

from hydroml_jupyter.experiments import active, tracking
from hydroml_jupyter.experiments.owner import HOST, PID, owner_state

__all__ = ["EXIT_REASON", "EXIT_SECONDS", "end_at_exit", "reap", "stale_reason", "watch"]

#: How long the exit hook may take, in seconds.
EXIT_SECONDS = 3.0
EXIT_REASON = "the Python process exited while the run was going"
_LOCK = threading.Lock()
_watching: list[bool] = []


def watch() -> None:
    """Register :func:`end_at_exit` with :mod:`atexit`, once per process."""
    with _LOCK:
        if not _watching:
            atexit.register(end_at_exit)
            _watching.append(True)


def end_at_exit(budget: float = EXIT_SECONDS) -> list[str]:
    """Cancel the runs still going and end their MLflow runs ``KILLED``, within ``budget`` s.

    Returns
    -------
    list of str
        The ids of the MLflow runs this call ended itself (their worker did not in time).
    """
    going = [h for h in active.started() if not h.done]
    if not going:
        return []
    deadline = time.monotonic() + budget
    for handle in going:
        handle.cancel(EXIT_REASON)
    # the workers end their own runs (they also flush metrics); keep a third for the rest
    wait_until = time.monotonic() + budget * 2 / 3
    for handle in going:
        handle.wait(max(0.0, wait_until - time.monotonic()))
    left = [h for h in going if not h.done and h.run_id and h.tracking_uri]
    ended: list[str] = []

    def end_left() -> None:
        for handle in left:
            client = tracking.get_client(str(handle.tracking_uri))
            if tracking.end_run(client, str(handle.run_id), "cancelled", EXIT_REASON):
                ended.append(str(handle.run_id))

    # a tracking server that does not answer must not hold the exit: end on a daemon thread
    worker = threading.Thread(target=end_left, name="hydroml-exit", daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()))
    # a fit still running while the interpreter tears down can crash it: let the fits
    # that stop by themselves (rounds, forest chunks) do so, within what is left
    for handle in going:
        if handle.fit_thread is not None:
            handle.fit_thread.join(max(0.0, deadline - time.monotonic()))
    missing = [h for h in left if not h.done and str(h.run_id) not in ended]
    if worker.is_alive() or missing:
        print(
            f"hydroml: {len(missing)} run(s) could not be ended within {budget:g} s at exit; "
            "hydroml.runs() marks them KILLED once it finds their process gone",
            file=sys.stderr,
        )
    return ended


def stale_reason(tags: dict[str, str]) -> str:
    """Return the ``hydroml.end_reason`` of a run whose owner process is gone."""
    return f"its process (pid {tags.get(PID)} on {tags.get(HOST)}) ended without ending the run"


def reap(client: Any, run: Any) -> str | None:
    """End ``run`` ``KILLED`` if it is ``RUNNING`` and its owner on this host is gone.

    Parameters
    ----------
    client
        The ``MlflowClient`` of the run's store.
    run
        An MLflow ``Run``.

    Returns
    -------
    str or None
        The reason written, or ``None`` when the run was left as it is (not running,
        owner alive, another host, or no owner recorded).
    """
    tags = dict(run.data.tags)
    if run.info.status != "RUNNING" or owner_state(tags) != "gone":
        return None
    reason = stale_reason(tags)
    client.set_tag(run.info.run_id, tracking.END_REASON, reason)
    client.set_terminated(run.info.run_id, "KILLED")
    return reason
