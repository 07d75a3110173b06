"""Baskets in the index: tables equal the chain after backfill, re-apply and a reorg,
on real anvil nodes into real SQLite and PostgreSQL databases."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from domacross.api.main import create_app
from domacross.api.security import generate_private_key_pem
from domacross.db.basket_models import BasketHolding, BasketItem, BasketNav, DomainBasket
from domacross.db.models import ChainOffset, User
from domacross.indexer import ChainFollower
from domacross.settings import Settings
from domacross_sdk import DomaCross
from domacross_sdk import events as ev
from tests.indexer.check import assert_db_matches_chain, chain_events
from tests.utils.basket_scenario import deploy_baskets, run_basket
from tests.utils.indexing import chain_config
from tests.utils.scenario import advance, deploy_suite


def follower(suite, dc: DomaCross, url, sessions, batch_blocks=4) -> ChainFollower:
    config = chain_config(
        suite,
        url,
        name="baskets",
        basket_factory=dc.addresses.basket_factory,
        # As `domacross index` does from the record: the domain tokens' transfers are trades.
        domain_tokens=tuple(
            a for a in (dc.addresses.ownership_token, dc.addresses.fraction_token) if a
        ),
    )
    return ChainFollower(config, sessions, confirmations=0, batch_blocks=batch_blocks)


def assert_baskets_match_chain(sessions, dc: DomaCross, to_block: int) -> int:
    """Every basket's row, items, NAV history and holdings equal the chain's; returns the
    number of baskets compared."""
    events = chain_events(dc, to_block)
    baskets = list(dc.basket_factory.all_baskets())
    with sessions() as session:
        stored = {b.basket_token_address: b for b in session.scalars(select(DomainBasket))}
        assert set(stored) == set(baskets)
        for address in baskets:
            basket, row = dc.basket(address), stored[address]
            assert (row.name, row.symbol) == (basket.name(), basket.symbol())
            assert row.total_supply == basket.total_supply(block=to_block)
            assert row.nav_per_share == basket.nav_per_share(block=to_block)
            assert row.total_value == basket.total_value(block=to_block)
            items = session.scalars(
                select(BasketItem)
                .where(BasketItem.basket_id == row.id)
                .order_by(BasketItem.position)
            ).all()
            on_chain = basket.components(block=to_block)
            assert [(i.domain_token_address, i.domain_token_id, i.weight) for i in items] == [
                (c.token, c.token_id, c.weight_bps) for c in on_chain
            ]
            navs = [e for e in events if isinstance(e, ev.NavUpdated) and e.meta.address == address]
            assert session.scalar(
                select(func.count()).select_from(BasketNav).where(BasketNav.basket_id == row.id)
            ) == len(navs)
            holders = {
                w
                for e in events
                if isinstance(e, ev.FractionTransfer) and e.meta.address == address
                for w in (e.from_, e.to)
            } - {"0x" + "00" * 20, address}
            held = dict(
                session.execute(
                    select(User.wallet_address, BasketHolding.balance)
                    .join(User, User.id == BasketHolding.user_id)
                    .where(BasketHolding.basket_id == row.id)
                ).all()
            )
            assert held == {w: basket.balance_of(w, block=to_block) for w in holders}
            assert any(held.values())  # the comparison is not between empty books
    return len(baskets)


def assert_api_matches_chain(dc: DomaCross, start_block: int, database_url: str) -> None:
    """The API over the indexed database shows each holder's shares and value as the chain."""
    settings = Settings(
        database_url=database_url,
        jwt_private_key=generate_private_key_pem().decode(),
        rate_limit_enabled=False,
    )
    [address] = dc.basket_factory.all_baskets()
    basket = dc.basket(address)
    with TestClient(create_app(settings)) as client:
        listed = client.get("/api/v1/baskets").json()["data"]
        assert [b["basket_token_address"] for b in listed] == [address]
        detail = client.get(f"/api/v1/baskets/{listed[0]['id']}").json()
        navs = [e for e in chain_events(dc, dc.w3.eth.block_number) if isinstance(e, ev.NavUpdated)]
        assert [p["nav_per_share"] for p in detail["nav_history"]] == [
            str(e.nav_per_share) for e in navs
        ]
        for holder in {
            e.to
            for e in chain_events(dc, dc.w3.eth.block_number)
            if isinstance(e, ev.FractionTransfer)
        }:
            if holder in (address, "0x" + "00" * 20):
                continue  # the locked liquidity, and burns
            body = client.get(f"/api/v1/users/{holder}/baskets").json()
            shares = basket.balance_of(holder)
            expected = (
                [(address, str(shares), str(basket.value_of_shares(shares)))] if shares else []
            )
            assert [
                (d["basket"]["basket_token_address"], d["balance"], d["value"])
                for d in body["data"]
            ] == expected


def test_backfill__baskets_equal_chain__and_reapply_changes_nothing(
    anvil_url, sessions, database_url
):
    suite = deploy_suite(anvil_url)
    dc = deploy_baskets(suite)
    run_basket(suite, dc)
    f = follower(suite, dc, anvil_url, sessions)
    f.backfill()
    head = dc.w3.eth.block_number
    assert_db_matches_chain(sessions, dc, head)
    assert assert_baskets_match_chain(sessions, dc, head) == 1
    assert_api_matches_chain(dc, f.config.start_block, database_url)
    # Re-apply everything from the start: history is not duplicated, state is the same.
    with sessions.begin() as session:
        session.execute(update(ChainOffset).values(last_block_number=f.config.start_block - 1))
    follower(suite, dc, anvil_url, sessions, batch_blocks=50).backfill()
    assert_db_matches_chain(sessions, dc, head)
    assert_baskets_match_chain(sessions, dc, head)


def test_reorg__basket_rows_rolled_back_and_rebuilt(anvil_url, sessions):
    suite = deploy_suite(anvil_url)
    dc = deploy_baskets(suite)
    w3 = dc.w3
    run_basket(suite, dc, token_id=900)
    f = follower(suite, dc, anvil_url, sessions)
    f.backfill()
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]
    # Branch A: a second basket, and more activity on the first, indexed then abandoned.
    first = dc.basket(next(iter(dc.basket_factory.all_baskets())))
    first.reweight([5_000, 5_000])
    first.transfer(suite.players[2].address, 10**17, sender=suite.players[0])
    run_basket(suite, dc, token_id=901)
    f.backfill()
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(DomainBasket)) == 2
    w3.provider.make_request("evm_revert", [snapshot])
    for signer in (suite.admin, *suite.players):
        dc.sender.nonces.forget(signer.address)
    # Branch B: a longer chain with other activity.
    advance(dc, 7)
    first.deposit(10**18, approve=True, sender=suite.players[1])
    for _ in range(12):
        advance(dc, 1)
    f.backfill()
    head = w3.eth.block_number
    assert_db_matches_chain(sessions, dc, head)
    assert assert_baskets_match_chain(sessions, dc, head) == 1
