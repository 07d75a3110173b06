"""A marketplace listing dies with the seller's hold on the token; marketplace and tracker pause."""

from __future__ import annotations

import ape
import pytest

from tests.utils.constants import DAY, ETH

TOKEN_ID = 7


@pytest.fixture
def market(project, owner):
    return project.DomainMarketplace.deploy(sender=owner)


@pytest.fixture
def listed(market, domain_token, registrar, alice, chain):
    """alice lists token 7 for 1 ETH, with an approval for all left standing."""
    expiry = chain.pending_timestamp + 365 * DAY
    domain_token.mint(alice, TOKEN_ID, expiry, 1_001, sender=registrar)
    domain_token.setApprovalForAll(market, True, sender=alice)
    domain_token.approve(market, TOKEN_ID, sender=alice)
    tx = market.listERC721(domain_token, TOKEN_ID, ETH, sender=alice)
    return tx.decode_logs(market.Listed)[0].listingId


def test_buy__token_left_and_came_back__old_listing_dead(
    market, domain_token, listed, alice, bob, stranger
):
    # The domain leaves alice and she buys it back; her old 1 ETH listing must not sell it.
    domain_token.transferFrom(alice, bob, TOKEN_ID, sender=alice)
    domain_token.transferFrom(bob, alice, TOKEN_ID, sender=bob)
    with ape.reverts(market.MarketplaceListingNotActive, listingId=listed):
        market.buy(listed, value=ETH, sender=stranger)
    assert domain_token.ownerOf(TOKEN_ID) == alice
    assert not market.isLive(listed)


@pytest.fixture
def elsewhere(project, owner):
    """Another marketplace, where the domain changes hands outside ours."""
    return project.DomainMarketplace.deploy(sender=owner)


def test_buy__token_bought_back_and_reapproved__old_listing_dead(
    market, elsewhere, domain_token, listed, alice, bob, stranger
):
    # alice sells the domain elsewhere, buys it back there for 10 ETH and approves our
    # marketplace again to relist it: her old 1 ETH listing must not sell it to a watcher.
    domain_token.transferFrom(alice, bob, TOKEN_ID, sender=alice)
    domain_token.approve(elsewhere, TOKEN_ID, sender=bob)
    tx = elsewhere.listERC721(domain_token, TOKEN_ID, 10 * ETH, sender=bob)
    elsewhere.buy(tx.decode_logs(elsewhere.Listed)[0].listingId, value=10 * ETH, sender=alice)
    domain_token.approve(market, TOKEN_ID, sender=alice)
    assert not market.isLive(listed)
    with ape.reverts(market.MarketplaceListingNotActive, listingId=listed):
        market.buy(listed, value=ETH, sender=stranger)
    assert domain_token.ownerOf(TOKEN_ID) == alice
    relisted = market.listERC721(domain_token, TOKEN_ID, 10 * ETH, sender=alice)
    assert market.isLive(relisted.decode_logs(market.Listed)[0].listingId)


@pytest.fixture
def fractions_listed(market, fraction_token, owner, alice):
    """alice lists 100 fractions for 1 ETH, with an unlimited allowance left standing."""
    fraction_token.mint(alice, 100 * ETH, sender=owner)
    fraction_token.approve(market, 2**256 - 1, sender=alice)
    tx = market.listERC20(fraction_token, 100 * ETH, ETH, sender=alice)
    return tx.decode_logs(market.Listed)[0].listingId


def test_buy__fractions_bought_back__old_listing_dead(
    market, elsewhere, fraction_token, fractions_listed, alice, bob, stranger
):
    # The same round trip with a fractional token: the fractions leave alice, she buys them
    # back for 10 ETH elsewhere, and her old 1 ETH listing must not sell them.
    fraction_token.transfer(bob, 100 * ETH, sender=alice)
    fraction_token.approve(elsewhere, 100 * ETH, sender=bob)
    tx = elsewhere.listERC20(fraction_token, 100 * ETH, 10 * ETH, sender=bob)
    elsewhere.buy(tx.decode_logs(elsewhere.Listed)[0].listingId, value=10 * ETH, sender=alice)
    assert not market.isLive(fractions_listed)
    with ape.reverts(market.MarketplaceListingNotActive, listingId=fractions_listed):
        market.buy(fractions_listed, value=ETH, sender=stranger)
    assert fraction_token.balanceOf(alice) == 100 * ETH
    relisted = market.listERC20(fraction_token, 100 * ETH, 10 * ETH, sender=alice)
    assert market.isLive(relisted.decode_logs(market.Listed)[0].listingId)


def test_buy__fractions_in_two_listings__sale_of_one_keeps_the_other_live(
    market, fraction_token, fractions_listed, owner, alice, bob, stranger
):
    # A sale through this marketplace is no departure: alice's other listing stays live.
    fraction_token.mint(alice, 100 * ETH, sender=owner)
    other = market.listERC20(fraction_token, 100 * ETH, 2 * ETH, sender=alice)
    other_id = other.decode_logs(market.Listed)[0].listingId
    market.buy(fractions_listed, value=ETH, sender=stranger)
    assert market.isLive(other_id)
    market.buy(other_id, value=2 * ETH, sender=bob)
    assert fraction_token.balanceOf(bob) == 100 * ETH


def test_buy__relisted__older_listing_superseded(market, domain_token, listed, alice, stranger):
    domain_token.approve(market, TOKEN_ID, sender=alice)
    newer = market.listERC721(domain_token, TOKEN_ID, 3 * ETH, sender=alice)
    newer_id = newer.decode_logs(market.Listed)[0].listingId
    with ape.reverts(market.MarketplaceListingNotActive, listingId=listed):
        market.buy(listed, value=ETH, sender=stranger)
    assert market.isLive(newer_id)


def test_list__approval_for_all_only__refused(market, domain_token, registrar, bob, chain):
    domain_token.mint(bob, 8, chain.pending_timestamp + DAY, 1_001, sender=registrar)
    domain_token.setApprovalForAll(market, True, sender=bob)
    with ape.reverts(market.MarketplaceNotApproved):
        market.listERC721(domain_token, 8, ETH, sender=bob)


def test_listing__domain_expired__not_live(market, listed, chain):
    assert market.isLive(listed)
    chain.pending_timestamp += 366 * DAY
    chain.mine()
    assert not market.isLive(listed)


def test_market_pause__stops_buy_not_cancel(market, listed, owner, alice, stranger):
    market.pause(sender=owner)
    with ape.reverts(market.EnforcedPause):
        market.buy(listed, value=ETH, sender=stranger)
    market.cancel(listed, sender=alice)
    with ape.reverts(market.OwnableUnauthorizedAccount):
        market.unpause(sender=stranger)


def test_tracker_pause__stops_updates(tracker, owner, updater, open_competition, alice, stranger):
    open_competition.join(value=open_competition.config().entryFee, sender=alice)
    with ape.reverts(tracker.AccessControlUnauthorizedAccount):
        tracker.pause(sender=stranger)
    tracker.pause(sender=owner)
    with ape.reverts(tracker.EnforcedPause):
        tracker.updatePortfolioValue(open_competition, alice, [], sender=updater)
    tracker.unpause(sender=owner)
    tracker.updatePortfolioValue(open_competition, alice, [], sender=updater)
