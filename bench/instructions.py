"""``python -m bench.instructions``: instructions per request, counted by valgrind.

CPU time on a shared machine moves by 10 to 20% from one run to the next, more than most
single changes save. The number of instructions a request executes does not: valgrind's
callgrind counts them exactly, and the same code gives the same count within about 1%.

For each variant and scenario, two child processes send 20 warm-up requests and then
``--base`` or ``--base + --requests`` more, in-process (as ``python -m bench.inprocess``
does), under callgrind; the difference of their totals over ``--requests`` is the count
per request, without the start-up. The database runs in its own process and is not
counted. Needs ``valgrind`` (``apt-get install valgrind``); a run takes a few minutes,
as the children run about fifty times slower under it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated

import typer
import uvloop
from asgi_lifespan import LifespanManager

from app.storage.database import Database
from bench.__main__ import DATABASE
from bench.inprocess import scenario_sends, seeded_database, variant_app

VARIANTS = ("floor", "trendgraph", "naive")
SCENARIOS = ("S1", "S2", "S3", "S5")
WARM_UP = 20
_COLLECTED = re.compile(r"Collected : (\d+)")

app = typer.Typer(add_completion=False)


async def _send(uri: str, variant: str, scenario: str, count: int) -> None:
    send = scenario_sends(uri)[variant][scenario]
    database = Database.connect(uri, DATABASE)
    try:
        async with LifespanManager(variant_app(variant, uri, database)) as manager:
            for _ in range(WARM_UP + count):
                await send(manager.app)
    finally:
        await database.close()


def _instructions(uri: str, variant: str, scenario: str, count: int) -> int:
    """The instructions a child process executes sending ``count`` requests after the
    warm-up (start-up included)."""
    command = [
        "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
        sys.executable, "-m", "bench.instructions", "child", uri, variant, scenario, str(count),
    ]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    found = _COLLECTED.search(run.stderr)
    if run.returncode != 0 or found is None:
        raise RuntimeError(f"{variant} {scenario} under valgrind failed:\n{run.stderr[-2000:]}")
    return int(found.group(1))


@app.callback(invoke_without_command=True)
def main(
    context: typer.Context,
    trends: Annotated[int, typer.Option(min=10, help="Synthetic trends to seed.")] = 500,
    requests: Annotated[int, typer.Option(min=1, help="Requests counted per row.")] = 30,
    base: Annotated[int, typer.Option(min=0, help="Requests of the shorter run.")] = 10,
    variant: Annotated[
        list[str] | None, typer.Option(help="floor, trendgraph or naive (repeatable).")
    ] = None,
    scenario: Annotated[
        list[str] | None, typer.Option(help="S1, S2, S3 or S5 (repeatable).")
    ] = None,
) -> None:
    """Print instructions per request for S1, S2, S3 and S5, and each one's ratio to the
    floor (which is always measured)."""
    if context.invoked_subcommand is not None:
        return
    variants, scenarios = variant or list(VARIANTS), scenario or list(SCENARIOS)
    unknown = sorted((set(variants) - set(VARIANTS)) | (set(scenarios) - set(SCENARIOS)))
    if unknown:
        raise typer.BadParameter(f"unknown variant or scenario: {', '.join(unknown)}")
    if shutil.which("valgrind") is None:
        raise typer.BadParameter("valgrind is not installed (apt-get install valgrind)")
    with seeded_database(trends) as uri, ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        floors: dict[str, float] = {}
        for name in ["floor", *(v for v in variants if v != "floor")]:
            for key in scenarios:
                short, long = pool.map(
                    lambda count: _instructions(uri, name, key, count),  # noqa: B023
                    (base, base + requests),
                )
                per_request = (long - short) / requests / 1e6
                floors.setdefault(key, per_request)  # the floor comes first
                print(
                    f"{key} {name:10s} {per_request:7.2f} M instructions/request, "
                    f"{per_request / floors[key]:.2f}x the floor's"
                )


@app.command(hidden=True)
def child(uri: str, variant: str, scenario: str, count: int) -> None:
    """Runs in a child process under valgrind: sends the requests to be counted."""
    uvloop.run(_send(uri, variant, scenario, count))


if __name__ == "__main__":
    app()
