"""``Category.rising``: a category's fastest risers over a window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.domain.models import GrowthWindowKey
from app.storage.repositories.rising import RisingRepository
from app.storage.repositories.stored import StoredDocumentError
from schema.context import Info
from schema.errors import BadUserInputError

if TYPE_CHECKING:
    from schema.trend import Trend

MAX_RISING = 50


async def resolve_rising(
    info: Info, category: str, window: GrowthWindowKey, first: int
) -> list[Trend | StoredDocumentError]:
    from schema.trend import Trend

    if not 1 <= first <= MAX_RISING:
        raise BadUserInputError(
            f"rising(first:) must be between 1 and {MAX_RISING}, got {first}", argument="first"
        )
    found = await RisingRepository(info.context.database).rising(category, window, first)
    return [Trend.from_read(trend) for trend in found]
