"""Request ids, one JSON log line per request, and Prometheus metrics."""

from __future__ import annotations

import contextlib
import logging
import re
import uuid
from collections.abc import Iterator, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "x-request-id"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_OPERATION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
MAX_OPERATION_LABELS = 200

access_logger = logging.getLogger("trendgraph.access")


def request_id_from(header: str | None) -> str:
    """The caller's request id if it is a sane one, else a new one."""
    if header and _REQUEST_ID.match(header):
        return header
    return uuid.uuid4().hex


def configure_logging(level: str, *, json_logs: bool) -> None:
    """Log to stderr, as JSON lines when ``json_logs`` (production) or as text."""
    handler = logging.StreamHandler()
    if json_logs:
        handler.setFormatter(
            JsonFormatter(
                "{asctime}{levelname}{name}{message}",
                style="{",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


class Metrics:
    """The service's Prometheus metrics, in a registry of their own (one per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "trendgraph_graphql_requests",
            "GraphQL operations served, by operation name and outcome.",
            ["operation", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "trendgraph_graphql_request_duration_seconds",
            "Time to serve a GraphQL operation, by operation name.",
            ["operation"],
            registry=self.registry,
        )
        self.errors = Counter(
            "trendgraph_graphql_errors",
            "GraphQL errors returned, by extensions.code.",
            ["code"],
            registry=self.registry,
        )
        self.database_commands = Histogram(
            "trendgraph_database_commands_per_request",
            "MongoDB commands issued to serve one GraphQL operation.",
            buckets=(0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 50, 100),
            registry=self.registry,
        )
        self.query_cost = Histogram(
            "trendgraph_graphql_query_cost",
            "Requested cost of GraphQL operations (see the cost model).",
            buckets=(1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500),
            registry=self.registry,
        )
        self.dataloader_batch_size = Histogram(
            "trendgraph_dataloader_batch_size",
            "Keys per DataLoader batch, by loader.",
            ["loader"],
            buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500),
            registry=self.registry,
        )
        self.compiled_fallbacks = Counter(
            "trendgraph_compiled_execution_fallbacks",
            "Compiled selections that gave up and were completed by graphql-core's path, by "
            "reason (give_up, awaiting, path, resolver_error, error), and operations whose "
            "field collections are not shared (selections_not_shared); see docs/executor.md.",
            ["reason"],
            registry=self.registry,
        )
        self.embedded_database_restarts = Counter(
            "trendgraph_embedded_database_restarts",
            "Times the supervised embedded database died and was started again.",
            registry=self.registry,
        )
        self.reads_of_every_field = Counter(
            "trendgraph_trend_reads_of_every_field",
            "Places in queries whose trends were read whole because the selection names a "
            "Trend field that schema/reads.py does not map to stored fields.",
            registry=self.registry,
        )
        self.subscriptions = Gauge(
            "trendgraph_active_subscriptions",
            "Subscriptions currently open.",
            registry=self.registry,
        )
        self._operation_labels: set[str] = set()

    def operation_label(self, name: str | None) -> str:
        """A bounded label for an operation name (clients choose names; cardinality must not)."""
        if not name:
            return "anonymous"
        if not _OPERATION_NAME.match(name):
            return "invalid"
        if name not in self._operation_labels:
            if len(self._operation_labels) >= MAX_OPERATION_LABELS:
                return "other"
            self._operation_labels.add(name)
        return name


class _ReadCounts(Collector):
    """Counts a storage object keeps as plain integers, exposed as one labelled counter."""

    def __init__(self, name: str, documentation: str, counts: Mapping[str, int]) -> None:
        self._name, self._documentation, self._counts = name, documentation, counts

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(self._name, self._documentation, labels=["outcome"])
        for outcome, count in self._counts.items():
            family.add_metric([outcome], count)
        yield family


@contextlib.contextmanager
def exposing_sort_bounds(metrics: Metrics, reads: Mapping[str, int]) -> Iterator[None]:
    """``trendgraph_page_sort_bound_reads`` from ``reads`` while the block runs."""
    collector = _ReadCounts(
        "trendgraph_page_sort_bound_reads",
        "First-page reads of descending orders: within a learned bound (bounded), read again "
        "without it because too few trends reached it (fallback), or without one (unbounded).",
        reads,
    )
    metrics.registry.register(collector)
    try:
        yield
    finally:
        metrics.registry.unregister(collector)
