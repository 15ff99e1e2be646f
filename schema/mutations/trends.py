"""Trend mutations: create, update and delete one trend, and upsert many (seeding)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from app.domain.errors import WriteError
from app.domain.models import ApiTrendSpec
from schema.context import Info
from schema.mutations.bulk import (
    MAX_BATCH,
    from_inputs,
    from_json_lines,
    too_many,
    write_valid,
)
from schema.mutations.inputs import TrendInput, to_spec
from schema.mutations.payloads import (
    CreateTrendPayload,
    DeleteTrendPayload,
    UpdateTrendPayload,
    UpsertTrendsPayload,
    UserError,
)
from schema.permissions import RequiresApiKey
from schema.trend import Trend

SlugArgument = Annotated[
    str, strawberry.argument(description="The slug of the trend (not an alias).")
]
ExpectedVersion = Annotated[
    int,
    strawberry.argument(
        description="The `version` the change was based on; if the trend has changed since, "
        "nothing is written and the answer is VERSION_CONFLICT."
    ),
]


@strawberry.type
class TrendMutation:
    @strawberry.mutation(
        description="Creates a trend. Needs an API key.", permission_classes=[RequiresApiKey]
    )
    async def create_trend(
        self,
        info: Info,
        input: Annotated[TrendInput, strawberry.argument(description="The new trend.")],
    ) -> CreateTrendPayload:
        try:
            spec = to_spec(ApiTrendSpec, input, "input")
            trend = await info.context.trend_writer.create(spec)
        except WriteError as error:
            return CreateTrendPayload(trend=None, user_errors=UserError.many(error.errors))
        return CreateTrendPayload(trend=Trend.from_model(trend), user_errors=[])

    @strawberry.mutation(
        description="Replaces a trend's content with `input` (fields left out are cleared; "
        "`input.slug` may rename it) if it is still at `expectedVersion`. `version` grows by "
        "one when something changed. Needs an API key.",
        permission_classes=[RequiresApiKey],
    )
    async def update_trend(
        self,
        info: Info,
        slug: SlugArgument,
        input: Annotated[TrendInput, strawberry.argument(description="The trend's new content.")],
        expected_version: ExpectedVersion,
    ) -> UpdateTrendPayload:
        try:
            spec = to_spec(ApiTrendSpec, input, "input")
            trend = await info.context.trend_writer.update(
                slug, spec, expected_version=expected_version
            )
        except WriteError as error:
            return UpdateTrendPayload(trend=None, user_errors=UserError.many(error.errors))
        return UpdateTrendPayload(trend=Trend.from_model(trend), user_errors=[])

    @strawberry.mutation(
        description="Deletes a trend if it is still at `expectedVersion`; trends that listed it "
        "as related stop doing so. Needs an API key.",
        permission_classes=[RequiresApiKey],
    )
    async def delete_trend(
        self, info: Info, slug: SlugArgument, expected_version: ExpectedVersion
    ) -> DeleteTrendPayload:
        try:
            trend = await info.context.trend_writer.delete(slug, expected_version=expected_version)
        except WriteError as error:
            return DeleteTrendPayload(
                deleted_trend_id=None, user_errors=UserError.many(error.errors)
            )
        return DeleteTrendPayload(
            deleted_trend_id=strawberry.ID(relay.to_base64("Trend", trend.id)), user_errors=[]
        )

    @strawberry.mutation(
        description=f"Inserts or updates trends by slug, at most {MAX_BATCH} a call (for "
        "seeding). Valid items are written even when others fail; each input gets a result. "
        "Items equal to what is stored are UNCHANGED, so a retry or re-run is safe. "
        "Needs an API key.",
        permission_classes=[RequiresApiKey],
    )
    async def upsert_trends(
        self,
        info: Info,
        inputs: Annotated[
            list[TrendInput],
            strawberry.argument(
                description="The trends; related slugs may name trends of the same call."
            ),
        ],
    ) -> UpsertTrendsPayload:
        refusal = too_many(len(inputs))
        if refusal is not None:
            return UpsertTrendsPayload.refused([refusal])
        candidates = from_inputs(inputs, ApiTrendSpec)
        writer = info.context.trend_writer
        return UpsertTrendsPayload.of(await write_valid(candidates, writer.upsert, "inputs"))

    @strawberry.mutation(
        description=f"Does what upsertTrends does, for trends given as JSON Lines: one "
        f"TrendInput object per line, at most {MAX_BATCH} lines a call. Built for seeding and "
        "bulk loads: the lines skip GraphQL's field-by-field input coercion and are validated "
        "by the same rules, many times faster. A line's `index` is its line number from 0. "
        "Needs an API key.",
        permission_classes=[RequiresApiKey],
    )
    async def import_trends(
        self,
        info: Info,
        json_lines: Annotated[
            str,
            strawberry.argument(
                description="One TrendInput as a JSON object per line (field names as in "
                "TrendInput; null means left out); related slugs may name trends of the same "
                "call."
            ),
        ],
    ) -> UpsertTrendsPayload:
        lines = json_lines.splitlines()  # \n or \r\n; a final newline starts no line
        refusal = too_many(len(lines), "jsonLines")
        if refusal is not None:
            return UpsertTrendsPayload.refused([refusal])
        candidates = from_json_lines(lines, ApiTrendSpec)
        writer = info.context.trend_writer
        return UpsertTrendsPayload.of(await write_valid(candidates, writer.upsert, "jsonLines"))
