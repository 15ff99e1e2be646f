"""``python -m app``: serve the API and manage it."""

from __future__ import annotations

import asyncio
import errno
import re
import socket
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError
from pymongo.errors import PyMongoError

from app.domain.keys import KEY_NAME_PATTERN, Scope, key_entry, new_api_key
from app.settings import Settings, describe_settings_error, get_settings, unknown_variables
from app.storage.embedded import EmbeddedServerError

cli = typer.Typer(help="trendgraph: a GraphQL API for trend intelligence.", no_args_is_help=True)


@cli.callback()
def main() -> None:
    """trendgraph: a GraphQL API for trend intelligence."""


def load_settings() -> Settings:
    """The settings, or exit with code 2 and one line per bad environment variable."""
    try:
        settings = get_settings()
    except ValidationError as error:
        for line in describe_settings_error(error):
            typer.echo(f"Error: {line}", err=True)
        raise typer.Exit(code=2) from None
    for name in unknown_variables():
        typer.echo(f"Warning: {name} is not a trendgraph setting (misspelt?); ignored", err=True)
    typer.echo(f"Using {settings.describe_database()}", err=True)
    return settings


class _Server(uvicorn.Server):
    """uvicorn's server, announcing the GraphiQL URL once the socket is bound."""

    def __init__(self, config: uvicorn.Config, url: str) -> None:
        super().__init__(config)
        self.url = url

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:  # lifespan done (database open, seeds loaded) and listening
            typer.echo(f"GraphiQL: {self.url}", err=True)


def _check_can_listen(host: str, port: int) -> None:
    """Exit at once, before the database starts, if ``host:port`` cannot be bound."""
    try:
        family, kind, _, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            probe.bind(address)
    except OSError as error:
        reason = (
            "already in use"
            if error.errno == errno.EADDRINUSE
            else f"cannot listen there ({error.strerror or error})"
        )
        typer.echo(
            f"Error: {host}:{port}: {reason}; choose another --port or TRENDGRAPH_PORT", err=True
        )
        raise typer.Exit(code=1) from None


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind [TRENDGRAPH_HOST].")] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Port to bind [TRENDGRAPH_PORT].")
    ] = None,
    seed: Annotated[
        bool,
        typer.Option(help="Load the demo dataset first when the database has no trends."),
    ] = True,
) -> None:
    """Serve the API (uvicorn); with no trends in the database, load the demo dataset first
    (the Asyncio seed and a few hundred synthetic trends).

    Prints ``GraphiQL: <url>`` on stderr once it accepts requests.
    """
    settings = load_settings()
    settings.configure_logging()
    bind_host = host or settings.host
    bind_port = settings.port if port is None else port
    _check_can_listen(bind_host, bind_port)
    from app.web.asgi import create_app
    from app.web.server import uvicorn_config

    shown_host = "localhost" if bind_host in ("127.0.0.1", "0.0.0.0", "::") else bind_host
    app = create_app(settings, seed_if_empty=seed)
    config = uvicorn_config(app, settings, bind_host, bind_port)
    server = _Server(config, url=f"http://{shown_host}:{bind_port}/graphql")
    server.run()
    if not server.started:
        raise typer.Exit(code=3)  # uvicorn's "startup failed", which it has logged


@cli.command("reset-demo")
def reset_demo_command(
    yes: Annotated[
        bool, typer.Option("--yes", help="Do not ask before deleting (scripts, CI).")
    ] = False,
) -> None:
    """Delete every trend, series and category, then load the demo dataset again.

    Persisted queries are kept. With the embedded database, stop `scripts/serve` first:
    one server owns a data folder.
    """
    settings = load_settings()
    settings.configure_logging()
    if not yes:
        typer.confirm(
            f"Delete every trend, series and category in {settings.describe_database()}?",
            abort=True,
            err=True,
        )

    async def reset() -> str:
        from app.storage.database import open_database
        from seeds.demo import reset_demo

        async with open_database(settings) as database:
            return (await reset_demo(database)).describe()

    try:
        loaded = asyncio.run(reset())
    except (EmbeddedServerError, PyMongoError) as error:
        typer.echo(f"Error: cannot reset the demo data: {error}", err=True)
        raise typer.Exit(code=1) from None
    typer.echo(f"Demo data reset: {loaded}.")


@cli.command("new-api-key")
def new_api_key_command(
    name: Annotated[
        str | None, typer.Option(help="A name for the key's principal (lowercase, digits, - _).")
    ] = None,
    scope: Annotated[
        list[Scope] | None,
        typer.Option(help="A scope of the key (repeat the option); default read and write."),
    ] = None,
) -> None:
    """Print a new random API key, its SHA-256 hash and its TRENDGRAPH_API_KEY_HASHES entry."""
    if name is not None and not re.fullmatch(KEY_NAME_PATTERN, name):
        raise typer.BadParameter(f"must match {KEY_NAME_PATTERN}", param_hint="--name")
    key, key_hash = new_api_key()
    typer.echo(f"key:  {key}")
    typer.echo(f"hash: {key_hash}")
    typer.echo(f"entry: {key_entry(key_hash, name, scope or ())}")
    typer.echo(
        "Give the key to its holder (sent as `Authorization: Bearer <key>`); add the entry "
        "to TRENDGRAPH_API_KEY_HASHES (comma-separated). The key is shown only this once.",
        err=True,
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

    from app.storage.persisted_queries import PersistedQueryStore, sha256_hex

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
        from app.storage.database import open_database

        store = PersistedQueryStore(only_registered=False)
        async with open_database(settings) as database:
            for path, text in documents:
                await store.register(
                    database.persisted_queries, sha256_hex(text), text, permanent=True
                )
                typer.echo(f"{sha256_hex(text)}  {path}")

    asyncio.run(register())


@cli.command("recompute-forecasts")
def recompute_forecasts(
    processes: Annotated[
        int | None,
        typer.Option(min=1, max=64, help="Worker processes fitting forecasts [CPU cores]."),
    ] = None,
) -> None:
    """Recompute every trend's forecast from its current series (forecasts are otherwise
    recomputed in the background when a series is written), with a progress bar."""
    settings = load_settings()
    settings.configure_logging()
    import os
    import time

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from app.forecasting.pool import forecast_pool
    from app.storage.database import open_database
    from app.storage.forecast_worker import recompute_all

    workers = processes or os.cpu_count() or 1

    async def run() -> None:
        async with open_database(settings) as database:
            total = await database.trend_series.count_documents({})
            columns = (
                TextColumn("forecasts"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
            )
            started = time.perf_counter()
            with (
                forecast_pool(workers) as pool,
                Progress(*columns, console=None, transient=False) as progress,
            ):
                task = progress.add_task("recompute", total=total)
                done = await recompute_all(
                    database, pool, lambda count: progress.update(task, completed=count)
                )
            typer.echo(
                f"recomputed {done} forecasts in {time.perf_counter() - started:.1f}s "
                f"with {workers} processes",
                err=True,
            )

    asyncio.run(run())
