"""Seed loading: idempotent upserts, and bad files that name the fault and write nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.storage.database import Database, Document
from seeds.loader import SeedFileError, default_seed_files, load_seed_files
from tests.seeds.files import Json, seed_file, trend, write_json


async def stored(database: Database) -> dict[str, list[Document]]:
    """Every stored category and trend, whole, in slug order."""
    return {
        "categories": await database.categories.find({}, sort=[("slug", 1)]).to_list(),
        "trends": await database.trends.find({}, sort=[("slug", 1)]).to_list(),
    }


async def test_shipped_seeds_load(database: Database) -> None:
    report = await load_seed_files(database, default_seed_files())
    assert len(report.categories.inserted) == 8
    assert report.trends.inserted == ["asyncio"]
    assert report.changed
    assert await database.categories.count_documents({}) == 8
    loaded = await database.trends.find_one({"slug": "asyncio"})
    assert loaded is not None
    assert loaded["version"] == 1
    assert loaded["createdAt"] == loaded["updatedAt"]


async def test_a_second_load_changes_nothing(database: Database) -> None:
    await load_seed_files(database, default_seed_files())
    before = await stored(database)

    report = await load_seed_files(database, default_seed_files())

    assert not report.changed
    assert len(report.categories.unchanged) == 8
    assert report.trends.unchanged == ["asyncio"]
    assert report.categories.inserted == report.categories.updated == []
    assert report.trends.inserted == report.trends.updated == []
    assert await stored(database) == before  # updatedAt and version included


async def test_times_finer_than_storage_keeps_reloads_unchanged(
    database: Database, tmp_path: Path
) -> None:
    """BSON dates keep milliseconds; a microsecond in a seed must not look like a change."""
    content = seed_file()
    content["trends"][0]["analyses"]["pestle"]["generatedAt"] = "2026-05-01T10:00:00.123456+02:00"
    path = write_json(tmp_path / "trends.json", content)
    await load_seed_files(database, [path])
    before = await stored(database)

    report = await load_seed_files(database, [path])

    assert not report.changed
    assert await stored(database) == before


async def test_a_changed_file_updates_only_the_changed_trend(
    database: Database, tmp_path: Path
) -> None:
    content = seed_file()
    path = write_json(tmp_path / "trends.json", content)
    await load_seed_files(database, [path])
    before = {document["slug"]: document for document in (await stored(database))["trends"]}

    content["trends"][1]["growth"][0]["percent"] = 35.5
    write_json(path, content)
    report = await load_seed_files(database, [path])

    assert report.trends.updated == ["broken"]
    assert report.trends.unchanged == ["good"]
    assert report.categories.unchanged == ["tools"]
    after = {document["slug"]: document for document in (await stored(database))["trends"]}
    assert after["good"] == before["good"]
    changed, previous = after["broken"], before["broken"]
    assert changed["version"] == previous["version"] + 1
    assert changed["updatedAt"] >= previous["updatedAt"]  # BSON keeps milliseconds
    assert changed["createdAt"] == previous["createdAt"]
    assert changed["_id"] == previous["_id"]
    assert changed["growth"]["THREE_MONTHS"]["percent"] == 35.5
    assert {
        key: value
        for key, value in changed.items()
        if key not in ("growth", "version", "updatedAt")
    } == {
        key: value
        for key, value in previous.items()
        if key not in ("growth", "version", "updatedAt")
    }


async def test_references_resolve_to_stored_and_earlier_files(
    database: Database, tmp_path: Path
) -> None:
    await load_seed_files(database, [write_json(tmp_path / "stored.json", seed_file())])
    taxonomy = write_json(tmp_path / "a.json", {"categories": [{"slug": "news", "name": "News"}]})
    trends = write_json(
        tmp_path / "b.json",
        {"trends": [trend("fresh", category="news", related=["good", "broken"])]},
    )

    report = await load_seed_files(database, [taxonomy, trends])

    assert report.categories.inserted == ["news"]
    assert report.trends.inserted == ["fresh"]


def _replace_trend(**fields: Any) -> Callable[[Json], Json]:
    def change(content: Json) -> Json:
        content["trends"][1] = trend("broken", **fields)
        return content

    return change


def _replace_slug(slug: str) -> Callable[[Json], Json]:
    def change(content: Json) -> Json:
        content["trends"][1] = trend(slug)
        return content

    return change


def _without_pestle_legal(content: Json) -> Json:
    del content["trends"][1]["analyses"]["pestle"]["legal"]
    return content


def _repeated_slug(content: Json) -> Json:
    content["trends"][1] = trend("good")
    return content


BROKEN = "trends[1] (slug 'broken')"

# name -> (how to break the valid file, fragments the error message must hold)
BAD_CONTENT: dict[str, tuple[Callable[[Json], Json], list[str]]] = {
    "unknown key": (_replace_trend(colour="red"), [BROKEN, "field colour", "Extra inputs"]),
    "missing name": (
        lambda content: {**content, "trends": [content["trends"][0], {"slug": "broken"}]},
        [BROKEN, "field name", "Field required"],
    ),
    "bad slug": (
        _replace_slug("Not A Slug"),
        ["trends[1] (slug 'Not A Slug')", "field slug", "should match pattern"],
    ),
    "duplicate growth window": (
        _replace_trend(
            growth=[
                {"window": "ONE_YEAR", "percent": 1},
                {"window": "ONE_YEAR", "percent": 2},
            ]
        ),
        [BROKEN, "field growth", "ONE_YEAR"],
    ),
    "incomplete framework": (
        _without_pestle_legal,
        [BROKEN, "field analyses.pestle.legal", "Field required"],
    ),
    "unknown category": (
        _replace_trend(category="nowhere"),
        [BROKEN, "field category", "unknown category 'nowhere'"],
    ),
    "unknown related slug": (
        _replace_trend(related=["good", "ghost"]),
        [BROKEN, "field related", "unknown trend 'ghost'"],
    ),
    "related to itself": (
        _replace_trend(related=["broken"]),
        [BROKEN, "field related", "related to itself"],
    ),
    "duplicate slug": (
        _repeated_slug,
        ["trends[1] (slug 'good')", "field slug", "repeated in the file", "trends[0]"],
    ),
    "category its own parent": (
        lambda content: (
            content | {"categories": [{"slug": "tools", "name": "T", "parent": "tools"}]}
        ),
        ["categories[0] (slug 'tools')", "field parent", "own parent"],
    ),
    "unknown parent category": (
        lambda content: content | {"categories": [{"slug": "tools", "name": "T", "parent": "x"}]},
        ["categories[0] (slug 'tools')", "field parent", "unknown category 'x'"],
    ),
    "unknown top-level key": (
        lambda content: content | {"trend": []},
        ["file field trend", "Extra inputs"],
    ),
}


@pytest.mark.parametrize("case", BAD_CONTENT)
async def test_a_bad_item_names_file_item_and_field_and_writes_nothing(
    database: Database, tmp_path: Path, case: str
) -> None:
    break_file, fragments = BAD_CONTENT[case]
    path = write_json(tmp_path / "bad.json", break_file(seed_file()))

    with pytest.raises(SeedFileError) as caught:
        await load_seed_files(database, [path])

    assert caught.value.path == path
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    for fragment in fragments:
        assert fragment in message
    assert await stored(database) == {"categories": [], "trends": []}


def _with_infinite_percent() -> bytes:
    """The valid file, but the second trend's first percent is 1e999.

    1e999 is a valid JSON number; as a double it is infinite.
    """
    content = seed_file()
    content["trends"][1]["growth"][0]["percent"] = "__HUGE__"
    return json.dumps(content).replace('"__HUGE__"', "1e999").encode()


# name -> (file content, or None for no file; fragments the error message must hold)
BAD_TEXT: dict[str, tuple[bytes | None, list[str]]] = {
    "invalid JSON": (b'{"trends": [', ["not valid JSON", "line 1"]),
    "top-level array": (json.dumps([seed_file()]).encode(), ["must hold a JSON object"]),
    "non-finite percent": (
        _with_infinite_percent(),
        [BROKEN, "field growth.0.percent", "finite"],
    ),
    "NaN literal": (b'{"trends": [{"slug": NaN}]}', ["not valid JSON", "NaN"]),
    "repeated key": (b'{"trends": [], "trends": []}', ["not valid JSON", "'trends'"]),
    "not UTF-8": (b'{"categories": [{"slug": "caf\xe9"}]}', ["not valid JSON"]),
    "missing file": (None, ["cannot read", "No such file"]),
}


@pytest.mark.parametrize("case", BAD_TEXT)
async def test_a_bad_file_names_the_file_and_writes_nothing(
    database: Database, tmp_path: Path, case: str
) -> None:
    content, fragments = BAD_TEXT[case]
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_bytes(content)

    with pytest.raises(SeedFileError) as caught:
        await load_seed_files(database, [path])

    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    for fragment in fragments:
        assert fragment in message
    assert await stored(database) == {"categories": [], "trends": []}


async def test_a_malformed_second_file_writes_nothing_at_all(
    database: Database, tmp_path: Path
) -> None:
    good = write_json(tmp_path / "1-good.json", seed_file())
    bad = tmp_path / "2-bad.json"
    bad.write_text('{"trends": [}', encoding="utf-8")

    with pytest.raises(SeedFileError, match=r"2-bad\.json: not valid JSON"):
        await load_seed_files(database, [good, bad])

    assert await stored(database) == {"categories": [], "trends": []}


async def test_an_unresolved_reference_in_a_later_file_writes_nothing_at_all(
    database: Database, tmp_path: Path
) -> None:
    good = write_json(tmp_path / "1-good.json", seed_file())
    dangling = write_json(tmp_path / "2-dangling.json", {"trends": [trend("x", related=["y"])]})

    with pytest.raises(
        SeedFileError, match=r"2-dangling\.json: trends\[0\] \(slug 'x'\) field related"
    ):
        await load_seed_files(database, [good, dangling])

    assert await stored(database) == {"categories": [], "trends": []}


async def test_a_file_cannot_refer_to_a_later_file(database: Database, tmp_path: Path) -> None:
    early = write_json(
        tmp_path / "1-early.json", seed_file() | {"trends": [trend("early", related=["late"])]}
    )
    late = write_json(tmp_path / "2-late.json", {"trends": [trend("late")]})

    with pytest.raises(SeedFileError, match=r"1-early\.json: .* unknown trend 'late'"):
        await load_seed_files(database, [early, late])

    assert await stored(database) == {"categories": [], "trends": []}
