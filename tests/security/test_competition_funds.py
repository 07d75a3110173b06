"""Competition money rules an organizer cannot bend: each test is one attack that used to work.

The treasury, tracker and oracle are the platform's; guardians outrank organizers; no pause
shortens a claim window; late results still leave a full claim period; results past their
dispute window cannot be voided; refunds cannot be locked; a competition whose results never
come times out into refunds.
"""

from __future__ import annotations

import ape
import pytest

from tests.utils.constants import DISPUTE_WINDOW, FEE, LIMITS, MAX_AGE, MAX_CHANGE_BPS
from tests.utils.flow import finalize_with, join, results_for, travel


@pytest.fixture
def ended(open_competition, chain, alice, bob):
    join(open_competition, alice, bob)
    travel(chain, open_competition.config().endTime)
    chain.mine()
    return open_competition


@pytest.fixture
def values(alice, bob):
    return {alice.address: 300, bob.address: 100}


def test_claim__organizer_pauses_through_deadline__winner_still_paid(
    ended, chain, owner, resolver, alice, treasury, stranger, values
):
    results = finalize_with(chain, ended, resolver, values)
    prize = results.prizes[alice.address]
    ended.pause(sender=owner)
    travel(chain, ended.config().claimDeadline + 1)
    ended.unpause(sender=owner)
    before = alice.balance
    tx = ended.claim(prize, results.proof(alice.address), sender=alice)
    assert alice.balance - before == prize - tx.total_fees_paid
    # The sweep after the claim window takes only what was not claimed.
    travel(chain, ended.claimEndsAt() + 1)
    before = treasury.balance
    ended.sweep(sender=stranger)
    assert treasury.balance - before == ended.distributable() - prize


def test_pause__organizer_after_guardian_unpause__refused(competition, owner, guardian):
    competition.pause(sender=owner)
    competition.unpause(sender=guardian)
    with ape.reverts(competition.CompetitionUnauthorized, account=owner):
        competition.pause(sender=owner)


def test_create__organizer_names_own_treasury__refused(factory, make_params, owner, stranger):
    factory.setOpenCreation(True, sender=owner)
    with ape.reverts(factory.FactoryNotPlatformAddress, field="treasury", given=stranger.address):
        factory.createCompetition(make_params(treasury=stranger.address), sender=stranger)


def test_create__organizer_names_own_tracker__refused(
    project, factory, make_params, owner, stranger
):
    # The organizer's own oracle and tracker, bound to the real factory: it would write
    # the values the results are computed from.
    own_oracle = project.ValuationOracle.deploy(stranger, MAX_AGE, MAX_CHANGE_BPS, sender=stranger)
    own_tracker = project.PortfolioTracker.deploy(stranger, own_oracle, sender=stranger)
    own_tracker.setFactory(factory, sender=stranger)
    factory.setOpenCreation(True, sender=owner)
    params = make_params(tracker=own_tracker.address, oracle=own_oracle.address)
    with ape.reverts(factory.FactoryNotPlatformAddress, field="tracker"):
        factory.createCompetition(params, sender=stranger)
    with ape.reverts(factory.FactoryNotPlatformAddress, field="oracle"):
        factory.createCompetition(make_params(oracle=own_oracle.address), sender=stranger)
    # Nor can anyone but the admin make it the platform's.
    with ape.reverts(factory.AccessControlUnauthorizedAccount):
        factory.setTracker(own_tracker, sender=stranger)


def test_post_results__late__winners_get_full_claim_period(ended, chain, resolver, alice, values):
    c = ended.config()
    travel(chain, c.claimDeadline - 10)
    results = results_for(ended, values)
    ended.postResults(results.root, results.total, sender=resolver)
    travel(chain, chain.pending_timestamp + DISPUTE_WINDOW)
    ended.finalize(sender=resolver)
    finalized_at = chain.blocks.head.timestamp
    assert ended.claimEndsAt() == finalized_at + (c.claimDeadline - c.endTime - c.disputeWindow)
    travel(chain, ended.claimEndsAt())
    prize = results.prizes[alice.address]
    ended.claim(prize, results.proof(alice.address), sender=alice)
    assert ended.claimedTotal() == prize


def test_post_results__after_claim_deadline__refused(ended, chain, resolver, values):
    deadline = ended.config().claimDeadline
    travel(chain, deadline + 1)
    results = results_for(ended, values)
    with ape.reverts(ended.CompetitionResultsTimedOut, claimDeadline=deadline):
        ended.postResults(results.root, results.total, sender=resolver)


def test_cancel__results_past_dispute_window__refused(
    ended, chain, owner, guardian, resolver, values
):
    results = results_for(ended, values)
    ended.postResults(results.root, results.total, sender=resolver)
    travel(chain, chain.pending_timestamp + DISPUTE_WINDOW)
    for who in (owner, guardian):
        with ape.reverts(ended.CompetitionDisputeWindow):
            ended.cancel(sender=who)


def test_cancel__organizer_after_end__refused(ended, owner):
    with ape.reverts(ended.CompetitionUnauthorized, account=owner):
        ended.cancel(sender=owner)


def test_refund__cancelled_then_paused__still_refunds(open_competition, owner, guardian, alice):
    join(open_competition, alice)
    open_competition.cancel(sender=owner)
    open_competition.pause(sender=owner)
    open_competition.pause(sender=guardian)
    before = alice.balance
    tx = open_competition.refund(sender=alice)
    assert alice.balance - before == FEE - tx.total_fees_paid


def test_cancel__no_results_by_deadline__anyone_cancels_and_entrants_refunded(
    ended, chain, stranger, alice, bob
):
    with ape.reverts(ended.CompetitionUnauthorized, account=stranger):
        ended.cancel(sender=stranger)
    travel(chain, ended.config().claimDeadline + 1)
    ended.cancel(sender=stranger)
    for entrant in (alice, bob):
        ended.refund(sender=entrant)
    assert ended.balance == 0


def test_set_limits__zero_dispute_window__refused(factory, owner):
    limits = list(LIMITS)
    limits[2] = 0
    with ape.reverts(factory.FactoryInvalidLimits):
        factory.setLimits(limits, sender=owner)
