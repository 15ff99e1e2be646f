"""Alert rules, each visible to and changed by its owner only.

The webhook secret is stored as given (deliveries are signed with it) and never returned by
the API.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId

from app.domain.alerts import MAX_RULES_PER_OWNER, AlertRule, AlertRuleSpec
from app.domain.errors import ErrorCode, WriteError
from app.storage.alerts import generation
from app.storage.alerts.watchlists import not_found, object_id
from app.storage.database import Database, Document


def read_rule(document: Document) -> AlertRule:
    return AlertRule.model_validate({**document, "_id": str(document["_id"])})


class AlertRuleRepository:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._rules = database.alert_rules

    async def create(self, owner: str, spec: AlertRuleSpec) -> AlertRule:
        target = spec.target
        if target.watchlist_id is not None and not await self._database.watchlists.count_documents(
            {"_id": object_id(target.watchlist_id), "owner": owner}, limit=1
        ):
            raise not_found("watchlist", target.watchlist_id, "input", "target", "watchlistId")
        if target.slug is not None and not await self._database.trends.count_documents(
            {"slug": target.slug}, limit=1
        ):
            raise WriteError.single(
                ErrorCode.NOT_FOUND,
                f"no trend has the slug {target.slug!r}",
                "input",
                "target",
                "slug",
            )
        if target.category is not None and not await self._database.categories.count_documents(
            {"slug": target.category}, limit=1
        ):
            raise WriteError.single(
                ErrorCode.UNKNOWN_CATEGORY,
                f"no category has the slug {target.category!r}",
                "input",
                "target",
                "category",
            )
        if await self._rules.count_documents({"owner": owner}) >= MAX_RULES_PER_OWNER:
            raise WriteError.single(
                ErrorCode.INVALID_INPUT,
                f"a key may own at most {MAX_RULES_PER_OWNER} alert rules",
                "input",
            )
        document = {
            "_id": ObjectId(),
            "owner": owner,
            **spec.model_dump(by_alias=True, mode="json"),
            "createdAt": datetime.now(UTC),
        }
        await self._rules.insert_one(document)
        await generation.bump(self._database)
        return read_rule(document)

    async def owned_by(self, owner: str, *, first: int | None = None) -> list[AlertRule]:
        cursor = self._rules.find({"owner": owner}).sort("_id", 1)
        if first is not None:
            cursor = cursor.limit(first)
        return [read_rule(document) async for document in cursor]

    async def get(self, owner: str, rule_id: str) -> AlertRule | None:
        identifier = object_id(rule_id)
        if identifier is None:
            return None
        document = await self._rules.find_one({"_id": identifier, "owner": owner})
        return read_rule(document) if document else None

    async def delete(self, owner: str, rule_id: str) -> str:
        identifier = object_id(rule_id)
        result = await self._rules.delete_one({"_id": identifier, "owner": owner})
        if not identifier or not result.deleted_count:
            raise not_found("alert rule", rule_id, "id")
        await generation.bump(self._database)
        return rule_id

    async def every_rule(self) -> list[AlertRule]:
        """All rules of every owner: the evaluator's index."""
        return [read_rule(document) async for document in self._rules.find({})]
