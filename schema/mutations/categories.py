"""Category mutations: create and update one category, and upsert many (seeding)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.domain.errors import WriteError
from app.domain.models import CategorySpec
from schema.category import Category
from schema.context import Info
from schema.mutations.bulk import MAX_BATCH, from_inputs, too_many, write_valid
from schema.mutations.inputs import CategoryInput, to_spec
from schema.mutations.payloads import CategoryPayload, UpsertCategoriesPayload, UserError
from schema.permissions import RequiresApiKey


@strawberry.type
class CategoryMutation:
    @strawberry.mutation(
        description="Creates a category. Needs an API key.", permission_classes=[RequiresApiKey]
    )
    async def create_category(
        self,
        info: Info,
        input: Annotated[CategoryInput, strawberry.argument(description="The new category.")],
    ) -> CategoryPayload:
        try:
            spec = to_spec(CategorySpec, input, "input")
            category = await info.context.category_writer.create(spec)
        except WriteError as error:
            return CategoryPayload(category=None, user_errors=UserError.many(error.errors))
        return CategoryPayload(category=Category.from_model(category), user_errors=[])

    @strawberry.mutation(
        description="Replaces a category's name, description and parent (its slug cannot "
        "change). Needs an API key.",
        permission_classes=[RequiresApiKey],
    )
    async def update_category(
        self,
        info: Info,
        slug: Annotated[str, strawberry.argument(description="The slug of the category.")],
        input: Annotated[
            CategoryInput,
            strawberry.argument(description="The category's new content; same slug."),
        ],
    ) -> CategoryPayload:
        try:
            spec = to_spec(CategorySpec, input, "input")
            category = await info.context.category_writer.update(slug, spec)
        except WriteError as error:
            return CategoryPayload(category=None, user_errors=UserError.many(error.errors))
        return CategoryPayload(category=Category.from_model(category), user_errors=[])

    @strawberry.mutation(
        description=f"Inserts or updates categories by slug, at most {MAX_BATCH} a call (for "
        "seeding). Valid items are written even when others fail; items equal to what is "
        "stored are UNCHANGED. Needs an API key.",
        permission_classes=[RequiresApiKey],
    )
    async def upsert_categories(
        self,
        info: Info,
        inputs: Annotated[
            list[CategoryInput],
            strawberry.argument(
                description="The categories; parents may be categories of the same call."
            ),
        ],
    ) -> UpsertCategoriesPayload:
        refusal = too_many(len(inputs))
        if refusal is not None:
            return UpsertCategoriesPayload.refused([refusal])
        writer = info.context.category_writer
        candidates = from_inputs(inputs, CategorySpec)
        return UpsertCategoriesPayload.of(await write_valid(candidates, writer.upsert, "inputs"))
