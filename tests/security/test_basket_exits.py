"""Basket NAV counts only live domains, and a holder can always leave in kind."""

from __future__ import annotations

import ape
import pytest

from tests.utils.basket import ERC20, ERC721, component
from tests.utils.constants import ETH, HOUR, MAX_AGE

NFT_ID = 9
PRICE_F, PRICE_NFT = ETH, 10 * ETH


@pytest.fixture
def basket(
    project,
    owner,
    oracle,
    reporter,
    factory,
    tracker,
    domain_token,
    registrar,
    fraction_token,
    alice,
    bob,
    chain,
):
    # factory and tracker first: session fixtures built later would reuse this address.
    basket_factory = project.DomainBasketFactory.deploy(owner, oracle, sender=owner)
    components = [
        component(ERC20, fraction_token.address, 0, 5_000),
        component(ERC721, domain_token.address, NFT_ID, 5_000),
    ]
    tx = basket_factory.createBasket("Mixed", "MIX", components, sender=owner)
    contract = project.DomainBasket.at(tx.decode_logs(basket_factory.BasketCreated)[0].basket)
    # The domain expires in two hours: well inside the oracle's one-day staleness bound.
    domain_token.mint(bob, NFT_ID, chain.pending_timestamp + 2 * HOUR, 1_001, sender=registrar)
    oracle.setFungiblePrice(fraction_token, PRICE_F, sender=reporter)
    oracle.setPrice(domain_token, NFT_ID, PRICE_NFT, sender=reporter)
    fraction_token.mint(alice, 100 * ETH, sender=owner)
    fraction_token.approve(contract, 2**256 - 1, sender=alice)
    contract.deposit(5 * ETH, 0, sender=alice)
    domain_token.approve(contract, NFT_ID, sender=bob)
    contract.depositNft(1, 0, sender=bob)
    return contract


def test_nav__domain_expired__excluded(basket, chain):
    fungible = basket.holdings()[0] * PRICE_F // ETH
    assert basket.totalValue() == fungible + PRICE_NFT
    chain.pending_timestamp += 3 * HOUR
    chain.mine()
    assert basket.totalValue() == fungible


def test_nav__domain_burned__excluded(basket, domain_token, registrar):
    fungible = basket.holdings()[0] * PRICE_F // ETH
    domain_token.burn(NFT_ID, sender=registrar)
    assert basket.totalValue() == fungible


def test_redeem_in_kind__after_bank_run__last_holder_takes_nft(
    basket, domain_token, fraction_token, owner, alice, bob
):
    # alice runs first and takes the fungible part at NAV; bob's shares stay valued at the
    # NFT, which `redeem` cannot pay and `redeemNft` cannot reach (locked shares are missing).
    basket.redeem(basket.balanceOf(alice), 0, sender=alice)
    basket.pause(sender=owner)  # and the creator stops redemptions
    shares = basket.balanceOf(bob)
    with ape.reverts(basket.EnforcedPause):
        basket.redeemNft(1, shares, sender=bob)
    basket.redeemInKind(shares, sender=bob)
    assert domain_token.ownerOf(NFT_ID) == bob
    assert basket.balanceOf(bob) == 0


def test_redeem_in_kind__paused__pays_pro_rata_fungible(basket, fraction_token, owner, alice):
    basket.pause(sender=owner)
    held, supply = basket.holdings()[0], basket.totalSupply()
    half = basket.balanceOf(alice) // 2
    before = fraction_token.balanceOf(alice)
    basket.redeemInKind(half, sender=alice)
    assert fraction_token.balanceOf(alice) - before == held * half // supply
    assert basket.holdings()[1] == 1  # not the last holder: the NFT stays


def test_redeem_in_kind__partial_holder__takes_pro_rata_claim_on_nft(basket, owner, bob):
    # bob holds part of the shares: he cannot take the NFT whole, so his pro-rata part of it
    # becomes his claim, out of the basket's NAV and out of reach of the remaining holders.
    basket.pause(sender=owner)
    supply, half = basket.totalSupply(), basket.balanceOf(bob) // 2
    basket.redeemInKind(half, sender=bob)
    units = ETH * half // supply
    assert units > 0
    assert basket.nftClaimOf(1, bob) == units
    assert basket.nftClaimed(1) == units
    assert basket.holdings()[1] == 1  # the NFT stays in the basket, partly claimed
    fungible = basket.holdings()[0] * PRICE_F // ETH
    assert basket.totalValue() == fungible + PRICE_NFT * (ETH - units) // ETH


def test_redeem_in_kind__every_holder_exits__claims_make_the_whole_nft(
    basket, domain_token, alice, bob, carol
):
    # alice leaves first (a part), bob last: their claims add up to the whole NFT, and
    # whoever gathers them all takes it out.
    basket.redeemInKind(basket.balanceOf(alice), sender=alice)
    basket.redeemInKind(basket.balanceOf(bob), sender=bob)
    alice_units, bob_units = basket.nftClaimOf(1, alice), basket.nftClaimOf(1, bob)
    assert alice_units > 0 and bob_units > 0
    assert alice_units + bob_units == ETH == basket.nftClaimed(1)
    assert domain_token.ownerOf(NFT_ID) == basket.address
    with ape.reverts(basket.BasketNftClaimNotWhole, index=1, units=bob_units):
        basket.withdrawNft(1, sender=bob)
    basket.transferNftClaim(1, carol, alice_units, sender=alice)
    basket.transferNftClaim(1, carol, bob_units, sender=bob)
    basket.withdrawNft(1, sender=carol)
    assert domain_token.ownerOf(NFT_ID) == carol
    assert basket.nftClaimed(1) == 0
    assert basket.holdings()[1] == 0


def test_redeem_nft__nft_partly_claimed__reverts(basket, alice, bob):
    basket.redeemInKind(basket.balanceOf(alice) // 2, sender=alice)
    units = basket.nftClaimed(1)
    with ape.reverts(basket.BasketNftPartlyClaimed, index=1, claimedUnits=units):
        basket.redeemNft(1, 2**256 - 1, sender=bob)


def test_redeem_in_kind__docs_example__claims_gathered_then_nft_withdrawn(
    basket, alice, bob, domain_token
):
    # The example of docs/contracts.md ("An exit always works, pro rata in kind"), verbatim.
    basket.redeemInKind(basket.balanceOf(alice), sender=alice)  # ERC-20s out, NFT claim in
    units = basket.nftClaimOf(1, alice)  # her units of the 10**18 that make the NFT
    basket.redeemInKind(basket.balanceOf(bob), sender=bob)  # last out: the rest, as a claim
    basket.transferNftClaim(1, bob, units, sender=alice)
    basket.withdrawNft(1, sender=bob)  # bob now holds all 10**18 units

    assert 0 < units < ETH
    assert domain_token.ownerOf(NFT_ID) == bob
    assert basket.nftClaimed(1) == 0
    assert basket.nftClaimOf(1, alice) == basket.nftClaimOf(1, bob) == 0


def test_redeem_in_kind__priced__emits_nav_of_what_stays(basket, alice):
    supply, shares = basket.totalSupply(), basket.balanceOf(alice) // 2
    tx = basket.redeemInKind(shares, sender=alice)
    [nav] = tx.decode_logs(basket.NavUpdated)
    # What stays: the tracked fungible holding and the basket's part of the live NFT.
    stays_scaled = basket.holdings()[0] * PRICE_F + PRICE_NFT * (ETH - basket.nftClaimed(1))
    assert basket.nftClaimed(1) > 0  # the NFT part that left counts no more
    assert (nav.totalValue, nav.totalSupply, nav.navPerShare) == (
        stays_scaled // ETH,
        supply - shares,
        stays_scaled // (supply - shares),
    )


def test_redeem_in_kind__stale_price__exits_without_nav(
    basket, oracle, fraction_token, alice, chain
):
    chain.pending_timestamp += 2 * MAX_AGE
    chain.mine()
    with ape.reverts(oracle.OraclePriceStale):
        basket.totalValue()  # no NAV exists to report
    held, supply, shares = basket.holdings()[0], basket.totalSupply(), basket.balanceOf(alice)
    before = fraction_token.balanceOf(alice)
    tx = basket.redeemInKind(shares, sender=alice)
    assert tx.decode_logs(basket.NavUpdated) == []
    assert len(tx.decode_logs(basket.RedeemedInKind)) == 1
    assert fraction_token.balanceOf(alice) - before == held * shares // supply
    assert basket.balanceOf(alice) == 0
