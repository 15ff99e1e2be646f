"""The guards' decisions as HTTP: which status a response gets and which headers it carries.

The schema layer records typed decisions (``schema.decisions``) and never touches the
response; this is the one place that maps them to HTTP.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from schema.decisions import (
    CacheDecision,
    CostDecision,
    DatabaseUnavailable,
    Forbidden,
    OperationDecision,
    RateDecision,
    Unauthenticated,
)

_PRECEDENCE = (503, 429, 401, 403)
"""When several decisions want a status, the first of these wins: an outage says most about
what to do next (retry later), then a rate limit (retry after), then a missing key, then a
key without the scope."""


@dataclass
class HttpOutcome:
    """A status to answer instead of the protocol's own (``None``: keep it), and headers."""

    status_code: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


def http_outcome(decisions: Iterable[OperationDecision]) -> HttpOutcome:
    statuses: set[int] = set()
    headers: dict[str, str] = {}
    retry_after: dict[int, int] = {}
    for decision in decisions:
        match decision:
            case DatabaseUnavailable(retry_after_seconds=seconds):
                statuses.add(503)
                retry_after[503] = seconds
            case RateDecision():
                headers["RateLimit-Limit"] = str(decision.limit)
                headers["RateLimit-Remaining"] = str(decision.remaining)
                headers["RateLimit-Reset"] = str(decision.reset_seconds)
                if not decision.allowed:
                    statuses.add(429)
                    retry_after[429] = decision.retry_after_seconds
            case CacheDecision(hit=hit):
                headers["X-Cache"] = "HIT" if hit else "MISS"
            case Unauthenticated(realm=realm):
                statuses.add(401)
                headers["WWW-Authenticate"] = f'Bearer realm="{realm}"'
            case Forbidden():
                statuses.add(403)
            case CostDecision():
                pass  # reported in the body (extensions.cost); no HTTP status of its own
    status = next((code for code in _PRECEDENCE if code in statuses), None)
    if status in retry_after:
        headers["Retry-After"] = str(retry_after[status])
    return HttpOutcome(status, headers)
