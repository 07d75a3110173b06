"""Hypothesis properties of the oracle's change cap and staleness rules, on chain.

Each example first writes all the state it reads (cap, age, previous price), so examples
are independent without snapshots. (`chain.isolate()` inside a Hypothesis test corrupts
Ape's own per-test snapshot stack: later modules then talk to undeployed addresses.)
Inputs are bounded to meaningful ranges: prices up to 1e30 wei, caps up to the
contract's 1e6 bps limit, ages up to a year.
"""

from __future__ import annotations

import ape
import pytest
from eth_utils import to_checksum_address
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.utils.constants import DAY

pytestmark = pytest.mark.fuzz

COLLECTION = to_checksum_address("0x" + "c0" * 20)
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

prices = st.integers(min_value=1, max_value=10**30)
caps = st.integers(min_value=1, max_value=1_000_000)


def exceeds_cap(previous: int, new: int, cap_bps: int) -> bool:
    """The rule of docs/contracts.md: |new - previous| may be at most cap_bps of previous."""
    return abs(new - previous) * 10_000 > previous * cap_bps


@FUZZ
@given(previous=prices, new=prices, cap_bps=caps)
def test_set_price__accepted_iff_within_cap(chain, oracle, owner, reporter, previous, new, cap_bps):
    oracle.setMaxChangeBps(cap_bps, sender=owner)
    oracle.overridePrice(COLLECTION, 1, previous, sender=owner)
    if exceeds_cap(previous, new, cap_bps):
        with ape.reverts(
            oracle.OraclePriceChangeTooLarge,
            previousPrice=previous,
            newPrice=new,
            maxChangeBps=cap_bps,
        ):
            oracle.setPrice(COLLECTION, 1, new, sender=reporter)
        assert oracle.latestPrice(COLLECTION, 1)[0] == previous
    else:
        oracle.setPrice(COLLECTION, 1, new, sender=reporter)
        assert oracle.latestPrice(COLLECTION, 1)[0] == new


@FUZZ
@given(previous=prices, cap_bps=caps, data=st.data())
def test_set_price__cap_boundary__exact_limit_accepted_one_more_rejected(
    chain, oracle, owner, reporter, previous, cap_bps, data
):
    up = data.draw(st.booleans())
    limit = previous * cap_bps // 10_000
    at_limit = previous + limit if up else max(previous - limit, 1)
    beyond = at_limit + 1 if up else at_limit - 1
    oracle.setMaxChangeBps(cap_bps, sender=owner)
    oracle.overridePrice(COLLECTION, 1, previous, sender=owner)
    if beyond >= 1 and exceeds_cap(previous, beyond, cap_bps):
        with ape.reverts(oracle.OraclePriceChangeTooLarge):
            oracle.setPrice(COLLECTION, 1, beyond, sender=reporter)
    oracle.setPrice(COLLECTION, 1, at_limit, sender=reporter)
    assert oracle.latestPrice(COLLECTION, 1)[0] == at_limit


@FUZZ
@given(max_age=st.integers(min_value=1, max_value=365 * DAY), elapsed=st.integers(0, 400 * DAY))
def test_price_of__stale_iff_older_than_max_age(chain, oracle, owner, reporter, max_age, elapsed):
    oracle.setMaxAge(max_age, sender=owner)
    tx = oracle.setPrice(COLLECTION, 1, 10**18, sender=reporter)
    updated_at = chain.provider.get_block(tx.block_number).timestamp
    if elapsed > 0:
        # NOTE: time travel to the parent's own timestamp fails inside eth-tester and
        # leaves auto-mining off, so "no time passed" is simply not travelled.
        chain.pending_timestamp = updated_at + elapsed
        chain.mine()
    if elapsed > max_age:
        with ape.reverts(oracle.OraclePriceStale, updatedAt=updated_at, maxAge=max_age):
            oracle.priceOf(COLLECTION, 1)
    else:
        assert oracle.priceOf(COLLECTION, 1) == 10**18
