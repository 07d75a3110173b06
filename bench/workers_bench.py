"""`domacross serve --workers N`: requests per second with 1 and 2 workers
(`make bench-workers`).

The same seeded PostgreSQL database, rate limits on with their counters in Redis
(127.0.0.1:6379, as several workers need), autocannon from a second process on
`GET /api/v1/competitions/{id}` over fresh servers of 1 and of 2 workers.
"""

from __future__ import annotations

import os
import sys
import uuid

import click

from bench.api_bench import load, postgres_database, seed
from bench.results import Row, report
from bench.server import served


def throughput(
    url: str, competition_id: int, workers: int, amount: int, repeat: int
) -> list[float]:
    env = {
        "DOMACROSS_DATABASE_URL": url,
        "DOMACROSS_RATE_LIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
        "DOMACROSS_RATE_LIMIT_KEY_PREFIX": f"domacross-bench-{uuid.uuid4().hex[:8]}",
        "DOMACROSS_RATE_LIMIT_IP": "10000000/minute",
    }
    plan = [f"/api/v1/competitions/{competition_id}"]
    with served(env, ready=plan[0], workers=workers) as server:
        load(server.base, plan, 16, min(amount, 1_000))  # warm-up, every worker
        return [load(server.base, plan, 16, amount)["rps"] for _ in range(repeat)]


@click.command()
@click.option("--requests", "amount", default=4_000, show_default=True)
@click.option("--repeat", default=3, show_default=True)
@click.option("--json", "json_path", default=None, help="Write the rows here (bench/run.py).")
def main(amount: int, repeat: int, json_path: str | None) -> None:
    """Requests per second of one competition read, 2 workers against 1."""
    url, cleanup = postgres_database()
    try:
        competition_id = seed(url, 100)
        one = throughput(url, competition_id, 1, amount, repeat)
        two = throughput(url, competition_id, 2, amount, repeat)
    finally:
        cleanup()
    rows = [
        Row(
            "workers",
            f"GET /competitions/{{id}} throughput, serve --workers 2 (PostgreSQL, Redis "
            f"counters, {os.cpu_count()} cores)",
            "req/s",
            two,
            "serve --workers 1, same run",
            one,
        )
    ]
    sys.exit(report(rows, json_path, "serve --workers: 1 against 2 processes"))


if __name__ == "__main__":
    main()
