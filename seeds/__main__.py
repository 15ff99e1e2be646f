"""``python -m seeds [FILES...]``: load seed files, into the database or through the API."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from pymongo.errors import PyMongoError
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from app.settings import describe_settings_error, get_settings
from app.storage.database import open_database
from app.storage.embedded import EmbeddedServerError
from seeds.loader import (
    SeedFile,
    SeedFileError,
    SeedReport,
    default_seed_files,
    load_seeds,
    read_seed_files,
    repeated_across_files,
)
from seeds.via_api import ApiSeeder, ApiSeedReport, SeedApiError

cli = typer.Typer(add_completion=False)
console = Console(stderr=True)


def summary(report: SeedReport) -> str:
    """The counts both modes print, one line per kind of item."""
    lines = []
    for kind, part in (("categories", report.categories), ("trends", report.trends)):
        lines.append(
            f"{kind}: {len(part.inserted)} inserted, {len(part.updated)} updated, "
            f"{len(part.unchanged)} unchanged, {len(part.failed)} failed"
        )
    if not report.changed and not report.failed:
        lines.append("Nothing changed: the database already holds these seeds.")
    return "\n".join(lines)


@cli.command()
def load(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Seed files (JSON); the shipped seeds when none are given."),
    ] = None,
    via_api: Annotated[
        str | None,
        typer.Option(
            "--via-api",
            metavar="URL",
            help="Send the seeds through this GraphQL endpoint (importTrends) instead of "
            "writing to the database, e.g. http://localhost:8000/graphql.",
        ),
    ] = None,
    api_key: Annotated[
        str | None,
        typer.Option("--api-key", metavar="KEY", help="The API key for --via-api."),
    ] = None,
    batch_size: Annotated[
        int, typer.Option(min=1, max=500, help="Items per upsert call with --via-api.")
    ] = 100,
    concurrency: Annotated[
        int,
        typer.Option(
            min=1,
            max=16,
            help="Upsert calls in flight at once with --via-api (on the 2-core bench machine "
            "with the embedded database, 1 was fastest).",
        ),
    ] = 1,
) -> None:
    """Load seed files idempotently (upsert by slug) and print what changed.

    Exits 1 if a file cannot be loaded or any item failed.
    """
    try:
        settings = get_settings()
    except ValidationError as error:
        for line in describe_settings_error(error):
            typer.echo(f"Error: {line}", err=True)
        raise typer.Exit(code=2) from None
    settings.configure_logging()
    for quiet in ("app", "httpx"):  # one line per request would drown the summary
        logging.getLogger(quiet).setLevel(logging.WARNING)
    paths = files or default_seed_files()
    if via_api is not None and not api_key:
        raise typer.BadParameter("--via-api needs --api-key", param_hint="--api-key")
    target = f"the API at {via_api}" if via_api else settings.describe_database()
    typer.echo(f"Writing to {target}", err=True)

    async def direct(seeds: list[tuple[Path, SeedFile]]) -> SeedReport:
        async with open_database(settings) as database:
            return await load_seeds(database, seeds)

    try:
        # Both modes: every file is read and validated before anything else (the same rule
        # for a bad file), and slugs given by several files are reported.
        seeds = read_seed_files(paths)
        for line in repeated_across_files(seeds):
            console.print(f"[yellow]warning:[/yellow] {escape(line)}", highlight=False)
        if via_api is None:
            report = asyncio.run(direct(seeds))
        else:
            assert api_key is not None
            seeder = ApiSeeder(
                via_api, api_key, batch_size=batch_size, concurrency=concurrency, console=console
            )
            report = asyncio.run(seeder.seed(paths))
    except (SeedFileError, SeedApiError, EmbeddedServerError, PyMongoError) as error:
        reason = f"database error: {error}" if isinstance(error, PyMongoError) else str(error)
        # soft_wrap: a long file path stays whole on one line, for people and for grep.
        console.print(
            Text.assemble(("seed load failed: ", "red"), reason), highlight=False, soft_wrap=True
        )
        raise typer.Exit(code=1) from None
    if isinstance(report, ApiSeedReport):
        for failure in report.failures:
            code = f" ({failure.code})" if failure.code else ""
            console.print(
                f"[red]failed:[/red] {escape(failure.item.describe())}: "
                f"{escape(failure.message)}{code}",
                markup=True,
                highlight=False,
            )
    for slug, fields in report.trends.cleared.items():
        console.print(
            f"[yellow]cleared:[/yellow] trend {slug!r}: {', '.join(fields)} (left out of the "
            "file, so the stored values were removed)",
            highlight=False,
        )
    typer.echo(summary(report))
    if report.failed:
        raise typer.Exit(code=1)


if __name__ == "__main__":
    cli(prog_name="python -m seeds")
