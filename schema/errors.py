"""GraphQL errors that clients are meant to read: a clear message and a stable code."""

from __future__ import annotations

from graphql import GraphQLError


class BadUserInputError(GraphQLError):
    """An argument the client can fix; ``extensions.code`` is ``BAD_USER_INPUT``."""

    def __init__(self, message: str, *, argument: str | None = None) -> None:
        extensions: dict[str, object] = {"code": "BAD_USER_INPUT"}
        if argument is not None:
            extensions["argument"] = argument
        super().__init__(message, extensions=extensions)
