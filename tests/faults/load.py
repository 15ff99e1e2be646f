"""Read and write load against a served API, recording every answer for the fault suite."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

READ = {"query": '{ trend(slug: "asyncio") { name } }'}
CREATE = """mutation($input: TrendInput!) {
  createTrend(input: $input) { trend { slug } userErrors { code } } }"""


@dataclass(frozen=True, slots=True)
class Answer:
    kind: str  # "read" or "write"
    started: float
    ended: float
    status: int  # 0: no HTTP answer (the connection failed)
    code: str | None  # the first error's extensions.code
    retry_after: str | None
    slug: str | None = None  # writes: the trend's slug
    acknowledged: bool = False  # writes: 200 with the trend in the answer
    cached: bool = False  # answered from the response cache (X-Cache: HIT)


@dataclass
class Load:
    """``readers`` and ``writers`` tasks sending requests back to back until stopped."""

    url: str
    api_key: str
    readers: int = 3
    writers: int = 2
    answers: list[Answer] = field(default_factory=list)
    _slugs: itertools.count[int] = field(default_factory=itertools.count)
    _running: bool = True

    async def run(self) -> None:
        limits = httpx.Limits(max_connections=self.readers + self.writers)
        async with httpx.AsyncClient(timeout=30, limits=limits) as client:
            await asyncio.gather(
                *(self._reader(client, number) for number in range(self.readers)),
                *(self._writer(client) for _ in range(self.writers)),
            )

    def stop(self) -> None:
        self._running = False

    async def _reader(self, client: httpx.AsyncClient, number: int) -> None:
        while self._running:
            started = time.monotonic()
            try:
                if number % 2:  # GET: the response cache's path
                    response = await client.get(self.url, params=READ)
                else:
                    response = await client.post(self.url, json=READ)
            except httpx.TransportError:
                self.answers.append(Answer("read", started, time.monotonic(), 0, None, None))
                await asyncio.sleep(0.05)
                continue
            self.answers.append(_answer("read", started, response))
            await asyncio.sleep(0.01)

    async def _writer(self, client: httpx.AsyncClient) -> None:
        while self._running:
            slug = f"fault-{next(self._slugs)}"
            started = time.monotonic()
            try:
                response = await client.post(
                    self.url,
                    json={"query": CREATE, "variables": {"input": {"slug": slug, "name": slug}}},
                    headers={"authorization": f"Bearer {self.api_key}"},
                )
            except httpx.TransportError:
                self.answers.append(Answer("write", started, time.monotonic(), 0, None, None, slug))
                await asyncio.sleep(0.05)
                continue
            answer = _answer("write", started, response, slug)
            self.answers.append(answer)
            await asyncio.sleep(0.01)

    def statuses(self) -> Counter[int]:
        return Counter(answer.status for answer in self.answers)


def _answer(kind: str, started: float, response: httpx.Response, slug: str | None = None) -> Answer:
    ended = time.monotonic()
    body = response.json()
    errors = body.get("errors") or []
    code = errors[0].get("extensions", {}).get("code") if errors else None
    acknowledged = False
    if slug is not None and response.status_code == 200 and not errors:
        payload = body["data"]["createTrend"]
        acknowledged = payload["trend"] is not None and payload["userErrors"] == []
    return Answer(
        kind,
        started,
        ended,
        response.status_code,
        code,
        response.headers.get("retry-after"),
        slug,
        acknowledged,
        response.headers.get("x-cache") == "HIT",
    )
