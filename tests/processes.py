"""Helpers for tests that run ``python -m ...`` children and watch their processes."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def process_alive(pid: int) -> bool:
    """``pid`` runs (a zombie, dead but not yet reaped, counts as gone)."""
    stat = Path(f"/proc/{pid}/stat")
    if Path("/proc/self/stat").exists():
        try:
            state = stat.read_text().rpartition(")")[2].split()[0]
        except (FileNotFoundError, ProcessLookupError, IndexError):
            return False
        return state not in ("Z", "X")
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_until_gone(pid: int, timeout: float) -> bool:
    """Poll until ``pid`` is gone; ``False`` if it still runs after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while process_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def child_environment(**variables: str) -> dict[str, str]:
    """The environment for a ``python -m ...`` child, plus ``variables``.

    No inherited ``TRENDGRAPH_*`` variables, plain (uncoloured, unwrapped) output, and
    this checkout first on the import path.
    """
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.upper().startswith("TRENDGRAPH_") and name not in ("FORCE_COLOR", "COLUMNS")
    }
    path = os.pathsep.join(filter(None, [str(REPO_ROOT), environment.get("PYTHONPATH")]))
    environment |= {"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200", "PYTHONPATH": path}
    return environment | variables


def child_pids(pid: int) -> list[int]:
    """The pids of ``pid``'s direct children, whichever thread forked them."""
    found = subprocess.run(
        ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
    ).stdout
    return [int(child) for child in found.split()]


def command_line(pid: int) -> str:
    """``pid``'s command line, or "" when it is gone."""
    return subprocess.run(
        ["ps", "-o", "args=", "-p", str(pid)], capture_output=True, text=True, check=False
    ).stdout.strip()
