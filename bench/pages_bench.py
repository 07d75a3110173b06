"""The competition page against the JSON leaderboard it shows (`python -m bench.pages_bench`).

One `domacross serve` subprocess over a SQLite database seeded like `make bench-api`
(10,000 entrants, with ties) plus a valuation history for the top five portfolios (the
chart). Sequential GETs from one client: the HTML page (rules, pool, top 100 rows, the
chart, in one response) and, as the yardstick measured in the same run on the same server,
`GET /api/v1/competitions/{id}/leaderboard?limit=100` (the same 100 rows as JSON). Target:
the leaderboard's 250 ms SLO, p95 < 250 ms, for the page too. Exits 1 when it is missed.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

import click
import httpx
from sqlalchemy import insert, select

from bench.api_bench import seed, sqlite_database
from bench.server import served
from domacross.db.engine import make_engine
from domacross.db.models import Participant, PortfolioValue

SLO_P95_MS = 250.0
HISTORY_POINTS = 200


def add_history(url: str, competition_id: int) -> None:
    """`HISTORY_POINTS` valuations for each of the top five portfolios, a minute apart."""
    engine = make_engine(url)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        top = connection.execute(
            select(Participant.user_id, Participant.portfolio_value)
            .where(Participant.competition_id == competition_id)
            .order_by(Participant.portfolio_value.desc())
            .limit(5)
        ).all()
        rows = [
            {
                "competition_id": competition_id,
                "user_id": user_id,
                "value": value * (i + 1) // HISTORY_POINTS,
                "holdings_count": 1,
                "holdings_hash": "0x" + "ab" * 32,
                "timestamp": now - timedelta(minutes=HISTORY_POINTS - i),
                "chain_id": 97476,
                "block_number": i,
                "tx_hash": "0x" + f"{user_id:032x}{i:032x}",
                "log_index": 0,
            }
            for user_id, value in top
            for i in range(HISTORY_POINTS)
        ]
        connection.execute(insert(PortfolioValue), rows)
    engine.dispose()


def timed(client: httpx.Client, path: str, requests: int) -> tuple[list[float], int]:
    """Milliseconds per sequential GET, and the size of the last body."""
    samples, size = [], 0
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1_000)
        response.raise_for_status()
        size = len(response.content)
    return samples, size


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


@click.command()
@click.option("--entrants", default=10_000, show_default=True)
@click.option("--requests", default=200, show_default=True)
def main(entrants: int, requests: int) -> None:
    url, cleanup = sqlite_database()
    try:
        competition_id = seed(url, entrants)
        add_history(url, competition_id)
        env = {"DOMACROSS_DATABASE_URL": url, "DOMACROSS_RATE_LIMIT_ENABLED": "false"}
        # /health answers 503 while the indexer has not run: the server is up all the same.
        with (
            served(env, ready_statuses=(200, 503)) as server,
            httpx.Client(base_url=server.base, timeout=30) as client,
        ):
            page_path = f"/competitions/{competition_id}"
            json_path = f"/api/v1/competitions/{competition_id}/leaderboard?limit=100"
            timed(client, page_path, 10)  # warm-up: imports, template compilation, caches
            timed(client, json_path, 10)
            page, page_size = timed(client, page_path, requests)
            board, board_size = timed(client, json_path, requests)
    finally:
        cleanup()
    print(f"{entrants:,} entrants, {requests} sequential requests each, one client")
    print(f"{'':34} {'p50 ms':>8} {'p95 ms':>8} {'bytes':>8}")
    for name, samples, size in (
        ("competition page (HTML)", page, page_size),
        ("yardstick: leaderboard JSON", board, board_size),
    ):
        print(f"{name:34} {statistics.median(samples):8.1f} {p95(samples):8.1f} {size:8,}")
    ok = p95(page) < SLO_P95_MS
    print(
        f"target: page p95 < {SLO_P95_MS:.0f} ms (the leaderboard's 250 ms SLO): "
        f"{'met' if ok else 'MISSED'}"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
