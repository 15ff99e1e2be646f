"""The synthetic generator: same seed, same trends; bulk load; marked as synthetic."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from typer.testing import CliRunner

from app.domain.growth import compute_growth
from app.domain.models import CategorySpec, GrowthMethod, TrendSpec
from app.storage.database import Database
from seeds.loader import DATA_DIR, parse_seed_file
from seeds.synthetic.__main__ import cli
from seeds.synthetic.generator import WEEKS, SyntheticTrend, generate
from seeds.synthetic.loader import SlugTakenError, load_synthetic, remove_synthetic
from tests.conftest import GraphQLClient
from tests.factories import upsert_categories, upsert_trends

END = date(2026, 11, 22)


@pytest.fixture(scope="module")
def taxonomy() -> list[CategorySpec]:
    return parse_seed_file(DATA_DIR / "taxonomy.json").categories


def dump(trends: list[SyntheticTrend]) -> list[dict[str, Any]]:
    return [{"spec": trend.spec.model_dump(), "points": trend.points} for trend in trends]


def test_same_seed_same_trends(taxonomy: list[CategorySpec]) -> None:
    assert dump(generate(40, 7, END, taxonomy)) == dump(generate(40, 7, END, taxonomy))


def test_other_seed_other_trends(taxonomy: list[CategorySpec]) -> None:
    first = [trend.spec.slug for trend in generate(40, 7, END, taxonomy)]
    second = [trend.spec.slug for trend in generate(40, 8, END, taxonomy)]
    assert first != second


def test_trends_are_plausible(taxonomy: list[CategorySpec]) -> None:
    trends = generate(200, 1, END, taxonomy)
    slugs = {trend.spec.slug for trend in trends}
    assert len(slugs) == 200
    categories = {category.slug for category in taxonomy}
    for trend in trends:
        spec = trend.spec
        assert spec.category in categories
        assert 2 <= len(spec.tags) <= 4
        assert set(spec.related) <= slugs
        assert len(trend.points) == WEEKS
        assert trend.points[-1].date == END
        assert all(0 <= point.value <= 100 for point in trend.points)
        assert spec.growth == compute_growth(trend.points)
        assert {window.method for window in spec.growth} == {GrowthMethod.MONTHLY_MEAN_RATIO}
        assert spec.analyses.pestle is not None
        assert spec.analyses.pestle.source.startswith("synthetic")
    assert any(trend.spec.related for trend in trends)
    assert any(trend.spec.aliases for trend in trends)


def stored(document: dict[str, Any]) -> dict[str, Any]:
    """A stored document without what differs between loads (ids, load times)."""
    skip = {"_id", "related", "createdAt", "updatedAt", "coMoving"}
    return {key: value for key, value in document.items() if key not in skip}


async def test_loads_in_bulk_deterministically(
    database: Database, graphql: GraphQLClient, taxonomy: list[CategorySpec]
) -> None:
    await upsert_categories(database, taxonomy)
    loads = []
    for _ in range(2):
        await remove_synthetic(database)
        batches: list[int] = []
        await load_synthetic(
            database, generate(30, 5, END, taxonomy), batch_size=8, on_batch=batches.append
        )
        assert batches == [8, 8, 8, 6]
        documents = await database.trends.find({}).sort("slug").to_list()
        slugs = {document["_id"]: document["slug"] for document in documents}
        co_moving = {  # ids differ between loads: compared by slug
            document["slug"]: [(slugs[c["trend"]], c["strength"]) for c in document["coMoving"]]
            for document in documents
        }
        assert any(co_moving.values())  # computed for the load, strongest first
        assert all(
            [strength for _, strength in pairs] == sorted((s for _, s in pairs), reverse=True)
            for pairs in co_moving.values()
        )
        loads.append([stored(document) for document in documents] + [co_moving])
        # Every trend: a search-interest index and a search-volume count; some a country too.
        assert await database.trend_series.count_documents({"region": "WORLD"}) == 60
        assert 0 < await database.trend_series.count_documents({"region": {"$ne": "WORLD"}}) < 30
    assert loads[0] == loads[1]

    data = await graphql.data(
        "{ trends(first: 1) { edges { node { status series { value } volume "
        "signals { source region unit latest { value } } "
        "growth { method } category { slug } analyses { pestle { source } } } } } }"
    )
    node = data["trends"]["edges"][0]["node"]
    assert len(node["series"]) == WEEKS
    by_key = {(signal["source"], signal["region"]): signal for signal in node["signals"]}
    assert by_key[("search-interest", "WORLD")]["unit"] == "INDEX"
    count = by_key[("search-volume", "WORLD")]
    assert count["unit"] == "COUNT"
    assert node["volume"] == count["latest"]["value"] > 0
    assert node["status"] is not None
    assert node["category"] is not None
    assert node["analyses"]["pestle"]["source"] == "synthetic (seeds.synthetic --seed 5)"


async def test_refuses_slugs_taken_by_other_trends(
    database: Database, taxonomy: list[CategorySpec]
) -> None:
    trends = generate(5, 5, END, taxonomy)
    await upsert_trends(database, [TrendSpec(slug=trends[0].spec.slug, name="Mine")])
    with pytest.raises(SlugTakenError, match=trends[0].spec.slug):
        await load_synthetic(database, trends)
    assert await database.trends.count_documents({}) == 1
    assert await remove_synthetic(database) == 0


@pytest.mark.parametrize(
    "arguments",
    [["--count", "0"], ["--count", "100001"], ["--end", "22/11/2026"], ["--batch-size", "0"]],
)
def test_cli_refuses_bad_options_before_any_work(arguments: list[str]) -> None:
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 2
