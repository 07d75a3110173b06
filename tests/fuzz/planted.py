"""The planted-bug suite: small contracts with one known bug each (contracts/test/planted/),
and the properties a contract developer would write for them with the fast engine, as the
docs/fuzzing.md shows. Shared by tests/fuzz/test_planted_bugs.py (each bug found with every seed)
and bench/fuzz_bench.py (time to the bug, against forge on the same contracts).

Each ``find_*`` function deploys its contract on ``chain``, runs the property with Hypothesis
seed ``seed`` (no example database: nothing carries over between seeds) and returns a
:class:`Found` with what the failing example was and how long the engine took to meet it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from hypothesis import seed as hypothesis_seed
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

from domacross_fuzz import FastStateMachine, SequenceFailureError, fast_given, run_machine

MAGIC = 0xDEADBEEF
WINDOW_START = 1_800_000_000
CAP = 1_000_000 * 10**18
UINT256 = st.integers(0, 2**256 - 1)


@dataclass
class Found:
    """What a search met: the failing input(s), seconds and distinct examples (or calls) to
    the first failure, and the error reported after shrinking."""

    inputs: Any = None
    seconds: float | None = None
    examples: int = 0
    error: BaseException | None = None
    calls: list[str] = field(default_factory=list)


class Clock:
    """Time and example count at the first failing example of a search."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.examples = 0
        self.found = Found()

    def tick(self) -> None:
        self.examples += 1

    def failed(self, inputs: Any) -> None:
        if self.found.seconds is None:
            self.found.seconds = time.perf_counter() - self.start
            self.found.examples = self.examples
        self.found.inputs = inputs  # the last one is the shrunk example


def _search(prop: Any, clock: Clock, seed: int, examples: int, **fixtures: Any) -> Found:
    configured = hypothesis_seed(seed)(settings(database=None, max_examples=examples)(prop))
    try:
        configured(**fixtures)
    except AssertionError as exc:
        clock.found.error = exc
    return clock.found


def find_magic_constant(chain: Any, project: Any, accounts: Any, seed: int) -> Found:
    """`unlock(key)` opens the lock for 0xdeadbeef only."""
    lock = project.PlantedMagicLock.deploy(sender=accounts[0])
    clock = Clock()

    @fast_given(key=UINT256)
    def test_lock__any_key__stays_closed(fast_chain: Any, key: int) -> None:
        clock.tick()
        lock.unlock(key, sender=accounts[1])
        if lock.opened():
            clock.failed(key)
        assert not lock.opened()

    return _search(test_lock__any_key__stays_closed, clock, seed, 100_000, fast_chain=chain)


def find_magic_in_time_window(chain: Any, project: Any, accounts: Any, seed: int) -> Found:
    """`unlockTimed(key)` opens for 0xdeadbeef during one hour from timestamp 1.8e9."""
    lock = project.PlantedMagicLock.deploy(sender=accounts[0])
    clock = Clock()

    @fast_given(key=UINT256, when=st.integers(chain.timestamp, 2**40))
    def test_timed_lock__any_key_any_time__stays_closed(
        fast_chain: Any, key: int, when: int
    ) -> None:
        clock.tick()
        fast_chain.warp(when)
        lock.unlockTimed(key, sender=accounts[1])
        if lock.opened():
            clock.failed((key, when))
        assert not lock.opened()

    return _search(
        test_timed_lock__any_key_any_time__stays_closed, clock, seed, 100_000, fast_chain=chain
    )


def find_self_transfer(chain: Any, project: Any, accounts: Any, seed: int) -> Found:
    """Sending your own balance to yourself doubles it: supply != sum of balances."""
    holders = [accounts[i] for i in (1, 2, 3)]
    token = project.PlantedSelfTransferToken.deploy(holders, 10**21, sender=accounts[0])
    clock = Clock()

    @fast_given(sender=st.sampled_from(holders), to=st.sampled_from(holders), amount=UINT256)
    def test_transfer__any__keeps_supply_equal_to_balances(
        fast_chain: Any, sender: Any, to: Any, amount: int
    ) -> None:
        clock.tick()
        if amount > token.balanceOf(sender):
            return  # reverts: nothing to check
        token.transfer(to, amount, sender=sender)
        total = sum(token.balanceOf(h) for h in holders)
        if total != token.totalSupply():
            clock.failed((chain.describe(sender), chain.describe(to), amount))
        assert total == token.totalSupply()

    return _search(
        test_transfer__any__keeps_supply_equal_to_balances, clock, seed, 100_000, fast_chain=chain
    )


def find_boundary(chain: Any, project: Any, accounts: Any, seed: int) -> Found:
    """`accept` lets exactly CAP through (an off-by-one)."""
    capped = project.PlantedBoundary.deploy(sender=accounts[0])
    clock = Clock()

    @fast_given(amount=UINT256)
    def test_accept__any_amount__only_below_cap(fast_chain: Any, amount: int) -> None:
        clock.tick()
        try:
            capped.accept(amount, sender=accounts[1])
        except Exception:
            return  # rejected: fine
        if amount >= CAP:
            clock.failed(amount)
        assert amount < CAP

    return _search(test_accept__any_amount__only_below_cap, clock, seed, 100_000, fast_chain=chain)


def find_value_from_event(chain: Any, project: Any, accounts: Any, seed: int) -> Found:
    """`redeem(code)` drains the book for the code `issue()` emitted (and stored)."""
    voucher = project.PlantedVoucher.deploy(sender=accounts[0])
    clock = Clock()

    @fast_given(code=UINT256)
    def test_redeem__any_code__never_drains(fast_chain: Any, code: int) -> None:
        clock.tick()
        voucher.issue(sender=accounts[1])
        voucher.redeem(code, sender=accounts[2])
        if voucher.drained():
            clock.failed(code)
        assert not voucher.drained()

    return _search(test_redeem__any_code__never_drains, clock, seed, 100_000, fast_chain=chain)


def find_self_transfer_stateful(chain: Any, project: Any, accounts: Any, seed: int) -> Found:
    """The self-transfer bug as an invariant: supply == sum of balances after every call."""
    holders = [accounts[i] for i in (1, 2, 3)]
    token = project.PlantedSelfTransferToken.deploy(holders, 10**21, sender=accounts[0])
    clock = Clock()

    class Token(FastStateMachine):
        @rule(sender=st.sampled_from(holders), to=st.sampled_from(holders), amount=UINT256)
        def transfer(self, sender: Any, to: Any, amount: int) -> None:
            clock.tick()
            amount %= token.balanceOf(sender) + 1  # bounded by the balance, as in forge
            token.transfer(to, amount, sender=sender)

        @invariant()
        def supply_is_the_sum_of_balances(self) -> None:
            total = sum(token.balanceOf(h) for h in holders)
            if total != token.totalSupply():
                clock.failed(None)
            assert total == token.totalSupply()

    return _run_machine(Token, chain, clock, seed)


def find_vault_inflation(chain: Any, project: Any, accounts: Any, seed: int) -> Found:
    """First-depositor share inflation: deposit 1, donate, deposit -> 0 shares minted."""
    vault = project.PlantedVault.deploy(sender=accounts[0])
    users = [accounts[i] for i in (1, 2)]
    clock = Clock()

    class Vault(FastStateMachine):
        @rule(who=st.sampled_from(users), assets=st.integers(1, 10**24))
        def deposit(self, who: Any, assets: int) -> None:
            clock.tick()
            shares = vault.deposit.call(assets, sender=who)
            if shares == 0:
                clock.failed(None)
            assert shares > 0, f"a deposit of {assets} minted no shares"
            vault.deposit(assets, sender=who)

        @precondition(lambda self: vault.totalShares() > 0)
        @rule(assets=st.integers(1, 10**24))
        def donate(self, assets: int) -> None:
            clock.tick()
            vault.donate(assets, sender=users[0])

    return _run_machine(Vault, chain, clock, seed)


def _run_machine(machine: Any, chain: Any, clock: Clock, seed: int) -> Found:
    try:
        run_machine(hypothesis_seed(seed)(machine), chain, sequences=1_000, steps=50, database=None)
    except SequenceFailureError as exc:
        clock.found.error = exc
        clock.found.calls = [
            line.strip() for line in str(exc).splitlines() if line.startswith("    state.")
        ]
    return clock.found
