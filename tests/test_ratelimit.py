"""The token bucket: burst, refill, per-client isolation."""

from __future__ import annotations

import pytest

from app.storage.database import Database
from app.storage.ratelimit import RateLimiter, SharedRateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_burst_up_to_capacity_then_refusal() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, 2.0, clock=clock)
    decisions = [limiter.take("a", 3) for _ in range(4)]
    assert [decision.allowed for decision in decisions] == [True, True, True, False]
    refused = decisions[-1]
    assert refused.remaining == 1
    assert refused.retry_after_seconds == 1  # needs 2 more points at 2 per second
    assert refused.reset_seconds == 5  # 9 points missing at 2 per second


def test_refill_over_time_never_above_capacity() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, 2.0, clock=clock)
    assert limiter.take("a", 10).remaining == 0
    clock.now += 2.5
    assert limiter.take("a", 5).allowed
    assert limiter.take("a", 1).allowed is False
    clock.now += 1000
    decision = limiter.take("a", 1)
    assert decision.remaining == 9  # refilled to 10, minus 1


def test_clients_have_separate_buckets() -> None:
    limiter = RateLimiter(5, 1.0, clock=FakeClock())
    assert limiter.take("a", 5).allowed
    assert limiter.take("a", 1).allowed is False
    assert limiter.take("b", 5).allowed


def test_a_query_dearer_than_the_bucket_is_never_allowed_but_takes_nothing() -> None:
    limiter = RateLimiter(5, 1.0, clock=FakeClock())
    decision = limiter.take("a", 50)
    assert decision.allowed is False
    assert decision.remaining == 5
    assert limiter.take("a", 5).allowed


def test_forgets_the_least_recent_client_beyond_the_bound() -> None:
    limiter = RateLimiter(5, 1.0, max_clients=2, clock=FakeClock())
    limiter.take("a", 5)
    limiter.take("b", 1)
    limiter.take("c", 1)  # forgets a
    assert limiter.take("a", 5).allowed


@pytest.mark.parametrize(("capacity", "rate"), [(0, 1.0), (5, 0.0), (5, -1.0)])
def test_bad_configuration_is_refused(capacity: int, rate: float) -> None:
    with pytest.raises(ValueError, match="capacity"):
        RateLimiter(capacity, rate)


async def test_a_shared_bucket_holds_across_limiters(database: Database) -> None:
    """Two limiters (two processes) over one collection draw on one bucket per client."""
    clock = FakeClock()
    first = SharedRateLimiter(database.rate_limits, 10, 2.0, clock=clock)
    second = SharedRateLimiter(database.rate_limits, 10, 2.0, clock=clock)
    decisions = [await limiter.consume("a", 3) for limiter in (first, second, first, second)]
    assert [decision.allowed for decision in decisions] == [True, True, True, False]
    refused = decisions[-1]
    assert (refused.remaining, refused.retry_after_seconds, refused.reset_seconds) == (1, 1, 5)
    assert (await second.consume("b", 10)).allowed  # another client, another bucket
    clock.now += 2.5  # five points back: six in all
    assert (await second.consume("a", 6)).allowed
    assert (await first.consume("a", 1)).allowed is False
    clock.now += 1000
    assert (await first.consume("a", 1)).remaining == 9  # full again, minus 1


async def test_a_shared_bucket_refuses_a_cost_above_its_capacity(database: Database) -> None:
    limiter = SharedRateLimiter(database.rate_limits, 5, 1.0, clock=FakeClock())
    decision = await limiter.consume("a", 50)
    assert (decision.allowed, decision.remaining) == (False, 5)
    assert (await limiter.consume("a", 5)).allowed
