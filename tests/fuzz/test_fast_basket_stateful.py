"""The domain-basket invariants over random deposit/redeem sequences, on the fast engine.

See tests/utils/fast_basket.py for the machine. Derandomized by default;
`DOMACROSS_FAST_STATEFUL_EXAMPLES=N` explores N new random runs.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest

from domacross_fuzz import run_machine
from tests.utils.fast_basket import basket_machine, prepare_basket

pytestmark = pytest.mark.fuzz

SEQUENCES = 600  # NOTE: redeem_nft ran 41 times at 400 once redeemInKind joined: keep >= 50
STEPS = 30


def test_basket__nav_and_no_extraction_invariants_hold__fast(
    fast_chain, fast_suite, owner, registrar, accounts
):
    actors = [accounts[i] for i in (3, 4, 5)]
    basket, tokens = prepare_basket(fast_suite, owner=owner, registrar=registrar, actors=actors)
    reached: Counter[str] = Counter()
    machine = basket_machine(
        fast_suite, basket, tokens, owner=owner, actors=actors, reached=reached
    )
    examples = os.environ.get("DOMACROSS_FAST_STATEFUL_EXAMPLES")
    run_machine(
        machine,
        fast_chain,
        sequences=int(examples or SEQUENCES),
        steps=STEPS,
        derandomize=examples is None,
    )
    print(f"basket paths reached: {dict(reached)}")
    if examples is None:
        # Every value-moving path must run many times, or the invariants checked little.
        assert {"deposit", "deposit_nft", "redeem", "redeem_nft"} <= set(reached), reached
        assert min(reached.values()) >= 50, reached
