"""Seeding through the GraphQL API: seed files sent through upsertCategories / importTrends.

Items go in batches. Transient network faults (connection errors, timeouts, 502/503/504)
are retried with exponential backoff; that is safe because upserts are idempotent. An item
whose category, parent or related trend comes in a later batch is sent again after the
others; with several batches in flight, an item pointing at one being written waits for a
later batch. A batch the server rejects as a whole (a body over its size limit, an item
GraphQL cannot even parse) is split so every other item still goes through.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from seeds.loader import (
    MAX_FILE_BYTES,
    SeedFile,
    SeedFileError,
    SeedReport,
    check_references,
    read_seed_files,
    referenced_slugs,
)

logger = logging.getLogger(__name__)

RESULT_FIELDS = {
    "categories": "index slug outcome userErrors { field message code }",
    "trends": "index slug outcome clearedFields userErrors { field message code }",
}
# Trends go as JSON Lines (importTrends): the server validates them without GraphQL's
# per-field input coercion. Categories are few and go as input objects.
UPSERT = {
    "categories": "mutation($inputs: [CategoryInput!]!) { upsertCategories(inputs: $inputs) "
    f"{{ results {{ {RESULT_FIELDS['categories']} }} userErrors {{ field message code }} }} }}",
    "trends": "mutation($jsonLines: String!) { importTrends(jsonLines: $jsonLines) "
    f"{{ results {{ {RESULT_FIELDS['trends']} }} userErrors {{ field message code }} }} }}",
}
FIELD = {"categories": "upsertCategories", "trends": "importTrends"}
ARGUMENT = {"categories": "inputs", "trends": "jsonLines"}
# Codes meaning "what this item points at is not there yet": worth sending again later.
LATER = {"categories": "UNKNOWN_CATEGORY", "trends": "UNKNOWN_RELATED"}
TRANSIENT_STATUS = {429, 502, 503, 504}
COMPARE_LIMIT = 20  # compareTrends answers at most 20 slugs a call


def _seconds(retry_after: str | None) -> float:
    """A ``Retry-After`` in seconds (0 when absent or an HTTP date), at most a minute."""
    if retry_after is None or not retry_after.strip().isdigit():
        return 0.0
    return min(float(retry_after), 60.0)


class SeedApiError(RuntimeError):
    """The API cannot be used (unreachable after retries, key refused, unexpected answer)."""


@dataclass
class Item:
    """One seed item on its way: where it came from, and what it is."""

    path: Path
    kind: str
    position: int
    value: Any

    @property
    def slug(self) -> str | None:
        slug = self.value.get("slug") if isinstance(self.value, dict) else None
        return slug if isinstance(slug, str) else None

    @property
    def references(self) -> set[str]:
        """Slugs this item points at (a trend's related trends, a category's parent)."""
        if not isinstance(self.value, dict):
            return set()
        pointed = self.value.get("related") if self.kind == "trends" else [self.value.get("parent")]
        return {slug for slug in pointed or [] if isinstance(slug, str)}

    def describe(self) -> str:
        slug = f" (slug {self.slug!r})" if self.slug else ""
        return f"{self.path} {self.kind}[{self.position}]{slug}"


@dataclass
class ItemFailure:
    item: Item
    message: str
    code: str | None = None


@dataclass
class ApiSeedReport(SeedReport):
    failures: list[ItemFailure] = field(default_factory=list)


def read_seed_items(path: Path) -> dict[str, list[Item]]:
    """The items of one seed file, checked for shape only (the server validates them)."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise SeedFileError(path, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
        raw = orjson.loads(path.read_bytes())
    except OSError as error:
        raise SeedFileError(path, f"cannot read: {error.strerror or error}") from None
    except orjson.JSONDecodeError as error:
        raise SeedFileError(path, f"not valid JSON: {error}") from None
    if not isinstance(raw, dict) or not set(raw) <= {"categories", "trends"}:
        raise SeedFileError(path, "must hold a JSON object with 'categories' and/or 'trends'")
    items: dict[str, list[Item]] = {}
    for kind in ("categories", "trends"):
        values = raw.get(kind, [])
        if not isinstance(values, list) or not all(isinstance(value, dict) for value in values):
            raise SeedFileError(path, f"{kind} must be a list of objects")
        items[kind] = [Item(path, kind, position, value) for position, value in enumerate(values)]
    return items


def _variables(kind: str, batch: list[Item]) -> dict[str, Any]:
    if kind == "trends":
        return {"jsonLines": "\n".join(orjson.dumps(item.value).decode() for item in batch)}
    return {"inputs": [item.value for item in batch]}


class ApiSeeder:
    """Sends seed files to a trendgraph API; one instance per run."""

    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        batch_size: int = 100,
        concurrency: int = 1,
        max_attempts: int = 6,
        backoff_seconds: float = 0.5,
        timeout_seconds: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
        console: Console | None = None,
    ) -> None:
        self.url = url
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.retries = 0
        self._client = httpx.AsyncClient(
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=timeout_seconds,
            transport=transport,
        )
        self._console = console or Console(stderr=True)

    async def seed(self, paths: Sequence[Path]) -> ApiSeedReport:
        """Send every file, categories before trends.

        The rule for bad files is direct seeding's: every file is read and validated, and
        every reference resolved (in the files, or stored behind the API), before the first
        send; any fault raises :class:`SeedFileError` and nothing is sent.
        """
        seeds = read_seed_files(paths)
        files = [read_seed_items(path) for path in paths]
        report = ApiSeedReport()
        total = sum(len(items) for file in files for items in file.values())
        progress = Progress(
            TextColumn("seeding"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("items"),
            console=self._console,
            transient=True,
        )
        async with self._client:
            await self._check_references(seeds)
            with progress:
                task = progress.add_task("seeding", total=total)
                for file in files:
                    for kind in ("categories", "trends"):
                        await self._send_kind(file[kind], report, progress, task)
        return report

    async def _check_references(self, seeds: Sequence[tuple[Path, SeedFile]]) -> None:
        """:func:`seeds.loader.check_references` against what the API has."""
        wanted_categories, wanted_trends = referenced_slugs(seeds)
        stored_categories: set[str] = set()
        if wanted_categories:
            data = await self._data("{ categories { slug } }", {})
            stored_categories = {category["slug"] for category in data["categories"]}
        stored_trends: set[str] = set()
        wanted = sorted(wanted_trends)
        for start in range(0, len(wanted), COMPARE_LIMIT):
            chunk = wanted[start : start + COMPARE_LIMIT]
            data = await self._data(
                "query($slugs: [String!]!) { compareTrends(slugs: $slugs) { slug } }",
                {"slugs": chunk},
            )
            found = data["compareTrends"]
            stored_trends |= {slug for slug, trend in zip(chunk, found, strict=True) if trend}
        check_references(seeds, stored_categories, stored_trends)

    async def _send_kind(
        self, items: list[Item], report: ApiSeedReport, progress: Progress, task: Any
    ) -> None:
        pending = items
        while pending:
            deferred = await self._send_round(pending, report, progress, task)
            retry = [item for item, _ in deferred]
            if len(retry) == len(pending):  # no progress: what is missing will not come
                for item, result in deferred:
                    self._record(report, item, result)
                    progress.advance(task)
                return
            pending = retry

    async def _send_round(
        self, items: list[Item], report: ApiSeedReport, progress: Progress, task: Any
    ) -> list[tuple[Item, dict[str, Any]]]:
        """Send ``items`` in batches, up to ``concurrency`` at once; return the items the
        API answered "points at something not there yet", with their results.

        An item whose related trend (or parent) is being written by a batch in flight
        would come back "not there yet" and cost a second round: it waits for a later
        batch instead (see :meth:`_next_batch`).
        """
        deferred: list[tuple[Item, dict[str, Any]]] = []
        waiting = list(items)
        in_flight: dict[asyncio.Task[None], set[str]] = {}

        async def send(batch: list[Item]) -> None:
            results = await self._upsert(batch)
            for item, result in zip(batch, results, strict=True):
                codes = {error["code"] for error in result.get("userErrors", [])}
                if result["outcome"] == "FAILED" and codes == {LATER[item.kind]}:
                    deferred.append((item, result))  # names an item not written yet
                    continue
                self._record(report, item, result)
                progress.advance(task)

        try:
            while waiting or in_flight:
                if waiting and len(in_flight) < self.concurrency:
                    batch, waiting = self._next_batch(waiting, set().union(*in_flight.values()))
                    if batch:
                        sending = asyncio.create_task(send(batch))
                        in_flight[sending] = {item.slug for item in batch if item.slug}
                        continue
                finished, _ = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                for done in finished:
                    del in_flight[done]
                    done.result()  # an error stops the run
        finally:
            for unfinished in in_flight:
                unfinished.cancel()
            await asyncio.gather(*in_flight, return_exceptions=True)
        return deferred

    def _next_batch(self, waiting: list[Item], busy: set[str]) -> tuple[list[Item], list[Item]]:
        """The next batch out of ``waiting`` (in order), and what is left waiting.

        ``busy``: slugs of batches in flight. An item waits when it points at a busy slug
        or at an item held back before it; a reference forward, to an item not reached
        yet, does not hold it (the server answers "not there yet" and it goes again in
        the next round). With nothing in flight the first item always goes.
        """
        batch: list[Item] = []
        held: list[Item] = []
        held_slugs: set[str] = set()
        for item in waiting:
            if len(batch) < self.batch_size and not item.references & (busy | held_slugs):
                batch.append(item)
            else:
                held.append(item)
                if item.slug:
                    held_slugs.add(item.slug)
        return batch, held

    def _record(self, report: ApiSeedReport, item: Item, result: dict[str, Any]) -> None:
        counts = report.categories if item.kind == "categories" else report.trends
        slug = item.slug or item.describe()
        outcome = result["outcome"]
        {
            "INSERTED": counts.inserted,
            "UPDATED": counts.updated,
            "UNCHANGED": counts.unchanged,
            "FAILED": counts.failed,
        }[outcome].append(slug)
        if result.get("clearedFields"):
            counts.cleared[slug] = tuple(result["clearedFields"])
        if outcome == "FAILED":
            errors = result.get("userErrors") or [{"message": result.get("message", "failed")}]
            for error in errors:
                where = error.get("field") or []
                # Paths start at the batch ("inputs", "3", ...); the item is named instead.
                in_batch = where[:1] == [ARGUMENT[item.kind]]
                field_path = ".".join(where[2:]) if in_batch else ".".join(where)
                message = f"{field_path}: {error['message']}" if field_path else error["message"]
                report.failures.append(ItemFailure(item, message, error.get("code")))

    async def _upsert(self, batch: list[Item]) -> list[dict[str, Any]]:
        """One result per item; a batch refused as a whole is halved to find the bad items."""
        kind = batch[0].kind
        body = await self._post(UPSERT[kind], _variables(kind, batch))
        payload = (body.get("data") or {}).get(FIELD[kind])
        if payload is not None and payload["userErrors"]:
            raise SeedApiError(f"{FIELD[kind]} refused the batch: {payload['userErrors']}")
        if payload is not None:
            results: list[dict[str, Any]] = payload["results"]
            return results
        if len(batch) == 1:
            messages = "; ".join(error.get("message", "") for error in body.get("errors", []))
            return [{"outcome": "FAILED", "message": messages or "refused by the API"}]
        # Refused as a whole (a bad item, or a body over the server's size limit): halve
        # it, so the good items still go in at the cost of a few more calls, not one each.
        middle = len(batch) // 2
        return [*await self._upsert(batch[:middle]), *await self._upsert(batch[middle:])]

    async def _data(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        """The ``data`` of a read that must succeed."""
        body = await self._post(query, variables)
        if body.get("errors") or not isinstance(body.get("data"), dict):
            raise SeedApiError(f"the API could not answer {query!r}: {body.get('errors')}")
        data: dict[str, Any] = body["data"]
        return data

    async def _post(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        for attempt in range(1, self.max_attempts + 1):
            retry_after = 0.0
            try:
                response = await self._client.post(
                    self.url, json={"query": query, "variables": variables}
                )
            except httpx.TransportError as error:
                problem = f"{type(error).__name__}: {error}"
            else:
                if response.status_code == 401:
                    raise SeedApiError("the API refused the key (401 UNAUTHENTICATED)")
                if response.status_code not in TRANSIENT_STATUS:
                    return self._json(response)
                problem = f"HTTP {response.status_code}"
                retry_after = _seconds(response.headers.get("retry-after"))
            if attempt == self.max_attempts:
                raise SeedApiError(f"{self.url}: {problem} (gave up after {attempt} attempts)")
            delay = self.backoff_seconds * 2 ** (attempt - 1) * random.uniform(0.5, 1.0)
            delay = max(delay, retry_after)  # the server knows best (503 in an outage, 429)
            logger.warning("%s; retrying in %.1fs (attempt %d)", problem, delay, attempt + 1)
            self.retries += 1
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or ("data" not in body and "errors" not in body):
            raise SeedApiError(
                f"{self.url} answered HTTP {response.status_code} without a GraphQL response"
            )
        return body
