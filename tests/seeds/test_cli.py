"""``python -m seeds`` end to end, against the test database."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path

from app.storage.database import Database
from tests.conftest import TEST_DATABASE
from tests.processes import child_environment
from tests.seeds.files import seed_file, write_json


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


async def run_seeds(mongodb_uri: str, cwd: Path, *files: Path, **variables: str) -> Run:
    environment = child_environment(
        **{"TRENDGRAPH_MONGODB_URI": mongodb_uri, "TRENDGRAPH_DATABASE": TEST_DATABASE} | variables
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "seeds",
        *map(str, files),
        cwd=cwd,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode is not None
    return Run(process.returncode, stdout.decode(), stderr.decode())


async def test_loads_the_shipped_seeds_then_changes_nothing(
    database: Database, mongodb_uri: str, tmp_path: Path
) -> None:
    first = await run_seeds(mongodb_uri, tmp_path)
    assert first.code == 0, first.stderr
    assert "categories: 8 inserted, 0 updated, 0 unchanged" in first.stdout
    assert "trends: 1 inserted, 0 updated, 0 unchanged" in first.stdout
    assert "Nothing changed" not in first.stdout
    assert await database.trends.count_documents({"slug": "asyncio"}) == 1
    assert await database.categories.count_documents({}) == 8

    second = await run_seeds(mongodb_uri, tmp_path)
    assert second.code == 0, second.stderr
    assert "categories: 0 inserted, 0 updated, 8 unchanged" in second.stdout
    assert "trends: 0 inserted, 0 updated, 1 unchanged" in second.stdout
    assert "Nothing changed" in second.stdout
    assert not (tmp_path / "data").exists()  # the URI was used: no embedded server started


async def test_loads_given_files(database: Database, mongodb_uri: str, tmp_path: Path) -> None:
    path = write_json(tmp_path / "mine.json", seed_file())
    run = await run_seeds(mongodb_uri, tmp_path, path)
    assert run.code == 0, run.stderr
    assert "categories: 1 inserted" in run.stdout
    assert "trends: 2 inserted" in run.stdout
    assert await database.trends.count_documents({}) == 2


async def test_a_bad_file_exits_1_naming_it_and_writes_nothing(
    database: Database, mongodb_uri: str, tmp_path: Path
) -> None:
    good = write_json(tmp_path / "good.json", seed_file())
    content = seed_file()
    del content["trends"][1]["name"]
    bad = write_json(tmp_path / "a-rather-long-seed-file-name-that-must-stay-whole.json", content)

    run = await run_seeds(mongodb_uri, tmp_path, good, bad)

    assert run.code == 1
    assert f"seed load failed: {bad}: trends[1] (slug 'broken') field name" in run.stderr
    assert "Traceback" not in run.stderr
    assert run.stdout == ""
    assert await database.trends.count_documents({}) == 0
    assert await database.categories.count_documents({}) == 0


async def test_bad_settings_exit_2_naming_the_variable(mongodb_uri: str, tmp_path: Path) -> None:
    run = await run_seeds(mongodb_uri, tmp_path, TRENDGRAPH_DATABASE="no spaces allowed")
    assert run.code == 2
    assert "TRENDGRAPH_DATABASE" in run.stderr
    assert "Traceback" not in run.stderr
