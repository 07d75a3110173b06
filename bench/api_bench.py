"""Leaderboard latency of the read API at 10,000 entrants, against the seed's SLO (API p95
< 250 ms), on SQLite and PostgreSQL (`make bench-api`; not part of `make test`).

A real uvicorn server in a subprocess (`domacross serve`), a seeded database, then
`--requests` leaderboard reads from `--concurrency` client threads: half the first page,
half pages deeper down reached through cursors. Prints p50/p95/p99 and requests/s per
backend and exits 1 when a p95 misses the SLO.
"""

from __future__ import annotations

import os
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import httpx
from eth_account import Account
from sqlalchemy import create_engine, insert, text

from domacross.db.engine import make_engine
from domacross.db.migrate import upgrade
from domacross.db.models import Competition, Participant, User

SLO_P95_MS = 250.0
PG_ADMIN = os.environ.get(
    "DOMACROSS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def seed(url: str, entrants: int) -> int:
    upgrade(url)
    engine = make_engine(url)
    now = datetime.now(UTC)
    rng = random.Random(7)
    with engine.begin() as connection:
        competition_id = connection.execute(
            insert(Competition).returning(Competition.id),
            {
                "chain_id": 97476,
                "contract_address": "0x" + "ab" * 20,
                "factory_address": "0x" + "01" * 20,
                "organizer": "0x" + "02" * 20,
                "registry_index": 0,
                "name": "bench",
                "start_time": now - timedelta(hours=1),
                "end_time": now + timedelta(days=1),
                "claim_deadline": now + timedelta(days=4),
                "dispute_window": 3600,
                "entry_fee": 10**17,
                "max_participants": entrants,
                "rake_bps": 500,
                "payout_bps": [10_000],
                "oracle": "0x" + "03" * 20,
                "tracker": "0x" + "04" * 20,
                "treasury": "0x" + "05" * 20,
                "created_block": 1,
                "created_tx": "0x" + "00" * 32,
                "participant_count": entrants,
                "cancelled": False,
                "finalized": False,
                "claimed_total": 0,
            },
        ).scalar_one()
        wallets = [Account.from_key((i + 1).to_bytes(32, "big")).address for i in range(entrants)]
        connection.execute(
            insert(User), [{"wallet_address": w, "created_at": now} for w in wallets]
        )
        ids = dict(connection.execute(text("SELECT wallet_address, id FROM users")).all())
        connection.execute(
            insert(Participant),
            [
                {
                    "user_id": ids[w],
                    "competition_id": competition_id,
                    "chain_id": 97476,
                    "joined_block": i,
                    "joined_tx": "0x" + f"{i:064x}",
                    "joined_log_index": 0,
                    "joined_at": now,
                    "fee": 10**17,
                    # Some ties: values drawn from fewer distinct amounts than entrants.
                    "portfolio_value": rng.randrange(entrants // 2) * 10**15,
                    "value_updated_at": now,
                }
                for i, w in enumerate(wallets)
            ],
        )
    engine.dispose()
    return int(competition_id)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def measure(
    url: str, competition_id: int, requests: int, concurrency: int
) -> tuple[list[float], float]:
    port = free_port()
    env = {**os.environ, "DOMACROSS_DATABASE_URL": url, "DOMACROSS_RATE_LIMIT_ENABLED": "false"}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("domacross")),
            "serve",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}/api/v1/competitions/{competition_id}/leaderboard"
    try:
        with httpx.Client(timeout=10) as client:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if client.get(base, params={"limit": 1}).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("server did not start")
                time.sleep(0.1)
            # Cursors deep into the board, collected by walking it once.
            cursors, cursor = [], None
            for _ in range(40):
                page = client.get(
                    base, params={"limit": 200, **({"cursor": cursor} if cursor else {})}
                ).json()
                cursor = page["next_cursor"]
                if cursor is None:
                    break
                cursors.append(cursor)
            rng = random.Random(1)
            plan = [None if i % 2 == 0 else rng.choice(cursors) for i in range(requests)]

            def one(cursor: str | None) -> float:
                started = time.perf_counter()
                response = client.get(
                    base, params={"limit": 50, **({"cursor": cursor} if cursor else {})}
                )
                response.raise_for_status()
                return (time.perf_counter() - started) * 1000

            for warm in plan[:20]:
                one(warm)
            started = time.perf_counter()
            with ThreadPoolExecutor(concurrency) as pool:
                latencies = list(pool.map(one, plan))
            elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
    return latencies, requests / elapsed


def sqlite_database() -> tuple[str, Callable[[], None]]:
    path = Path(f"/tmp/domacross-api-bench-{uuid.uuid4().hex[:8]}.db")  # noqa: S108

    def cleanup() -> None:
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink(missing_ok=True)

    return f"sqlite:///{path}", cleanup


def postgres_database() -> tuple[str, Callable[[], None]]:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    db = f"domacross_api_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{db}"'))

    def cleanup() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        admin.dispose()

    return admin.url.set(database=db).render_as_string(hide_password=False), cleanup


@click.command()
@click.option("--entrants", default=10_000, show_default=True)
@click.option("--requests", "requests_", default=1_000, show_default=True)
@click.option("--concurrency", default=8, show_default=True)
@click.option(
    "--backend",
    type=click.Choice(["sqlite", "postgresql"]),
    multiple=True,
    default=["sqlite", "postgresql"],
    show_default=True,
)
def main(entrants: int, requests_: int, concurrency: int, backend: tuple[str, ...]) -> None:
    """Measures the leaderboard endpoint and compares its p95 with the SLO."""
    missed = False
    for name in backend:
        url, cleanup = sqlite_database() if name == "sqlite" else postgres_database()
        try:
            started = time.perf_counter()
            competition_id = seed(url, entrants)
            seeded = time.perf_counter() - started
            latencies, rate = measure(url, competition_id, requests_, concurrency)
        finally:
            cleanup()
        cuts = statistics.quantiles(latencies, n=100)
        p50, p95, p99 = cuts[49], cuts[94], cuts[98]
        ok = p95 < SLO_P95_MS
        missed |= not ok
        click.echo(
            f"{name:10} entrants={entrants} requests={requests_} concurrency={concurrency} "
            f"seed={seeded:.1f}s  p50={p50:.1f}ms p95={p95:.1f}ms p99={p99:.1f}ms "
            f"rate={rate:.0f} req/s  SLO p95<{SLO_P95_MS:.0f}ms: {'met' if ok else 'MISSED'}"
        )
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
