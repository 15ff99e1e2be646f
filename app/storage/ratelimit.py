"""Token-bucket rate limiting, weighted by query cost.

Buckets live in this process: with several API processes each enforces its own limit, so
a client's effective budget is the per-process budget times the number of processes its
requests spread over. Behind a load balancer, either divide the configured rates by the
process count, or pin clients to a process (sticky sessions by API key or client IP).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RateDecision:
    """The outcome of one request against its bucket."""

    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int  # until the bucket is full again
    retry_after_seconds: int  # until this request's cost would be affordable (0 if allowed)
    restore_rate: float


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """One token bucket per client key: ``capacity`` points, refilled at ``rate`` per second."""

    def __init__(
        self,
        capacity: int,
        rate: float,
        *,
        max_clients: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if capacity < 1 or rate <= 0:
            raise ValueError("capacity must be >= 1 and rate > 0")
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

    def consume(self, key: str, cost: int) -> RateDecision:
        """Take ``cost`` points from ``key``'s bucket if it holds them; take nothing otherwise."""
        now = self._clock()
        bucket = self._bucket(key, now)
        cost = max(cost, 1)
        allowed = cost <= bucket.tokens
        if allowed:
            bucket.tokens -= cost
        missing = 0.0 if allowed else min(cost, self.capacity) - bucket.tokens
        return RateDecision(
            allowed=allowed,
            limit=self.capacity,
            remaining=math.floor(bucket.tokens),
            reset_seconds=math.ceil((self.capacity - bucket.tokens) / self.rate),
            retry_after_seconds=math.ceil(missing / self.rate),
            restore_rate=self.rate,
        )
