"""Prometheus metrics: requests per route, and the indexer's lag read from its status
table at scrape time."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domacross.db.models import IndexerStatus

log = logging.getLogger("domacross.api")

# Around the SLO (p95 < 250 ms).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0)


class IndexerCollector(Collector):
    """Indexer lag per chain, from `indexer_status`, read when Prometheus scrapes."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily(
            "domacross_api_database_up", "1 when the API could read its database"
        )
        families = {
            "lag_blocks": GaugeMetricFamily(
                "domacross_indexer_lag_blocks",
                "Blocks between chain head and indexed block",
                labels=["chain_id"],
            ),
            "lag_seconds": GaugeMetricFamily(
                "domacross_indexer_lag_seconds",
                "Seconds the indexed block is behind the head",
                labels=["chain_id"],
            ),
            "head_block": GaugeMetricFamily(
                "domacross_indexer_head_block",
                "Chain head seen by the indexer",
                labels=["chain_id"],
            ),
            "indexed_block": GaugeMetricFamily(
                "domacross_indexer_indexed_block", "Last block indexed", labels=["chain_id"]
            ),
            "age": GaugeMetricFamily(
                "domacross_indexer_status_age_seconds",
                "Seconds since the indexer last updated its status (stale: indexer down)",
                labels=["chain_id"],
            ),
        }
        try:
            with self.sessions() as session:
                rows = session.scalars(select(IndexerStatus)).all()
        except Exception:
            log.exception("cannot read indexer_status for /metrics")
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        now = datetime.now(UTC)
        for row in rows:
            chain = [str(row.chain_id)]
            families["lag_blocks"].add_metric(chain, row.lag_blocks)
            families["lag_seconds"].add_metric(chain, row.lag_seconds)
            families["head_block"].add_metric(chain, row.head_block)
            families["indexed_block"].add_metric(chain, row.indexed_block)
            families["age"].add_metric(chain, max(0.0, (now - row.updated_at).total_seconds()))
        yield up
        yield from families.values()


class ApiMetrics:
    """The registry of one app (its own, so several apps can live in one process)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "domacross_api_requests",
            "HTTP requests by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "domacross_api_request_duration_seconds",
            "Time to answer (to the end of the body), by method and route template",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(IndexerCollector(sessions))
        # NOTE: the children per label set, looked up once: `labels()` takes a lock and
        # builds its key on every call, on every request.
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = self._children[key] = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
            )
        count, latency = children
        count.inc()
        latency.observe(seconds)
