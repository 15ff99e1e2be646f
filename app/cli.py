"""``python -m app``: serve the API and manage it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError

from app.settings import Settings, describe_settings_error, get_settings

cli = typer.Typer(help="trendgraph: a GraphQL API for trend intelligence.", no_args_is_help=True)


@cli.callback()
def main() -> None:
    """trendgraph: a GraphQL API for trend intelligence."""


def load_settings() -> Settings:
    """The settings, or exit with code 2 and one line per bad environment variable."""
    try:
        return get_settings()
    except ValidationError as error:
        for line in describe_settings_error(error):
            typer.echo(f"Error: {line}", err=True)
        raise typer.Exit(code=2) from None


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind [TRENDGRAPH_HOST].")] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Port to bind [TRENDGRAPH_PORT].")
    ] = None,
    seed: Annotated[
        bool, typer.Option(help="Load the seed data first when the database has no trends.")
    ] = True,
) -> None:
    """Serve the API (uvicorn); with no trends in the database, load the seed data first."""
    settings = load_settings()
    settings.configure_logging()
    bind_host = host or settings.host
    bind_port = settings.port if port is None else port
    from app.asgi import create_app

    shown_host = "localhost" if bind_host in ("127.0.0.1", "0.0.0.0", "::") else bind_host
    url = f"http://{shown_host}:{bind_port}/graphql"
    app = create_app(
        settings, seed_if_empty=seed, on_ready=lambda: typer.echo(f"GraphiQL: {url}", err=True)
    )
    uvicorn.run(
        app,
        host=bind_host,
        port=bind_port,
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=10,
    )


@cli.command("persist-queries")
def persist_queries(
    files: Annotated[
        list[Path],
        typer.Argument(
            exists=True, dir_okay=False, readable=True, help="GraphQL documents, one per file."
        ),
    ],
) -> None:
    """Register GraphQL documents as persisted queries (the allow-list of
    TRENDGRAPH_PERSISTED_QUERIES_ONLY) and print each one's sha256 hash."""
    settings = load_settings()
    settings.configure_logging()
    from graphql import GraphQLError, parse

    from app.persisted_queries import PersistedQueries, sha256_hex

    documents: list[tuple[Path, str]] = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        try:
            parse(text)
        except GraphQLError as error:
            typer.echo(f"Error: {path}: {error.message}", err=True)
            raise typer.Exit(code=1) from None
        documents.append((path, text))

    async def register() -> None:
        from app.asgi import open_database

        store = PersistedQueries(only_registered=False)
        async with open_database(settings) as database:
            for path, text in documents:
                await store.register(database.persisted_queries, sha256_hex(text), text)
                typer.echo(f"{sha256_hex(text)}  {path}")

    asyncio.run(register())
