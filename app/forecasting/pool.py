"""The processes that fit forecasts: a process pool whose workers die with their parent.

Workers are started with "spawn" (they do not inherit the event loop or the driver's
threads). A worker whose parent was killed (SIGKILL, OOM) would otherwise live on, holding
the parent's inherited pipes and a core's worth of fitting; each one watches its parent
and exits when it is gone.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor

PARENT_CHECK_SECONDS = 1.0
"""How often a worker looks for its parent."""


def _exit_when_orphaned(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)  # the parent is gone: nothing to report to, nothing to clean


def _watch_parent(parent_pid: int) -> None:
    """Pool initializer: a daemon thread that ends the worker once its parent is gone."""
    threading.Thread(
        target=_exit_when_orphaned, args=(parent_pid,), name="parent-watch", daemon=True
    ).start()


def forecast_pool(processes: int) -> ProcessPoolExecutor:
    """``processes`` spawned workers that exit when this process dies."""
    return ProcessPoolExecutor(
        processes,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_watch_parent,
        initargs=(os.getpid(),),
    )
