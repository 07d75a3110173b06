"""The competition money machine on Ape's chain: the fidelity check of the fast runs.

The rules, ghost ledger and invariants are those of tests/utils/competition_machine.py,
which tests/fuzz/test_fast_competition_stateful.py runs hundreds of times on the fast
engine. Here a few short sequences run through Ape on its embedded chain: real gas, blocks
and timestamps, Ape's transaction path and its decoding of the contracts' custom errors,
every invariant checked after every step and each run driven to its end. Derandomized by
default (the same sequences every run, with a check that they reach every money-moving
path); `DOMACROSS_STATEFUL_EXAMPLES=N` explores N new random runs.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from typing import Any

import ape
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from domacross_sdk.abis import abi
from tests.utils.competition_machine import (
    FIRST_TOKEN_ID,
    MONEY_PATHS,
    REGISTRAR_ID,
    competition_machine,
)
from tests.utils.constants import DAY

pytestmark = pytest.mark.fuzz

# Few and short: the fast engine runs the many long ones; these check that Ape's chain
# agrees with the same model. Every run still ends claimed and swept, or refunded.
SEQUENCES = 5
STEPS = 15


class ApeBackend:
    """The machine's chain: Ape's embedded one; views and balances read through web3."""

    gas_free = False

    def __init__(self, chain: Any, make_competition: Callable[..., Any]) -> None:
        self.chain = chain
        self.make_competition = make_competition
        self.web3 = chain.provider.web3
        self.contracts: dict[str, Any] = {}

    def competition(self) -> Any:
        return self.make_competition(maxParticipants=3)

    def now(self) -> int:
        return int(self.chain.pending_timestamp)

    def warp(self, timestamp: int) -> None:
        self.chain.pending_timestamp = timestamp
        self.chain.mine()

    def balance_of(self, address: str) -> int:
        return int(self.web3.eth.get_balance(address))

    def view(self, contract: Any, name: str, *args: Any) -> Any:
        # NOTE: through web3: Ape's contract calls (code check, serialisation, decoding per
        # call) cost several times as much, and these run after every step.
        functions = self.contracts.get(contract.address)
        if functions is None:
            functions = self.web3.eth.contract(
                address=contract.address, abi=abi("Competition")
            ).functions
            self.contracts[contract.address] = functions
        return getattr(functions, name)(*args).call()

    def send(self, contract: Any, ok: bool, call: Callable[[], Any], error: str | None) -> int:
        if ok:
            return int(call().total_fees_paid)
        with ape.reverts(getattr(contract, error)) if error is not None else ape.reverts():
            call()
        return 0


@pytest.fixture
def entrants(accounts, domain_token, registrar, chain):
    """Four would-be entrants, each holding one domain that never expires in these runs."""
    players = [accounts[i] for i in (3, 4, 5, 9)]
    for token_id, player in enumerate(players, start=FIRST_TOKEN_ID):
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
    reached: Counter[str] = Counter()
    machine = competition_machine(
        RuleBasedStateMachine,
        ApeBackend(chain, make_competition),
        oracle=oracle,
        tracker=tracker,
        token=domain_token,
        treasury=treasury.address,
        owner=owner,
        guardian=guardian,
        resolver=resolver,
        updater=updater,
        entrants=entrants,
        reached=reached,
    )
    examples = os.environ.get("DOMACROSS_STATEFUL_EXAMPLES")
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=int(examples or SEQUENCES),
            stateful_step_count=STEPS,
            derandomize=examples is None,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
    print(f"lifecycle depth reached: {dict(reached)}")
    if examples is None:
        # The runs must reach every money-moving path, or the invariants checked little.
        assert set(reached) >= MONEY_PATHS, reached
