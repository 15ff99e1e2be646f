"""The error type of mutation payloads: what was wrong with which input, in words and as a code."""

from __future__ import annotations

import strawberry


@strawberry.type(
    description="A problem with a mutation's input; the mutation wrote nothing when it has any."
)
class UserError:
    field: str | None = strawberry.field(
        description="Path of the input at fault, e.g. `points[3].value`; null for the whole input."
    )
    message: str = strawberry.field(description="What is wrong, for people.")
    code: str = strawberry.field(
        description="What is wrong, for programs: a stable upper-case code, e.g. NEGATIVE_VALUE."
    )
