"""The oracle's change cap and staleness rules on the fast engine, thousands of examples each.

The properties of test_oracle_properties.py (25 examples each through Ape), run through
domacross_fuzz: every example starts from the session's deployment in its own snapshot,
so it may change the cap, the age or the time freely. Same bounded inputs: prices up to
1e30 wei, caps up to the contract's 1e6 bps limit, ages up to a year.
"""

from __future__ import annotations

import pytest
from hypothesis import strategies as st

from domacross_fuzz import fast_given, mapping_slot, reverts, run_machine
from tests.utils.constants import DAY, ETH
from tests.utils.fast_oracle import (
    COLLECTION,
    MAX_PRICE,
    PRICE_MASK,
    PRICES_SLOT,
    exceeds_cap,
    oracle_machine,
    prepare_machine,
    prepare_single_update,
    single_update_within_cap,
)

pytestmark = pytest.mark.fuzz

prices = st.integers(min_value=1, max_value=MAX_PRICE)
caps = st.integers(min_value=1, max_value=1_000_000)


@fast_given(examples=2_000, previous=prices, new=prices, cap_bps=caps)
def test_set_price__accepted_iff_within_cap__fast(
    fast_oracle, owner, reporter, previous, new, cap_bps
):
    fast_oracle.setMaxChangeBps(cap_bps, sender=owner)
    fast_oracle.overridePrice(COLLECTION, 1, previous, sender=owner)
    if exceeds_cap(previous, new, cap_bps):
        with reverts(
            fast_oracle.OraclePriceChangeTooLarge,
            previousPrice=previous,
            newPrice=new,
            maxChangeBps=cap_bps,
        ):
            fast_oracle.setPrice(COLLECTION, 1, new, sender=reporter)
        assert fast_oracle.latestPrice(COLLECTION, 1)[0] == previous
    else:
        receipt = fast_oracle.setPrice(COLLECTION, 1, new, sender=reporter)
        assert fast_oracle.latestPrice(COLLECTION, 1)[0] == new
        [event] = receipt.events
        assert (event.previousPrice, event.price, event.overridden) == (previous, new, False)


@fast_given(examples=1_000, previous=prices, cap_bps=caps, up=st.booleans())
def test_set_price__cap_boundary__exact_limit_accepted_one_more_rejected__fast(
    fast_oracle, owner, reporter, previous, cap_bps, up
):
    limit = previous * cap_bps // 10_000
    at_limit = previous + limit if up else max(previous - limit, 1)
    beyond = at_limit + 1 if up else at_limit - 1
    fast_oracle.setMaxChangeBps(cap_bps, sender=owner)
    fast_oracle.overridePrice(COLLECTION, 1, previous, sender=owner)
    if beyond >= 1 and exceeds_cap(previous, beyond, cap_bps):
        with reverts(fast_oracle.OraclePriceChangeTooLarge, newPrice=beyond):
            fast_oracle.setPrice(COLLECTION, 1, beyond, sender=reporter)
    fast_oracle.setPrice(COLLECTION, 1, at_limit, sender=reporter)
    assert fast_oracle.latestPrice(COLLECTION, 1)[0] == at_limit


@fast_given(
    examples=1_000,
    max_age=st.integers(min_value=1, max_value=365 * DAY),
    elapsed=st.integers(0, 400 * DAY),
)
def test_price_of__stale_iff_older_than_max_age__fast(
    fast_chain, fast_oracle, owner, reporter, max_age, elapsed
):
    fast_oracle.setMaxAge(max_age, sender=owner)
    fast_oracle.setPrice(COLLECTION, 1, ETH, sender=reporter)
    updated_at = fast_chain.timestamp
    fast_chain.skip(elapsed)
    if elapsed > max_age:
        with reverts(
            fast_oracle.OraclePriceStale,
            updatedAt=updated_at,
            maxAge=max_age,
            nowTs=updated_at + elapsed,
        ):
            fast_oracle.priceOf(COLLECTION, 1)
    else:
        assert fast_oracle.priceOf(COLLECTION, 1) == ETH


@fast_given(examples=2_000, price=prices)
def test_set_price__single_update__accepted_iff_within_cap__fast(
    fast_oracle, owner, reporter, price
):
    """The property `make bench-fuzz` times against forge."""
    prepare_single_update(fast_oracle, owner)
    single_update_within_cap(fast_oracle, reporter, price)


def test_oracle_machine__stored_prices_always_the_models__fast(
    fast_chain, fast_oracle, owner, reporter
):
    """The stateful machine that bench/fuzz_bench.py races against forge's invariant
    fuzzer (bench/forge/OracleInvariantBench.t.sol): updates within the cap, overrides and
    time jumps in any order never leave a stored price different from the model."""
    prepare_machine(fast_oracle, owner)
    steps = [0]
    machine = oracle_machine(fast_oracle, owner=owner, reporter=reporter, steps=steps)
    run_machine(machine, fast_chain, sequences=50, steps=20, derandomize=True, database=None)
    assert steps[0] >= 50 * 10  # runs were driven well past their first steps


def test_stored_prices__read_from_storage__are_the_views(fast_chain, fast_oracle, owner):
    """The oracle machine's invariant reads prices from storage (PRICES_SLOT): the layout
    it assumes is the one latestPrice reads."""
    for token_id, price in ((1, 3 * ETH), (2, MAX_PRICE), (9, 1)):
        fast_oracle.overridePrice(COLLECTION, token_id, price, sender=owner)
        word = fast_chain.storage_at(fast_oracle, mapping_slot(PRICES_SLOT, COLLECTION, token_id))
        assert word & PRICE_MASK == price
        assert word >> 192 == fast_oracle.latestPrice(COLLECTION, token_id)[1]
