"""The indexer against real anvil nodes into real SQLite and PostgreSQL databases."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

from sqlalchemy import select

from domacross.db.models import ChainOffset, Competition, IndexerStatus, LeaderboardSnapshot
from domacross.indexer import ChainFollower, Indexer
from domacross.indexer.follower import FIRST_RANGE_BLOCKS
from domacross.settings import Settings
from tests.indexer.check import assert_db_matches_chain
from tests.utils.anvil import anvil_node, free_port
from tests.utils.indexing import chain_config
from tests.utils.scenario import advance, deploy_suite, run_competition


def utc(moment: datetime) -> datetime:
    """A stored time as UTC (SQLite keeps no zone)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_backfill__database_equals_chain_logs(anvil_url, sessions):
    suite = deploy_suite(anvil_url)
    run_competition(suite, token_base=1)
    run_competition(suite, token_base=10, finish=False)
    follower = ChainFollower(
        chain_config(suite, anvil_url), sessions, confirmations=0, batch_blocks=7
    )
    progress = follower.backfill()
    head = suite.dc.w3.eth.block_number
    assert progress.indexed == head
    compared = assert_db_matches_chain(sessions, suite.dc, head)
    assert compared >= 30  # the equality is checked inside; this guards against comparing nothing
    with sessions() as session:
        offsets = session.scalars(select(ChainOffset.last_block_number)).all()
        assert set(offsets) == {head}
        status = session.get(IndexerStatus, suite.dc.chain_id)
        assert (status.indexed_block, status.lag_blocks, status.breaker_state) == (
            head,
            0,
            "healthy",
        )
        finished = session.scalars(select(Competition).where(Competition.finalized.is_(True))).one()
        assert finished.rake_paid == 3 * 10**17 * 500 // 10_000
        # The real end of claims is the contract's, counted from finalization; the configured
        # deadline is earlier here (finalization came after the dispute window, not at it).
        ends = suite.dc.competition(finished.contract_address).claim_ends_at()
        assert utc(finished.claim_ends_at) == ends
        assert ends > utc(finished.claim_deadline)
        running = session.scalars(select(Competition).where(Competition.finalized.is_(False))).one()
        assert running.claim_ends_at is None


def test_rerun_and_resume__nothing_duplicated(anvil_url, sessions):
    suite = deploy_suite(anvil_url)
    run_competition(suite)
    ChainFollower(
        chain_config(suite, anvil_url), sessions, confirmations=0, batch_blocks=5
    ).backfill()
    advance(suite.dc, 1)
    run_competition(suite, token_base=20, finish=False)
    again = ChainFollower(
        chain_config(suite, anvil_url), sessions, confirmations=0, batch_blocks=50
    )
    again.backfill()
    assert_db_matches_chain(sessions, suite.dc, suite.dc.w3.eth.block_number)


def test_confirmations__stays_behind_the_head(anvil_url, sessions):
    suite = deploy_suite(anvil_url)
    follower = ChainFollower(chain_config(suite, anvil_url), sessions, confirmations=3)
    follower.backfill()
    assert follower.progress.indexed == suite.dc.w3.eth.block_number - 3


def test_dead_primary__fails_over_and_indexes(anvil_url, sessions):
    suite = deploy_suite(anvil_url)
    run_competition(suite, finish=False)
    dead = f"http://127.0.0.1:{free_port()}"
    follower = ChainFollower(chain_config(suite, dead, anvil_url), sessions, confirmations=0)
    follower.backfill()
    assert_db_matches_chain(sessions, suite.dc, suite.dc.w3.eth.block_number)


def test_two_chains__indexed_apart(sessions):
    with anvil_node() as url_a, anvil_node(chain_id=31338) as url_b:
        suite_a, suite_b = deploy_suite(url_a), deploy_suite(url_b)
        run_competition(suite_a, finish=False)
        run_competition(suite_b)
        settings = Settings(confirmations=0, batch_blocks=25)
        indexer = Indexer(
            [chain_config(suite_a, url_a, name="a"), chain_config(suite_b, url_b, name="b")],
            sessions,
            settings,
        )
        indexer.backfill(show_progress=False)
        assert_db_matches_chain(sessions, suite_a.dc, suite_a.dc.w3.eth.block_number)
        assert_db_matches_chain(sessions, suite_b.dc, suite_b.dc.w3.eth.block_number)
        assert indexer.snapshot() == 1  # only chain a's competition is still live
        with sessions() as session:
            [snapshot] = session.scalars(select(LeaderboardSnapshot)).all()
            assert [row["rank"] for row in snapshot.standings] == [1, 2, 3]
            assert int(snapshot.standings[0]["value"]) == 3 * 10**18


def test_dense_blocks__ranges_shrink_to_max_logs_and_grow_back(anvil_url, sessions):
    """A getLogs response is held in memory whole: a range that held more than
    `max_logs_per_range` logs makes the next one proportionally smaller, sparse ranges
    double it again up to `batch_blocks`; nothing is skipped either way."""
    suite = deploy_suite(anvil_url)
    w3 = suite.dc.w3
    w3.provider.make_request("anvil_mine", [hex(150)])
    token = "0x" + "b2" * 20
    for block in range(6):  # one transaction, one block, 40 PriceUpdated logs each
        ids = list(range(block * 40, block * 40 + 40))
        suite.dc.oracle.set_prices([token] * 40, ids, [10**18 + i for i in ids])
    w3.provider.make_request("anvil_mine", [hex(1_000)])
    follower = ChainFollower(
        chain_config(suite, anvil_url),
        sessions,
        confirmations=0,
        batch_blocks=300,
        max_logs_per_range=50,
    )
    sizes = []
    while advanced := follower.step():
        sizes.append(advanced)
    assert sizes[0] == FIRST_RANGE_BLOCKS  # start small
    dense = next(i for i in range(len(sizes) - 1) if sizes[i + 1] < sizes[i])
    assert sizes[dense + 1] == sizes[dense] * 50 // 240  # in proportion to the 240 logs
    tail = sizes[dense + 1 : -1]  # the last range ends at the head, whatever its size
    assert all(b == min(2 * a, 300) for a, b in pairwise(tail))
    assert 300 in tail  # grown back to batch_blocks
    assert sum(sizes) == w3.eth.block_number - chain_config(suite, anvil_url).start_block + 1
    compared = assert_db_matches_chain(sessions, suite.dc, w3.eth.block_number)
    assert compared >= 240
