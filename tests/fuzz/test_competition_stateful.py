"""Stateful invariants of a competition's money, over random lifecycles (Hypothesis).

Each run creates a fresh competition, lets 1-3 entrants join, then applies a random
sequence of join, pause, unpause, cancel, refund, price and tracker updates, time travel,
results (honest or over the pool), rejection, finalize, claim and sweep; a `progress` rule
takes the next natural lifecycle step so that deep states are reached. A ghost ledger
predicts every outcome. Every run then ends deterministically (all winners but one claim,
the rest is swept; or everyone is refunded). After every step:

* the competition's balance equals fees in - prizes claimed - rake - refunds - sweeps;
* no account is paid twice (prize or refund), on chain as in the ledger;
* posted payouts, and prizes claimed, never exceed the pool minus the rake;
* each wallet's ether moves only as the rules say: an entrant ends at most down its fee
  plus its own prize or its fee back (after the gas of its mined calls; a reverted call may
  cost gas too, hence "at most"), and a would-be entrant that never joined, the organizer,
  guardian, resolver and updater never gain a wei;
and at the end no wei is left in the competition.
"""

from __future__ import annotations

import os
from collections import Counter

import ape
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from domacross_sdk import prizes as pz
from domacross_sdk.abis import abi
from tests.utils.constants import DAY, ETH, FEE, HOUR

pytestmark = pytest.mark.fuzz
REACHED: Counter[str] = Counter()

ERC721 = 0
SCHEDULED, OPEN, ENDED, FINALIZED, CANCELLED = range(5)
REGISTRAR_ID = 1_001


@pytest.fixture
def entrants(accounts, domain_token, registrar, chain):
    """Four would-be entrants, each holding one domain that never expires in these runs."""
    players = [accounts[i] for i in (3, 4, 5, 9)]
    for token_id, player in enumerate(players, start=100):
        domain_token.mint(
            player,
            token_id,
            chain.pending_timestamp + 100 * 365 * DAY,
            REGISTRAR_ID,
            sender=registrar,
        )
    return players


def test_competition__money_invariants_hold(
    chain,
    make_competition,
    oracle,
    tracker,
    domain_token,
    owner,
    guardian,
    resolver,
    updater,
    treasury,
    entrants,
):
    outsiders = [owner, guardian, resolver, updater]

    class CompetitionMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.c = make_competition(maxParticipants=3)
            self.cfg = self.c.config()
            # The invariants' reads go through web3 directly: through Ape's contract calls
            # (code check, serialisation, decoding per call) they were most of this test's time.
            self.view = chain.provider.web3.eth.contract(
                address=self.c.address, abi=abi("Competition")
            ).functions
            self.joined: list = []
            self.paid: set[str] = set()
            self.values: dict[str, int] = {}
            self.fees_in = self.claimed = self.rake_paid = self.refunds = self.swept = 0
            # `paused` is a guardian's pause; the organizer's stops joining only.
            self.paused = self.cancelled = self.finalized = False
            self.org_paused = self.org_revoked = False
            self.finalized_at = 0
            # Money rules per actor: the treasury gets the rake and sweeps only.
            self.treasury_start = treasury.balance
            # ...and every other wallet: what it held when the run began, what it was paid,
            # and the gas of its calls that went through.
            self.start = {a.address: a.balance for a in [*entrants, *outsiders]}
            self.received: dict[str, int] = {}
            self.gas: Counter[str] = Counter()
            self.results = None
            self.posted_at = 0

        # -- helpers -------------------------------------------------------------
        def now(self):
            return chain.pending_timestamp

        def status(self):
            if self.cancelled:
                return CANCELLED
            if self.finalized:
                return FINALIZED
            if self.now() >= self.cfg.endTime:
                return ENDED
            return OPEN if self.now() >= self.cfg.startTime else SCHEDULED

        def pool(self):
            return pz.pool(len(self.joined), self.cfg.entryFee)

        def send(self, ok, call, error=None):
            if ok:
                return call()
            with ape.reverts(error) if error is not None else ape.reverts():
                call()
            return None

        # -- rules ---------------------------------------------------------------
        @initialize(players=st.integers(1, 3))
        def open_and_join(self, players):
            """Most interesting runs need entrants: open the competition and let some join."""
            chain.pending_timestamp = self.cfg.startTime
            for player in entrants[:players]:
                self.join(entrants.index(player))

        @rule(
            action=st.sampled_from(
                [
                    "pause",
                    "unpause",
                    "cancel",
                    "reject",
                    "org_pause",
                    "org_unpause",
                    "timeout",
                    "abandon",
                ]
            )
        )
        def disrupt(self, action):
            """The rarer admin actions, sharing one rule so they do not crowd out the rest."""
            getattr(self, f"_{action}")()

        def _pause(self):
            self.send(not self.paused, lambda: self.c.pause(sender=guardian), self.c.EnforcedPause)
            self.paused = True

        def _unpause(self):
            ok = self.paused or self.org_paused
            self.send(ok, lambda: self.c.unpause(sender=guardian), self.c.ExpectedPause)
            if ok:
                # A guardian's unpause lifts every pause and ends the organizer's right to pause.
                self.paused = self.org_paused = False
                self.org_revoked = True

        def _org_pause(self):
            ok = not self.org_revoked and not self.org_paused
            error = self.c.CompetitionUnauthorized if self.org_revoked else self.c.EnforcedPause
            self.send(ok, lambda: self.c.pause(sender=owner), error)
            self.org_paused = self.org_paused or ok

        def _org_unpause(self):
            self.send(self.org_paused, lambda: self.c.unpause(sender=owner), self.c.ExpectedPause)
            self.org_paused = False

        def _timeout(self):
            """Anyone cancels a competition whose results never came by the claim deadline."""
            ok = (
                self.status() not in (FINALIZED, CANCELLED)
                and self.posted_at == 0
                and self.now() > self.cfg.claimDeadline
            )
            self.send(ok, lambda: self.c.cancel(sender=updater))
            self.cancelled = self.cancelled or ok

        def _abandon(self):
            """The resolver never posts: time passes the claim deadline, then anyone cancels
            and every entrant takes a refund (the path that keeps fees from being locked)."""
            if self.posted_at == 0 and self.status() not in (FINALIZED, CANCELLED):
                chain.pending_timestamp = max(self.now(), self.cfg.claimDeadline + 1)
                chain.mine()
            self._timeout()

        def claim_ends(self):
            """Claims close a full claim period after finalization."""
            if not self.finalized:
                return self.cfg.claimDeadline
            return self.finalized_at + (
                self.cfg.claimDeadline - self.cfg.endTime - self.cfg.disputeWindow
            )

        def _cancel(self):
            ok = self.status() not in (FINALIZED, CANCELLED)
            # Nobody voids results past their dispute window.
            ok = ok and not (
                self.posted_at and self.now() >= self.posted_at + self.cfg.disputeWindow
            )
            self.send(ok, lambda: self.c.cancel(sender=guardian))
            self.cancelled = self.cancelled or ok

        def _reject(self):
            ok = (
                self.posted_at != 0
                and self.status() == ENDED
                and self.now() < self.posted_at + self.cfg.disputeWindow
            )
            self.send(ok, lambda: self.c.rejectResults(sender=guardian))
            if ok:
                self.results, self.posted_at = None, 0

        @rule(who=st.integers(0, 3))
        def progress(self, who):
            """The next natural step of the lifecycle, so that random runs get deep."""
            status = self.status()
            if self.paused or self.org_paused:
                self._unpause()
            elif status == ENDED and self.posted_at == 0 and self.now() > self.cfg.claimDeadline:
                self._timeout()
            elif status == ENDED and self.posted_at == 0:
                self.post_results(honest=True)
            elif status == ENDED and self.now() >= self.posted_at + self.cfg.disputeWindow:
                self.finalize()
            elif status == FINALIZED and self.now() <= self.claim_ends() and self.results:
                unpaid = [
                    i
                    for i, p in enumerate(entrants)
                    if p.address in self.results.prizes and p.address not in self.paid
                ]
                # The last winner waits, so that the sweep has a prize to take.
                if len(unpaid) > 1:
                    self.claim(unpaid[who % len(unpaid)])
                else:
                    self.next_phase()
            elif status == FINALIZED:
                self.sweep()
            elif status == CANCELLED:
                unpaid = [
                    i
                    for i, p in enumerate(entrants)
                    if p in self.joined and p.address not in self.paid
                ]
                self.refund(unpaid[who % len(unpaid)] if unpaid else who)
            else:
                self.next_phase()

        @rule(who=st.integers(0, 3))
        def progress_again(self, who):
            """Same as progress: a second rule doubles its odds against the disruptive rules."""
            self.progress(who)

        def next_phase(self):
            """Jumps to the next boundary: start, end, end of the dispute window, claim deadline."""
            # The claim deadline, or once finalized the end of its claim period.
            boundaries = [self.cfg.startTime, self.cfg.endTime, self.claim_ends() + 1]
            if self.posted_at:
                boundaries.append(self.posted_at + self.cfg.disputeWindow)
            later = [b for b in boundaries if b > self.now()]
            if later:
                chain.pending_timestamp = min(later)
                chain.mine()

        @rule(who=st.integers(0, 3))
        def join(self, who):
            player = entrants[who]
            status = self.status()
            if self.paused or self.org_paused:
                error = self.c.EnforcedPause
            elif status == CANCELLED:
                error = self.c.CompetitionWrongStatus
            elif status != OPEN:
                error = self.c.CompetitionNotOpen
            elif player in self.joined:
                error = self.c.CompetitionAlreadyJoined
            elif len(self.joined) >= self.cfg.maxParticipants:
                error = self.c.CompetitionFull
            else:
                error = None
            tx = self.send(error is None, lambda: self.c.join(value=FEE, sender=player), error)
            if error is None:
                self.gas[player.address] += tx.total_fees_paid
                self.joined.append(player)
                self.fees_in += FEE

        @rule(who=st.integers(0, 3))
        def refund(self, who):
            player = entrants[who]
            ok = (
                self.status() == CANCELLED
                and player in self.joined
                and player.address not in self.paid
            )
            tx = self.send(ok, lambda: self.c.refund(sender=player))
            if ok:
                event("refunded")
                REACHED["refund"] += 1
                self.paid.add(player.address)
                self.refunds += FEE
                self.received[player.address] = FEE
                self.gas[player.address] += tx.total_fees_paid

        @rule(who=st.integers(0, 3), price=st.integers(1, 50 * ETH))
        def track(self, who, price):
            player = entrants[who]
            token_id = 100 + who
            oracle.overridePrice(domain_token, token_id, price, sender=owner)
            ok = self.status() == OPEN and player in self.joined
            holding = [(ERC721, domain_token.address, token_id, 1)]
            self.send(
                ok, lambda: tracker.updatePortfolioValue(self.c, player, holding, sender=updater)
            )
            if ok:
                self.values[player.address] = price

        @rule(step=st.sampled_from([1, HOUR, DAY, "next phase"]))
        def travel(self, step):
            if step == "next phase":
                self.next_phase()
            else:
                chain.pending_timestamp = self.now() + step
                chain.mine()

        @rule(honest=st.booleans())
        def post_results(self, honest):
            values = {p.address: self.values.get(p.address, 0) for p in self.joined}
            available = pz.distributable(self.pool(), self.cfg.rakeBps)
            ok = (
                not self.paused
                and self.status() == ENDED
                and self.posted_at == 0
                and self.now() <= self.cfg.claimDeadline
            )
            # With nothing to pay (no entrant, a free competition) the root is EMPTY_ROOT.
            results = pz.build_results(
                pz.compute_prizes(values, list(self.cfg.payoutBps), available) if values else {}
            )
            total = results.total if honest else available + 1
            self.send(
                ok and honest,
                lambda: self.c.postResults(results.root, total, sender=resolver),
            )
            if ok and honest:
                REACHED["post"] += 1
                self.results, self.posted_at = results, self.now()

        def finalize(self):
            ok = (
                not self.paused
                and self.status() == ENDED
                and self.posted_at != 0
                and self.now() >= self.posted_at + self.cfg.disputeWindow
            )
            self.send(ok, lambda: self.c.finalize(sender=resolver))
            if ok:
                event("finalized")
                REACHED["finalize"] += 1
                self.finalized = True
                self.finalized_at = self.now()
                self.rake_paid += pz.rake(self.pool(), self.cfg.rakeBps)

        @rule(who=st.integers(0, 3))
        def claim(self, who):
            player = entrants[who]
            prize = self.results.prizes.get(player.address, 0) if self.results else 0
            proof = self.results.proof(player.address) if prize else []
            ok = (
                self.status() == FINALIZED
                and self.now() <= self.claim_ends()
                and prize > 0
                and player.address not in self.paid
            )
            tx = self.send(ok, lambda: self.c.claim(prize, proof, sender=player))
            if ok:
                event("claimed a prize")
                REACHED["claim"] += 1
                self.paid.add(player.address)
                self.claimed += prize
                self.received[player.address] = prize
                self.gas[player.address] += tx.total_fees_paid

        def sweep(self):
            balance = self.c.balance
            ok = (
                not self.paused
                and self.status() == FINALIZED
                and self.now() > self.claim_ends()
                and balance > 0
            )
            self.send(ok, lambda: self.c.sweep(sender=resolver))
            if ok:
                event("swept")
                REACHED["sweep"] += 1
                # Only what winners could have claimed and did not, plus rounding dust.
                assert balance == pz.distributable(self.pool(), self.cfg.rakeBps) - self.claimed
                self.swept += balance

        # -- invariants ----------------------------------------------------------
        @invariant()
        def balance_is_ledger(self):
            expected = self.fees_in - self.claimed - self.rake_paid - self.refunds - self.swept
            assert self.c.balance == expected

        @invariant()
        def nobody_paid_twice(self):
            assert self.view.claimedTotal().call() == self.claimed
            for player in entrants:
                assert self.view.isPaid(player.address).call() == (player.address in self.paid)

        @invariant()
        def payouts_within_pool_minus_rake(self):
            available = pz.distributable(self.pool(), self.cfg.rakeBps)
            _, total, _ = self.view.results().call()
            assert total <= available
            assert self.claimed <= total or self.posted_at == 0

        @invariant()
        def status_matches_model(self):
            assert self.view.status().call() == self.status()
            assert self.view.paused().call() == (self.paused or self.org_paused)
            assert self.view.guardianPaused().call() == self.paused

        # NOTE: checked at every phase of the teardown and at the end of every run, not after
        # every step: on this backend each check costs a balance read per wallet. The fast
        # machine (tests/utils/fast_competition.py) checks it exactly after every step.
        def each_wallet_gets_only_its_due(self):
            for player in entrants:
                address = player.address
                fee = FEE if player in self.joined else 0
                # Its prize share of the posted results, or its own fee back: never both.
                prize = self.results.prizes.get(address, 0) if self.results else 0
                got = self.received.get(address, 0)
                assert got <= max(prize, fee)
                net = player.balance - self.start[address] + self.gas[address]
                assert net <= got - fee, address
            for outsider in outsiders:
                assert outsider.balance <= self.start[outsider.address], outsider

        @invariant()
        def treasury_gets_rake_and_sweeps_only(self):
            now = treasury.balance
            assert now - self.treasury_start == self.rake_paid + self.swept

        def teardown(self):
            """Drives every run to its end (all but one winner claim, then the rest is swept; or
            everyone is refunded) and checks that no wei is left stuck in the competition."""
            self.check_all()
            for _ in range(12):
                status = self.status()
                if self.paused or self.org_paused:
                    self._unpause()
                elif status == CANCELLED:
                    for i, p in enumerate(entrants):
                        if p in self.joined and p.address not in self.paid:
                            self.refund(i)
                    break
                elif status == FINALIZED and self.now() <= self.claim_ends():
                    winners = [
                        i
                        for i, p in enumerate(entrants)
                        if self.results
                        and p.address in self.results.prizes
                        and p.address not in self.paid
                    ]
                    for i in winners[:-1]:  # the last winner never claims: its prize is swept
                        self.claim(i)
                    chain.pending_timestamp = self.claim_ends() + 1
                    chain.mine()
                elif status == FINALIZED:
                    if self.c.balance > 0:
                        self.sweep()
                    break
                else:
                    self.progress(0)
                self.check_all()
            self.check_all()
            if self.status() in (FINALIZED, CANCELLED) and self.now() > self.claim_ends():
                assert self.c.balance == 0, "wei left stuck after the claim deadline"
            if self.status() == CANCELLED:
                assert self.c.balance == 0, "entry fees left unrefunded"

        def check_all(self):
            self.balance_is_ledger()
            self.each_wallet_gets_only_its_due()
            self.nobody_paid_twice()
            self.payouts_within_pool_minus_rake()
            self.status_matches_model()

    # NOTE: derandomized by default, so CI explores the same sequences every run and the
    # depth check below cannot flake; DOMACROSS_STATEFUL_EXAMPLES=N explores N random runs.
    examples = os.environ.get("DOMACROSS_STATEFUL_EXAMPLES")
    REACHED.clear()
    run_state_machine_as_test(
        CompetitionMachine,
        settings=settings(
            max_examples=int(examples or 15),
            stateful_step_count=40,
            derandomize=examples is None,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
    print(f"lifecycle depth reached: {dict(REACHED)}")
    if examples is None:
        # The runs must reach every money-moving path, or the invariants checked little.
        assert {"post", "finalize", "claim", "sweep", "refund"} <= set(REACHED), REACHED
