"""Who may do what: reads are public, writes need a key with ``write``, alerts ``alerts``."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from strawberry.permission import BasePermission

from app.domain.keys import FORBIDDEN, UNAUTHENTICATED, Principal, Scope
from schema.context import Info


def _refuse(info: Info, status: int) -> None:
    response = info.context.response
    if response is not None:
        response.status_code = status
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="trendgraph"'


class _RequiresScope(BasePermission):
    """The request carries ``Authorization: Bearer <key>`` with a configured key that has
    :attr:`scope`.

    Otherwise the field fails before its resolver runs (so nothing is written): with
    ``extensions.code`` ``UNAUTHENTICATED`` and HTTP 401 without a valid key, with
    ``FORBIDDEN`` and HTTP 403 for a key lacking the scope.
    """

    scope: Scope
    message = "a valid API key is required: send `Authorization: Bearer <key>`"
    error_extensions = {"code": UNAUTHENTICATED}  # noqa: RUF012 - strawberry reads it per class

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = info.context.principal
        if principal is None:
            _refuse(info, 401)
            return False
        if principal.may(self.scope):
            return True
        _refuse(info, 403)
        # Raised rather than returned: the message differs from the class's (no key at all).
        raise GraphQLError(
            f"this API key lacks the `{self.scope}` scope", extensions={"code": FORBIDDEN}
        )


class RequiresApiKey(_RequiresScope):
    """Writes to trends, categories and series: a key with the ``write`` scope."""

    scope = Scope.WRITE


class RequiresAlertsScope(_RequiresScope):
    """Watchlists and alert rules: a key with the ``alerts`` scope; each key sees only its own."""

    scope = Scope.ALERTS


def owner(info: Info) -> Principal:
    """The principal a field guarded by :class:`RequiresAlertsScope` runs for."""
    principal = info.context.principal
    if principal is None:  # the permission class ran first; this is a programming error
        raise RuntimeError("owner() outside a field guarded by RequiresAlertsScope")
    return principal
