"""``/metrics`` for Prometheus, read from the store at each scrape.

Runs happen in worker processes, so counters kept in one process's memory would show that
process only; the store holds every run's counts, so each scrape adds them up there and every
web process answers the same. Labels are ids (workspace, sync, connection) and the provider,
never names a workspace chose. When ``CARDFILE_METRICS_TOKEN`` is set a scrape must send it as
a Bearer token.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from cardfile.jobs.tasks import Jobs
from cardfile.store import runs
from cardfile.store.schema import Job

BUCKETS = (1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, float("inf"))
OUTCOMES = ("created", "updated", "unchanged", "failed", "waiting")


class StoreCollector(Collector):
    """Sync and vendor figures summed over the stored runs, and the queue's depth."""

    def __init__(self, sessions: sessionmaker[Session], jobs: Jobs) -> None:
        self.sessions = sessions
        self.jobs = jobs

    def collect(self) -> Iterator[Metric]:
        with self.sessions() as session:
            facts = runs.all_runs(session)
            by_status = dict(
                session.execute(select(Job.status, func.count()).group_by(Job.status)).all()
            )
        records = CounterMetricFamily(
            "cardfile_sync_records",
            "Records a sync's runs created, updated, left unchanged, failed or held back",
            labels=["workspace", "sync", "outcome"],
        )
        requests = CounterMetricFamily(
            "cardfile_vendor_requests",
            "Requests sent to a vendor",
            labels=["connection", "provider"],
        )
        limited = CounterMetricFamily(
            "cardfile_vendor_rate_limited",
            "429s (or the vendor's equivalent) met",
            labels=["connection", "provider"],
        )
        per_sync: dict[tuple[str, str, str], float] = defaultdict(float)
        per_connection: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
        durations: dict[tuple[str, str], list[float]] = defaultdict(list)
        for fact in facts:
            labels = (str(fact.workspace_id), str(fact.sync_id))
            for outcome in OUTCOMES:
                per_sync[(*labels, outcome)] += float(fact.counts.get(outcome, 0))
            pair = per_connection[(str(fact.connection_id), fact.provider)]
            pair[0] += float(fact.counts.get("requests", 0))
            pair[1] += float(fact.counts.get("rate_limited", 0))
            if fact.status not in ("queued", "running") and "seconds" in fact.counts:
                durations[labels].append(float(fact.counts["seconds"]))
        for key, value in sorted(per_sync.items()):
            records.add_metric(list(key), value)
        for (connection, provider), (sent, met) in sorted(per_connection.items()):
            requests.add_metric([connection, provider], sent)
            limited.add_metric([connection, provider], met)
        yield records
        yield requests
        yield limited
        yield _durations(durations)
        depth = GaugeMetricFamily("cardfile_queue_depth", "Tasks waiting in the job queue")
        depth.add_metric([], float(self.jobs.huey.pending_count()))
        yield depth
        states = GaugeMetricFamily("cardfile_jobs", "Jobs by status", labels=["status"])
        for status in ("queued", "running", "succeeded", "failed"):
            states.add_metric([status], float(by_status.get(status, 0)))
        yield states


def _durations(found: dict[tuple[str, str], list[float]]) -> HistogramMetricFamily:
    family = HistogramMetricFamily(
        "cardfile_sync_run_duration_seconds",
        "How long sync runs took",
        labels=["workspace", "sync"],
    )
    for labels, seconds in sorted(found.items()):
        buckets: list[tuple[str, float]] = [
            (_bound(bound), float(sum(1 for s in seconds if s <= bound))) for bound in BUCKETS
        ]
        family.add_metric(list(labels), buckets, sum_value=sum(seconds))
    return family


def _bound(bound: float) -> str:
    return "+Inf" if bound == float("inf") else str(bound)


def metrics_router(sessions: sessionmaker[Session], jobs: Jobs, token: str | None) -> APIRouter:
    """``GET /metrics`` in Prometheus's text format."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(sessions, jobs))
    router = APIRouter()

    @router.get("/metrics", tags=["health"], include_in_schema=False)
    async def metrics(request: Request) -> Response:
        if token:
            given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            if not secrets.compare_digest(given.encode(), token.encode()):
                raise HTTPException(401, "a metrics token is required")
        body: Any = await run_in_threadpool(generate_latest, registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return router
