"""``python -m seeds.synthetic``: generate synthetic trends and load them in bulk."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from app.settings import get_settings
from app.storage.database import open_database
from app.storage.repositories.category_writes import CategoryWriter
from seeds.loader import DATA_DIR, parse_seed_file
from seeds.synthetic.generator import generate
from seeds.synthetic.loader import SlugTakenError, load_synthetic, remove_synthetic

cli = typer.Typer(add_completion=False)
console = Console(stderr=True)


def last_sunday() -> date:
    today = datetime.now(UTC).date()
    return today - timedelta(days=(today.weekday() + 1) % 7)


@cli.command()
def main(
    count: Annotated[int, typer.Option(min=1, max=100_000, help="How many trends.")] = 1_000,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same trends.")] = 0,
    end: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Last day of every series [last Sunday, UTC]."),
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=5_000, help="Trends per insert.")] = 500,
    replace: Annotated[
        bool, typer.Option(help="Delete previously generated synthetic trends first.")
    ] = True,
) -> None:
    """Generate COUNT synthetic trends deterministically and load them in bulk.

    The taxonomy (seeds/data/taxonomy.json) is upserted first. Synthetic trends say so in
    their analyses' provenance (source "synthetic ...").
    """
    settings = get_settings()
    settings.configure_logging()
    logging.getLogger("app").setLevel(logging.WARNING)
    taxonomy = parse_seed_file(DATA_DIR / "taxonomy.json").categories
    started = time.perf_counter()
    trends = generate(count, seed, end.date() if end else last_sunday(), taxonomy)
    generated = time.perf_counter()
    console.print(f"generated {count} trends in {generated - started:.1f}s")

    async def run() -> None:
        async with open_database(settings) as database:
            await CategoryWriter(database).upsert(taxonomy)
            if replace:
                removed = await remove_synthetic(database)
                if removed:
                    console.print(f"removed {removed} synthetic trends loaded before")
            columns = (
                TextColumn("loading"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
            )
            with Progress(*columns, console=console) as progress:
                task = progress.add_task("load", total=count)
                load_started = time.perf_counter()
                await load_synthetic(
                    database,
                    trends,
                    batch_size=batch_size,
                    on_batch=lambda done: progress.advance(task, done),
                )
            elapsed = time.perf_counter() - load_started
            console.print(f"loaded {count} trends with their series in {elapsed:.1f}s")

    try:
        asyncio.run(run())
    except SlugTakenError as error:
        console.print(f"[red]synthetic load failed:[/red] {error}", highlight=False)
        raise typer.Exit(code=1) from None


if __name__ == "__main__":
    cli(prog_name="python -m seeds.synthetic")
