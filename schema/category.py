"""The Category type: a node of the trend taxonomy."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Self

import strawberry
from strawberry import relay

from app import models
from app.context import Info
from app.repositories.stored import expect


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
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        categories = map(expect, await info.context.categories.by_ids(list(node_ids)))
        return [cls.from_model(category) if category else None for category in categories]
