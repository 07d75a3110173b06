"""The competition money machine: one set of rules and invariants, on either chain.

Each run starts from a competition (3 seats) that 1-3 of four would-be entrants join, then
applies a random sequence of join, pause, unpause, cancel, refund, price and tracker
updates, time travel, results (honest or over the pool), rejection, abandonment, finalize,
claim and sweep; a `progress` rule takes the next natural lifecycle step so that deep states
are reached. A ghost ledger predicts every outcome (a failing call must fail with the error
the ledger names). The teardown then drives the run to its end (all winners but one claim,
the rest is swept; or everyone is refunded). After every step and at each teardown phase:

* the competition's balance equals fees in - prizes claimed - rake - refunds - sweeps;
* no account is paid twice (prize or refund), on chain as in the ledger;
* posted payouts, and prizes claimed, never exceed the pool minus the rake;
* status and pause flags match the model;
* each wallet's ether moves only as the rules say: an entrant ends down its fee, plus its
  own prize or its fee back, never more (exactly so where gas is free; where it is not, net
  of the gas of its mined calls, and "at most" since a reverted call may cost gas too); a
  would-be entrant that never joined, the organizer, guardian, resolver and updater never
  gain a wei; the treasury gets the rake and sweeps only;
and at the end no wei is left in the competition.

The chain is reached through a :class:`Backend`: `tests/utils/fast_competition.py` (the
fast engine, many sequences) and `tests/fuzz/test_competition_stateful.py` (Ape's chain, a
few short sequences as the fidelity check) each supply one.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domacross_sdk import prizes as pz
from tests.utils.constants import DAY, ETH, FEE, HOUR

ERC721 = 0
SCHEDULED, OPEN, ENDED, FINALIZED, CANCELLED = range(5)
REGISTRAR_ID = 1_001
FIRST_TOKEN_ID = 100
# The paths that move money: a run of the machine is worth little unless they are reached.
MONEY_PATHS = frozenset({"post", "finalize", "claim", "sweep", "refund"})


class Backend(Protocol):
    """What the machine needs from a chain."""

    # Whether calls cost no gas: then every wallet's balance is predicted exactly.
    gas_free: bool

    def competition(self) -> Any:
        """The competition a run plays on, created for it (or reverted to its start)."""

    def now(self) -> int:
        """``block.timestamp`` of the next call."""

    def warp(self, timestamp: int) -> None:
        """Moves the next call's ``block.timestamp`` to ``timestamp``."""

    def balance_of(self, address: str) -> int:
        """Native balance of ``address`` in wei."""

    def view(self, contract: Any, name: str, *args: Any) -> Any:
        """The result of the view ``name`` of ``contract``."""

    def send(self, contract: Any, ok: bool, call: Callable[[], Any], error: str | None) -> int:
        """Runs ``call``; unless ``ok``, expects it to revert (with the custom error named
        ``error`` when given). Returns the gas its sender paid (0 when it reverted)."""


def competition_machine(
    base: type[RuleBasedStateMachine],
    backend: Backend,
    *,
    oracle: Any,
    tracker: Any,
    token: Any,
    treasury: str,
    owner: Any,
    guardian: Any,
    resolver: Any,
    updater: Any,
    entrants: Sequence[Any],
    reached: Counter[str],
) -> type[RuleBasedStateMachine]:
    """The machine class, on ``base`` (RuleBasedStateMachine, or FastStateMachine).

    ``entrants``: four would-be entrants (senders), entrant ``i`` holding domain
    ``FIRST_TOKEN_ID + i``; ``reached`` counts the money-moving paths taken (MONEY_PATHS).
    """
    # Senders are accounts, or on the fast engine addresses too (bench/fuzz_bench.py).
    players = [getattr(e, "address", e) for e in entrants]
    outsiders = [getattr(a, "address", a) for a in (owner, guardian, resolver, updater)]

    class CompetitionMachine(base):  # type: ignore[misc,valid-type]
        def __init__(self) -> None:
            super().__init__()
            self.c = backend.competition()
            self.cfg = self.c.config()
            self.joined: list[str] = []
            self.paid: set[str] = set()
            self.values: dict[str, int] = {}
            self.fees_in = self.claimed = self.rake_paid = self.refunds = self.swept = 0
            # `paused` is a guardian's pause; the organizer's stops joining only.
            self.paused = self.cancelled = self.finalized = False
            self.org_paused = self.org_revoked = False
            self.finalized_at = 0
            # Money rules per actor: the treasury gets the rake and sweeps only.
            self.treasury_start = backend.balance_of(treasury)
            # ...and every other wallet: what it held when the run began, what it was paid,
            # and the gas of its calls that went through.
            self.start = {a: backend.balance_of(a) for a in players + outsiders}
            self.received: dict[str, int] = {}
            self.gas: Counter[str] = Counter()
            self.results: pz.Results | None = None
            self.posted_at = 0

        # -- helpers -------------------------------------------------------------
        def status(self) -> int:
            if self.cancelled:
                return CANCELLED
            if self.finalized:
                return FINALIZED
            now = backend.now()
            if now >= self.cfg.endTime:
                return ENDED
            return OPEN if now >= self.cfg.startTime else SCHEDULED

        def pool(self) -> int:
            return pz.pool(len(self.joined), self.cfg.entryFee)

        def send(self, ok: bool, call: Callable[[], Any], error: str | None = None) -> int:
            return backend.send(self.c, ok, call, error)

        def claim_ends(self) -> int:
            """Claims close a full claim period after finalization."""
            cfg = self.cfg
            if not self.finalized:
                return int(cfg.claimDeadline)
            return int(self.finalized_at + (cfg.claimDeadline - cfg.endTime - cfg.disputeWindow))

        # -- rules ---------------------------------------------------------------
        @initialize(count=st.integers(1, 3))
        def open_and_join(self, count: int) -> None:
            """Most interesting runs need entrants: open the competition and let some join."""
            backend.warp(self.cfg.startTime)
            for who in range(count):
                self.join(who)

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
        def disrupt(self, action: str) -> None:
            """The rarer admin actions, sharing one rule so they do not crowd out the rest."""
            getattr(self, f"_{action}")()

        def _pause(self) -> None:
            self.send(not self.paused, lambda: self.c.pause(sender=guardian), "EnforcedPause")
            self.paused = True

        def _unpause(self) -> None:
            ok = self.paused or self.org_paused
            self.send(ok, lambda: self.c.unpause(sender=guardian), "ExpectedPause")
            if ok:
                # A guardian's unpause lifts every pause and ends the organizer's right to pause.
                self.paused = self.org_paused = False
                self.org_revoked = True

        def _org_pause(self) -> None:
            ok = not self.org_revoked and not self.org_paused
            error = "CompetitionUnauthorized" if self.org_revoked else "EnforcedPause"
            self.send(ok, lambda: self.c.pause(sender=owner), error)
            self.org_paused = self.org_paused or ok

        def _org_unpause(self) -> None:
            self.send(self.org_paused, lambda: self.c.unpause(sender=owner), "ExpectedPause")
            self.org_paused = False

        def _timeout(self) -> None:
            """Anyone cancels a competition whose results never came by the claim deadline."""
            ok = (
                self.status() not in (FINALIZED, CANCELLED)
                and self.posted_at == 0
                and backend.now() > self.cfg.claimDeadline
            )
            self.send(ok, lambda: self.c.cancel(sender=updater))
            self.cancelled = self.cancelled or ok

        def _abandon(self) -> None:
            """The resolver never posts: time passes the claim deadline, then anyone cancels
            and every entrant takes a refund (the path that keeps fees from being locked)."""
            if self.posted_at == 0 and self.status() not in (FINALIZED, CANCELLED):
                backend.warp(max(backend.now(), self.cfg.claimDeadline + 1))
            self._timeout()

        def _cancel(self) -> None:
            ok = self.status() not in (FINALIZED, CANCELLED)
            # Nobody voids results past their dispute window.
            ok = ok and not (
                self.posted_at and backend.now() >= self.posted_at + self.cfg.disputeWindow
            )
            self.send(ok, lambda: self.c.cancel(sender=guardian))
            self.cancelled = self.cancelled or ok

        def _reject(self) -> None:
            in_window = backend.now() < self.posted_at + self.cfg.disputeWindow
            ok = self.posted_at != 0 and self.status() == ENDED and in_window
            self.send(ok, lambda: self.c.rejectResults(sender=guardian))
            if ok:
                self.results, self.posted_at = None, 0

        @rule(who=st.integers(0, 3))
        def progress(self, who: int) -> None:
            """The next natural step of the lifecycle, so that random runs get deep."""
            status = self.status()
            now = backend.now()
            if self.paused or self.org_paused:
                self._unpause()
            elif status == ENDED and self.posted_at == 0 and now > self.cfg.claimDeadline:
                self._timeout()
            elif status == ENDED and self.posted_at == 0:
                self.post_results(honest=True)
            elif status == ENDED and now >= self.posted_at + self.cfg.disputeWindow:
                self.finalize()
            elif status == FINALIZED and now <= self.claim_ends() and self.results:
                unpaid = self.unpaid_winners()
                # The last winner waits, so that the sweep has a prize to take.
                if len(unpaid) > 1:
                    self.claim(unpaid[who % len(unpaid)])
                else:
                    self.next_phase()
            elif status == FINALIZED:
                self.sweep()
            elif status == CANCELLED:
                unpaid = self.unrefunded()
                self.refund(unpaid[who % len(unpaid)] if unpaid else who)
            else:
                self.next_phase()

        @rule(who=st.integers(0, 3))
        def progress_again(self, who: int) -> None:
            """Same as progress: a second rule doubles its odds against the disruptive rules."""
            self.progress(who)

        def unpaid_winners(self) -> list[int]:
            prizes = self.results.prizes if self.results else {}
            return [i for i, p in enumerate(players) if p in prizes and p not in self.paid]

        def unrefunded(self) -> list[int]:
            return [i for i, p in enumerate(players) if p in self.joined and p not in self.paid]

        def next_phase(self) -> None:
            """Jumps to the next boundary: start, end, end of the dispute window, claim deadline."""
            # The claim deadline, or once finalized the end of its claim period.
            boundaries = [self.cfg.startTime, self.cfg.endTime, self.claim_ends() + 1]
            if self.posted_at:
                boundaries.append(self.posted_at + self.cfg.disputeWindow)
            later = [b for b in boundaries if b > backend.now()]
            if later:
                backend.warp(min(later))

        @rule(who=st.integers(0, 3))
        def join(self, who: int) -> None:
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
            elif len(self.joined) >= self.cfg.maxParticipants:
                error = "CompetitionFull"
            else:
                error = None
            sender = entrants[who]
            gas = self.send(error is None, lambda: self.c.join(value=FEE, sender=sender), error)
            if error is None:
                self.gas[player] += gas
                self.joined.append(player)
                self.fees_in += FEE

        @rule(who=st.integers(0, 3))
        def refund(self, who: int) -> None:
            player = players[who]
            ok = self.status() == CANCELLED and player in self.joined and player not in self.paid
            gas = self.send(ok, lambda: self.c.refund(sender=entrants[who]))
            if ok:
                reached["refund"] += 1
                self.paid.add(player)
                self.refunds += FEE
                self.received[player] = FEE
                self.gas[player] += gas

        @rule(who=st.integers(0, 3), price=st.integers(1, 50 * ETH))
        def track(self, who: int, price: int) -> None:
            player = players[who]
            token_id = FIRST_TOKEN_ID + who
            oracle.overridePrice(token, token_id, price, sender=owner)
            ok = self.status() == OPEN and player in self.joined
            holding = [(ERC721, token.address, token_id, 1)]
            self.send(
                ok,
                lambda: tracker.updatePortfolioValue(self.c, player, holding, sender=updater),
            )
            if ok:
                self.values[player] = price

        @rule(step=st.sampled_from([1, HOUR, DAY, "next phase"]))
        def travel(self, step: int | str) -> None:
            if step == "next phase":
                self.next_phase()
            else:
                backend.warp(backend.now() + int(step))

        @rule(honest=st.booleans())
        def post_results(self, honest: bool) -> None:
            values = {p: self.values.get(p, 0) for p in self.joined}
            available = pz.distributable(self.pool(), self.cfg.rakeBps)
            ok = (
                not self.paused
                and self.status() == ENDED
                and self.posted_at == 0
                and backend.now() <= self.cfg.claimDeadline
            )
            # With nothing to pay (no entrant, a free competition) the root is EMPTY_ROOT.
            results = pz.build_results(
                pz.compute_prizes(values, list(self.cfg.payoutBps), available) if values else {}
            )
            total = results.total if honest else available + 1
            error = "CompetitionPayoutExceedsPool" if ok and not honest else None
            self.send(
                ok and honest,
                lambda: self.c.postResults(results.root, total, sender=resolver),
                error,
            )
            if ok and honest:
                reached["post"] += 1
                self.results, self.posted_at = results, backend.now()

        def finalize(self) -> None:
            ok = (
                not self.paused
                and self.status() == ENDED
                and self.posted_at != 0
                and backend.now() >= self.posted_at + self.cfg.disputeWindow
            )
            self.send(ok, lambda: self.c.finalize(sender=resolver))
            if ok:
                reached["finalize"] += 1
                self.finalized = True
                self.finalized_at = backend.now()
                self.rake_paid += pz.rake(self.pool(), self.cfg.rakeBps)

        @rule(who=st.integers(0, 3))
        def claim(self, who: int) -> None:
            player = players[who]
            prize = self.results.prizes.get(player, 0) if self.results else 0
            proof = self.results.proof(player) if self.results and prize else []
            ok = (
                self.status() == FINALIZED
                and backend.now() <= self.claim_ends()
                and prize > 0
                and player not in self.paid
            )
            gas = self.send(ok, lambda: self.c.claim(prize, proof, sender=entrants[who]))
            if ok:
                reached["claim"] += 1
                self.paid.add(player)
                self.claimed += prize
                self.received[player] = prize
                self.gas[player] += gas

        def sweep(self) -> None:
            balance = backend.balance_of(self.c.address)
            ok = (
                not self.paused
                and self.status() == FINALIZED
                and backend.now() > self.claim_ends()
                and balance > 0
            )
            self.send(ok, lambda: self.c.sweep(sender=resolver))
            if ok:
                reached["sweep"] += 1
                # Only what winners could have claimed and did not, plus rounding dust.
                assert balance == pz.distributable(self.pool(), self.cfg.rakeBps) - self.claimed
                self.swept += balance

        # -- invariants ----------------------------------------------------------
        @invariant()
        def balance_is_ledger(self) -> None:
            expected = self.fees_in - self.claimed - self.rake_paid - self.refunds - self.swept
            assert backend.balance_of(self.c.address) == expected

        @invariant()
        def nobody_paid_twice(self) -> None:
            assert backend.view(self.c, "claimedTotal") == self.claimed
            for player in players:
                assert backend.view(self.c, "isPaid", player) == (player in self.paid)

        @invariant()
        def payouts_within_pool_minus_rake(self) -> None:
            available = pz.distributable(self.pool(), self.cfg.rakeBps)
            _, total, _ = backend.view(self.c, "results")
            assert total <= available
            assert self.claimed <= total or self.posted_at == 0

        @invariant()
        def status_matches_model(self) -> None:
            assert backend.view(self.c, "status") == self.status()
            assert backend.view(self.c, "paused") == (self.paused or self.org_paused)
            assert backend.view(self.c, "guardianPaused") == self.paused

        @invariant()
        def each_wallet_gets_only_its_due(self) -> None:
            for player in players:
                fee = FEE if player in self.joined else 0
                # Its prize share of the posted results, or its own fee back: never both.
                prize = self.results.prizes.get(player, 0) if self.results else 0
                got = self.received.get(player, 0)
                assert got <= max(prize, fee)
                net = backend.balance_of(player) - self.start[player] + self.gas[player]
                if backend.gas_free:
                    assert net == got - fee, player
                else:
                    assert net <= got - fee, player
            for outsider in outsiders:
                assert backend.balance_of(outsider) <= self.start[outsider], outsider
                if backend.gas_free:
                    assert backend.balance_of(outsider) == self.start[outsider], outsider

        @invariant()
        def treasury_gets_rake_and_sweeps_only(self) -> None:
            now = backend.balance_of(treasury)
            assert now - self.treasury_start == self.rake_paid + self.swept

        def check_all(self) -> None:
            self.balance_is_ledger()
            self.each_wallet_gets_only_its_due()
            self.nobody_paid_twice()
            self.payouts_within_pool_minus_rake()
            self.status_matches_model()
            self.treasury_gets_rake_and_sweeps_only()

        def teardown(self) -> None:
            """Drives the run to its end and checks that no wei is left stuck; then the
            backend's own teardown (the fast engine reverts the chain)."""
            try:
                # NOTE: a run that already failed is not driven on: checks on its broken
                # state would fail too and mask the first failure.
                if sys.exc_info()[1] is None:
                    self.drive_to_end()
            finally:
                super().teardown()

        def drive_to_end(self) -> None:
            """All winners but one claim, then the rest is swept; or everyone is refunded."""
            self.check_all()
            for _ in range(12):
                status = self.status()
                if self.paused or self.org_paused:
                    self._unpause()
                elif status == CANCELLED:
                    for i in self.unrefunded():
                        self.refund(i)
                    break
                elif status == FINALIZED and backend.now() <= self.claim_ends():
                    for i in self.unpaid_winners()[:-1]:  # the last one's prize is swept
                        self.claim(i)
                    backend.warp(self.claim_ends() + 1)
                elif status == FINALIZED:
                    if backend.balance_of(self.c.address) > 0:
                        self.sweep()
                    break
                else:
                    self.progress(0)
                self.check_all()
            self.check_all()
            if self.status() in (FINALIZED, CANCELLED) and backend.now() > self.claim_ends():
                assert backend.balance_of(self.c.address) == 0, "wei stuck after the deadline"
            if self.status() == CANCELLED:
                assert backend.balance_of(self.c.address) == 0, "entry fees left unrefunded"

    return CompetitionMachine
