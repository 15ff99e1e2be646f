"""Who may do what: reads are public, writes need a key with ``write``, alerts ``alerts``."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from strawberry.permission import BasePermission

from app.domain.keys import FORBIDDEN, UNAUTHENTICATED, Principal, Scope
from schema.context import Info
from schema.decisions import Forbidden, Unauthenticated


class _RequiresScope(BasePermission):
    """The request carries ``Authorization: Bearer <key>`` with a configured key that has
    :attr:`scope`.

    Otherwise the field fails before its resolver runs (so nothing is written): with
    ``extensions.code`` ``UNAUTHENTICATED`` and an :class:`Unauthenticated` decision without
    a valid key, with ``FORBIDDEN`` and a :class:`Forbidden` decision for a key lacking the
    scope (over HTTP the view answers 401 with ``WWW-Authenticate``, or 403).
    """

    scope: Scope
    message = "a valid API key is required: send `Authorization: Bearer <key>`"
    error_extensions = {"code": UNAUTHENTICATED}  # noqa: RUF012 - strawberry reads it per class

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = info.context.principal
        if principal is None:
            info.context.decide(Unauthenticated())
            return False
        if principal.may(self.scope):
            return True
        info.context.decide(Forbidden(self.scope))
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
