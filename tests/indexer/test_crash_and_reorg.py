"""Crashes at random points and chain reorgs lose and duplicate nothing."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

from sqlalchemy import func, select

from domacross.db.models import Participant, RawEvent
from domacross.indexer import ChainFollower
from tests.indexer.check import assert_db_matches_chain
from tests.utils.indexing import chain_config
from tests.utils.scenario import advance, deploy_suite, run_competition


def index_command(record, url: str, database_url: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own CLI
        [
            sys.executable,
            "-m",
            "domacross.cli",
            "index",
            "--once",
            "--chain",
            f"{record}={url}",
        ],
        env={
            **os.environ,
            "DOMACROSS_DATABASE_URL": database_url,
            "DOMACROSS_CONFIRMATIONS": "0",
            "DOMACROSS_BATCH_BLOCKS": "3",
            **env,
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_killed_at_random_points__resumes_without_loss_or_duplicates(
    anvil_url, database_url, sessions, tmp_path
):
    suite = deploy_suite(anvil_url)
    run_competition(suite)
    run_competition(suite, token_base=10, finish=False)
    record = tmp_path / "record.json"
    record.write_text(json.dumps(suite.record))
    rng = random.Random(2026)
    # Deterministic crashes right before a random SQL statement (mid-transaction)...
    for limit in sorted(rng.sample(range(5, 400), 6)):
        proc = index_command(
            record, anvil_url, database_url, DOMACROSS_INDEXER_CRASH_AFTER_STATEMENTS=str(limit)
        )
        assert proc.wait(timeout=120) in (0, 137), (
            proc.stderr.read().decode() if proc.stderr else ""
        )
    # ... and real SIGKILLs at random moments.
    for _ in range(3):
        proc = index_command(record, anvil_url, database_url)
        time.sleep(rng.uniform(0.5, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    done = index_command(record, anvil_url, database_url)
    assert done.wait(timeout=180) == 0, done.stderr.read().decode() if done.stderr else ""
    assert_db_matches_chain(sessions, suite.dc, suite.dc.w3.eth.block_number)


def test_reorg__rolls_back_past_the_common_ancestor_and_replays(anvil_url, sessions):
    suite = deploy_suite(anvil_url)
    w3 = suite.dc.w3
    run_competition(suite, finish=False)
    follower = ChainFollower(
        chain_config(suite, anvil_url, name="reorg"),
        sessions,
        confirmations=0,
        batch_blocks=4,
    )
    follower.backfill()
    fork_point = w3.eth.block_number
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]
    # Branch A: a second competition with joins, indexed, then abandoned.
    run_competition(suite, token_base=30, finish=False)
    follower.backfill()
    with sessions() as session:
        joined_on_a = session.scalar(select(func.count()).select_from(Participant))
    assert joined_on_a == 6
    abandoned = {(r.tx_hash, r.log_index) for r in _raw(sessions)}
    w3.provider.make_request("evm_revert", [snapshot])
    assert w3.eth.block_number == fork_point
    # The reverted transactions' nonces are free again: the client must re-read them.
    for signer in (suite.admin, *suite.players):
        suite.dc.sender.nonces.forget(signer.address)
    # Branch B: different activity, and a longer chain.
    advance(suite.dc, 7)
    run_competition(suite, token_base=50)
    follower.backfill()
    assert_db_matches_chain(sessions, suite.dc, w3.eth.block_number)
    kept = {(r.tx_hash, r.log_index) for r in _raw(sessions)}
    assert abandoned - kept, "the abandoned branch's events must be gone"


def _raw(sessions) -> list[RawEvent]:
    with sessions() as session:
        return list(session.scalars(select(RawEvent)))
