"""The basket wrappers over Ape's embedded chain: create, deposit, redeem, whole NFTs, errors,
and basket shares valued by the tracker through the SDK."""

from __future__ import annotations

import pytest

from domacross_sdk import (
    Addresses,
    AssetKind,
    ComponentKind,
    DomaCross,
    Holding,
    contract_errors,
)
from domacross_sdk.contracts.basket import component
from domacross_sdk.errors import BasketError
from tests.sdk.conftest import signer_of
from tests.utils.constants import DAY, ETH, FEE

NFT_ID = 42


@pytest.fixture
def basket_dc(chain, project, oracle, factory, domain_token, fraction_token, owner, updater):
    basket_factory = project.DomainBasketFactory.deploy(owner, oracle, sender=owner)
    # A tracker of its own: the session's one must keep no basket factory (set once).
    tracker = project.PortfolioTracker.deploy(owner, oracle, sender=owner)
    tracker.grantRole(tracker.UPDATER_ROLE(), updater, sender=owner)
    tracker.setFactory(factory, sender=owner)
    tracker.setBasketFactory(basket_factory, sender=owner)
    addresses = Addresses(
        oracle=oracle.address,
        tracker=tracker.address,
        factory=factory.address,
        ownership_token=domain_token.address,
        fraction_token=fraction_token.address,
        basket_factory=basket_factory.address,
    )
    return DomaCross.from_web3(chain.provider.web3, addresses=addresses, signer=signer_of(owner))


@pytest.fixture
def basket(
    basket_dc, oracle, reporter, registrar, domain_token, fraction_token, owner, alice, chain
):
    """An 80/20 fraction/NFT basket; Alice holds 10 fractions (1 ETH each) and the NFT (2 ETH)."""
    domain_token.mint(alice, NFT_ID, chain.pending_timestamp + 365 * DAY, 1_001, sender=registrar)
    fraction_token.mint(alice, 10 * ETH, sender=owner)
    oracle.setFungiblePrice(fraction_token, ETH, sender=reporter)
    oracle.setPrice(domain_token, NFT_ID, 2 * ETH, sender=reporter)
    created = basket_dc.basket_factory.create_basket(
        "Blue chips",
        "BLUE",
        [
            component(ComponentKind.ERC20, fraction_token.address, 8_000),
            component(ComponentKind.ERC721, domain_token.address, 2_000, NFT_ID),
        ],
    )
    assert (created.owner, created.index) == (owner.address, 0)
    assert list(basket_dc.basket_factory.all_baskets()) == [created.basket]
    return basket_dc.basket(created.basket)


def test_basket__deposit_redeem_round_trip__typed_results(basket, alice, fraction_token):
    as_alice = signer_of(alice)
    deposit = basket.deposit(4 * ETH, 4 * ETH - 1_000, approve=True, sender=as_alice)
    assert (deposit.account, deposit.value, deposit.shares) == (
        alice.address,
        4 * ETH,
        4 * ETH - 1_000,
    )
    assert deposit.amounts == (4 * ETH, 0)
    assert basket.nav_per_share() == ETH and basket.total_value() == 4 * ETH
    redemption = basket.redeem(ETH, ETH, sender=as_alice)
    assert (redemption.shares, redemption.value, redemption.amounts) == (ETH, ETH, (ETH, 0))
    assert fraction_token.balanceOf(alice) == 7 * ETH


def test_basket__whole_nft_in_and_out(basket_dc, basket, alice, domain_token):
    as_alice = signer_of(alice)
    basket.deposit(4 * ETH, approve=True, sender=as_alice)
    # NOTE: the SDK keeps its own nonces: approve through it, not through Ape, from here on.
    basket_dc.ownership_token().approve(basket.address, NFT_ID, sender=as_alice)
    nft_in = basket.deposit_nft(1, sender=as_alice)
    assert (nft_in.value, nft_in.shares, nft_in.amounts) == (2 * ETH, 2 * ETH, (0, 1))
    nft_out = basket.redeem_nft(1, sender=as_alice)
    assert (nft_out.value, nft_out.shares, nft_out.amounts) == (2 * ETH, 2 * ETH, (0, 1))
    assert domain_token.ownerOf(NFT_ID) == alice.address


def test_basket__redeem_beyond_fungible_part__typed_error(basket, alice, domain_token):
    as_alice = signer_of(alice)
    domain_token.approve(basket.address, NFT_ID, sender=alice)
    basket.deposit_nft(1, sender=as_alice)
    basket.deposit(ETH, approve=True, sender=as_alice)
    with pytest.raises(contract_errors.BasketInsufficientFungibleValue) as info:
        basket.redeem(basket.balance_of(alice.address), sender=as_alice)
    assert isinstance(info.value, BasketError)
    assert info.value.available_scaled == ETH * ETH


def test_basket__invalid_weights__rejected_before_sending(basket_dc, fraction_token):
    with pytest.raises(ValueError, match="9000 bps"):
        basket_dc.basket_factory.create_basket(
            "x", "X", [component(ComponentKind.ERC20, fraction_token.address, 9_000)]
        )


def test_tracker__basket_holding__valued_at_nav(
    basket_dc, basket, alice, updater, make_competition, chain
):
    basket.deposit(4 * ETH, approve=True, sender=signer_of(alice))
    competition = make_competition()
    chain.pending_timestamp = competition.config().startTime
    competition.join(value=FEE, sender=alice)
    shares = basket.balance_of(alice.address)
    valued = basket_dc.tracker.update_portfolio_value(
        competition.address,
        alice.address,
        [Holding(kind=AssetKind.BASKET, token=basket.address, token_id=0, amount=shares)],
        sender=signer_of(updater),
    )
    assert valued.value == basket.value_of_shares(shares) == shares
