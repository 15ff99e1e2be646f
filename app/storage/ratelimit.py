"""Token-bucket rate limiting, weighted by query cost, in this process or shared.

:class:`RateLimiter` keeps its buckets in this process: quick, but with several API
processes each enforces its own limit. :class:`SharedRateLimiter` keeps them in the
database (the ``rate_limits`` collection), so the documented limits hold however many
processes serve a client; it costs one database command per request (two when this
process guessed the bucket's state wrong, and one more when the request is refused).
Both answer the same :class:`RateDecision`.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError


@dataclass(frozen=True, slots=True)
class RateDecision:
    """The outcome of one request against its bucket."""

    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int  # until the bucket is full again
    retry_after_seconds: int  # until this request's cost would be affordable (0 if allowed)
    restore_rate: float


class Limiter(Protocol):
    """What the operation guards need of a rate limiter."""

    capacity: int
    rate: float

    async def consume(self, key: str, cost: int) -> RateDecision:
        """Take ``cost`` points from ``key``'s bucket if it holds them; nothing otherwise."""
        ...


def _check(capacity: int, rate: float) -> None:
    if capacity < 1 or rate <= 0:
        raise ValueError("capacity must be >= 1 and rate > 0")


def _decision(allowed: bool, capacity: int, rate: float, tokens: float, cost: int) -> RateDecision:
    missing = 0.0 if allowed else min(cost, capacity) - tokens
    return RateDecision(
        allowed=allowed,
        limit=capacity,
        remaining=math.floor(tokens),
        reset_seconds=math.ceil((capacity - tokens) / rate),
        retry_after_seconds=math.ceil(max(missing, 0.0) / rate),
        restore_rate=rate,
    )


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """One token bucket per client key in this process: ``capacity`` points, refilled at
    ``rate`` per second."""

    def __init__(
        self,
        capacity: int,
        rate: float,
        *,
        max_clients: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        _check(capacity, rate)
        self.capacity = capacity
        self.rate = rate
        self._clock = clock
        self._max_clients = max_clients
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def _bucket(self, key: str, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(tokens=float(self.capacity), updated=now)
            self._buckets[key] = bucket
            if len(self._buckets) > self._max_clients:  # forget the least recently seen
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
        return bucket

    def take(self, key: str, cost: int) -> RateDecision:
        """Take ``cost`` points from ``key``'s bucket if it holds them; take nothing otherwise."""
        bucket = self._bucket(key, self._clock())
        cost = max(cost, 1)
        allowed = cost <= bucket.tokens
        if allowed:
            bucket.tokens -= cost
        return _decision(allowed, self.capacity, self.rate, bucket.tokens, cost)

    async def consume(self, key: str, cost: int) -> RateDecision:
        return self.take(key, cost)


class SharedRateLimiter:
    """Token buckets kept in a database collection, shared by every process that uses it.

    Each bucket is one document holding its *theoretical arrival time* (``tat``, seconds
    since the epoch; the generic cell rate algorithm): the moment the bucket would be full
    again. A request of cost ``c`` fits while ``tat + c/rate <= now + capacity/rate``. Both
    ways to take points are single conditional updates, so concurrent processes never
    take the same points twice; documents expire (TTL index on ``expiresAt``) once full.
    The processes' clocks must agree to within the precision the limits need (NTP does).
    """

    ATTEMPTS = 3
    """Conditional updates raced by other processes are tried again this often."""

    def __init__(
        self,
        collection: AsyncCollection[dict[str, Any]],
        capacity: int,
        rate: float,
        *,
        clock: Callable[[], float] = time.time,
        max_hints: int = 10_000,
    ) -> None:
        _check(capacity, rate)
        self.collection = collection
        self.capacity = capacity
        self.rate = rate
        self._clock = clock
        self._hints: OrderedDict[str, float] = OrderedDict()
        """The ``tat`` this process last saw per key: which update to try first (only a
        guess: other processes move the buckets too; a wrong guess costs one command)."""
        self._max_hints = max_hints

    def _hint(self, key: str, tat: float) -> None:
        self._hints[key] = tat
        self._hints.move_to_end(key)
        if len(self._hints) > self._max_hints:
            self._hints.popitem(last=False)

    def _tokens(self, tat: float, now: float) -> float:
        tokens = (now + self.capacity / self.rate - tat) * self.rate
        return min(float(self.capacity), max(0.0, tokens))

    async def consume(self, key: str, cost: int) -> RateDecision:
        cost = max(cost, 1)
        for _ in range(self.ATTEMPTS):
            now = self._clock()
            outcome = await self._try_take(key, cost, now)
            if outcome is not None:
                self._hint(key, outcome)
                return _decision(True, self.capacity, self.rate, self._tokens(outcome, now), cost)
            stored = await self.collection.find_one({"_id": key}, {"tat": 1})
            tat = float(stored["tat"]) if stored is not None else now
            self._hint(key, tat)
            tokens = self._tokens(tat, now)
            if cost > tokens:
                return _decision(False, self.capacity, self.rate, tokens, cost)
        # Lost every race: refuse this once rather than loop; the client retries.
        return _decision(False, self.capacity, self.rate, 0.0, cost)

    async def _try_take(self, key: str, cost: int, now: float) -> float | None:
        """The bucket's new ``tat`` if ``cost`` points were taken; ``None`` if not."""
        if cost > self.capacity:
            return None
        full = self._hints.get(key, now) <= now  # as far as this process knows
        first, second = (self._restart, self._take) if full else (self._take, self._restart)
        taken = await first(key, cost, now)
        return taken if taken is not None else await second(key, cost, now)

    async def _take(self, key: str, cost: int, now: float) -> float | None:
        """Points from a bucket in use (not full) that holds enough: one command."""
        period = cost / self.rate
        burst = self.capacity / self.rate
        taken = await self.collection.find_one_and_update(
            {"_id": key, "tat": {"$gt": now, "$lte": now + burst - period}},
            {"$inc": {"tat": period}, "$set": {"expiresAt": _expiry(now + burst)}},
            projection={"tat": 1},
            return_document=ReturnDocument.AFTER,
        )
        return float(taken["tat"]) if taken is not None else None

    async def _restart(self, key: str, cost: int, now: float) -> float | None:
        """Points from a full bucket (or none yet), restarting it from now: one command. A
        bucket that is not full makes the upsert collide with its ``_id`` instead."""
        period = cost / self.rate
        try:
            await self.collection.update_one(
                {"_id": key, "tat": {"$lte": now}},
                {
                    "$set": {
                        "tat": now + period,
                        "expiresAt": _expiry(now + self.capacity / self.rate),
                    }
                },
                upsert=True,
            )
        except DuplicateKeyError:
            return None
        return now + period


def _expiry(moment: float) -> datetime:
    """When a bucket document may go: once the bucket would be full again."""
    return datetime.fromtimestamp(moment, UTC)
