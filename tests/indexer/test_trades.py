"""Trades from a real chain (anvil) into real SQLite and PostgreSQL: the `trades` table
equals exactly the transfers and marketplace sales that were sent, and the precomputed P&L
follows the definitions of `domacross.pnl`, also after a rollback."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, timedelta

import pytest
from sqlalchemy import select
from web3 import Web3

from domacross.db.models import Participant, Trade, User
from domacross.indexer import ChainFollower
from domacross.indexer.apply import rollback
from domacross_sdk import LocalSigner
from domacross_sdk.generated.bindings import DomainMarketplaceBinding
from tests.utils.anvil import ANVIL_KEYS
from tests.utils.indexing import chain_config
from tests.utils.scenario import Suite, advance, chain_now, competition_params, deploy_suite

ETH = 10**18
ZERO = "0x0000000000000000000000000000000000000000"


@dataclass
class Sent:
    """What the scenario sent, and where the rollback test cuts it."""

    suite: Suite
    fraction: str
    market: str
    expected: set[tuple[object, ...]]
    cut_block: int


def _scenario(url: str) -> Sent:
    suite = deploy_suite(url)
    dc, admin = suite.dc, suite.admin
    p1, p2, p3 = suite.players
    outsider = LocalSigner.from_key(ANVIL_KEYS[4])
    fraction = dc.deploy("DomainFractionToken", admin.address, "fraction", "FRAC")
    market_address = dc.deploy("DomainMarketplace")
    market = DomainMarketplaceBinding(dc.w3, dc.sender, market_address, admin)
    nft, frac = dc.ownership_token(), dc.fraction_token(fraction)
    frac.grant_role(frac.minter_role(), admin.address)
    expiry = chain_now(dc) + timedelta(days=365)
    # Before the competition: holdings and prices, none of them trades.
    nft.mint(p1.address, 101, expiry, 1001)
    nft.mint(p1.address, 102, expiry, 1001)  # never priced: "unknown"
    frac.mint(p1.address, 10 * ETH)
    dc.oracle.set_price(suite.token, 101, 2 * ETH)
    dc.oracle.set_price(suite.token, 104, 1 * ETH)
    dc.oracle.set_fungible_price(fraction, 4 * ETH)  # per 1e18 base units
    start = chain_now(dc) + timedelta(seconds=30)
    created = dc.factory.create_competition(competition_params(suite, start))
    competition = dc.competition(created.competition)
    advance(dc, 31)
    competition.join(sender=p1)
    competition.join(sender=p2)
    a, b, c, o = p1.address, p2.address, p3.address, outsider.address
    tok = suite.token
    expected: set[tuple[object, ...]] = set()

    def add(*row: object) -> None:
        expected.add(row)

    # 1. A marketplace sale of an ERC-721: sell and buy at the sale price.
    nft.approve(market_address, 101, sender=p1)
    market.list_erc721(tok, 101, 5 * ETH, sender=p1)
    market.buy(1, value=5 * ETH, sender=p2)
    add(a, "sell", tok, 101, 1, b, 5 * ETH, "sale", 1)
    add(b, "buy", tok, 101, 1, a, 5 * ETH, "sale", 1)
    # 2. A plain transfer to a non-participant, at the oracle price as of that block.
    dc.oracle.set_price(tok, 101, 6 * ETH)
    nft.transfer_from(b, o, 101, sender=p2)
    add(b, "transfer_out", tok, 101, 1, o, 6 * ETH, "oracle", None)
    # 3. Between entrants, never priced: both sides, "unknown".
    nft.transfer_from(a, b, 102, sender=p1)
    add(a, "transfer_out", tok, 102, 1, b, None, "unknown", None)
    add(b, "transfer_in", tok, 102, 1, a, None, "unknown", None)
    # 4. A mint to an entrant.
    nft.mint(a, 104, expiry, 1001)
    add(a, "mint", tok, 104, 1, ZERO, 1 * ETH, "oracle", None)
    cut_block = dc.w3.eth.block_number  # the rollback test keeps up to here
    # 5. A marketplace sale of fractions.
    frac.approve(market_address, 3 * ETH, sender=p1)
    market.list_erc20(fraction, 3 * ETH, 1 * ETH, sender=p1)
    market.buy(2, value=1 * ETH, sender=p2)
    add(a, "sell", fraction, 0, 3 * ETH, b, 1 * ETH, "sale", 2)
    add(b, "buy", fraction, 0, 3 * ETH, a, 1 * ETH, "sale", 2)
    # 6. To p3, who has not joined yet: a trade of p1 only.
    frac.transfer(c, 1 * ETH, sender=p1)
    add(a, "transfer_out", fraction, 0, 1 * ETH, c, 4 * ETH, "oracle", None)
    competition.join(sender=p3)
    frac.transfer(o, ETH // 2, sender=p3)
    add(c, "transfer_out", fraction, 0, ETH // 2, o, 2 * ETH, "oracle", None)
    frac.transfer(c, 0, sender=p1)  # moves nothing: no trade
    # 7. A burn, and a transfer in from outside.
    nft.burn(104)
    add(a, "burn", tok, 104, 1, ZERO, 1 * ETH, "oracle", None)
    nft.transfer_from(o, c, 101, sender=outsider)
    add(c, "transfer_in", tok, 101, 1, o, 6 * ETH, "oracle", None)
    dc.oracle.set_price(tok, 101, 66 * ETH // 10)  # p3's holding gains 0.6 ETH
    # 8. After the end: neither a trade nor a price that counts.
    advance(dc, 3 * 3_600)
    nft.transfer_from(c, b, 101, sender=p3)
    dc.oracle.set_price(tok, 101, 9 * ETH)
    return Sent(suite, fraction, market_address, expected, cut_block)


def _follower(sent: Sent, url: str, sessions, batch_blocks: int) -> ChainFollower:
    config = chain_config(
        sent.suite,
        url,
        domain_tokens=(sent.suite.token, Web3.to_checksum_address(sent.fraction)),
        marketplace=Web3.to_checksum_address(sent.market),
    )
    return ChainFollower(config, sessions, confirmations=0, batch_blocks=batch_blocks)


def _trades(sessions) -> list[tuple[object, ...]]:
    with sessions() as session:
        return [
            (
                t.wallet,
                t.kind,
                t.token,
                t.token_id,
                t.amount,
                t.counterparty,
                t.price,
                t.price_source,
                t.listing_id,
            )
            for t in session.scalars(select(Trade))
        ]


def _pnl(sessions) -> dict[str, tuple[int, int]]:
    with sessions() as session:
        rows = session.execute(
            select(User.wallet_address, Participant.realised_pnl, Participant.unrealised_pnl).join(
                User, User.id == Participant.user_id
            )
        )
        return {wallet: (realised, unrealised) for wallet, realised, unrealised in rows}


def test_trades__indexed__equal_the_transfers_and_sales_sent(anvil_url, sessions):
    sent = _scenario(anvil_url)
    a, b, c = (p.address for p in sent.suite.players)
    # One block per range: p3's repricing (step 7) refreshes a P&L written by an earlier range.
    _follower(sent, anvil_url, sessions, batch_blocks=1).backfill()
    rows = _trades(sessions)
    assert len(rows) == len(set(rows)) == len(sent.expected) == 12
    assert set(rows) == sent.expected
    # P&L (average cost; see domacross/pnl.py): p2 bought #101 for 5 and it left at 6 (+1);
    # its 3e18 fractions cost 1 and are worth 12 at the last price before the end (+11).
    # p1 only disposed of what it held before joining (opening inventory: 0), and its mint
    # of #104 at 1 was burned at 1. p3's #101 came in at 6 and was worth 6.6 at the end.
    assert _pnl(sessions) == {a: (0, 0), b: (ETH, 11 * ETH), c: (0, 6 * ETH // 10)}


def test_trades__replayed_and_rolled_back__same_rows_and_pnl(anvil_url, sessions):
    sent = _scenario(anvil_url)
    b = sent.suite.players[1].address
    _follower(sent, anvil_url, sessions, batch_blocks=1_000).backfill()
    before_rows, before_pnl = sorted(_trades(sessions), key=repr), _pnl(sessions)
    # Undo everything after the cut, as a reorg would: trades go, P&L is rebuilt.
    with sessions.begin() as session:
        rollback(session, sent.suite.dc.chain_id, sent.cut_block)
    kept = _trades(sessions)
    assert 0 < len(kept) < len(before_rows)
    assert {r[1] for r in kept} == {"sell", "buy", "transfer_out", "transfer_in", "mint"}
    assert _pnl(sessions)[b] == (ETH, 0)  # the fractions are not bought yet
    # A follower from the cut (as after a reorg) and a full replay add nothing twice.
    follower = _follower(sent, anvil_url, sessions, batch_blocks=3)
    with sessions.begin() as session:
        follower._save_checkpoint(session, sent.cut_block)
    follower.backfill()
    assert sorted(_trades(sessions), key=repr) == before_rows
    assert _pnl(sessions) == before_pnl
    with sessions.begin() as session:
        follower._save_checkpoint(session, sent.cut_block - 20)
    follower.backfill()
    assert sorted(_trades(sessions), key=repr) == before_rows
    assert _pnl(sessions) == before_pnl


def _expiry_scenario(url: str) -> tuple[Suite, int, object]:
    """p1 mints two domains during a live competition, each expiring in 30 minutes; one is
    renewed in time, the other lapses while the competition runs. A non-entrant's domain
    lapses too. Returns the suite, the lapsed domain's expiry (unix s) and its setter."""
    suite = deploy_suite(url)
    dc = suite.dc
    p1, p2, _ = suite.players
    nft = dc.ownership_token()
    dc.oracle.set_price(suite.token, 201, 2 * ETH)
    dc.oracle.set_price(suite.token, 202, 3 * ETH)
    start = chain_now(dc) + timedelta(seconds=30)
    created = dc.factory.create_competition(competition_params(suite, start, payout_bps=(10_000,)))
    advance(dc, 31)
    dc.competition(created.competition).join(sender=p1)
    lapse = chain_now(dc) + timedelta(minutes=30)
    setter = nft.mint(p1.address, 201, lapse, 1001)
    nft.mint(p1.address, 202, lapse, 1001)
    nft.mint(p2.address, 203, lapse, 1001)  # p2 never joined: no trades, no expiry row
    advance(dc, 60)
    nft.renew(202, lapse + timedelta(days=365))  # renewed before it lapsed: no expiry row
    advance(dc, 3_600)  # past the lapse, before the end
    return suite, int(lapse.timestamp()), setter


def _expiry_follower(suite: Suite, url: str, sessions, batch_blocks: int) -> ChainFollower:
    return ChainFollower(
        chain_config(suite, url), sessions, confirmations=0, batch_blocks=batch_blocks
    )


@pytest.mark.parametrize("batch_blocks", [1, 1_000])
def test_trades__domain_lapses_while_held__expiry_row_realises_minus_its_cost(
    anvil_url, sessions, batch_blocks
):
    suite, lapse, _ = _expiry_scenario(anvil_url)
    p1 = suite.players[0].address
    tok = suite.token
    _expiry_follower(suite, anvil_url, sessions, batch_blocks).backfill()
    rows = _trades(sessions)
    assert sorted(rows, key=repr) == sorted(
        [
            (p1, "mint", tok, 201, 1, ZERO, 2 * ETH, "oracle", None),
            (p1, "mint", tok, 202, 1, ZERO, 3 * ETH, "oracle", None),
            (p1, "expiry", tok, 201, 1, ZERO, 0, "expiry", None),
        ],
        key=repr,
    )
    with sessions() as session:
        expiry = session.scalars(select(Trade).where(Trade.kind == "expiry")).one()
        assert int(expiry.timestamp.replace(tzinfo=UTC).timestamp()) == lapse
    # #201 cost 2 and lapsed (-2 realised); #202 is held at its cost (3 at 3).
    assert _pnl(sessions)[p1] == (-2 * ETH, 0)
    # Indexing the same chain again adds nothing (the expiry's key is its setter's log).
    follower = _expiry_follower(suite, anvil_url, sessions, 7)
    with sessions.begin() as session:
        follower._save_checkpoint(session, follower.config.start_block - 1)
    follower.backfill()
    assert sorted(_trades(sessions), key=repr) == sorted(rows, key=repr)
