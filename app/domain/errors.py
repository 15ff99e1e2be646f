"""Why a write was refused: domain exceptions carrying stable codes and field paths.

Repositories raise these; the GraphQL layer turns them into ``userErrors``. A raised
:class:`WriteError` always means nothing was written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from pydantic import ValidationError


class ErrorCode(StrEnum):
    """Stable codes clients may branch on; messages may change, codes do not."""

    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    DUPLICATE_SLUG = "DUPLICATE_SLUG"
    VERSION_CONFLICT = "VERSION_CONFLICT"
    UNKNOWN_CATEGORY = "UNKNOWN_CATEGORY"
    UNKNOWN_RELATED = "UNKNOWN_RELATED"
    # appendSeries
    EMPTY = "EMPTY"
    TOO_MANY_POINTS = "TOO_MANY_POINTS"
    FUTURE_DATE = "FUTURE_DATE"
    DATE_OUT_OF_RANGE = "DATE_OUT_OF_RANGE"
    NOT_FINITE = "NOT_FINITE"
    NEGATIVE_VALUE = "NEGATIVE_VALUE"
    INVALID_SOURCE = "INVALID_SOURCE"
    SOURCE_MISMATCH = "SOURCE_MISMATCH"
    INVALID_REGION = "INVALID_REGION"
    UNKNOWN_UNIT = "UNKNOWN_UNIT"
    UNIT_MISMATCH = "UNIT_MISMATCH"
    SERIES_FULL = "SERIES_FULL"
    CONFLICT = "CONFLICT"
    # alerts
    FORBIDDEN_TARGET = "FORBIDDEN_TARGET"
    """A webhook URL pointing at a private, loopback or link-local address (SSRF)."""


FieldPath = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FieldError:
    """One fault: where in the input (camelCase path, list indexes as digits), what, and code."""

    field: FieldPath | None
    message: str
    code: ErrorCode

    def under(self, *prefix: str) -> FieldError:
        """The same fault with its path starting at ``prefix`` (e.g. ``("inputs", "3")``)."""
        return FieldError((*prefix, *(self.field or ())), self.message, self.code)


class WriteError(Exception):
    """A write that was refused; nothing of it was written."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(_describe(error) for error in self.errors))

    @classmethod
    def single(cls, code: ErrorCode, message: str, *field: str) -> WriteError:
        return cls([FieldError(field or None, message, code)])


def _describe(error: FieldError) -> str:
    where = ".".join(error.field) + ": " if error.field else ""
    return f"{where}{error.message} ({error.code})"


class InvalidInputError(WriteError):
    """Input that breaks a validation rule (``INVALID_INPUT``)."""

    @classmethod
    def from_validation_error(cls, error: ValidationError) -> InvalidInputError:
        """Pydantic's faults, with their paths in the input's own (camelCase) names."""
        return cls(
            [
                FieldError(
                    tuple(str(part) for part in fault["loc"]) or None,
                    _message(fault["msg"]),
                    ErrorCode.INVALID_INPUT,
                )
                for fault in error.errors()
            ]
        )


def _message(message: str) -> str:
    # Custom validators' messages come prefixed with "Value error, ".
    return message.removeprefix("Value error, ")


class NotFoundError(WriteError):
    """No object with that slug (``NOT_FOUND``)."""

    def __init__(self, kind: str, slug: str, *field: str) -> None:
        message = f"no {kind} has the slug {slug!r}"
        super().__init__([FieldError(field or ("slug",), message, ErrorCode.NOT_FOUND)])


class DuplicateSlugError(WriteError):
    """Another object already has the slug (``DUPLICATE_SLUG``)."""

    def __init__(self, kind: str, slug: str, *field: str) -> None:
        message = f"another {kind} already has the slug {slug!r}"
        super().__init__([FieldError(field or ("slug",), message, ErrorCode.DUPLICATE_SLUG)])


class VersionConflictError(WriteError):
    """The stored version is not the one the writer expected (``VERSION_CONFLICT``)."""

    def __init__(self, expected: int, actual: int) -> None:
        self.expected, self.actual = expected, actual
        message = (
            f"expected version {expected}, but the trend is at version {actual}: "
            "someone else changed it; read it again and reapply your change"
        )
        super().__init__([FieldError(("expectedVersion",), message, ErrorCode.VERSION_CONFLICT)])
