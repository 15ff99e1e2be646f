"""``python -m seeds [FILES...]``: load seed files into the configured database."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from app.asgi import open_database
from app.settings import get_settings
from seeds.loader import SeedFileError, SeedReport, default_seed_files, load_seed_files

cli = typer.Typer(add_completion=False)
console = Console(stderr=True)


def _summary(report: SeedReport) -> str:
    lines = []
    for kind, part in (("categories", report.categories), ("trends", report.trends)):
        lines.append(
            f"{kind}: {len(part.inserted)} inserted, {len(part.updated)} updated, "
            f"{len(part.unchanged)} unchanged"
        )
    if not report.changed:
        lines.append("Nothing changed: the database already holds these seeds.")
    return "\n".join(lines)


@cli.command()
def load(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Seed files (JSON); the shipped seeds when none are given."),
    ] = None,
) -> None:
    """Load seed files into the database idempotently (upsert by slug)."""
    settings = get_settings()
    settings.configure_logging()
    logging.getLogger("app").setLevel(logging.WARNING)
    paths = files or default_seed_files()

    async def run() -> SeedReport:
        async with open_database(settings) as database:
            return await load_seed_files(database, paths)

    try:
        report = asyncio.run(run())
    except SeedFileError as error:
        console.print(f"[red]seed load failed:[/red] {error}", markup=True, highlight=False)
        raise typer.Exit(code=1) from None
    typer.echo(_summary(report))


if __name__ == "__main__":
    cli(prog_name="python -m seeds")
