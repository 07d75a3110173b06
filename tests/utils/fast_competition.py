"""The competition money machine (tests/utils/competition_machine.py) on the fast engine.

Every run starts from one competition with four would-be entrants holding a domain each
(a snapshot, reverted after the run); gas is free, so every wallet's balance is predicted
exactly. Shared by tests/fuzz/test_fast_competition_stateful.py and bench/fuzz_bench.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from domacross_fuzz import FastStateMachine, reverts
from tests.utils.competition_machine import FIRST_TOKEN_ID, REGISTRAR_ID
from tests.utils.competition_machine import competition_machine as machine_on
from tests.utils.constants import DAY


def prepare_competition(suite, *, owner, registrar, entrants):
    """Mints one long-lived domain per entrant and creates a 3-seat competition."""
    chain = suite.project.chain
    for token_id, player in enumerate(entrants, start=FIRST_TOKEN_ID):
        suite.domain_token.mint(
            player, token_id, chain.timestamp + 100 * 365 * DAY, REGISTRAR_ID, sender=registrar
        )
    return suite.make_competition(owner, maxParticipants=3)


class FastBackend:
    """The machine's chain: the fast engine, its calls free of gas."""

    gas_free = True

    def __init__(self, chain: Any, competition: Any) -> None:
        self.chain = chain
        self.prepared = competition

    def competition(self) -> Any:
        # NOTE: the same contract every run: FastStateMachine reverts the chain after each.
        return self.prepared

    def now(self) -> int:
        return int(self.chain.timestamp)

    def warp(self, timestamp: int) -> None:
        self.chain.warp(timestamp)

    def balance_of(self, address: str) -> int:
        return int(self.chain.balance_of(address))

    def view(self, contract: Any, name: str, *args: Any) -> Any:
        return getattr(contract, name)(*args)

    def send(self, contract: Any, ok: bool, call: Callable[[], Any], error: str | None) -> int:
        if ok:
            call()
            return 0
        with reverts(error):
            call()
        return 0


def competition_machine(
    suite,
    competition,
    *,
    owner,
    guardian,
    resolver,
    updater,
    entrants: Sequence[Any],
    reached: Counter[str],
):
    """A FastStateMachine class over `competition`; `reached` counts money-moving paths."""
    return machine_on(
        FastStateMachine,
        FastBackend(suite.project.chain, competition),
        oracle=suite.oracle,
        tracker=suite.tracker,
        token=suite.domain_token,
        treasury=suite.treasury,
        owner=owner,
        guardian=guardian,
        resolver=resolver,
        updater=updater,
        entrants=entrants,
        reached=reached,
    )
