"""The trend explorer in a real headless Chromium, against the served API and the embedded
database, with every request but the server's blocked: leaderboard, search, the Asyncio
page, compare, live updates, keyboard use, the axe-core audit, 375 px, page weight.

Screenshots go to ``build/explorer-screenshots`` (gitignored).
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from app.domain.forecasting import Forecast
from app.domain.keys import hash_key
from app.storage.database import Database
from app.storage.forecast_worker import recompute
from app.storage.repositories.forecasts import ForecastRepository
from seeds.loader import DATA_DIR, parse_seed_file
from seeds.synthetic.generator import generate
from seeds.synthetic.loader import load_synthetic
from tests.browser import CHROMIUM, Browser
from tests.conftest import TEST_DATABASE
from tests.served import ServedAPI

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium installed (Debian: apt-get install -y chromium)"
)

ALERTS_KEY = "explorer-test-key-with-the-alerts-scope"
SEED_PAGE = Path(__file__).parent / "data" / "asyncio-trend-page.txt"
SYNTHETIC = 60
TREND_PAGE_BUDGET_BYTES = 300_000
"""Everything the trend page transfers, compressed where the server compresses: HTML, CSS,
every module (the chart included) and the GraphQL answers."""


@pytest.fixture(scope="module")
def explorer_api(mongodb_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedAPI]:
    """The API served on the test database, its anonymous rate limit raised: a test clicks
    through pages far faster than a person (the app itself waits out a 429's Retry-After)."""
    log_path = tmp_path_factory.mktemp("explorer") / "api.log"
    environment = {
        "TRENDGRAPH_RATE_LIMIT_ANONYMOUS_RESTORE_RATE": "100000",
        # Buckets in this process: a database bucket refilled every 10 ms loses its optimistic
        # updates to a page's burst of parallel reads and refuses them (docs/failure-modes.md).
        "TRENDGRAPH_RATE_LIMIT_STORE": "process",
        "TRENDGRAPH_API_KEY_HASHES": f"explorer:{hash_key(ALERTS_KEY)}:read+write+alerts",
        # The rule below posts to a loopback address that listens to nothing; it never fires.
        "TRENDGRAPH_WEBHOOK_ALLOW_PRIVATE": "true",
    }
    with ServedAPI(mongodb_uri, TEST_DATABASE, log_path, extra_env=environment) as server:
        yield server


@pytest.fixture(scope="module")
async def browser(explorer_api: ServedAPI) -> AsyncIterator[Browser]:
    async with Browser.open(explorer_api.url.removesuffix("/graphql")) as opened:
        yield opened


@pytest.fixture
async def explored(seeded: Database) -> list[dict[str, Any]]:
    """The seed data plus synthetic trends; the synthetic ones, best 1y growth first."""
    taxonomy = parse_seed_file(DATA_DIR / "taxonomy.json").categories
    end = datetime.now(UTC).date() - timedelta(days=1)
    await load_synthetic(seeded, generate(SYNTHETIC, 19, end, taxonomy))
    return [
        document
        async for document in seeded.trends.find(
            {"slug": {"$ne": "asyncio"}}, {"slug": 1, "name": 1}
        ).sort("name", 1)
    ]


async def rows(browser: Browser) -> list[str]:
    texts: list[str] = await browser.call("texts", selector="tbody tr")
    return texts


async def assert_offline(browser: Browser) -> dict[str, Any]:
    traffic: dict[str, Any] = await browser.call("traffic")
    assert traffic["blocked"] == []
    assert traffic["consoleErrors"] == []
    origins = {urlsplit(request["url"]).netloc for request in traffic["requests"]}
    assert len(origins) == 1 and next(iter(origins)).startswith("127.0.0.1:")
    return traffic


async def test_the_leaderboard_pages_filters_and_sorts(
    browser: Browser, explored: list[dict[str, Any]], seeded: Database
) -> None:
    await browser.call("resetTraffic")
    await browser.call("goto", path="/")
    assert await browser.call("waitCount", selector="tbody tr", count=25) == 25
    await browser.call("waitText", selector=".summary", text=f"of {SYNTHETIC + 1} trends")
    await browser.screenshot("leaderboard.png")

    await browser.call("click", selector="button.more")  # paged: the Relay cursor
    assert await browser.call("waitCount", selector="tbody tr", count=50) == 50
    await browser.call("press", key="End")  # infinite: the rest loads as the end shows
    assert await browser.call("waitCount", selector="tbody tr", count=SYNTHETIC + 1) == 61
    assert len(set(await rows(browser))) == SYNTHETIC + 1  # no page repeats a trend

    await browser.call("select", selector="#filter-status", value="EXPLODING")
    await browser.call("waitText", selector=".summary", text="Showing")
    assert "status=EXPLODING" in await browser.call("url")
    shown = await rows(browser)
    assert shown and all("Exploding" in row for row in shown)

    await browser.call("select", selector="#filter-status", value="")
    await browser.call("select", selector="#filter-sort", value="name")
    first = await seeded.trends.find_one({}, {"name": 1}, sort=[("nameKey", 1)])
    assert first is not None
    # The first row, not any row: every name is on the growth-ordered list already.
    await browser.call("waitText", selector="tbody tr:first-child", text=first["name"])
    names = await browser.call("texts", selector="tbody th[scope=row]")
    assert names[:3] == sorted(names[:3], key=str.casefold)
    await assert_offline(browser)


async def test_search_as_you_type(browser: Browser, explored: list[dict[str, Any]]) -> None:
    await browser.call("goto", path="/")
    await browser.call("waitCount", selector="tbody tr", count=25)
    await browser.call("type", selector="#filter-q", text="asyncio")
    await browser.call("waitText", selector=".summary", text="1 trend matches")
    assert [row.split("\t")[1] for row in await rows(browser)] == ["Asyncio"]
    assert "q=asyncio" in await browser.call("url")
    await browser.call("click", selector="tbody a")
    await browser.call("waitText", selector="h1", text="Asyncio")
    assert (await browser.call("url")).endswith("/trends/asyncio")
    await assert_offline(browser)


def seed_facts() -> list[str]:
    """Every line of the seed page from its About text on (before it: the site's banner and
    the growth figures, checked in their page form)."""
    lines = [line.strip() for line in SEED_PAGE.read_text(encoding="utf-8").splitlines()]
    facts = [line for line in lines[lines.index("About Asyncio") :] if line]
    assert len(facts) > 30
    return facts


async def test_the_asyncio_page_shows_every_seed_fact_offline(
    browser: Browser, seeded: Database
) -> None:
    await browser.call("resetTraffic")
    await browser.call("goto", path="/trends/asyncio")
    await browser.call("waitText", selector="h1", text="Asyncio")
    text = await browser.call("text", selector="main")
    for fact in seed_facts():
        assert fact in text, fact
    windows = await browser.call("texts", selector=".growth-windows li")
    assert windows == ["3mo +20%", "1y +21%", "5y +51%"]
    traffic = await assert_offline(browser)
    graphql = [r for r in traffic["requests"] if urlsplit(r["url"]).path == "/graphql"]
    assert graphql and all(r["method"] in ("GET", "WEBSOCKET") for r in graphql)
    assert all("persistedQuery" in r["url"] for r in graphql if r["method"] == "GET")
    await browser.screenshot("trend-asyncio.png", fullPage=True)


async def test_the_trend_page_stays_within_its_weight_budget(
    browser: Browser, explored: list[dict[str, Any]]
) -> None:
    """Route interception disables the browser cache, so every byte is counted."""
    await browser.call("goto", path="/")  # registers nothing the trend page needs
    for slug in ("asyncio", explored[0]["slug"]):
        await browser.call("resetTraffic")
        await browser.call("goto", path=f"/trends/{slug}")
        await browser.call("waitText", selector="h2", text="Related trends")
        traffic = await assert_offline(browser)
        weight = sum(max(0, request["bodyBytes"]) for request in traffic["requests"])
        assert 0 < weight < TREND_PAGE_BUDGET_BYTES, f"{slug}: {weight} bytes"
        assets = [r for r in traffic["requests"] if "/explorer-assets/" in r["url"]]
        assert assets and all(r["encoding"] == "gzip" for r in assets if r["bodyBytes"] > 512)


@pytest.fixture(scope="module")
def forecast_pool() -> Iterator[Executor]:
    """The app's kind of executor for forecasts: a worker process started with spawn."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as executor:
        yield executor


async def count(browser: Browser, selector: str) -> int:
    found: int = await browser.call(
        "eval", expression=f"document.querySelectorAll({selector!r}).length"
    )
    return found


async def test_the_trend_page_draws_the_forecast_band_and_says_why_when_there_is_none(
    browser: Browser, explored: list[dict[str, Any]], seeded: Database, forecast_pool: Executor
) -> None:
    """The primary signal of one synthetic trend (five years of weekly points) gets its
    forecast computed here, as the worker would; its other signals have none yet."""
    trend = explored[0]
    primary = await seeded.trend_series.find_one({"trendId": trend["_id"], "primary": True})
    assert primary is not None
    others = await seeded.trend_series.count_documents({"trendId": trend["_id"]}) - 1
    assert await recompute(seeded, forecast_pool, [str(primary["_id"])]) == 1
    [outcome] = await ForecastRepository(seeded).by_signal_ids([str(primary["_id"])])
    assert isinstance(outcome, Forecast), outcome

    await browser.call("resetTraffic")
    await browser.call("goto", path=f"/trends/{trend['slug']}")
    await browser.call("waitText", selector=".signal .forecast", text="Outlook")
    # One band of each width and one forecast line, on the primary signal's chart only.
    assert await count(browser, ".signal svg path.band-95") == 1
    assert await count(browser, ".signal svg path.band-80") == 1
    assert await count(browser, ".signal svg path.forecast-line") == 1
    notes = await browser.call("texts", selector=".signal .forecast")
    [note] = [note for note in notes if note.startswith("Outlook: ")]
    outlook = {"RISING": "Rising", "STEADY": "Steady", "FALLING": "Falling"}[outcome.outlook.value]
    backtest = outcome.backtest
    assert note.startswith(f"Outlook: {outlook}"), note
    assert (
        f"Backtest MASE {backtest.mase:.2f} over {backtest.origins} origins; "
        f"80% band held {round(backtest.coverage80)}%." in note
    )
    assert "Stale" not in note
    pending = [note for note in notes if note.startswith("Forecast pending: ")]
    assert len(pending) == others == len(notes) - 1, notes
    chart = "document.querySelector('path.band-80').closest('svg')"
    summary = await browser.call("eval", expression=f"{chart}.getAttribute('aria-label')")
    assert "Forecast: " in summary and "80% band" in summary
    await browser.screenshot("trend-forecast.png", fullPage=True)

    # The series changes and its recompute has not run: the same forecast, marked stale.
    await seeded.trend_series.update_one({"_id": primary["_id"]}, {"$inc": {"version": 1}})
    for _ in range(20):  # until the response cache has seen the change (its change stream)
        await browser.call("goto", path=f"/trends/{trend['slug']}")
        await browser.call("waitText", selector=".signal .forecast", text="Outlook")
        if await count(browser, ".signal .forecast .badge.stale") == 1:
            break
        await asyncio.sleep(0.1)
    [stale] = [n for n in await browser.call("texts", selector=".forecast") if "Outlook" in n]
    assert "Stale" in stale and "a new forecast is being computed" in stale, stale
    assert await count(browser, ".signal svg path.band-80") == 1

    await browser.call("goto", path="/trends/asyncio")
    await browser.call("waitText", selector="h2", text="Signals")
    await browser.call("waitText", selector=".forecast", text="No forecast")
    text = await browser.call("text", selector=".forecast")
    assert text == (
        "No forecast: this trend has no signal (its growth figures are reported as given), "
        "so nothing to forecast from."
    )
    assert await count(browser, "path.band-80") == 0
    await assert_offline(browser)


async def test_compare_puts_series_on_one_chart(
    browser: Browser, explored: list[dict[str, Any]]
) -> None:
    first, second = explored[0], explored[1]
    slugs = f"asyncio,{first['slug']},{second['slug']},no-such-trend"
    await browser.call("goto", path=f"/compare?slugs={slugs}")
    await browser.call("waitText", selector=".compare", text=second["name"])
    text = await browser.call("text", selector=".compare")
    assert "No trend called “no-such-trend”" in text
    assert await browser.call("waitCount", selector=".compare tbody tr", count=3) == 3
    legend = await browser.call("texts", selector=".compare .legend li")
    assert legend == [first["name"], second["name"]]  # Asyncio has no series to draw
    await browser.screenshot("compare.png")
    await assert_offline(browser)


async def test_a_live_update_arrives_while_the_page_is_open(
    browser: Browser, explored: list[dict[str, Any]], seeded: Database
) -> None:
    """Written straight into the database, as another instance or a script would."""
    watched = explored[3]
    await browser.call("goto", path=f"/trends/{watched['slug']}")
    await browser.call("waitText", selector="#live-status", text="Live")
    edit = "Edited while the page was open."
    await seeded.trends.update_one(
        {"slug": watched["slug"]}, {"$set": {"description": edit}, "$inc": {"version": 1}}
    )
    await browser.call("waitText", selector=".about", text=edit)
    await browser.call("waitText", selector=".notice", text="Updated live")

    await browser.call("goto", path="/?sort=name")
    await browser.call("waitText", selector="#live-status", text="Live")
    top = explored[0]
    await browser.call("waitText", selector="tbody tr", text=top["name"])
    await seeded.trends.update_one(
        {"slug": top["slug"]}, {"$set": {"name": f"{top['name']} (renamed)"}}
    )
    await browser.call("waitText", selector="tbody tr.changed", text="(renamed)")
    await assert_offline(browser)


async def test_the_keyboard_reaches_search_and_a_trend(
    browser: Browser, explored: list[dict[str, Any]]
) -> None:
    await browser.call("goto", path="/")
    await browser.call("waitCount", selector="tbody tr", count=25)
    assert (await browser.call("press", key="Tab"))[0].startswith("a:Skip to content")
    await browser.call("press", key="Enter")
    assert (await browser.call("press", key="Tab"))[0].startswith("input#filter-q")
    await browser.call("keys", text="asyncio")
    await browser.call("waitText", selector=".summary", text="1 trend matches")
    focused = await browser.call("press", key="Tab", times=7)
    assert focused[-1] == "a:Asyncio", focused  # past the six filters: the first row
    await browser.call("press", key="Enter")
    await browser.call("waitText", selector="h1", text="Asyncio")


PAGES = ["/", "/trends/asyncio", "/compare?slugs=asyncio", "/watchlists"]


@pytest.mark.parametrize("width", [1280, 375])
async def test_axe_finds_nothing_serious_and_375px_fits(
    browser: Browser, explored: list[dict[str, Any]], width: int
) -> None:
    await browser.call("viewport", width=width, height=800)
    try:
        for path in [*PAGES, f"/trends/{explored[0]['slug']}"]:
            await browser.call("goto", path=path)
            await browser.call("waitText", selector="h1", text="")
            violations = await browser.call("axe")
            serious = [v for v in violations if v["impact"] in ("serious", "critical")]
            assert serious == [], (path, serious)
            sizes = await browser.call("scrollWidth")
            assert sizes["scroll"] <= sizes["client"], (path, width, sizes)
        await browser.screenshot(f"trend-{width}px.png", fullPage=True)
    finally:
        await browser.call("viewport", width=1280, height=900)
    await assert_offline(browser)


async def test_watchlists_with_a_pasted_key(browser: Browser, seeded: Database) -> None:
    await browser.call("goto", path="/watchlists")
    await browser.call("fill", selector="#api-key", value=ALERTS_KEY)
    await browser.call("click", selector="main button[type=submit]")
    await browser.call("waitText", text="You have no watchlist yet.")
    stored = await browser.call("eval", expression="sessionStorage.getItem('trendgraph.apiKey')")
    assert stored == ALERTS_KEY

    await browser.call("fill", selector="#new-name", value="Concurrency")
    await browser.call("fill", selector="#new-slugs", value="no-such-trend")
    await browser.call("click", selector="text=Create watchlist")
    await browser.call("waitText", selector="[role=alert]", text="no-such-trend")
    assert await seeded.watchlists.count_documents({}) == 0  # refused: nothing written

    await browser.call("fill", selector="#new-slugs", value="asyncio")
    await browser.call("click", selector="text=Create watchlist")
    await browser.call("waitText", selector="section.watchlist", text="asyncio")
    stored_list = await seeded.watchlists.find_one({})
    assert stored_list is not None and stored_list["name"] == "Concurrency"

    await browser.call("goto", path="/watchlists")  # the key outlives a reload of the tab
    await browser.call("waitText", selector="section.watchlist h2", text="Concurrency")

    # An alert rule: the form shows the fields its kind needs; bad input writes nothing.
    await browser.call("fill", selector="#rule-name", value="Asyncio surges")
    await browser.call("select", selector="#rule-target-kind", value="slug")
    await browser.call("fill", selector="#rule-slug", value="no-such-trend")
    await browser.call("fill", selector="#rule-webhookUrl", value="http://127.0.0.1:9/hook")
    await browser.call("fill", selector="#rule-secret", value="a-secret-of-twenty-chars")
    await browser.call("click", selector="text=Create alert rule")
    await browser.call("waitText", selector="[role=alert]", text="no-such-trend")
    assert await seeded.alert_rules.count_documents({}) == 0
    await browser.call("select", selector="#rule-target-kind", value="watchlistId")
    await browser.call("fill", selector="#rule-threshold", value="75")
    await browser.call("click", selector="text=Create alert rule")
    await browser.call("waitText", selector="article.rule", text="rises above 75%")
    rule_text = await browser.call("text", selector="article.rule")
    assert "For the watchlist Concurrency: when growth over 1y rises above 75%" in rule_text
    assert "No delivery yet." in rule_text
    assert await seeded.alert_rules.count_documents({}) == 1
    serious = [v for v in await browser.call("axe") if v["impact"] in ("serious", "critical")]
    assert serious == []
    await browser.screenshot("watchlists.png", fullPage=True)
    await browser.call("click", selector="text=Delete rule Asyncio surges")
    await browser.call("waitText", selector="main", text="No alert rule yet.")
    assert await seeded.alert_rules.count_documents({}) == 0
    await browser.call("click", selector="[aria-label='Remove asyncio from Concurrency']")
    await browser.call("waitText", selector="section.watchlist", text="No trends on it yet.")
    await browser.call("click", selector="text=Forget the key")
    await browser.call("waitText", text="Paste yours")
    assert await browser.call("eval", expression="sessionStorage.length") == 0
    await assert_offline(browser)
