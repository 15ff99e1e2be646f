"""GraphQL over HTTP (graphql/graphql-over-http): media types, request parameters, status codes.

The protocol rules live here so the view only orchestrates: which ``Accept`` values are
served (406 otherwise), which request bodies are read (415 for other content types, 413
past ``TRENDGRAPH_MAX_BODY_BYTES``), how ``query``/``operationName``/``variables``/
``extensions`` are checked (400), and which status a result gets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request
from strawberry.types import ExecutionResult

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
_SERVED = (GRAPHQL_RESPONSE_JSON, JSON)


class GraphQLHTTPError(Exception):
    """A request refused before execution: an HTTP status and a GraphQL error body."""

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        code: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.code = code
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        """A GraphQL response with no ``data`` entry (the request never executed)."""
        return {"errors": [{"message": self.message, "extensions": {"code": self.code}}]}


def bad_request(message: str, code: str = "BAD_REQUEST") -> GraphQLHTTPError:
    return GraphQLHTTPError(400, message, code=code)


@dataclass(frozen=True, slots=True)
class GraphQLParams:
    """The GraphQL-over-HTTP request parameters, checked."""

    query: str | None
    operation_name: str | None
    variables: dict[str, Any] | None
    extensions: dict[str, Any] | None


def _media_ranges(accept: str) -> list[tuple[str, float, int]]:
    """``(media range, q, position)`` for each entry of an ``Accept`` header."""
    ranges = []
    for position, entry in enumerate(accept.split(",")):
        media_range, *parameters = (part.strip() for part in entry.split(";"))
        if not media_range:
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((media_range.lower(), quality, position))
    return ranges


def negotiate_media_type(accept: str | None) -> str:
    """The response media type for ``accept``; 406 when it allows neither JSON type.

    No header, ``*/*`` or ``application/*`` get ``application/json`` (the spec's choice for
    clients that do not ask); ``application/graphql-response+json`` wins a tie.
    """
    if accept is None or not accept.strip():
        return JSON
    best: tuple[tuple[float, int, int], str] | None = None
    for media_range, quality, position in _media_ranges(accept):
        if quality <= 0:
            continue
        if media_range in _SERVED:
            candidate = media_range
        elif media_range in ("*/*", "application/*"):
            candidate = JSON
        else:
            continue
        # Higher q first, then the spec's preferred type, then the client's order.
        rank = (quality, 1 if candidate == GRAPHQL_RESPONSE_JSON else 0, -position)
        if best is None or rank > best[0]:
            best = (rank, candidate)
    if best is None:
        raise GraphQLHTTPError(
            406,
            f"Accept must allow {GRAPHQL_RESPONSE_JSON} or {JSON}, got {accept!r}",
            code="NOT_ACCEPTABLE",
        )
    return best[1]


def check_content_type(content_type: str | None) -> None:
    """POST bodies must be ``application/json`` in UTF-8 (415 otherwise)."""
    media_type, *parameters = (part.strip() for part in (content_type or "").split(";"))
    if media_type.lower() != JSON:
        raise GraphQLHTTPError(
            415,
            f"POST bodies must be {JSON}, got {content_type or 'no Content-Type'}",
            code="UNSUPPORTED_MEDIA_TYPE",
        )
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() != "utf-8":
            raise GraphQLHTTPError(
                415,
                f"POST bodies must be UTF-8, got {value.strip()}",
                code="UNSUPPORTED_MEDIA_TYPE",
            )


def _too_large(limit: int) -> GraphQLHTTPError:
    return GraphQLHTTPError(
        413, f"The request body exceeds {limit} bytes", code="PAYLOAD_TOO_LARGE"
    )


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 past ``limit`` bytes without reading the rest."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _json_object(name: str, value: object, *, from_query_string: bool) -> dict[str, Any] | None:
    if from_query_string and isinstance(value, str):  # GET: a JSON text
        try:
            value = orjson.loads(value) if value else None
        except orjson.JSONDecodeError as error:
            raise bad_request(f"`{name}` is not valid JSON: {error}") from None
    if value is not None and not isinstance(value, dict):
        raise bad_request(f"`{name}` must be an object or null")
    return value


def _string(name: str, value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise bad_request(f"`{name}` must be a string or null")
    return value


def params_from(payload: Mapping[str, object], *, from_query_string: bool) -> GraphQLParams:
    """Checks the four request parameters (GET query string or POST JSON object)."""
    return GraphQLParams(
        query=_string("query", payload.get("query")),
        operation_name=_string("operationName", payload.get("operationName")) or None,
        variables=_json_object(
            "variables", payload.get("variables"), from_query_string=from_query_string
        ),
        extensions=_json_object(
            "extensions", payload.get("extensions"), from_query_string=from_query_string
        ),
    )


async def read_params(request: Request, max_body_bytes: int) -> GraphQLParams:
    """The request parameters of a GET (query string) or POST (JSON body)."""
    if request.method == "GET":
        return params_from(request.query_params, from_query_string=True)
    check_content_type(request.headers.get("content-type"))
    body = await read_body(request, max_body_bytes)
    if not body.strip():
        raise bad_request("The request body is empty; send a JSON object with `query`")
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise bad_request(f"The request body is not valid JSON: {error}") from None
    if isinstance(payload, list):
        raise bad_request("Batched operations are not supported; send one JSON object")
    if not isinstance(payload, dict):
        raise bad_request("The request body must be a JSON object")
    return params_from(payload, from_query_string=False)


def is_request_error(result: ExecutionResult) -> bool:
    """The operation never executed: a parse, validation or variable coercion error.

    Those errors carry no ``path`` and leave no ``data``; field errors always have a path.
    """
    return (
        result.data is None
        and bool(result.errors)
        and all(error.path is None for error in result.errors or ())
    )


def status_for(result: ExecutionResult, media_type: str) -> int:
    """200, except request errors under ``application/graphql-response+json`` (400)."""
    if media_type == GRAPHQL_RESPONSE_JSON and is_request_error(result):
        return 400
    return 200


def content_type_header(media_type: str) -> str:
    return f"{media_type}; charset=utf-8"
