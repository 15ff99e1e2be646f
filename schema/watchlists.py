"""Watchlists: Query.watchlists and the mutations that keep them (``alerts`` scope; each key
sees and changes only its own)."""

from __future__ import annotations

from typing import Annotated, Self

import strawberry

from app.domain import watchlists as domain
from app.domain.errors import WriteError
from app.storage.alerts.watchlists import WatchlistRepository
from schema.context import Info
from schema.mutations.inputs import to_spec
from schema.mutations.payloads import UserError
from schema.permissions import RequiresAlertsScope, owner


@strawberry.type(description="A named list of trends its owner follows; alert rules may target it.")
class Watchlist:
    id: strawberry.ID = strawberry.field(description="The watchlist's id.")
    name: str = strawberry.field(description="Its name.")
    slugs: list[str] = strawberry.field(description="Slugs of the trends on it, in order added.")

    @classmethod
    def from_model(cls, watchlist: domain.Watchlist) -> Self:
        return cls(id=strawberry.ID(watchlist.id), name=watchlist.name, slugs=watchlist.slugs)


@strawberry.input(description="A new watchlist.")
class CreateWatchlistInput:
    name: str = strawberry.field(description="Its name (1 to 200 characters).")
    slugs: list[str] = strawberry.field(
        default_factory=list,
        description=f"Trends on it, by slug (at most {domain.MAX_WATCHLIST_SLUGS}; each must "
        "exist).",
    )


@strawberry.type(description="The result of a watchlist mutation.")
class WatchlistPayload:
    watchlist: Watchlist | None = strawberry.field(
        description="The watchlist as stored now; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")

    @classmethod
    def refused(cls, error: WriteError) -> Self:
        return cls(watchlist=None, user_errors=UserError.many(error.errors))


@strawberry.type(description="The result of deleteWatchlist.")
class DeleteWatchlistPayload:
    deleted_watchlist_id: strawberry.ID | None = strawberry.field(
        description="Id of the deleted watchlist; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


WatchlistId = Annotated[strawberry.ID, strawberry.argument(description="The watchlist's id.")]
Slugs = Annotated[
    list[str], strawberry.argument(description="Slugs of trends (1 to 500, each once).")
]
SCOPE_NOTE = " Needs an API key with the `alerts` scope."


@strawberry.type
class WatchlistQuery:
    @strawberry.field(
        description="Your watchlists, oldest first." + SCOPE_NOTE,
        permission_classes=[RequiresAlertsScope],
    )
    async def watchlists(self, info: Info) -> list[Watchlist]:
        found = await WatchlistRepository(info.context.database).owned_by(owner(info).key_id)
        return [Watchlist.from_model(watchlist) for watchlist in found]


@strawberry.type
class WatchlistMutation:
    @strawberry.mutation(
        description="Creates a watchlist." + SCOPE_NOTE, permission_classes=[RequiresAlertsScope]
    )
    async def create_watchlist(
        self,
        info: Info,
        input: Annotated[CreateWatchlistInput, strawberry.argument(description="The watchlist.")],
    ) -> WatchlistPayload:
        repository = WatchlistRepository(info.context.database)
        try:
            spec = to_spec(domain.WatchlistSpec, input, "input")
            watchlist = await repository.create(owner(info).key_id, spec)
        except WriteError as error:
            return WatchlistPayload.refused(error)
        return WatchlistPayload(watchlist=Watchlist.from_model(watchlist), user_errors=[])

    @strawberry.mutation(
        description="Adds trends to one of your watchlists (those already on it stay where "
        "they are)." + SCOPE_NOTE,
        permission_classes=[RequiresAlertsScope],
    )
    async def add_to_watchlist(self, info: Info, id: WatchlistId, slugs: Slugs) -> WatchlistPayload:
        repository = WatchlistRepository(info.context.database)
        try:
            valid = to_spec(domain.SlugList, {"slugs": slugs})
            watchlist = await repository.add(owner(info).key_id, id, valid.slugs)
        except WriteError as error:
            return WatchlistPayload.refused(error)
        return WatchlistPayload(watchlist=Watchlist.from_model(watchlist), user_errors=[])

    @strawberry.mutation(
        description="Removes trends from one of your watchlists; each must be on it." + SCOPE_NOTE,
        permission_classes=[RequiresAlertsScope],
    )
    async def remove_from_watchlist(
        self, info: Info, id: WatchlistId, slugs: Slugs
    ) -> WatchlistPayload:
        repository = WatchlistRepository(info.context.database)
        try:
            valid = to_spec(domain.SlugList, {"slugs": slugs})
            watchlist = await repository.remove(owner(info).key_id, id, valid.slugs)
        except WriteError as error:
            return WatchlistPayload.refused(error)
        return WatchlistPayload(watchlist=Watchlist.from_model(watchlist), user_errors=[])

    @strawberry.mutation(
        description="Deletes one of your watchlists; refused (CONFLICT) while an alert rule "
        "targets it." + SCOPE_NOTE,
        permission_classes=[RequiresAlertsScope],
    )
    async def delete_watchlist(self, info: Info, id: WatchlistId) -> DeleteWatchlistPayload:
        repository = WatchlistRepository(info.context.database)
        try:
            deleted = await repository.delete(owner(info).key_id, id)
        except WriteError as error:
            return DeleteWatchlistPayload(
                deleted_watchlist_id=None, user_errors=UserError.many(error.errors)
            )
        return DeleteWatchlistPayload(deleted_watchlist_id=strawberry.ID(deleted), user_errors=[])
