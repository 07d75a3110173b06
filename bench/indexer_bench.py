"""Indexer backfill throughput and steady-state lag, beside the raw eth_getLogs ceiling.

Starts anvil (npm), deploys the suite with the SDK, emits N PriceUpdated events (oracle
batches of 256), then measures in one run:
    * raw ceiling: eth_getLogs over the same ranges, decoding nothing (events/s);
    * indexer: a full backfill into a fresh SQLite database (events/s);
    * steady state: the follower running while transactions keep coming (max lag, blocks).
Targets (issue 6): backfill >= 5,000 events/s into SQLite; steady-state lag <= 1 block.
Exits 1 when a target is missed.

    .venv/bin/python bench/indexer_bench.py [--events 100000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table
from web3 import Web3

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from domacross.db import make_engine, session_factory
from domacross.db.migrate import upgrade
from domacross.db.models import IndexerStatus
from domacross.indexer import ChainConfig, ChainFollower
from domacross.indexer.logs import raw_get_logs
from domacross_sdk.rpc import FailoverHTTPProvider
from tests.utils.anvil import anvil_node
from tests.utils.scenario import Suite, deploy_suite

TARGET_EVENTS_PER_S = 5_000
TARGET_LAG_BLOCKS = 1
BATCH = 2_000


def emit(suite: Suite, events: int) -> int:
    token = "0x" + "b1" * 20
    sent = 0
    while sent < events:
        n = min(256, events - sent)
        ids = list(range(sent, sent + n))
        suite.dc.oracle.set_prices([token] * n, ids, [10**18 + i for i in ids])
        sent += n
    return sent


def raw_ceiling(w3: Web3, addresses: list[str], start: int, end: int) -> tuple[int, float]:
    """eth_getLogs over the indexer's ranges straight through the provider, decoding
    nothing: the most any indexer could do over this JSON-RPC connection."""
    t0 = time.perf_counter()
    count = 0
    for a in range(start, end + 1, BATCH):
        params = {
            "fromBlock": hex(a),
            "toBlock": hex(min(a + BATCH - 1, end)),
            "address": addresses,
        }
        count += len(raw_get_logs(w3, params))
    return count, time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    console = Console()
    with anvil_node() as url, tempfile.TemporaryDirectory() as tmp:
        suite = deploy_suite(url)
        start = suite.record["contracts"]["ValuationOracle"]["block_number"]
        t0 = time.perf_counter()
        emit(suite, args.events)
        console.print(f"emitted {args.events:,} events in {time.perf_counter() - t0:.1f}s")
        w3 = Web3(FailoverHTTPProvider([url]))
        head = w3.eth.block_number
        addresses = [
            suite.dc.addresses.factory,
            suite.dc.addresses.tracker,
            suite.dc.addresses.oracle,
        ]
        ceilings, rates = [], []
        for i in range(args.repeat):
            count, seconds = raw_ceiling(w3, addresses, start, head)
            ceilings.append(count / seconds)
            db = f"sqlite:///{tmp}/bench{i}.db"
            upgrade(db)
            sessions = session_factory(make_engine(db))
            config = ChainConfig("bench", w3, addresses[0], addresses[1], addresses[2], start)
            follower = ChainFollower(config, sessions, confirmations=0, batch_blocks=BATCH)
            t1 = time.perf_counter()
            progress = follower.backfill()
            rates.append(progress.events / (time.perf_counter() - t1))
            if progress.events < args.events:
                raise SystemExit(f"indexed {progress.events} of {args.events} events")
        # Steady state: the follower polls while transactions keep arriving.
        stop = threading.Event()
        thread = threading.Thread(target=follower.follow, args=(stop, 0.05), daemon=True)
        thread.start()
        lags = []
        for _ in range(20):
            emit(suite, 32)
            time.sleep(0.3)
            with sessions() as session:
                status = session.get(IndexerStatus, follower.chain_id)
                lags.append(w3.eth.block_number - status.indexed_block)
        stop.set()
        thread.join(timeout=10)
    backfill = statistics.median(rates)
    ceiling = statistics.median(ceilings)
    table = Table(
        title=f"Indexer backfill: {args.events:,} events, anvil -> SQLite, median of {args.repeat}"
    )
    for col in ("measure", "figure", "spread", "target", "met"):
        table.add_column(col)
    table.add_row(
        "raw eth_getLogs ceiling",
        f"{ceiling:,.0f} events/s",
        f"{min(ceilings):,.0f}-{max(ceilings):,.0f}",
        "(yardstick)",
        "",
    )
    ok_rate = backfill >= TARGET_EVENTS_PER_S
    table.add_row(
        "indexer backfill",
        f"{backfill:,.0f} events/s",
        f"{min(rates):,.0f}-{max(rates):,.0f}",
        f">= {TARGET_EVENTS_PER_S:,}",
        "yes" if ok_rate else "NO",
    )
    table.add_row("backfill / ceiling", f"{backfill / ceiling:.2f}", "", "", "")
    ok_lag = max(lags) <= TARGET_LAG_BLOCKS
    table.add_row(
        "steady-state lag",
        f"max {max(lags)} blocks",
        f"{min(lags)}-{max(lags)}",
        f"<= {TARGET_LAG_BLOCKS}",
        "yes" if ok_lag else "NO",
    )
    console.print(table)
    return 0 if ok_rate and ok_lag else 1


if __name__ == "__main__":
    sys.exit(main())
