"""Who may do what: reads are public, writes need an API key."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from app.domain.keys import UNAUTHENTICATED
from schema.context import Info


class RequiresApiKey(BasePermission):
    """The request carries ``Authorization: Bearer <key>`` with a configured key.

    Otherwise the field fails with ``extensions.code`` ``UNAUTHENTICATED`` before its
    resolver runs (so nothing is written), and over HTTP the response status is 401.
    """

    message = "a valid API key is required: send `Authorization: Bearer <key>`"
    error_extensions = {"code": UNAUTHENTICATED}  # noqa: RUF012 - strawberry reads it per class

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        context = info.context
        if context.principal is not None:
            return True
        if context.response is not None:
            context.response.status_code = 401
            context.response.headers["WWW-Authenticate"] = 'Bearer realm="trendgraph"'
        return False
