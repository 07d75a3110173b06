"""Competition: lifecycle, entry, results, claims, refunds, sweep; every custom error."""

from __future__ import annotations

import ape
import pytest

from tests.utils.constants import DISPUTE_WINDOW, FEE, PAYOUT_BPS, RAKE_BPS
from tests.utils.flow import finalize_with, join, results_for, travel

SCHEDULED, OPEN, ENDED, FINALIZED, CANCELLED = range(5)
ROOT = b"\x01" * 32


@pytest.fixture
def ended(open_competition, chain, alice, bob, carol):
    join(open_competition, alice, bob, carol)
    travel(chain, open_competition.config().endTime)
    chain.mine()
    return open_competition


@pytest.fixture
def values(alice, bob, carol):
    return {alice.address: 300, bob.address: 200, carol.address: 100}


@pytest.fixture
def finalized(ended, chain, resolver, values):
    return ended, finalize_with(chain, ended, resolver, values)


def test_config__matches_params(competition, factory, owner, oracle, tracker, treasury):
    c = competition.config()
    assert (c.factory, c.organizer, c.oracle, c.tracker, c.treasury) == (
        factory.address,
        owner.address,
        oracle.address,
        tracker.address,
        treasury.address,
    )
    assert (c.entryFee, c.rakeBps, list(c.payoutBps), c.disputeWindow) == (
        FEE,
        RAKE_BPS,
        PAYOUT_BPS,
        DISPUTE_WINDOW,
    )


def test_status__follows_time(competition, chain):
    assert competition.status() == SCHEDULED
    travel(chain, competition.config().startTime)
    chain.mine()
    assert competition.status() == OPEN
    travel(chain, competition.config().endTime)
    chain.mine()
    assert competition.status() == ENDED


def test_join__open__records_entrant_and_emits(open_competition, alice):
    tx = open_competition.join(value=FEE, sender=alice)
    [log] = tx.decode_logs(open_competition.ParticipantJoined)
    assert (log.account, log.fee, log.participantCount) == (alice, FEE, 1)
    assert open_competition.isParticipant(alice)
    assert open_competition.participantCount() == 1
    assert open_competition.prizePool() == FEE
    assert open_competition.balance == FEE


def test_join__before_start__reverts(competition, alice, chain):
    c = competition.config()
    with ape.reverts(competition.CompetitionNotOpen, startTime=c.startTime, endTime=c.endTime):
        competition.join(value=FEE, sender=alice)


def test_join__at_end__reverts(competition, alice, chain):
    travel(chain, competition.config().endTime)
    with ape.reverts(competition.CompetitionNotOpen):
        competition.join(value=FEE, sender=alice)


@pytest.mark.parametrize("sent", [0, FEE - 1, FEE + 1])
def test_join__wrong_fee__reverts(open_competition, alice, sent):
    with ape.reverts(open_competition.CompetitionWrongEntryFee, sent=sent, entryFee=FEE):
        open_competition.join(value=sent, sender=alice)


def test_join__twice__reverts(open_competition, alice):
    open_competition.join(value=FEE, sender=alice)
    with ape.reverts(open_competition.CompetitionAlreadyJoined, account=alice):
        open_competition.join(value=FEE, sender=alice)


def test_join__full__reverts(make_competition, chain, alice, bob):
    competition = make_competition(maxParticipants=1)
    travel(chain, competition.config().startTime)
    competition.join(value=FEE, sender=alice)
    with ape.reverts(competition.CompetitionFull, maxParticipants=1):
        competition.join(value=FEE, sender=bob)


def test_join__paused__reverts(open_competition, owner, alice):
    open_competition.pause(sender=owner)
    with ape.reverts(open_competition.EnforcedPause):
        open_competition.join(value=FEE, sender=alice)


def test_join__cancelled__reverts(open_competition, owner, alice):
    open_competition.cancel(sender=owner)
    with ape.reverts(open_competition.CompetitionWrongStatus, expected=OPEN, actual=CANCELLED):
        open_competition.join(value=FEE, sender=alice)


def test_pool_views__rake_and_distributable(ended):
    pool = 3 * FEE
    assert ended.prizePool() == pool
    assert ended.rakeAmount() == pool * RAKE_BPS // 10_000
    assert ended.distributable() == pool - pool * RAKE_BPS // 10_000


def test_post_results__resolver__stored_and_emitted(ended, resolver, values, chain):
    results = results_for(ended, values)
    tx = ended.postResults(results.root, results.total, sender=resolver)
    posted_at = chain.provider.get_block(tx.block_number).timestamp
    assert ended.results() == (results.root, results.total, posted_at)
    [log] = tx.decode_logs(ended.ResultsPosted)
    assert (log.merkleRoot, log.totalPayout) == (results.root, results.total)
    assert log.disputeEndsAt == posted_at + DISPUTE_WINDOW


def test_post_results__not_resolver__reverts(ended, stranger):
    with ape.reverts(ended.CompetitionUnauthorized, account=stranger):
        ended.postResults(ROOT, 1, sender=stranger)


def test_post_results__before_end__reverts(open_competition, resolver):
    with ape.reverts(open_competition.CompetitionWrongStatus, expected=ENDED, actual=OPEN):
        open_competition.postResults(ROOT, 0, sender=resolver)


def test_post_results__zero_root__reverts(ended, resolver):
    with ape.reverts(ended.CompetitionZeroRoot):
        ended.postResults(b"\x00" * 32, 0, sender=resolver)


def test_post_results__above_distributable__reverts(ended, resolver):
    available = ended.distributable()
    with ape.reverts(
        ended.CompetitionPayoutExceedsPool, totalPayout=available + 1, distributable=available
    ):
        ended.postResults(ROOT, available + 1, sender=resolver)


def test_post_results__twice__reverts(ended, resolver):
    ended.postResults(ROOT, 1, sender=resolver)
    with ape.reverts(ended.CompetitionResultsAlreadyPosted, merkleRoot=ROOT):
        ended.postResults(ROOT, 1, sender=resolver)


def test_reject_results__guardian_in_window__clears_and_allows_repost(ended, resolver, guardian):
    ended.postResults(ROOT, 1, sender=resolver)
    tx = ended.rejectResults(sender=guardian)
    [log] = tx.decode_logs(ended.ResultsRejected)
    assert (log.merkleRoot, log.guardian) == (ROOT, guardian)
    assert ended.results() == (b"\x00" * 32, 0, 0)
    ended.postResults(b"\x02" * 32, 2, sender=resolver)


def test_reject_results__not_guardian__reverts(ended, resolver):
    ended.postResults(ROOT, 1, sender=resolver)
    with ape.reverts(ended.CompetitionUnauthorized, account=resolver):
        ended.rejectResults(sender=resolver)


def test_reject_results__none_posted__reverts(ended, guardian):
    with ape.reverts(ended.CompetitionNoResults):
        ended.rejectResults(sender=guardian)


def test_reject_results__after_window__reverts(ended, resolver, guardian, chain):
    tx = ended.postResults(ROOT, 1, sender=resolver)
    ends = chain.provider.get_block(tx.block_number).timestamp + DISPUTE_WINDOW
    travel(chain, ends)
    with ape.reverts(ended.CompetitionDisputeWindow, disputeEndsAt=ends):
        ended.rejectResults(sender=guardian)


def test_finalize__after_window__pays_rake_and_finalizes(ended, resolver, treasury, values, chain):
    results = results_for(ended, values)
    ended.postResults(results.root, results.total, sender=resolver)
    travel(chain, chain.pending_timestamp + DISPUTE_WINDOW)
    before = treasury.balance
    tx = ended.finalize(sender=resolver)
    rake = 3 * FEE * RAKE_BPS // 10_000
    assert treasury.balance - before == rake
    assert ended.status() == FINALIZED
    [log] = tx.decode_logs(ended.CompetitionFinalized)
    assert (log.merkleRoot, log.totalPayout, log.rake) == (results.root, results.total, rake)


def test_finalize__no_results__reverts(ended, stranger):
    with ape.reverts(ended.CompetitionNoResults):
        ended.finalize(sender=stranger)


def test_finalize__in_window__reverts(ended, resolver, stranger):
    ended.postResults(ROOT, 1, sender=resolver)
    with ape.reverts(ended.CompetitionDisputeWindow):
        ended.finalize(sender=stranger)


def test_finalize__twice__reverts(finalized, stranger):
    competition, _ = finalized
    with ape.reverts(competition.CompetitionWrongStatus, expected=ENDED, actual=FINALIZED):
        competition.finalize(sender=stranger)


def test_finalize__treasury_rejects__reverts(
    project, factory, make_competition, owner, resolver, chain, alice
):
    rejecter = project.MockEtherRejecter.deploy(sender=owner)
    factory.setTreasury(rejecter, sender=owner)
    competition = make_competition(treasury=rejecter.address)
    travel(chain, competition.config().startTime)
    join(competition, alice)
    travel(chain, competition.config().endTime)
    results = results_for(competition, {alice.address: 1})
    competition.postResults(results.root, results.total, sender=resolver)
    travel(chain, chain.pending_timestamp + DISPUTE_WINDOW)
    with ape.reverts(competition.CompetitionTransferFailed, to=rejecter.address):
        competition.finalize(sender=resolver)


def test_claim__winners__paid_once_each(finalized, alice, bob, carol):
    competition, results = finalized
    for account in (alice, bob, carol):
        amount = results.prizes[account.address]
        before = account.balance
        tx = competition.claim(amount, results.proof(account.address), sender=account)
        assert account.balance - before == amount - tx.total_fees_paid
        assert competition.isPaid(account)
    assert competition.claimedTotal() == results.total


def test_claim__wrong_amount__reverts(finalized, alice):
    competition, results = finalized
    amount = results.prizes[alice.address] + 1
    with ape.reverts(competition.CompetitionInvalidProof, account=alice, amount=amount):
        competition.claim(amount, results.proof(alice.address), sender=alice)


def test_claim__twice__reverts(finalized, alice):
    competition, results = finalized
    proof = results.proof(alice.address)
    competition.claim(results.prizes[alice.address], proof, sender=alice)
    with ape.reverts(competition.CompetitionNotEntrant, account=alice):
        competition.claim(results.prizes[alice.address], proof, sender=alice)


def test_claim__not_entrant__reverts(finalized, stranger, alice):
    competition, results = finalized
    with ape.reverts(competition.CompetitionNotEntrant, account=stranger):
        competition.claim(
            results.prizes[alice.address], results.proof(alice.address), sender=stranger
        )


def test_claim__after_deadline__reverts(finalized, alice, chain):
    competition, results = finalized
    # Claims close a full claim period after finalization (never before the configured deadline).
    deadline = competition.claimEndsAt()
    assert deadline >= competition.config().claimDeadline
    travel(chain, deadline + 1)
    with ape.reverts(competition.CompetitionClaimDeadline, claimDeadline=deadline):
        competition.claim(results.prizes[alice.address], results.proof(alice.address), sender=alice)


def test_claim__before_finalize__reverts(ended, alice):
    with ape.reverts(ended.CompetitionWrongStatus, expected=FINALIZED, actual=ENDED):
        ended.claim(1, [], sender=alice)


def test_claim__leaves_above_posted_total__capped(ended, chain, resolver, alice, bob):
    # A faulty resolver posts a total below the sum of its leaves: claims stop at the total.
    results = results_for(ended, {alice.address: 2, bob.address: 1})
    ended.postResults(results.root, results.prizes[alice.address], sender=resolver)
    travel(chain, chain.pending_timestamp + DISPUTE_WINDOW)
    ended.finalize(sender=resolver)
    ended.claim(results.prizes[alice.address], results.proof(alice.address), sender=alice)
    with ape.reverts(ended.CompetitionPayoutExceedsPool):
        ended.claim(results.prizes[bob.address], results.proof(bob.address), sender=bob)


def test_cancel__organizer_or_guardian__cancels(make_competition, owner, guardian):
    for who in (owner, guardian):
        competition = make_competition()
        tx = competition.cancel(sender=who)
        assert competition.status() == CANCELLED
        assert tx.decode_logs(competition.CompetitionCancelled)[0].by == who


def test_cancel__stranger__reverts(competition, stranger):
    with ape.reverts(competition.CompetitionUnauthorized, account=stranger):
        competition.cancel(sender=stranger)


def test_cancel__finalized__reverts(finalized, owner):
    competition, _ = finalized
    with ape.reverts(competition.CompetitionWrongStatus, actual=FINALIZED):
        competition.cancel(sender=owner)


def test_cancel__twice__reverts(competition, owner):
    competition.cancel(sender=owner)
    with ape.reverts(competition.CompetitionWrongStatus, actual=CANCELLED):
        competition.cancel(sender=owner)


def test_refund__cancelled__returns_fee_once(open_competition, owner, alice):
    join(open_competition, alice)
    open_competition.cancel(sender=owner)
    before = alice.balance
    tx = open_competition.refund(sender=alice)
    assert alice.balance - before == FEE - tx.total_fees_paid
    assert tx.decode_logs(open_competition.RefundClaimed)[0].amount == FEE
    with ape.reverts(open_competition.CompetitionNotEntrant, account=alice):
        open_competition.refund(sender=alice)
    assert open_competition.balance == 0


def test_refund__not_cancelled__reverts(open_competition, alice):
    join(open_competition, alice)
    with ape.reverts(open_competition.CompetitionWrongStatus, expected=CANCELLED, actual=OPEN):
        open_competition.refund(sender=alice)


def test_refund__not_entrant__reverts(competition, owner, stranger):
    competition.cancel(sender=owner)
    with ape.reverts(competition.CompetitionNotEntrant, account=stranger):
        competition.refund(sender=stranger)


def test_refund__entrant_rejects_ether__reverts(project, open_competition, owner):
    rejecter = project.MockEtherRejecter.deploy(sender=owner)
    data = open_competition.join.encode_input()
    rejecter.forward(open_competition.address, data, value=FEE, sender=owner)
    open_competition.cancel(sender=owner)
    call = open_competition.refund.encode_input()
    with ape.reverts(open_competition.CompetitionTransferFailed, to=rejecter.address, amount=FEE):
        rejecter.forward(open_competition.address, call, sender=owner)


def test_sweep__after_deadline__sends_rest_to_treasury(finalized, alice, treasury, stranger, chain):
    competition, results = finalized
    competition.claim(results.prizes[alice.address], results.proof(alice.address), sender=alice)
    rest = competition.balance
    travel(chain, competition.claimEndsAt() + 1)
    before = treasury.balance
    tx = competition.sweep(sender=stranger)
    assert treasury.balance - before == rest
    assert tx.decode_logs(competition.UnclaimedSwept)[0].amount == rest
    with ape.reverts(competition.CompetitionNothingToSweep):
        competition.sweep(sender=stranger)


def test_sweep__before_deadline__reverts(finalized, stranger):
    competition, _ = finalized
    with ape.reverts(competition.CompetitionClaimDeadline):
        competition.sweep(sender=stranger)


def test_sweep__not_finalized__reverts(ended, stranger):
    with ape.reverts(ended.CompetitionWrongStatus, expected=FINALIZED, actual=ENDED):
        ended.sweep(sender=stranger)


def test_pause__organizer_or_guardian_only(competition, owner, guardian, stranger):
    competition.pause(sender=owner)
    assert competition.paused() and not competition.guardianPaused()
    competition.unpause(sender=owner)
    competition.pause(sender=guardian)
    assert competition.paused() and competition.guardianPaused()
    # The organizer cannot lift a guardian's pause (it never paused itself).
    with ape.reverts(competition.ExpectedPause):
        competition.unpause(sender=owner)
    competition.unpause(sender=guardian)
    assert not competition.paused()
    with ape.reverts(competition.CompetitionUnauthorized, account=stranger):
        competition.pause(sender=stranger)


def test_guardian_pause__blocks_sweep_not_claims(finalized, guardian, alice, stranger, chain):
    # Changed rule: claims are never paused (a pause must not eat the claim window); a
    # guardian's pause still stops the sweep, which only delays the treasury.
    competition, results = finalized
    competition.pause(sender=guardian)
    competition.claim(results.prizes[alice.address], results.proof(alice.address), sender=alice)
    travel(chain, competition.claimEndsAt() + 1)
    with ape.reverts(competition.EnforcedPause):
        competition.sweep(sender=stranger)


def test_implementation__direct_call__reverts(project, factory, alice):
    implementation = project.Competition.at(factory.implementation())
    with ape.reverts(implementation.CompetitionNotAClone):
        implementation.join(value=FEE, sender=alice)
