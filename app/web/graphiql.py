"""GraphiQL, served entirely by the app: the page, and its vendored JS and CSS.

The assets in ``app/web/static/graphiql`` come from pinned npm packages with their licences
(``scripts/build-graphiql``), so the explorer works behind a firewall with no internet.
The page's Content-Security-Policy allows nothing but this origin, which also proves it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from starlette.staticfiles import StaticFiles

ASSETS = Path(__file__).parent / "static" / "graphiql"
ASSETS_URL = "/graphiql-assets"

PAGE_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    "cache-control": "no-cache",
    "x-content-type-options": "nosniff",
}


@cache
def _version() -> str:
    """Busts browser caches when the vendored assets change."""
    return "-".join(
        line.split()[1]
        for line in (ASSETS / "VERSIONS").read_text(encoding="utf-8").splitlines()
        if line.strip()
    )


@cache
def page() -> str:
    version = _version()

    def asset(name: str) -> str:
        return f"{ASSETS_URL}/{name}?v={version}"

    return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>trendgraph · GraphiQL</title>
    <link rel="stylesheet" href="{asset("graphiql.min.css")}">
    <style>body {{ margin: 0; }} #graphiql {{ height: 100vh; }}</style>
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
    <script src="{asset("react.production.min.js")}"></script>
    <script src="{asset("react-dom.production.min.js")}"></script>
    <script src="{asset("graphiql.min.js")}"></script>
    <script src="{asset("init.js")}"></script>
  </body>
</html>
"""


def assets_app() -> StaticFiles:
    return StaticFiles(directory=ASSETS)
