"""Headless Chromium for tests, driven through ``tests/explorer_browser/driver.mjs``.

Debian's ``chromium`` (``.ci/run`` installs it) under playwright-core (``npm ci`` in
``tests/explorer_browser``, which scripts/bootstrap runs when npm exists); one JSON command a
line in, one JSON answer a line out. The browser reaches the server under test only: the
driver aborts and reports every other request.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

DRIVER_DIR = Path(__file__).parent / "explorer_browser"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTEFACTS = Path(__file__).resolve().parent.parent / "build" / "explorer-screenshots"
"""Screenshots the browser tests save (gitignored; CI keeps them as artefacts)."""
TIMEOUT = 60.0
"""A guard against a hung browser, not a measurement."""


class BrowserError(AssertionError):
    """A command the browser could not carry out (its stack is in the message)."""


class Browser:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self._ids = itertools.count(1)

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, base_url: str) -> AsyncIterator[Browser]:
        node = shutil.which("node")
        assert node is not None, "node is needed to drive Chromium (playwright-core)"
        assert CHROMIUM is not None, "no Chromium (Debian: apt-get install -y chromium)"
        assert (DRIVER_DIR / "node_modules" / "playwright-core").is_dir(), (
            "run `npm ci --prefix tests/explorer_browser` (scripts/bootstrap does when npm exists)"
        )
        process = await asyncio.create_subprocess_exec(
            node,
            str(DRIVER_DIR / "driver.mjs"),
            base_url,
            CHROMIUM,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=64 * 1024 * 1024,
        )
        try:
            yield cls(process)
        finally:
            assert process.stdin is not None
            with contextlib.suppress(ConnectionError):
                process.stdin.write(b'{"cmd": "close"}\n')
                await process.stdin.drain()
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()

    async def call(self, cmd: str, **args: Any) -> Any:
        """Runs one driver command (see driver.mjs) and returns its result."""
        assert self.process.stdin is not None and self.process.stdout is not None
        command_id = next(self._ids)
        self.process.stdin.write(
            json.dumps({"id": command_id, "cmd": cmd, **args}).encode() + b"\n"
        )
        await self.process.stdin.drain()
        line = await asyncio.wait_for(self.process.stdout.readline(), TIMEOUT)
        if not line:
            raise BrowserError(f"the browser driver exited (code {self.process.returncode})")
        answer: dict[str, Any] = json.loads(line)
        assert answer["id"] == command_id
        if not answer["ok"]:
            raise BrowserError(f"{cmd} {args}: {answer['error']}")
        return answer["result"]

    async def screenshot(self, name: str, **options: Any) -> Path:
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTEFACTS / name
        await self.call("screenshot", path=str(path), **options)
        return path
