"""The README's and the API guide's examples run as shown: queries on the demo dataset,
mutations in order, then a reset puts the demo data back."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

from app.storage.database import Database
from app.storage.forecast_worker import outdated_signal_ids, recompute
from seeds.demo import DEMO_SYNTHETIC_COUNT, load_demo, reset_demo
from tests.conftest import GraphQLClient

END = date(2026, 11, 22)  # a fixed Sunday: the same demo data on every run
FORECASTS = 60
"""Signals whose forecasts the README test computes (every one takes tens of milliseconds)."""


def examples(document: Path, kind: str) -> list[tuple[str, dict[str, Any] | None]]:
    """Each GraphQL block of ``kind`` ("query" or "mutation"), with the variables of a
    ```json block right after it, if any."""
    blocks = re.findall(r"```(\w+)\n(.*?)```", document.read_text(encoding="utf-8"), re.DOTALL)
    found: list[tuple[str, dict[str, Any] | None]] = []
    for position, (language, block) in enumerate(blocks):
        if language != "graphql":
            continue
        is_mutation = block.lstrip().startswith("mutation")
        if is_mutation != (kind == "mutation"):
            continue
        following = blocks[position + 1] if position + 1 < len(blocks) else ("", "")
        found.append((block, json.loads(following[1]) if following[0] == "json" else None))
    return found


def user_errors(value: Any) -> list[Any]:
    """Every userError anywhere in ``value``, plus FAILED upsert results."""
    found: list[Any] = []
    if isinstance(value, dict):
        if value.get("outcome") == "FAILED":
            found.append(value)
        for key, item in value.items():
            found.extend(item if key == "userErrors" and item else user_errors(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(user_errors(item))
    return found


def empty_lists(value: Any, path: str = "") -> list[str]:
    """Paths of the empty lists in ``value``: an example showing nothing shows no result."""
    if isinstance(value, dict):
        return [
            found for key, item in value.items() for found in empty_lists(item, f"{path}.{key}")
        ]
    if isinstance(value, list):
        if not value:
            return [path]
        return [found for item in value for found in empty_lists(item, f"{path}[]")]
    return []


async def test_readme_queries_show_real_looking_results_on_the_demo_data(
    database: Database, graphql: GraphQLClient, repo_root: Path
) -> None:
    report = await load_demo(database, end=END)
    assert (report.seeded_trends, report.synthetic_trends) == (1, DEMO_SYNTHETIC_COUNT)
    # What the app's start-up catch-up does in the background, for a sample of the signals.
    with ThreadPoolExecutor(1) as fitting:
        await recompute(database, fitting, (await outdated_signal_ids(database))[:FORECASTS])
    queries = examples(repo_root / "README.md", "query")
    assert len(queries) == 5
    results = [await graphql.data(query, variables) for query, variables in queries]
    for (query, _), data in zip(queries, results, strict=True):
        assert empty_lists(data) == [], (query, data)
    asyncio, fastest, leaderboard, forecasts, search = results
    rising = [edge["node"]["forecast"] for edge in forecasts["trends"]["edges"]]
    assert len(rising) == 5 and {forecast["outlook"] for forecast in rising} == {"RISING"}
    growths = [forecast["growthPercent"] for forecast in rising]
    assert growths == sorted(growths, reverse=True)
    assert asyncio["trend"]["name"] == "Asyncio"
    assert len(fastest["trends"]["edges"]) == 10
    percents = [edge["node"]["growthFor"]["percent"] for edge in fastest["trends"]["edges"]]
    assert percents == sorted(percents, reverse=True)
    names = [edge["node"]["name"] for edge in leaderboard["trends"]["edges"]]
    assert len(names) == 5 and names == sorted(names, key=str.casefold)
    assert leaderboard["trends"]["totalCount"] > 5
    assert search["compareTrends"][0]["name"] == "Asyncio" and search["compareTrends"][1] is None


async def test_readme_mutations_run_on_the_demo_data_and_a_reset_undoes_them(
    database: Database, graphql: GraphQLClient, editor: GraphQLClient, repo_root: Path
) -> None:
    await load_demo(database, end=END)
    asyncio_growth = '{ trend(slug: "asyncio") { growth { label percent method } } }'
    before = await graphql.data(asyncio_growth)
    mutations = examples(repo_root / "README.md", "mutation")
    assert [block.split("(")[0].split()[-1] for block, _ in mutations] == [
        "createTrend",
        "appendSeries",
    ]
    for mutation, variables in mutations:
        data = await editor.data(mutation, variables)
        assert user_errors(data) == [], (mutation, data)
    appended = (await editor.data(asyncio_growth))["trend"]["growth"]
    # Asyncio's reported figures survive the append; computed ones join for other windows.
    reported = [window for window in appended if window["method"] == "REPORTED"]
    assert reported == before["trend"]["growth"]

    await reset_demo(database, end=END)
    assert await graphql.data(asyncio_growth) == before
    assert await database.trends.find_one({"slug": "rust"}) is None
    assert await database.trends.count_documents({}) == 1 + DEMO_SYNTHETIC_COUNT


async def test_every_api_guide_mutation_example_succeeds(
    seeded: Database, editor: GraphQLClient, repo_root: Path
) -> None:
    mutations = examples(repo_root / "docs" / "api-guide.md", "mutation")
    assert len(mutations) == 9  # eight trend and category writes, one appendSeries
    for mutation, variables in mutations:
        data = await editor.data(mutation, variables)
        assert user_errors(data) == [], (mutation, data)
    imported = await seeded.trends.find({"slug": {"$in": ["polars", "duckdb"]}}).to_list()
    assert len(imported) == 2


async def test_every_api_guide_query_example_runs(
    seeded: Database, graphql: GraphQLClient, repo_root: Path
) -> None:
    queries = examples(repo_root / "docs" / "api-guide.md", "query")
    assert queries
    for query, variables in queries:
        await graphql.data(query, variables)
