"""The trend explorer: the web app at ``/``, built only on the public GraphQL API.

Every page (``/``, ``/trends/<slug>``, ``/compare``, ``/watchlists``) is one HTML shell; the
browser renders it with plain JS modules from ``static/explorer`` (no framework, no bundler,
so there is no build step to go stale and nothing but Python is needed to serve it). The
app's GraphQL documents live in ``queries/`` and reach the page inside the shell with their
SHA-256 hashes, so the app reads by persisted-query hash over GET (cached by the response
cache, browsers and CDNs, revalidated by ETag) exactly as the README tells app developers
to, and the same files can go on the allow-list (``python -m app persist-queries``).

Assets are served under a path holding a hash of their content, so they can be cached for a
year and a release never meets a stale copy; modules import each other relatively and so
stay under the same versioned path.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from html import escape
from pathlib import Path

from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.storage.persisted_queries import sha256_hex

ASSETS = Path(__file__).parent / "static" / "explorer"
QUERIES = Path(__file__).parent / "queries"
ASSETS_URL = "/explorer-assets"

PAGE_HEADERS = {
    # Nothing but this origin: no CDN can be used by accident. connect-src 'self' covers
    # the subscription's same-origin WebSocket.
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "cache-control": "no-cache",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}
IMMUTABLE = b"public, max-age=31536000, immutable"

_SPREAD = re.compile(r"\.\.\.\s*([_A-Za-z][_0-9A-Za-z]*)")
_FRAGMENT = re.compile(r"^fragment\s+([_A-Za-z][_0-9A-Za-z]*)", re.MULTILINE)


@cache
def assets_version() -> str:
    """A hash of every asset's path and bytes: changes whenever any asset does."""
    digest = hashlib.sha256()
    for path in sorted(ASSETS.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(ASSETS).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _fragments() -> dict[str, str]:
    """Fragment definitions of ``queries/fragments``, by name."""
    found: dict[str, str] = {}
    for path in sorted((QUERIES / "fragments").glob("*.graphql")):
        text = path.read_text(encoding="utf-8").strip()
        names = _FRAGMENT.findall(text)
        if len(names) != 1:
            raise ValueError(f"{path.name}: one fragment a file, found {names}")
        found[names[0]] = text
    return found


def compose(operation: str, fragments: dict[str, str]) -> str:
    """``operation`` followed by every fragment it spreads, directly or through others."""
    wanted: list[str] = []
    pending = _SPREAD.findall(operation)
    while pending:
        name = pending.pop(0)
        if name in wanted or name == "on":
            continue
        if name not in fragments:
            raise ValueError(f"unknown fragment {name}")
        wanted.append(name)
        pending.extend(_SPREAD.findall(fragments[name]))
    return "\n\n".join([operation.strip(), *(fragments[name] for name in sorted(wanted))]) + "\n"


@cache
def documents() -> dict[str, dict[str, str]]:
    """The app's GraphQL documents by file name: the full text and its SHA-256 hash."""
    fragments = _fragments()
    composed: dict[str, dict[str, str]] = {}
    for path in sorted(QUERIES.glob("*.graphql")):
        query = compose(path.read_text(encoding="utf-8"), fragments)
        composed[path.stem] = {"query": query, "sha256Hash": sha256_hex(query)}
    return composed


@cache
def shell() -> str:
    """The one HTML page every route answers; the modules render the rest."""
    base = f"{ASSETS_URL}/{assets_version()}"
    # Inside <script> only "</" could end the element early; \u003c keeps the JSON intact.
    manifest = json.dumps(documents(), separators=(",", ":")).replace("<", "\\u003c")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>trendgraph</title>
<link rel="stylesheet" href="{escape(base)}/app.css">
<link rel="icon" href="{escape(base)}/icon.svg" type="image/svg+xml">
<script type="module" src="{escape(base)}/app.js"></script>
<script type="application/json" id="tg-documents">{manifest}</script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site">
<a class="brand" href="/">trendgraph</a>
<nav aria-label="Main">
<ul>
<li><a href="/">Leaderboard</a></li>
<li><a href="/compare">Compare</a></li>
<li><a href="/watchlists">Watchlists</a></li>
<li><a href="/graphql">GraphiQL</a></li>
</ul>
</nav>
<p class="live" id="live-status" role="status"></p>
</header>
<main id="main" tabindex="-1">
<noscript><p>The trend explorer needs JavaScript. The API itself is at
<a href="/graphql">/graphql</a>.</p></noscript>
</main>
</body>
</html>
"""


async def page(request: Request) -> HTMLResponse:
    """Any of the app's pages (deep links included): the shell."""
    return HTMLResponse(shell(), headers=PAGE_HEADERS)


class VersionedAssets:
    """The assets, compressed, cached for a year when asked for by the current version.

    A request for another version (a page loaded before a release) still gets today's
    file, but only with ``no-cache``, so nothing stale is kept under a new name.
    """

    def __init__(self) -> None:
        self.files: ASGIApp = GZipMiddleware(StaticFiles(directory=ASSETS), minimum_size=512)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        current = scope.get("path_params", {}).get("version") == assets_version()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() != b"cache-control"
                ]
                headers.append((b"cache-control", IMMUTABLE if current else b"no-cache"))
                headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        await self.files(scope, receive, send_with_headers)


PAGES = ("/", "/trends/{slug}", "/compare", "/watchlists")


def routes() -> list[BaseRoute]:
    """The app's pages and assets, for the ASGI app's route table."""
    return [
        *(Route(path, page, methods=["GET", "HEAD"]) for path in PAGES),
        Mount(ASSETS_URL + "/{version}", app=VersionedAssets(), name="explorer-assets"),
    ]
