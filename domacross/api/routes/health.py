"""Liveness of the API and its database, and the indexer's status per chain; metrics."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Connection, Row, select

from domacross.api.deps import SettingsDep
from domacross.api.reads import Reader
from domacross.api.schemas import ChainHealthPublic, HealthPublic
from domacross.db.models import IndexerStatus

router = APIRouter(tags=["health"])
log = logging.getLogger("domacross.api")


@router.get(
    "/health",
    response_model=HealthPublic,
    responses={503: {"model": HealthPublic, "description": "Database unreachable"}},
)
async def health(request: Request, settings: SettingsDep, response: Response) -> HealthPublic:
    """`ok`, `degraded` (an indexer lags or stopped reporting: the API still serves) or
    `down` (503: the database cannot be read)."""
    reader: Reader = request.app.state.reader
    try:
        # NOTE: reading the status table is the database check: no separate `SELECT 1`.
        rows = await reader(_statuses)
    except Exception:
        log.exception("health check: database unreachable")
        response.status_code = 503
        return HealthPublic(status="down", database="unreachable", chains=[])
    now = datetime.now(UTC)
    chains = []
    for row in rows:
        age = max(0.0, (now - row.updated_at).total_seconds())
        chains.append(
            ChainHealthPublic(
                chain_id=row.chain_id,
                head_block=row.head_block,
                indexed_block=row.indexed_block,
                lag_blocks=row.lag_blocks,
                lag_seconds=row.lag_seconds,
                breaker_state=row.breaker_state,
                updated_at=row.updated_at,
                status_age_seconds=age,
                # "failed": the indexed data no longer matches the chain (a reorg deeper
                # than every stored hash): serve it as stale until it is rewound.
                healthy=row.lag_blocks <= settings.health_max_lag_blocks
                and age <= settings.health_max_status_age
                and row.breaker_state != "failed",
            )
        )
    healthy = all(chain.healthy for chain in chains)
    status: Literal["ok", "degraded"] = "ok" if healthy else "degraded"
    return HealthPublic(status=status, database="ok", chains=chains)


def _statuses(connection: Connection) -> Sequence[Row[Any]]:
    table = IndexerStatus.__table__
    return connection.execute(select(table).order_by(table.c.chain_id)).all()


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {
            "description": "Prometheus text exposition format",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        }
    },
)
def metrics(request: Request) -> Response:
    """Request counts and latency per route; indexer lag per chain."""
    body = generate_latest(request.app.state.metrics.registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
