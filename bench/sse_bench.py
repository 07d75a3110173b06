"""Live leaderboards at 1,000 open streams, on SQLite and PostgreSQL (`make bench-sse`).

A real `domacross serve` over a seeded competition. This process opens `--streams`
Server-Sent Events streams on its leaderboard (plain asyncio sockets, so the client side
stays cheap) and, while they are open, autocannon loads `GET /api/v1/competitions/{id}`
from a second process. Then one standing changes the way the indexer writes it (the value
and the chain's checkpoint row, one transaction) and every stream's arrival time of the new
standing is recorded. Yardstick in the same run: the same load with no stream open.
Targets: p95 of normal requests < 50 ms with the streams open; the new standing reaches
every stream within 2 s.
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import UTC, datetime

import click
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from bench.api_bench import load, postgres_database, seed, sqlite_database
from bench.results import Row, Target, report
from bench.server import served
from domacross.db.engine import make_engine, session_factory
from domacross.db.models import CHECKPOINT_ROW, ChainOffset, Participant

P95_TARGET_MS = 50.0
PUSH_TARGET_S = 2.0
CONNECTIONS = 8
"""Keep-alive connections of the normal-read load (autocannon), with and without the
streams open: the yardstick is the same load."""


async def open_stream(
    port: int, path: str, marker: bytes, ready: list[int], arrived: list[float]
) -> None:
    """Reads one stream: waits for its first event, then for one carrying `marker`."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n".encode()
    )
    await writer.drain()
    try:
        while True:
            line = await reader.readline()
            if not line:
                raise RuntimeError("stream closed")
            if marker in line:
                arrived.append(time.monotonic())
                return
            if line.startswith(b"data: "):
                ready.append(1)
    finally:
        writer.close()


def write_standing(url: str, competition_id: int, value: int) -> None:
    """The top entrant's new value and the checkpoint row, as the indexer commits them.
    Top by score, what the board ranks by, so the entrant is in every stream's event."""
    engine = make_engine(url)
    with session_factory(engine)() as session:
        top = session.scalar(
            select(Participant.id)
            .where(Participant.competition_id == competition_id)
            .order_by(Participant.score_e18.desc(), Participant.wallet)
            .limit(1)
        )
        session.execute(
            update(Participant)
            .where(Participant.id == top)
            .values(portfolio_value=value, value_updated_at=datetime.now(UTC))
        )
        dialect = postgresql if url.startswith("postgresql") else sqlite
        checkpoint = dialect.insert(ChainOffset).values(
            chain_id=97476, contract_address=CHECKPOINT_ROW, last_block_number=value % 10**9
        )
        session.execute(
            checkpoint.on_conflict_do_update(
                index_elements=["chain_id", "contract_address"],
                set_={"last_block_number": checkpoint.excluded.last_block_number},
            )
        )
        session.commit()
    engine.dispose()


async def streams_run(
    port: int, url: str, competition_id: int, streams: int, base: str, plan: list[str]
) -> tuple[float, float, int]:
    """p95 (ms) of normal reads with `streams` open; seconds until the last stream got the
    new standing; how many got it."""
    path = f"/api/v1/competitions/{competition_id}/leaderboard/stream"
    value = 10**30 + int(time.time())
    marker = f'"value":"{value}"'.encode()
    arrived: list[float] = []
    ready: list[int] = []
    tasks = []
    for i in range(streams):
        tasks.append(asyncio.create_task(open_stream(port, path, marker, ready, arrived)))
        if i % 50 == 49:
            await asyncio.sleep(0.05)  # no thundering herd of connects
    deadline = time.monotonic() + 60
    while len(ready) < streams and time.monotonic() < deadline:
        await asyncio.sleep(0.1)  # every stream has its first event: now only held open
    await asyncio.sleep(1)
    loaded = await asyncio.to_thread(load, base, plan, CONNECTIONS, 1_000)
    await asyncio.to_thread(write_standing, url, competition_id, value)
    written = time.monotonic()
    await asyncio.wait(tasks, timeout=15)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    last = max(arrived) - written if arrived else float("inf")
    return loaded["p95"], last, len(arrived)


def measure(url: str, competition_id: int, streams: int) -> tuple[float, float, float, int]:
    env = {
        "DOMACROSS_DATABASE_URL": url,
        "DOMACROSS_RATE_LIMIT_ENABLED": "false",
        "DOMACROSS_API_CACHE_SECONDS": "0",
    }
    plan = [f"/api/v1/competitions/{competition_id}"]
    with served(env, ready=plan[0]) as server:
        base = server.base
        load(base, plan, CONNECTIONS, 500)  # warm-up
        idle = load(base, plan, CONNECTIONS, 1_000)["p95"]
        p95, push, got = asyncio.run(
            streams_run(server.port, url, competition_id, streams, base, plan)
        )
        return idle, p95, push, got


@click.command()
@click.option("--streams", default=1_000, show_default=True)
@click.option("--entrants", default=1_000, show_default=True)
@click.option("--repeat", default=1, show_default=True)
@click.option(
    "--backend",
    type=click.Choice(["sqlite", "postgresql"]),
    multiple=True,
    default=["sqlite", "postgresql"],
    show_default=True,
)
@click.option("--json", "json_path", default=None, help="Write the rows here (bench/run.py).")
def main(
    streams: int, entrants: int, repeat: int, backend: tuple[str, ...], json_path: str | None
) -> None:
    """Normal-read p95 with 1,000 live streams open, and the time to push a new standing."""
    rows: list[Row] = []
    for name in backend:
        url, cleanup = sqlite_database() if name == "sqlite" else postgres_database()
        try:
            competition_id = seed(url, entrants)
            runs = [measure(url, competition_id, streams) for _ in range(repeat)]
        finally:
            cleanup()
        for _, _, _, got in runs:
            if got != streams:
                print(f"only {got} of {streams} streams got the new standing", file=sys.stderr)
        rows += [
            Row(
                f"sse/{name}",
                f"GET /competitions/{{id}} p95 with {streams:,} streams open ({name})",
                "ms",
                [r[1] for r in runs],
                "same load, no stream open",
                [r[0] for r in runs],
                Target("<", P95_TARGET_MS, "live streams at scale"),
            ),
            Row(
                f"sse/{name}",
                f"new standing on all {streams:,} streams, after the commit ({name})",
                "s",
                [r[2] if r[3] == streams else float("inf") for r in runs],
                target=Target("<", PUSH_TARGET_S, "live streams at scale"),
                note="PostgreSQL: NOTIFY at commit; SQLite: the one poller per process",
            ),
        ]
    sys.exit(report(rows, json_path, f"Live leaderboards: {streams:,} open streams"))


if __name__ == "__main__":
    main()
