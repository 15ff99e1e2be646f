"""The graphql-http audit suite (npm ``graphql-http``'s ``serverAudits``) against the served app.

Needs Node 18+ (skipped without it; ``.ci/run`` installs it) and ``npm ci`` in
``tests/http_audit`` (``scripts/bootstrap`` runs it when npm is there). MUST-level
audits report ``error`` when they fail, SHOULD/MAY-level ones ``warn``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.served import ServedAPI

AUDIT_DIR = Path(__file__).parent / "http_audit"


@pytest.fixture(scope="module")
def audit_results(served_api: ServedAPI) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the graphql-http audit needs Node 18+ (CI installs it)")
    assert (AUDIT_DIR / "node_modules" / "graphql-http").is_dir(), (
        "run `npm ci --prefix tests/http_audit` (scripts/bootstrap does when npm exists)"
    )
    completed = subprocess.run(
        [node, str(AUDIT_DIR / "audit.mjs"), served_api.url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    results: list[dict[str, Any]] = json.loads(completed.stdout)
    return results


def test_the_audit_ran_every_check(audit_results: list[dict[str, Any]]) -> None:
    assert len(audit_results) > 50
    assert {result["status"] for result in audit_results} <= {"ok", "warn", "error"}


def test_no_must_failures(audit_results: list[dict[str, Any]]) -> None:
    errors = [
        f"{r['id']} {r['name']}: {r['reason']}" for r in audit_results if r["status"] == "error"
    ]
    assert errors == []


def test_no_should_warnings(audit_results: list[dict[str, Any]]) -> None:
    warnings = [
        f"{r['id']} {r['name']}: {r['reason']}" for r in audit_results if r["status"] == "warn"
    ]
    assert warnings == []
