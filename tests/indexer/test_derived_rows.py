"""Derived rows (trades with expiries, P&L) are a function of the chain alone: the same
chain indexed with any range cuts, and replayed from any reorg point, gives the same
tables; a real reorg above a lapse rebuilds its expiry row. SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from domacross.db.models import Participant, Trade, User
from domacross.indexer import ChainFollower
from domacross.indexer.apply import rollback
from tests.utils.indexing import chain_config
from tests.utils.scenario import Suite, advance, chain_now, competition_params, deploy_suite

ETH = 10**18


def _competition(suite: Suite, hours: int = 2) -> str:
    dc = suite.dc
    start = chain_now(dc) + timedelta(seconds=30)
    created = dc.factory.create_competition(
        competition_params(suite, start, hours=hours, payout_bps=(10_000,))
    )
    return created.competition


def _scenario(url: str) -> tuple[Suite, int, dict[int, str]]:
    """p1 (competition A) and p2 (competition B) each mint a domain that lapses 30 minutes
    later, with blocks every 5 minutes around the lapse; B is cancelled an hour after the
    lapse. Returns the suite and the lapse time (unix s)."""
    suite = deploy_suite(url)
    dc = suite.dc
    p1, p2, _ = suite.players
    nft = dc.ownership_token()
    dc.oracle.set_price(suite.token, 201, 2 * ETH)
    dc.oracle.set_price(suite.token, 301, 5 * ETH)
    a, b = _competition(suite), _competition(suite)
    advance(dc, 31)
    dc.competition(a).join(sender=p1)
    dc.competition(b).join(sender=p2)
    lapse = chain_now(dc) + timedelta(minutes=30)
    nft.mint(p1.address, 201, lapse, 1001)
    nft.mint(p2.address, 301, lapse, 1001)
    snapshots: dict[int, str] = {}
    for _ in range(10):  # the lapse falls between two of these blocks
        advance(dc, 299)
        snapshots[dc.w3.eth.block_number] = dc.w3.provider.make_request("evm_snapshot", [])[
            "result"
        ]
    dc.oracle.set_price(suite.token, 201, 3 * ETH)
    advance(dc, 3_600)
    dc.competition(b).cancel()  # after the lapse: p2's expiry stands
    advance(dc, 60)
    return suite, int(lapse.timestamp()), snapshots


def _follower(suite: Suite, url: str, sessions) -> ChainFollower:
    return ChainFollower(chain_config(suite, url), sessions, confirmations=0, batch_blocks=10_000)


def _tables(sessions) -> tuple[list[tuple[object, ...]], dict[str, tuple[int, int]]]:
    with sessions() as session:
        trades = sorted(
            session.execute(
                select(
                    Trade.wallet,
                    Trade.kind,
                    Trade.token_id,
                    Trade.block_number,
                    Trade.tx_hash,
                    Trade.log_index,
                    Trade.price,
                )
            ).all(),
            key=repr,
        )
        pnl = {
            wallet: (realised, unrealised)
            for wallet, realised, unrealised in session.execute(
                select(User.wallet_address, Participant.realised_pnl, Participant.unrealised_pnl)
                .join(User, User.id == Participant.user_id)
                .order_by(Participant.id)
            )
        }
    return [tuple(t) for t in trades], pnl


def _index_with_random_cuts(follower: ChainFollower, rng: random.Random) -> None:
    while True:
        size = rng.choice([1, 2, 3, 5, 8, 13])
        follower.batch_blocks = follower.max_batch_blocks = size
        if not follower.step():
            return


def test_expiry_rows__same_for_any_range_cuts_and_replay_points(anvil_url, sessions):
    suite, lapse, _ = _scenario(anvil_url)
    w3 = suite.dc.w3
    p1, p2 = suite.players[0].address, suite.players[1].address
    follower = _follower(suite, anvil_url, sessions)
    follower.backfill()  # the whole chain as one range
    whole = _tables(sessions)
    # The expiry's block is the first block at or after the lapse, whatever the cuts.
    first_after = next(
        n for n in range(w3.eth.block_number + 1) if int(w3.eth.get_block(n)["timestamp"]) >= lapse
    )
    expiries = {(t[0], t[2], t[3]) for t in whole[0] if t[1] == "expiry"}
    assert expiries == {(p1, 201, first_after), (p2, 301, first_after)}
    assert whole[1][p1] == (-2 * ETH, 0) and whole[1][p2] == (-5 * ETH, 0)
    rng = random.Random(23)
    start = follower.config.start_block
    for _ in range(3):
        with follower.sessions.begin() as session:  # from scratch, then from a reorg point
            rollback(session, follower.chain_id, start - 1)
            follower._save_checkpoint(session, start - 1)
        follower.applier.forget()
        _index_with_random_cuts(follower, rng)
        assert _tables(sessions) == whole
        point = rng.randrange(start, w3.eth.block_number)
        with follower.sessions.begin() as session:
            rollback(session, follower.chain_id, point)
            follower._save_checkpoint(session, point)
        follower.applier.forget()
        _index_with_random_cuts(follower, rng)
        assert _tables(sessions) == whole, f"replayed from block {point}"


def test_reorg_above_a_lapse__expiry_row_rebuilt(anvil_url, sessions):
    suite, _, snapshots = _scenario(anvil_url)
    w3 = suite.dc.w3
    p1 = suite.players[0].address
    follower = _follower(suite, anvil_url, sessions)
    follower.backfill()
    before = _tables(sessions)
    lapse_block = next(t[3] for t in before[0] if t[1] == "expiry" and t[0] == p1)
    # A reorg that replaces the lapse block and everything above it with other blocks.
    w3.provider.make_request("evm_revert", [snapshots[lapse_block - 1]])  # type: ignore[arg-type]
    for signer in (suite.admin, *suite.players):
        suite.dc.sender.nonces.forget(signer.address)
    for _ in range(8):
        advance(suite.dc, 97)
    advance(suite.dc, 3_600)
    follower.backfill()
    after = _tables(sessions)
    expiries = {(t[0], t[2]) for t in after[0] if t[1] == "expiry"}
    assert (p1, 201) in expiries
    assert after[1][p1] == (-2 * ETH, 0)  # the buyer's realised P&L: the lapse, not 0
    # Identical to indexing the reorganised chain from scratch.
    start = follower.config.start_block
    with follower.sessions.begin() as session:
        rollback(session, follower.chain_id, start - 1)
        follower._save_checkpoint(session, start - 1)
    follower.applier.forget()
    follower.backfill()
    assert _tables(sessions) == after
