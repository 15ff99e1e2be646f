"""A counter bumped by every write to rules or watchlists, so evaluators (in any process)
know when to reload them with one small read instead of re-reading every rule."""

from __future__ import annotations

from app.storage.database import Database

RULES_GENERATION = "generation:rules"


async def bump(database: Database) -> None:
    await database.alert_state.update_one(
        {"_id": RULES_GENERATION}, {"$inc": {"generation": 1}}, upsert=True
    )


async def current(database: Database) -> int:
    document = await database.alert_state.find_one({"_id": RULES_GENERATION})
    return int(document["generation"]) if document else 0
