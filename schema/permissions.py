"""Who may do what: reads are public, writes need an API key."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from app.domain.keys import UNAUTHENTICATED
from schema.context import Info
from schema.decisions import Unauthenticated


class RequiresApiKey(BasePermission):
    """The request carries ``Authorization: Bearer <key>`` with a configured key.

    Otherwise the field fails with ``extensions.code`` ``UNAUTHENTICATED`` before its
    resolver runs (so nothing is written), and an :class:`Unauthenticated` decision is
    recorded (over HTTP the view answers 401 with ``WWW-Authenticate``).
    """

    message = "a valid API key is required: send `Authorization: Bearer <key>`"
    error_extensions = {"code": UNAUTHENTICATED}  # noqa: RUF012 - strawberry reads it per class

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        context = info.context
        if context.principal is not None:
            return True
        context.decide(Unauthenticated())
        return False
