"""cProfile of one in-process backfill (anvil -> SQLite or PostgreSQL), to see where a
backfill's time goes: eth_getLogs and JSON, decoding, per-row work, inserts.

    .venv/bin/python -m bench.indexer_profile [--events 30000] [--db sqlite|postgresql]

Prints the backfill's rate beside the raw eth_getLogs loop's (same chain, same run) and the
functions by own time, then by cumulative time. The figure that matters is in
`bench.indexer_bench`; this is for finding where to look.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

from web3 import Web3

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.indexer_bench import BATCH, emit, pg_database, raw_ceiling
from domacross.db import make_engine, session_factory
from domacross.db.migrate import upgrade
from domacross.indexer import ChainConfig, ChainFollower
from domacross_sdk.rpc import FailoverHTTPProvider
from tests.utils.anvil import anvil_node
from tests.utils.scenario import deploy_suite


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=30_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    with anvil_node() as url, tempfile.TemporaryDirectory() as tmp:
        suite = deploy_suite(url)
        start = suite.record["contracts"]["ValuationOracle"]["block_number"]
        emit(suite, args.events)
        w3 = Web3(FailoverHTTPProvider([url]))
        head = w3.eth.block_number
        addresses = [suite.dc.addresses.factory, suite.dc.addresses.tracker]
        addresses.append(suite.dc.addresses.oracle)
        count, seconds = raw_ceiling(w3, addresses, start, head)
        dropper = None
        if args.db == "sqlite":
            db = f"sqlite:///{tmp}/profile.db"
        else:
            made = pg_database("profile")
            if made is None:
                raise SystemExit("no PostgreSQL server answers")
            db, dropper = made
        upgrade(db)
        engine = make_engine(db)
        config = ChainConfig("profile", w3, *addresses, start_block=start)
        follower = ChainFollower(
            config, session_factory(engine), confirmations=0, batch_blocks=BATCH
        )
        profile = cProfile.Profile()
        t0 = time.perf_counter()
        profile.enable()
        progress = follower.backfill()
        profile.disable()
        elapsed = time.perf_counter() - t0
        engine.dispose()
        if dropper is not None:
            dropper()
    rate, ceiling = progress.events / elapsed, count / seconds
    print(f"backfill {rate:,.0f} events/s, raw loop {ceiling:,.0f} logs/s: {rate / ceiling:.3f}x")
    stats = pstats.Stats(profile)
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
