"""The competition money machine of tests/fuzz/test_competition_stateful.py, on the fast engine.

Same rules, ghost ledger and invariants as the Ape-driven machine, but every run starts
from one fresh competition with four would-be entrants holding a domain each (a snapshot,
reverted after the run), and failing calls are checked by error name. Shared by
tests/fuzz/test_fast_competition_stateful.py and bench/fuzz_bench.py.

After every step:

* the competition's balance equals fees in - prizes claimed - rake - refunds - sweeps;
* no account is paid twice (prize or refund), on chain as in the ledger;
* posted payouts, and prizes claimed, never exceed the pool minus the rake;
* status and pause flag match the model;
* each wallet's ether moves only as the rules say (gas is free on this engine, so exactly):
  an entrant is down its fee, plus its own prize or its fee back, never more; a would-be
  entrant that never joined, the organizer, guardian, resolver and updater never gain a wei.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule

from domacross_fuzz import FastStateMachine, reverts
from domacross_sdk import prizes as pz
from tests.utils.constants import DAY, ETH, FEE, HOUR

ERC721 = 0
SCHEDULED, OPEN, ENDED, FINALIZED, CANCELLED = range(5)
REGISTRAR_ID = 1_001
FIRST_TOKEN_ID = 100
PLACEHOLDER_ROOT = b"\x01" * 32


def prepare_competition(suite, *, owner, registrar, entrants):
    """Mints one long-lived domain per entrant and creates a 3-seat competition."""
    chain = suite.project.chain
    for token_id, player in enumerate(entrants, start=FIRST_TOKEN_ID):
        suite.domain_token.mint(
            player, token_id, chain.timestamp + 100 * 365 * DAY, REGISTRAR_ID, sender=registrar
        )
    return suite.make_competition(owner, maxParticipants=3)


def competition_machine(
    suite, competition, *, owner, guardian, resolver, updater, entrants, reached: Counter
):
    """A FastStateMachine class over `competition`; `reached` counts money-moving paths."""
    chain = suite.project.chain
    oracle, tracker, token = suite.oracle, suite.tracker, suite.domain_token
    c = competition
    cfg = c.config()
    players = [getattr(p, "address", p) for p in entrants]
    outsiders = [getattr(a, "address", a) for a in (owner, guardian, resolver, updater)]

    class CompetitionMachine(FastStateMachine):
        def __init__(self):
            super().__init__()
            self.joined: list[str] = []
            self.paid: set[str] = set()
            self.values: dict[str, int] = {}
            self.fees_in = self.claimed = self.rake_paid = self.refunds = self.swept = 0
            # `paused` is a guardian's pause; the organizer's stops joining only.
            self.paused = self.cancelled = self.finalized = False
            self.org_paused = self.org_revoked = False
            self.finalized_at = 0
            # Money rules per actor: the treasury gets the rake and sweeps only.
            self.treasury_start = chain.balance_of(suite.treasury)
            # ...and every other wallet: what it held when the run began, what it was paid.
            self.start = {a: chain.balance_of(a) for a in players + outsiders}
            self.received: dict[str, int] = {}
            self.results = None
            self.posted_at = 0

        # -- helpers -------------------------------------------------------------
        def status(self):
            if self.cancelled:
                return CANCELLED
            if self.finalized:
                return FINALIZED
            now = chain.timestamp
            if now >= cfg.endTime:
                return ENDED
            return OPEN if now >= cfg.startTime else SCHEDULED

        def pool(self):
            return pz.pool(len(self.joined), cfg.entryFee)

        def send(self, ok, call, error=None):
            """Runs `call`; unless `ok`, expects it to revert (with `error` when given)."""
            if ok:
                call()
                return
            with reverts(error):
                call()

        # -- rules ---------------------------------------------------------------
        @initialize(count=st.integers(1, 3))
        def open_and_join(self, count):
            """Most interesting runs need entrants: open the competition and let some join."""
            chain.warp(cfg.startTime)
            for who in range(count):
                self.join(who)

        @rule(
            action=st.sampled_from(
                ["pause", "unpause", "cancel", "reject", "org_pause", "org_unpause", "timeout"]
            )
        )
        def disrupt(self, action):
            """The rarer admin actions, sharing one rule so they do not crowd out the rest."""
            getattr(self, f"_{action}")()

        def _pause(self):
            self.send(not self.paused, lambda: c.pause(sender=guardian), "EnforcedPause")
            self.paused = True

        def _unpause(self):
            ok = self.paused or self.org_paused
            self.send(ok, lambda: c.unpause(sender=guardian), "ExpectedPause")
            if ok:
                # A guardian's unpause lifts every pause and ends the organizer's right to pause.
                self.paused = self.org_paused = False
                self.org_revoked = True

        def _org_pause(self):
            ok = not self.org_revoked and not self.org_paused
            error = "CompetitionUnauthorized" if self.org_revoked else "EnforcedPause"
            self.send(ok, lambda: c.pause(sender=owner), error)
            self.org_paused = self.org_paused or ok

        def _org_unpause(self):
            self.send(self.org_paused, lambda: c.unpause(sender=owner), "ExpectedPause")
            self.org_paused = False

        def _timeout(self):
            """Anyone cancels a competition whose results never came by the claim deadline."""
            ok = (
                self.status() not in (FINALIZED, CANCELLED)
                and self.posted_at == 0
                and chain.timestamp > cfg.claimDeadline
            )
            self.send(ok, lambda: c.cancel(sender=updater))
            self.cancelled = self.cancelled or ok

        def claim_ends(self):
            """Claims close a full claim period after finalization."""
            if not self.finalized:
                return cfg.claimDeadline
            return self.finalized_at + (cfg.claimDeadline - cfg.endTime - cfg.disputeWindow)

        def _cancel(self):
            ok = self.status() not in (FINALIZED, CANCELLED)
            # Nobody voids results past their dispute window.
            ok = ok and not (
                self.posted_at and chain.timestamp >= self.posted_at + cfg.disputeWindow
            )
            self.send(ok, lambda: c.cancel(sender=guardian))
            self.cancelled = self.cancelled or ok

        def _reject(self):
            in_window = chain.timestamp < self.posted_at + cfg.disputeWindow
            ok = self.posted_at != 0 and self.status() == ENDED and in_window
            self.send(ok, lambda: c.rejectResults(sender=guardian))
            if ok:
                self.results, self.posted_at = None, 0

        @rule(who=st.integers(0, 3))
        def progress(self, who):
            """The next natural step of the lifecycle, so that random runs get deep."""
            status = self.status()
            now = chain.timestamp
            if self.paused or self.org_paused:
                self._unpause()
            elif status == ENDED and self.posted_at == 0 and chain.timestamp > cfg.claimDeadline:
                self._timeout()
            elif status == ENDED and self.posted_at == 0:
                self.post_results(honest=True)
            elif status == ENDED and now >= self.posted_at + cfg.disputeWindow:
                self.finalize()
            elif status == FINALIZED and now <= self.claim_ends() and self.results:
                unpaid = [
                    i
                    for i, p in enumerate(players)
                    if p in self.results.prizes and p not in self.paid
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
                    i for i, p in enumerate(players) if p in self.joined and p not in self.paid
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
            boundaries = [cfg.startTime, cfg.endTime, self.claim_ends() + 1]
            if self.posted_at:
                boundaries.append(self.posted_at + cfg.disputeWindow)
            later = [b for b in boundaries if b > chain.timestamp]
            if later:
                chain.warp(min(later))

        @rule(who=st.integers(0, 3))
        def join(self, who):
            player = players[who]
            status = self.status()
            if self.paused or self.org_paused:
                error = "EnforcedPause"
            elif status == CANCELLED:
                error = "CompetitionWrongStatus"
            elif status != OPEN:
                error = "CompetitionNotOpen"
            elif player in self.joined:
                error = "CompetitionAlreadyJoined"
            elif len(self.joined) >= cfg.maxParticipants:
                error = "CompetitionFull"
            else:
                error = None
            self.send(error is None, lambda: c.join(value=FEE, sender=player), error)
            if error is None:
                self.joined.append(player)
                self.fees_in += FEE

        @rule(who=st.integers(0, 3))
        def refund(self, who):
            player = players[who]
            ok = self.status() == CANCELLED and player in self.joined and player not in self.paid
            self.send(ok, lambda: c.refund(sender=player))
            if ok:
                reached["refund"] += 1
                self.paid.add(player)
                self.refunds += FEE
                self.received[player] = FEE

        @rule(who=st.integers(0, 3), price=st.integers(1, 50 * ETH))
        def track(self, who, price):
            player = players[who]
            token_id = FIRST_TOKEN_ID + who
            oracle.overridePrice(token, token_id, price, sender=owner)
            ok = self.status() == OPEN and player in self.joined
            holding = [(ERC721, token.address, token_id, 1)]
            self.send(ok, lambda: tracker.updatePortfolioValue(c, player, holding, sender=updater))
            if ok:
                self.values[player] = price

        @rule(step=st.sampled_from([1, HOUR, DAY, "next phase"]))
        def travel(self, step):
            if step == "next phase":
                self.next_phase()
            else:
                chain.skip(step)

        @rule(honest=st.booleans())
        def post_results(self, honest):
            values = {p: self.values.get(p, 0) for p in self.joined}
            available = pz.distributable(self.pool(), cfg.rakeBps)
            ok = (
                not self.paused
                and self.status() == ENDED
                and self.posted_at == 0
                and chain.timestamp <= cfg.claimDeadline
            )
            if values and available > 0:
                results = pz.compute_results(values, list(cfg.payoutBps), available)
            else:  # nothing to pay (no entrant, or a free competition): a zero-total result
                results = pz.Results(prizes={}, tree=(PLACEHOLDER_ROOT,), leaf_index={})
            total = results.total if honest else available + 1
            error = "CompetitionPayoutExceedsPool" if ok and not honest else None
            self.send(
                ok and honest,
                lambda: c.postResults(results.root, total, sender=resolver),
                error,
            )
            if ok and honest:
                reached["post"] += 1
                self.results, self.posted_at = results, chain.timestamp

        def finalize(self):
            ok = (
                not self.paused
                and self.status() == ENDED
                and self.posted_at != 0
                and chain.timestamp >= self.posted_at + cfg.disputeWindow
            )
            self.send(ok, lambda: c.finalize(sender=resolver))
            if ok:
                reached["finalize"] += 1
                self.finalized = True
                self.finalized_at = chain.timestamp
                self.rake_paid += pz.rake(self.pool(), cfg.rakeBps)

        @rule(who=st.integers(0, 3))
        def claim(self, who):
            player = players[who]
            prize = self.results.prizes.get(player, 0) if self.results else 0
            proof = self.results.proof(player) if prize else []
            ok = (
                self.status() == FINALIZED
                and chain.timestamp <= self.claim_ends()
                and prize > 0
                and player not in self.paid
            )
            self.send(ok, lambda: c.claim(prize, proof, sender=player))
            if ok:
                reached["claim"] += 1
                self.paid.add(player)
                self.claimed += prize
                self.received[player] = prize

        def sweep(self):
            balance = c.balance
            ok = (
                not self.paused
                and self.status() == FINALIZED
                and chain.timestamp > self.claim_ends()
                and balance > 0
            )
            self.send(ok, lambda: c.sweep(sender=resolver))
            if ok:
                reached["sweep"] += 1
                # Only what winners could have claimed and did not, plus rounding dust.
                assert balance == pz.distributable(self.pool(), cfg.rakeBps) - self.claimed
                self.swept += balance

        # -- invariants ----------------------------------------------------------
        @invariant()
        def balance_is_ledger(self):
            expected = self.fees_in - self.claimed - self.rake_paid - self.refunds - self.swept
            assert c.balance == expected

        @invariant()
        def nobody_paid_twice(self):
            assert c.claimedTotal() == self.claimed
            for player in players:
                assert c.isPaid(player) == (player in self.paid)

        @invariant()
        def payouts_within_pool_minus_rake(self):
            available = pz.distributable(self.pool(), cfg.rakeBps)
            _, total, _ = c.results()
            assert total <= available
            assert self.claimed <= total or self.posted_at == 0

        @invariant()
        def status_matches_model(self):
            assert c.status() == self.status()
            assert c.paused() == (self.paused or self.org_paused)
            assert c.guardianPaused() == self.paused

        @invariant()
        def each_wallet_gets_only_its_due(self):
            for player in players:
                fee = FEE if player in self.joined else 0
                # Its prize share of the posted results, or its own fee back: never both.
                allowed = max(self.results.prizes.get(player, 0) if self.results else 0, fee)
                got = self.received.get(player, 0)
                assert got <= allowed
                assert chain.balance_of(player) - self.start[player] == got - fee, player
            for outsider in outsiders:
                assert chain.balance_of(outsider) == self.start[outsider], outsider

        @invariant()
        def treasury_gets_rake_and_sweeps_only(self):
            now = chain.balance_of(suite.treasury)
            assert now - self.treasury_start == self.rake_paid + self.swept

    return CompetitionMachine
