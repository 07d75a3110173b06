"""Claims on a basket's NFT in the index: every credit, transfer and withdrawal, and each
wallet's units equal to the chain's `nftClaimOf`, after backfill and after a rollback."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from domacross.db.basket_models import BasketNftClaim
from domacross.indexer.apply import rollback
from domacross.indexer.projections.basket_claims import claim_units
from domacross_sdk import ComponentKind
from domacross_sdk import events as ev
from domacross_sdk.contracts.basket import component
from tests.indexer.check import chain_events
from tests.indexer.test_baskets import follower
from tests.utils.basket_scenario import ETH, deploy_baskets
from tests.utils.scenario import chain_now, deploy_suite

CLAIM_EVENTS = (ev.NftClaimCredited, ev.NftClaimTransferred, ev.NftWithdrawn)


def _claims(sessions) -> list[BasketNftClaim]:
    with sessions() as session:
        rows = session.scalars(
            select(BasketNftClaim).order_by(BasketNftClaim.block_number, BasketNftClaim.log_index)
        ).all()
        session.expunge_all()
        return list(rows)


def test_nft_claims__credited_moved_withdrawn__rows_and_units_equal_chain(anvil_url, sessions):
    suite = deploy_suite(anvil_url)
    dc = deploy_baskets(suite)
    alice, bob, carol = suite.players
    nft = dc.ownership_token()
    nft.mint(alice.address, 77, chain_now(dc) + timedelta(days=365), 1001)
    dc.oracle.set_price(suite.token, 77, 2 * ETH)
    created = dc.basket_factory.create_basket(
        "Claims",
        "CLM",
        [
            component(ComponentKind.ERC20, dc.addresses.fraction_token or "", 7_000),
            component(ComponentKind.ERC721, suite.token, 3_000, 77),
        ],
    )
    basket = dc.basket(created.basket)
    basket.deposit(5 * ETH, approve=True, sender=alice)
    nft.approve(basket.address, 77, sender=alice)
    basket.deposit_nft(1, sender=alice)
    basket.deposit(3 * ETH, approve=True, sender=bob)
    basket.redeem_in_kind(basket.balance_of(alice.address), sender=alice)
    cut = dc.w3.eth.block_number  # the rollback below keeps up to here: alice's credit
    basket.redeem_in_kind(basket.balance_of(bob.address), sender=bob)
    for holder in (alice, bob):
        units = basket.nft_claim_of(1, holder.address)
        basket.transfer_nft_claim(1, carol.address, units, sender=holder)
    basket.withdraw_nft(1, sender=carol)
    assert nft.owner_of(77) == carol.address

    f = follower(suite, dc, anvil_url, sessions)
    f.backfill()
    head = dc.w3.eth.block_number
    on_chain = [e for e in chain_events(dc, head) if isinstance(e, CLAIM_EVENTS)]
    rows = _claims(sessions)
    assert [(r.block_number, r.log_index) for r in rows] == [
        (e.meta.block_number, e.meta.log_index) for e in on_chain
    ]
    assert {r.kind for r in rows} == {"credited", "transferred", "withdrawn"}
    wallets = (alice.address, bob.address, carol.address)
    assert all(basket.nft_claim_of(1, w) == 0 for w in wallets)  # carol spent them all
    assert all(claim_units(rows, w) == {} for w in wallets)

    with sessions.begin() as session:
        rollback(session, f.chain_id, cut)
    f.applier.forget()
    kept = _claims(sessions)
    assert [r.kind for r in kept] == ["credited"]
    assert claim_units(kept, alice.address) == {1: basket.nft_claim_of(1, alice.address, block=cut)}
    with sessions.begin() as session:
        f._save_checkpoint(session, cut)
    f.backfill()
    assert [(r.tx_hash, r.log_index, r.kind) for r in _claims(sessions)] == [
        (r.tx_hash, r.log_index, r.kind) for r in rows
    ]
