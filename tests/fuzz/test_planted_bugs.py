"""The fast engine finds every planted bug (tests/fuzz/planted.py), with every seed tried.

Each property is written as docs/fuzzing.md shows (`fast_given`, `FastStateMachine`) over a
small contract with one known bug (contracts/test/planted/); each search has a budget of
100,000 examples (or 1,000 sequences of 50 calls) and must fail on the bug, with the
failing input shrunk to the bug itself. `make bench-fuzz` times the same searches against
forge.
"""

from __future__ import annotations

import pytest

from domacross_fuzz import SequenceFailureError
from tests.fuzz import planted

pytestmark = pytest.mark.fuzz

SEEDS = (1, 2, 3)


@pytest.mark.parametrize("seed", SEEDS)
def test_magic_constant__every_seed__found_exactly(fast_chain, fast_project, accounts, seed):
    found = planted.find_magic_constant(fast_chain, fast_project, accounts, seed)
    assert found.inputs == planted.MAGIC, found


@pytest.mark.parametrize("seed", SEEDS)
def test_magic_in_time_window__every_seed__found(fast_chain, fast_project, accounts, seed):
    found = planted.find_magic_in_time_window(fast_chain, fast_project, accounts, seed)
    key, when = found.inputs
    assert key == planted.MAGIC
    assert planted.WINDOW_START <= when < planted.WINDOW_START + 3_600


@pytest.mark.parametrize("seed", SEEDS)
def test_self_transfer__every_seed__found(fast_chain, fast_project, accounts, seed):
    found = planted.find_self_transfer(fast_chain, fast_project, accounts, seed)
    sender, to, amount = found.inputs
    assert sender == to and sender.startswith("accounts[")  # labelled, not a raw address
    assert amount > 0


@pytest.mark.parametrize("seed", SEEDS)
def test_off_by_one_at_cap__every_seed__found_exactly(fast_chain, fast_project, accounts, seed):
    found = planted.find_boundary(fast_chain, fast_project, accounts, seed)
    assert found.inputs == planted.CAP


@pytest.mark.parametrize("seed", SEEDS)
def test_value_first_seen_in_event__every_seed__found(fast_chain, fast_project, accounts, seed):
    found = planted.find_value_from_event(fast_chain, fast_project, accounts, seed)
    assert found.inputs is not None and found.inputs > 2**64  # a 1e30-range hash, not a guess


@pytest.mark.parametrize("seed", SEEDS)
def test_self_transfer_stateful__every_seed__shrunk_to_one_call(
    fast_chain, fast_project, accounts, seed
):
    found = planted.find_self_transfer_stateful(fast_chain, fast_project, accounts, seed)
    assert isinstance(found.error, SequenceFailureError)
    [call] = found.calls  # one self-transfer, accounts shown by label
    assert call.startswith("state.transfer(")
    sender = call.split("sender=")[1].split(",")[0].rstrip(")")
    assert sender.startswith("accounts[") and f"to={sender}" in call


@pytest.mark.parametrize("seed", SEEDS)
def test_vault_inflation__every_seed__shrunk_to_three_calls(
    fast_chain, fast_project, accounts, seed
):
    found = planted.find_vault_inflation(fast_chain, fast_project, accounts, seed)
    assert isinstance(found.error, SequenceFailureError)
    assert [c.split("(")[0] for c in found.calls] == [
        "state.deposit",
        "state.donate",
        "state.deposit",
    ], found.calls
