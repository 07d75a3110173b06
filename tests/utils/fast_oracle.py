"""Oracle change-cap properties for the fast engine, shared by tests/fuzz and bench/.

`single_update_within_cap` is the property that `make bench-fuzz` runs on both the engine
and forge (bench/forge/OracleCapBench.t.sol): one reporter update of a fixed price.
"""

from __future__ import annotations

from eth_utils import to_checksum_address

from domacross_fuzz import reverts

COLLECTION = to_checksum_address("0x" + "c0" * 20)
BENCH_TOKEN_ID = 1
BENCH_PREVIOUS = 10**18  # bench/forge/OracleCapBench.t.sol: PREVIOUS
BENCH_CAP_BPS = 2_000  # ... CAP_BPS, and tests/utils/constants.py MAX_CHANGE_BPS
MAX_PRICE = 10**30  # ... MAX_PRICE


def exceeds_cap(previous: int, new: int, cap_bps: int) -> bool:
    """The rule as the README states it: |new - previous| may be at most cap_bps of previous."""
    return abs(new - previous) * 10_000 > previous * cap_bps


def prepare_single_update(oracle, owner) -> None:
    """The state the single-update property starts from: the bench's price, set by override."""
    oracle.overridePrice(COLLECTION, BENCH_TOKEN_ID, BENCH_PREVIOUS, sender=owner)


def single_update_within_cap(oracle, reporter, price: int) -> None:
    """A reporter's update of BENCH_PREVIOUS is stored iff within the cap; otherwise it
    reverts with OraclePriceChangeTooLarge carrying the exact values."""
    if exceeds_cap(BENCH_PREVIOUS, price, BENCH_CAP_BPS):
        with reverts(
            oracle.OraclePriceChangeTooLarge,
            token=COLLECTION,
            tokenId=BENCH_TOKEN_ID,
            previousPrice=BENCH_PREVIOUS,
            newPrice=price,
            maxChangeBps=BENCH_CAP_BPS,
        ):
            oracle.setPrice(COLLECTION, BENCH_TOKEN_ID, price, sender=reporter)
    else:
        oracle.setPrice(COLLECTION, BENCH_TOKEN_ID, price, sender=reporter)
        assert oracle.latestPrice(COLLECTION, BENCH_TOKEN_ID)[0] == price
