"""GraphiQL in a real headless Chromium, with no network but loopback: it runs the Asyncio query.

Needs Debian's ``chromium`` (``.ci/run`` installs it) and Node with ``npm ci`` in
``tests/graphiql_browser`` (playwright-core, which drives the system browser).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from app.storage.database import Database
from tests.served import ServedAPI

DRIVER_DIR = Path(__file__).parent / "graphiql_browser"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ASYNCIO_QUERY = '{ trend(slug: "asyncio") { name growth { label percent } } }'

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium installed (Debian: apt-get install -y chromium)"
)


def run_graphiql(url: str, query: str) -> dict[str, Any]:
    node = shutil.which("node")
    assert node is not None, "node is needed to drive Chromium (playwright-core)"
    assert (DRIVER_DIR / "node_modules" / "playwright-core").is_dir(), (
        "run `npm ci --prefix tests/graphiql_browser` (scripts/bootstrap does when npm exists)"
    )
    assert CHROMIUM is not None
    completed = subprocess.run(
        [node, str(DRIVER_DIR / "graphiql.mjs"), url, query, CHROMIUM],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    outcome: dict[str, Any] = json.loads(completed.stdout)
    return outcome


async def test_graphiql_runs_the_asyncio_query_offline(
    served_api: ServedAPI, seeded: Database
) -> None:
    import asyncio

    outcome = await asyncio.to_thread(run_graphiql, served_api.url, ASYNCIO_QUERY)
    assert outcome["blockedRequests"] == []  # nothing but the app itself was asked for
    assert outcome["consoleErrors"] == []
    assert "Asyncio" in outcome["paneText"]
    result = json.loads(outcome["resultText"])
    assert result["data"]["trend"]["name"] == "Asyncio"
    assert [window["label"] for window in result["data"]["trend"]["growth"]] == ["3mo", "1y", "5y"]
