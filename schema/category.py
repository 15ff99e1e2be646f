"""The Category type: a node of the trend taxonomy."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry
from strawberry import relay

from app.domain import models
from app.storage.repositories.stored import StoredDocumentError
from schema.context import Info
from schema.enums import GrowthWindowKey
from schema.rising import MAX_RISING, resolve_rising

if TYPE_CHECKING:
    from schema.trend import Trend


@strawberry.type(description="A category of the trend taxonomy; categories may nest.")
class Category(relay.Node):
    id: relay.NodeID[str]
    slug: str = strawberry.field(description="Unique, URL-safe identifier.")
    name: str = strawberry.field(description="Display name.")
    description: str | None = strawberry.field(description="What the category covers.")
    parent_slug: strawberry.Private[str | None]

    @strawberry.field(description="The broader category this one belongs to, if any.")
    async def parent(self, info: Info) -> Category | None:
        if self.parent_slug is None:
            return None
        model = await info.context.loaders.category_by_slug.load(self.parent_slug)
        return Category.from_model(model) if model else None

    @strawberry.field(
        description="The category's fastest risers: its trends whose growth over `window` "
        f"is above 0, fastest first (at most {MAX_RISING}).",
        graphql_type=list[Annotated["Trend", strawberry.lazy("schema.trend")]],
    )
    async def rising(
        self,
        info: Info,
        window: Annotated[
            GrowthWindowKey,
            strawberry.argument(description="The window growth is measured over."),
        ] = GrowthWindowKey.THREE_MONTHS,
        first: Annotated[
            int, strawberry.argument(description=f"How many trends, 1 to {MAX_RISING}.")
        ] = 10,
    ) -> list[Any]:
        return await resolve_rising(info, self.slug, window, first)

    @classmethod
    def from_model(cls, model: models.Category) -> Self:
        return cls(
            id=model.id,
            slug=model.slug,
            name=model.name,
            description=model.description,
            parent_slug=model.parent,
        )

    @classmethod
    def from_read(cls, read: models.Category | StoredDocumentError) -> Self | StoredDocumentError:
        """The category, or the error of a document the model could not read: returned as a
        list item, graphql-core raises it at that item's path and completes the others."""
        return cls.from_model(read) if isinstance(read, models.Category) else read

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | StoredDocumentError | None]:
        """The categories in the order asked, ``None`` for unknown ids, and a document that
        cannot be read as its error, in its place (see :meth:`from_read`)."""
        categories = await info.context.categories.by_ids(list(node_ids))
        return [cls.from_read(category) if category else None for category in categories]
