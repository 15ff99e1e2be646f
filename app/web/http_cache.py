"""HTTP caching of GET query responses: Cache-Control, a strong ETag, and 304 on a match.

Only successful GET queries are cacheable (GET refuses mutations), so a CDN or browser may
keep them for ``TRENDGRAPH_CACHE_MAX_AGE`` seconds; POSTs, mutations and responses with
errors say ``no-store``. Responses to requests that carry credentials are ``private``:
a shared cache must never hand one client's answer to another.
"""

from __future__ import annotations

import hashlib

from starlette.datastructures import Headers
from starlette.responses import Response

NO_STORE = "no-store"
CREDENTIAL_HEADERS = ("authorization", "x-api-key", "cookie")


def strong_etag(body: bytes, content_type: str) -> str:
    """A strong validator: the same representation gets the same tag on every instance.

    The media type is part of it: the same JSON as ``application/json`` and as
    ``application/graphql-response+json`` are two representations.
    """
    digest = hashlib.sha256(content_type.encode("latin-1") + b"\n" + body)
    return '"' + digest.hexdigest()[:40] + '"'


def if_none_match(header: str | None, etag: str) -> bool:
    """``If-None-Match`` names ``etag`` (weak comparison, as RFC 9110 asks for GET)."""
    if header is None:
        return False
    if header.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in header.split(","))


def cache_control(request_headers: Headers, max_age: int) -> str:
    if max_age == 0:
        return "no-cache"
    anonymous = not any(name in request_headers for name in CREDENTIAL_HEADERS)
    return f"{'public' if anonymous else 'private'}, max-age={max_age}"


def apply(
    response: Response, request_headers: Headers, *, cacheable: bool, max_age: int
) -> Response:
    """Add the caching headers; a 304 (no body) when the client's copy is current."""
    response.headers["vary"] = "Accept"
    if not cacheable:
        response.headers["cache-control"] = NO_STORE
        return response
    etag = strong_etag(bytes(response.body), response.headers.get("content-type", ""))
    response.headers["etag"] = etag
    response.headers["cache-control"] = cache_control(request_headers, max_age)
    if if_none_match(request_headers.get("if-none-match"), etag):
        return Response(
            status_code=304,
            headers={
                name: response.headers[name]
                for name in ("etag", "cache-control", "vary")
                if name in response.headers
            },
        )
    return response
