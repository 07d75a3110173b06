"""The competition money invariants over random lifecycles, on the fast engine.

The machine is tests/utils/competition_machine.py, the one tests/fuzz/
test_competition_stateful.py runs on Ape's chain as the fidelity check: here it runs
hundreds of sequences, each driven to its end, in a few seconds. Derandomized by default,
with a depth check; `DOMACROSS_FAST_STATEFUL_EXAMPLES=N` explores N new random runs.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest

from domacross_fuzz import run_machine
from tests.utils.competition_machine import MONEY_PATHS
from tests.utils.fast_competition import competition_machine, prepare_competition

pytestmark = pytest.mark.fuzz

SEQUENCES = 300
STEPS = 40


def test_competition__money_invariants_hold__fast(
    fast_chain, fast_suite, owner, registrar, guardian, resolver, updater, accounts
):
    entrants = [accounts[i] for i in (3, 4, 5, 9)]
    competition = prepare_competition(
        fast_suite, owner=owner, registrar=registrar, entrants=entrants
    )
    reached: Counter[str] = Counter()
    machine = competition_machine(
        fast_suite,
        competition,
        owner=owner,
        guardian=guardian,
        resolver=resolver,
        updater=updater,
        entrants=entrants,
        reached=reached,
    )
    examples = os.environ.get("DOMACROSS_FAST_STATEFUL_EXAMPLES")
    run_machine(
        machine,
        fast_chain,
        sequences=int(examples or SEQUENCES),
        steps=STEPS,
        derandomize=examples is None,
    )
    print(f"lifecycle depth reached: {dict(reached)}")
    if examples is None:
        # The runs must reach every money-moving path, many times, or they checked little.
        assert set(reached) >= MONEY_PATHS, reached
        assert min(reached.values()) >= 20, reached
