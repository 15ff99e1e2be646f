"""``python -m app``: serve the API and manage it."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from app.auth import new_api_key
from app.settings import get_settings

cli = typer.Typer(help="trendgraph: a GraphQL API for trend intelligence.", no_args_is_help=True)


@cli.callback()
def main() -> None:
    """trendgraph: a GraphQL API for trend intelligence."""


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
    settings = get_settings()
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


@cli.command("new-api-key")
def new_api_key_command() -> None:
    """Print a new random API key and its SHA-256 hash (for TRENDGRAPH_API_KEY_HASHES)."""
    key, key_hash = new_api_key()
    typer.echo(f"key:  {key}")
    typer.echo(f"hash: {key_hash}")
    typer.echo(
        "Give the key to the writer (send it as `Authorization: Bearer <key>`); add the hash "
        "to TRENDGRAPH_API_KEY_HASHES (comma-separated). The key is shown only this once.",
        err=True,
    )
