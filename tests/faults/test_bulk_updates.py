"""Finding 9: changed trends in a bulk upsert are written in one batch, not one at a time,
with per-item outcomes and version semantics kept."""

from __future__ import annotations

import orjson
from pymongo import UpdateOne
from pymongo.results import BulkWriteResult

from app.domain.models import TrendSpec
from app.storage.database import Database
from app.storage.repositories.trend_writes import TrendWriter
from tests.conftest import GraphQLClient

IMPORT = (
    "mutation($lines: String!) { importTrends(jsonLines: $lines) "
    "{ results { index slug outcome trend { version description } } userErrors { code } } }"
)


def lines(count: int, revision: int) -> str:
    return "\n".join(
        orjson.dumps(
            {"slug": f"bulk-{n}", "name": f"Bulk {n}", "description": f"revision {revision}"}
        ).decode()
        for n in range(count)
    )


async def test_changed_trends_take_a_constant_number_of_commands(editor: GraphQLClient) -> None:
    first, _ = await editor.execute(IMPORT, {"lines": lines(40, 0)})
    assert first.errors is None

    result, stats = await editor.execute(IMPORT, {"lines": lines(40, 1)})

    assert result.errors is None, result.errors
    assert result.data is not None
    results = result.data["importTrends"]["results"]
    assert [item["outcome"] for item in results] == ["UPDATED"] * 40
    assert {(item["trend"]["version"], item["trend"]["description"]) for item in results} == {
        (2, "revision 1")
    }
    # Reads of the batch and what it points at, then one write: not a command per trend.
    assert stats.commands <= 5, stats.by_name


async def test_unchanged_items_are_not_written_and_changed_ones_are(
    editor: GraphQLClient, database: Database
) -> None:
    await editor.execute(IMPORT, {"lines": lines(3, 0)})
    mixed = "\n".join([*lines(3, 0).splitlines()[:2], lines(3, 1).splitlines()[2]])

    result, _ = await editor.execute(IMPORT, {"lines": mixed})

    assert result.data is not None
    outcomes = [item["outcome"] for item in result.data["importTrends"]["results"]]
    assert outcomes == ["UNCHANGED", "UNCHANGED", "UPDATED"]
    stored = {
        d["slug"]: d["version"] async for d in database.trends.find({}, {"slug": 1, "version": 1})
    }
    assert stored == {"bulk-0": 1, "bulk-1": 1, "bulk-2": 2}


class RacedWriter(TrendWriter):
    """Another writer changes ``bulk-1`` between this batch's read and its write."""

    def __init__(self, database: Database) -> None:
        super().__init__(database)
        self.database = database

    async def _bulk_write(self, operations: list[UpdateOne]) -> BulkWriteResult:
        await self.database.trends.update_one(
            {"slug": "bulk-1"}, {"$set": {"description": "theirs"}, "$inc": {"version": 1}}
        )
        return await super()._bulk_write(operations)


async def test_an_item_that_lost_a_race_is_retried_alone_on_the_new_version(
    editor: GraphQLClient, database: Database
) -> None:
    await editor.execute(IMPORT, {"lines": lines(3, 0)})
    specs = [TrendSpec.model_validate(orjson.loads(line)) for line in lines(3, 1).splitlines()]

    results = await RacedWriter(database).upsert(specs)

    assert [result.outcome.value for result in results] == ["UPDATED"] * 3
    stored = {
        d["slug"]: (d["version"], d["description"])
        async for d in database.trends.find({}, {"slug": 1, "version": 1, "description": 1})
    }
    # bulk-1: their write (version 2), then ours on top of it (version 3): nothing lost.
    assert stored == {
        "bulk-0": (2, "revision 1"),
        "bulk-1": (3, "revision 1"),
        "bulk-2": (2, "revision 1"),
    }
    assert results[1].item is not None and results[1].item["version"] == 3
