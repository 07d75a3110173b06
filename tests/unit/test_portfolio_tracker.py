"""PortfolioTracker: on-chain checks of holdings, valuation; every custom error."""

from __future__ import annotations

import ape
import pytest

from tests.utils.constants import DAY, ETH, FEE, HOUR, ZERO_ADDRESS
from tests.utils.flow import travel

ERC721, ERC20 = 0, 1
REGISTRAR_ID = 1_001


@pytest.fixture
def setup(
    open_competition, domain_token, fraction_token, oracle, registrar, reporter, owner, alice, chain
):
    """Alice joined; she holds domains 1, 2 (2 and 3 ETH) and 5 fraction tokens (0.5 ETH each)."""
    expiry = chain.pending_timestamp + 365 * DAY
    for token_id in (1, 2):
        domain_token.mint(alice, token_id, expiry, REGISTRAR_ID, sender=registrar)
    fraction_token.mint(alice, 5 * ETH, sender=owner)
    oracle.setPrices([domain_token.address] * 2, [1, 2], [2 * ETH, 3 * ETH], sender=reporter)
    oracle.setFungiblePrice(fraction_token, ETH // 2, sender=reporter)
    open_competition.join(value=FEE, sender=alice)
    return open_competition


def holdings(domain_token, fraction_token, ids=(1, 2), amount=5 * ETH):
    entries = [(ERC721, domain_token.address, i, 1) for i in ids]
    if amount:
        entries.append((ERC20, fraction_token.address, 0, amount))
    return sorted(entries, key=lambda h: (int(h[1], 16), h[2]))


def test_update__values_nfts_and_fractions(
    setup, tracker, updater, alice, domain_token, fraction_token, chain
):
    tx = tracker.updatePortfolioValue(
        setup, alice, holdings(domain_token, fraction_token), sender=updater
    )
    expected = 2 * ETH + 3 * ETH + 5 * ETH // 2
    assert tracker.valueOf(setup, alice) == (
        expected,
        chain.provider.get_block(tx.block_number).timestamp,
    )
    [log] = tx.decode_logs(tracker.PortfolioValueUpdated)
    assert (log.competition, log.user, log.value, log.holdingsCount, log.updater) == (
        setup.address,
        alice,
        expected,
        3,
        updater,
    )


def test_update__empty_holdings__zero_value(setup, tracker, updater, alice):
    tracker.updatePortfolioValue(setup, alice, [], sender=updater)
    assert tracker.valueOf(setup, alice)[0] == 0


def test_update__not_updater__reverts(setup, tracker, alice):
    with ape.reverts(tracker.AccessControlUnauthorizedAccount, account=alice):
        tracker.updatePortfolioValue(setup, alice, [], sender=alice)


def test_update__unknown_competition__reverts(tracker, updater, alice, oracle):
    with ape.reverts(tracker.TrackerUnknownCompetition, competition=oracle.address):
        tracker.updatePortfolioValue(oracle, alice, [], sender=updater)


def test_update__factory_unset__reverts(project, owner, oracle, updater, setup, alice):
    fresh = project.PortfolioTracker.deploy(owner, oracle, sender=owner)
    fresh.grantRole(fresh.UPDATER_ROLE(), updater, sender=owner)
    with ape.reverts(fresh.TrackerUnknownCompetition):
        fresh.updatePortfolioValue(setup, alice, [], sender=updater)


def test_update__before_start__reverts(competition, tracker, updater, alice):
    with ape.reverts(tracker.TrackerCompetitionNotOpen, competition=competition.address):
        tracker.updatePortfolioValue(competition, alice, [], sender=updater)


def test_update__after_end__reverts(setup, tracker, updater, alice, chain):
    travel(chain, setup.config().endTime)
    with ape.reverts(tracker.TrackerCompetitionNotOpen):
        tracker.updatePortfolioValue(setup, alice, [], sender=updater)


def test_update__not_participant__reverts(setup, tracker, updater, bob):
    with ape.reverts(tracker.TrackerNotParticipant, competition=setup.address, user=bob):
        tracker.updatePortfolioValue(setup, bob, [], sender=updater)


def test_update__too_many__reverts(setup, tracker, updater, alice, domain_token):
    entries = [(ERC721, domain_token.address, i, 1) for i in range(65)]
    with ape.reverts(tracker.TrackerTooManyHoldings, count=65, max=64):
        tracker.updatePortfolioValue(setup, alice, entries, sender=updater)


def test_update__duplicate_entry__reverts(setup, tracker, updater, alice, domain_token):
    entries = [(ERC721, domain_token.address, 1, 1)] * 2
    with ape.reverts(tracker.TrackerHoldingsNotSorted, index=1):
        tracker.updatePortfolioValue(setup, alice, entries, sender=updater)


@pytest.mark.parametrize(
    "entry", ["nft_amount_2", "fraction_with_id", "fraction_zero"], ids=lambda e: e
)
def test_update__invalid_holding__reverts(
    setup, tracker, updater, alice, domain_token, fraction_token, entry
):
    bad = {
        "nft_amount_2": (ERC721, domain_token.address, 1, 2),
        "fraction_with_id": (ERC20, fraction_token.address, 1, ETH),
        "fraction_zero": (ERC20, fraction_token.address, 0, 0),
    }[entry]
    with ape.reverts(tracker.TrackerInvalidHolding, index=0):
        tracker.updatePortfolioValue(setup, alice, [bad], sender=updater)


def test_update__nft_not_owned__reverts(setup, tracker, updater, alice, bob, domain_token):
    domain_token.transferFrom(alice, bob, 1, sender=alice)
    with ape.reverts(tracker.TrackerNotOwner, token=domain_token.address, tokenId=1, user=alice):
        tracker.updatePortfolioValue(
            setup, alice, [(ERC721, domain_token.address, 1, 1)], sender=updater
        )


def test_update__nft_expired__reverts(
    setup, tracker, updater, alice, domain_token, oracle, reporter, registrar, chain
):
    expiry = chain.pending_timestamp + 2 * 3_600  # lapses while the competition is open
    domain_token.mint(alice, 3, expiry, REGISTRAR_ID, sender=registrar)
    travel(chain, expiry)
    oracle.setPrice(domain_token, 3, ETH, sender=reporter)
    with ape.reverts(
        tracker.TrackerTokenExpired, token=domain_token.address, tokenId=3, expiresAt=expiry
    ):
        tracker.updatePortfolioValue(
            setup, alice, [(ERC721, domain_token.address, 3, 1)], sender=updater
        )


def test_update__insufficient_fraction_balance__reverts(
    setup, tracker, updater, alice, fraction_token
):
    entry = (ERC20, fraction_token.address, 0, 5 * ETH + 1)
    with ape.reverts(
        tracker.TrackerInsufficientBalance,
        token=fraction_token.address,
        balance=5 * ETH,
        amount=5 * ETH + 1,
    ):
        tracker.updatePortfolioValue(setup, alice, [entry], sender=updater)


def test_update__stale_price__reverts(
    setup, tracker, updater, alice, domain_token, oracle, owner, chain
):
    # NOTE: a shorter max age than the competition: travelling MAX_AGE (a day, the
    # competition's length) past the price also ended the competition, which then reverted
    # first with TrackerCompetitionNotOpen, depending on when the block was sealed.
    oracle.setMaxAge(HOUR, sender=owner)
    travel(chain, chain.pending_timestamp + HOUR + 1)
    with ape.reverts(oracle.OraclePriceStale, token=domain_token.address, tokenId=1):
        tracker.updatePortfolioValue(
            setup, alice, [(ERC721, domain_token.address, 1, 1)], sender=updater
        )


def test_set_factory__twice__reverts(tracker, owner, factory):
    with ape.reverts(tracker.TrackerFactoryAlreadySet, factory=factory.address):
        tracker.setFactory(factory, sender=owner)


def test_set_factory__zero__reverts(project, owner, oracle):
    fresh = project.PortfolioTracker.deploy(owner, oracle, sender=owner)
    with ape.reverts(fresh.TrackerZeroAddress):
        fresh.setFactory(ZERO_ADDRESS, sender=owner)


def test_set_factory__emits_and_reads_back(project, owner, oracle, factory):
    fresh = project.PortfolioTracker.deploy(owner, oracle, sender=owner)
    tx = fresh.setFactory(factory, sender=owner)
    assert tx.decode_logs(fresh.FactorySet)[0].factory == factory.address
    assert (fresh.factory(), fresh.oracle()) == (factory.address, oracle.address)


def test_constructor__zero_oracle__reverts(project, owner):
    with ape.reverts(project.PortfolioTracker.TrackerZeroAddress):
        project.PortfolioTracker.deploy(owner, ZERO_ADDRESS, sender=owner)
