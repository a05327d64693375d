"""``/metrics``: the service's counters in the Prometheus text format."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from briefly.results import GuardWarning

CONTENT_TYPE = CONTENT_TYPE_LATEST
# Seconds: from a cached translation to a long article on a CPU.
_LATENCY_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
_BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128)


class Metrics:
    """One registry per app, so that two services in one process never share counts."""

    def __init__(self, queue_depth: Callable[[], float]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "briefly_requests",
            "Requests answered, by route and status.",
            ["path", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "briefly_request_seconds",
            "Time from a request's arrival to its answer, by route.",
            ["path"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.batch_size = Histogram(
            "briefly_batch_size",
            "Requests sharing one batched model call, by kind of work.",
            ["kind"],
            buckets=_BATCH_BUCKETS,
            registry=self.registry,
        )
        self.warnings = Counter(
            "briefly_warnings",
            "Warnings of the output guards and faithfulness checks in briefs, by code.",
            ["code"],
            registry=self.registry,
        )
        queued = Gauge(
            "briefly_queue_depth", "Requests waiting for the model.", registry=self.registry
        )
        queued.set_function(queue_depth)

    def answered(self, path: str, status: int, seconds: float) -> None:
        self.requests.labels(path, str(status)).inc()
        self.latency.labels(path).observe(seconds)

    def warned(self, warnings: Iterable[GuardWarning]) -> None:
        for warning in warnings:
            self.warnings.labels(warning.code).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
