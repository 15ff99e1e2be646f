"""``python -m seeds [FILES...]``: load seed files into the configured database."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from pymongo.errors import PyMongoError
from rich.console import Console
from rich.text import Text

from app.asgi import open_database
from app.embedded import EmbeddedServerError
from app.settings import describe_settings_error, get_settings
from seeds.loader import (
    SeedFileError,
    SeedReport,
    default_seed_files,
    load_seeds,
    read_seed_files,
)

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
    try:
        settings = get_settings()
    except ValidationError as error:
        for line in describe_settings_error(error):
            typer.echo(f"Error: {line}", err=True)
        raise typer.Exit(code=2) from None
    settings.configure_logging()
    logging.getLogger("app").setLevel(logging.WARNING)
    paths = files or default_seed_files()

    async def run() -> SeedReport:
        seeds = read_seed_files(paths)  # a bad file fails before any database starts
        async with open_database(settings) as database:
            return await load_seeds(database, seeds)

    try:
        report = asyncio.run(run())
    except (SeedFileError, EmbeddedServerError, PyMongoError) as error:
        reason = f"database error: {error}" if isinstance(error, PyMongoError) else str(error)
        # soft_wrap: a long file path stays whole on one line, for people and for grep.
        console.print(
            Text.assemble(("seed load failed: ", "red"), reason), highlight=False, soft_wrap=True
        )
        raise typer.Exit(code=1) from None
    typer.echo(_summary(report))


if __name__ == "__main__":
    cli(prog_name="python -m seeds")
