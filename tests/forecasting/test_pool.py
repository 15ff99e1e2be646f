"""The forecast pool's workers die with their parent: a killed API leaves no fitting
process behind holding its pipes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from tests.processes import REPO_ROOT, child_environment, process_alive, wait_until_gone

PARENT = """
import os, sys, time
from app.forecasting.pool import forecast_pool

if __name__ == "__main__":
    pool = forecast_pool(1)
    print(pool.submit(os.getpid).result(timeout=60), flush=True)
    time.sleep(600)
"""


def test_a_worker_exits_when_its_parent_is_killed() -> None:
    with subprocess.Popen(
        [sys.executable, "-c", PARENT],
        cwd=REPO_ROOT,
        env=child_environment(),
        stdout=subprocess.PIPE,
        text=True,
    ) as parent:
        try:
            assert parent.stdout is not None
            worker = int(parent.stdout.readline())
            assert worker != parent.pid and process_alive(worker)
            os.kill(parent.pid, signal.SIGKILL)
            parent.wait()
            gone = wait_until_gone(worker, timeout=30)
            if not gone:
                os.kill(worker, signal.SIGKILL)
            assert gone, "the worker outlived its parent"
        finally:
            if parent.poll() is None:
                parent.kill()
                parent.wait()
