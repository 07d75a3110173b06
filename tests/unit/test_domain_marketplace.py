"""DomainMarketplace (local stand-in): every function, path and custom error."""

from __future__ import annotations

import ape
import pytest

from tests.utils.constants import DAY

PRICE = 10**18
REGISTRAR_ID = 1_001
ERC721, ERC20 = 0, 1


@pytest.fixture(scope="module")
def market(project, owner, domain_token, fraction_token, registrar, alice, bob, carol):
    # NOTE: the session fixtures the tests use are set up first; one asked for later makes
    # Ape rebase this module's snapshot (InvalidIsolationWarning) and deploy again.
    return project.DomainMarketplace.deploy(sender=owner)


@pytest.fixture
def nft(domain_token, registrar, alice, chain, market):
    """Token 7, owned by alice, approved to the marketplace."""
    domain_token.mint(alice, 7, chain.pending_timestamp + 365 * DAY, REGISTRAR_ID, sender=registrar)
    domain_token.approve(market, 7, sender=alice)
    return 7


@pytest.fixture
def listed(market, domain_token, alice, nft):
    tx = market.listERC721(domain_token, nft, PRICE, sender=alice)
    return tx.decode_logs(market.Listed)[0].listingId


@pytest.fixture
def fractions(fraction_token, owner, alice, market):
    fraction_token.mint(alice, 10 * 10**18, sender=owner)
    fraction_token.approve(market, 4 * 10**18, sender=alice)
    return 4 * 10**18


def test_listERC721__owner_approved__stores_listing_and_emits(market, domain_token, alice, nft):
    tx = market.listERC721(domain_token, nft, PRICE, sender=alice)
    [log] = tx.decode_logs(market.Listed)
    assert (log.seller, log.token, log.kind, log.tokenId, log.amount, log.price) == (
        alice,
        domain_token,
        ERC721,
        nft,
        1,
        PRICE,
    )
    assert log.listingId == market.listingCount()
    stored = market.listing(log.listingId)
    assert (stored.seller, stored.active, stored.tokenId, stored.price) == (alice, True, nft, PRICE)


def test_listERC721__zero_price__reverts(market, domain_token, alice, nft):
    with ape.reverts(market.MarketplaceZeroPrice):
        market.listERC721(domain_token, nft, 0, sender=alice)


def test_listERC721__not_owner__reverts(market, domain_token, alice, bob, nft):
    with ape.reverts(
        market.MarketplaceNotTokenOwner, token=domain_token, tokenId=nft, caller=bob, owner=alice
    ):
        market.listERC721(domain_token, nft, PRICE, sender=bob)


def test_listERC721__not_approved__reverts(market, domain_token, alice, nft):
    domain_token.approve(ape.utils.ZERO_ADDRESS, nft, sender=alice)
    with ape.reverts(market.MarketplaceNotApproved, token=domain_token, tokenIdOrAmount=nft):
        market.listERC721(domain_token, nft, PRICE, sender=alice)


def test_listERC20__balance_and_allowance__lists(market, fraction_token, alice, fractions):
    tx = market.listERC20(fraction_token, fractions, PRICE, sender=alice)
    [log] = tx.decode_logs(market.Listed)
    assert (log.kind, log.tokenId, log.amount) == (ERC20, 0, fractions)


def test_listERC20__zero_amount__reverts(market, fraction_token, alice, fractions):
    with ape.reverts(market.MarketplaceZeroAmount):
        market.listERC20(fraction_token, 0, PRICE, sender=alice)


def test_listERC20__zero_price__reverts(market, fraction_token, alice, fractions):
    with ape.reverts(market.MarketplaceZeroPrice):
        market.listERC20(fraction_token, fractions, 0, sender=alice)


def test_listERC20__more_than_balance__reverts(market, fraction_token, alice, fractions):
    too_much = 11 * 10**18
    with ape.reverts(
        market.MarketplaceInsufficientBalance,
        token=fraction_token,
        balance=10 * 10**18,
        amount=too_much,
    ):
        market.listERC20(fraction_token, too_much, PRICE, sender=alice)


def test_listERC20__more_than_allowance__reverts(market, fraction_token, alice, fractions):
    with ape.reverts(market.MarketplaceNotApproved, tokenIdOrAmount=fractions + 1):
        market.listERC20(fraction_token, fractions + 1, PRICE, sender=alice)


def test_buy__erc721__moves_token_credits_seller_emits_sold(
    market, domain_token, alice, bob, listed, nft
):
    tx = market.buy(listed, value=PRICE, sender=bob)
    assert domain_token.ownerOf(nft) == bob
    assert market.proceedsOf(alice) == PRICE
    assert not market.listing(listed).active
    [sold] = tx.decode_logs(market.Sold)
    assert (sold.listingId, sold.seller, sold.buyer, sold.tokenId, sold.amount, sold.price) == (
        listed,
        alice,
        bob,
        nft,
        1,
        PRICE,
    )
    # The indexer pairs the sale with the token's Transfer of the same transaction.
    [transfer] = tx.decode_logs(domain_token.Transfer)
    assert (transfer["from"], transfer.to, transfer.tokenId) == (alice, bob, nft)


def test_buy__erc20__moves_amount(market, fraction_token, alice, bob, fractions):
    listing_id = (
        market.listERC20(fraction_token, fractions, PRICE, sender=alice)
        .decode_logs(market.Listed)[0]
        .listingId
    )
    before = fraction_token.balanceOf(bob)
    market.buy(listing_id, value=PRICE, sender=bob)
    assert fraction_token.balanceOf(bob) - before == fractions
    assert market.proceedsOf(alice) == PRICE


def test_buy__twice__reverts_not_active(market, bob, carol, listed):
    market.buy(listed, value=PRICE, sender=bob)
    with ape.reverts(market.MarketplaceListingNotActive, listingId=listed):
        market.buy(listed, value=PRICE, sender=carol)


def test_buy__unknown_listing__reverts(market, bob):
    with ape.reverts(market.MarketplaceListingNotActive, listingId=999):
        market.buy(999, value=PRICE, sender=bob)


def test_buy__wrong_payment__reverts(market, bob, listed):
    with ape.reverts(market.MarketplaceWrongPayment, listingId=listed, sent=PRICE - 1, price=PRICE):
        market.buy(listed, value=PRICE - 1, sender=bob)


def test_buy__by_seller__reverts(market, alice, listed):
    with ape.reverts(market.MarketplaceSelfPurchase, listingId=listed, seller=alice):
        market.buy(listed, value=PRICE, sender=alice)


def test_buy__token_moved_since_listing__reverts_and_listing_dead(
    market, domain_token, alice, bob, carol, listed, nft
):
    # Changed rule: the listing dies when its token leaves the seller (it used to stay live).
    domain_token.transferFrom(alice, carol, nft, sender=alice)
    with ape.reverts(market.MarketplaceListingNotActive, listingId=listed):
        market.buy(listed, value=PRICE, sender=bob)
    assert not market.isLive(listed)
    assert market.proceedsOf(alice) == 0


def test_cancel__seller__deactivates_and_emits(market, alice, bob, listed):
    tx = market.cancel(listed, sender=alice)
    [log] = tx.decode_logs(market.Cancelled)
    assert (log.listingId, log.seller) == (listed, alice)
    with ape.reverts(market.MarketplaceListingNotActive, listingId=listed):
        market.buy(listed, value=PRICE, sender=bob)


def test_cancel__not_seller__reverts(market, alice, bob, listed):
    with ape.reverts(market.MarketplaceNotSeller, listingId=listed, caller=bob, seller=alice):
        market.cancel(listed, sender=bob)


def test_cancel__inactive__reverts(market, alice, listed):
    market.cancel(listed, sender=alice)
    with ape.reverts(market.MarketplaceListingNotActive, listingId=listed):
        market.cancel(listed, sender=alice)


def test_withdraw__proceeds__pays_recipient_once(market, alice, bob, carol, listed):
    market.buy(listed, value=PRICE, sender=bob)
    before = carol.balance
    tx = market.withdraw(carol, sender=alice)
    assert carol.balance - before == PRICE
    assert market.proceedsOf(alice) == 0
    [log] = tx.decode_logs(market.ProceedsWithdrawn)
    assert (log.account, log.to, log.amount) == (alice, carol, PRICE)
    with ape.reverts(market.MarketplaceNothingToWithdraw, account=alice):
        market.withdraw(alice, sender=alice)


def test_withdraw__zero_recipient__reverts(market, alice):
    with ape.reverts(market.MarketplaceZeroRecipient):
        market.withdraw(ape.utils.ZERO_ADDRESS, sender=alice)


def test_withdraw__rejecting_recipient__reverts_and_keeps_proceeds(
    project, market, owner, alice, bob, listed
):
    rejecter = project.MockEtherRejecter.deploy(sender=owner)
    market.buy(listed, value=PRICE, sender=bob)  # a rejecting seller never blocks a sale
    with ape.reverts(market.MarketplaceWithdrawFailed, to=rejecter, amount=PRICE):
        market.withdraw(rejecter, sender=alice)
    assert market.proceedsOf(alice) == PRICE
