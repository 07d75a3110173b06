"""Oracle change-cap properties for the fast engine, shared by tests/fuzz and bench/.

`single_update_within_cap` is the property that `make bench-fuzz` runs on both the engine
and forge (bench/forge/OracleCapBench.t.sol): one reporter update of a fixed price.
`oracle_machine` is the stateful one (bench/forge/OracleInvariantBench.t.sol).
"""

from __future__ import annotations

from eth_utils import to_checksum_address
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from domacross_fuzz import FastStateMachine, mapping_slot, reverts

COLLECTION = to_checksum_address("0x" + "c0" * 20)
BENCH_TOKEN_ID = 1
BENCH_PREVIOUS = 10**18  # bench/forge/OracleCapBench.t.sol: PREVIOUS
BENCH_CAP_BPS = 2_000  # ... CAP_BPS, and tests/utils/constants.py MAX_CHANGE_BPS
MAX_PRICE = 10**30  # ... MAX_PRICE


def exceeds_cap(previous: int, new: int, cap_bps: int) -> bool:
    """The rule of docs/contracts.md: |new - previous| may be at most cap_bps of previous."""
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


# -- the stateful comparison with forge (bench/forge/OracleInvariantBench.t.sol) ---------------

MACHINE_IDS = 4  # OracleHandler.IDS
MACHINE_START = 10**18  # the price every id starts from
MACHINE_CAP_WINDOW = 3_600  # ValuationOracle.DEFAULT_CAP_WINDOW
# ValuationOracle's storage: AccessControl._roles (0), Pausable._paused (1), _prices (2); a
# Price packs `uint192 price` in the low bits (OracleInvariantBench.t.sol: PRICES_SLOT).
PRICES_SLOT = 2
PRICE_MASK = 2**192 - 1


def prepare_machine(oracle, owner) -> None:
    """The state every run of `oracle_machine` starts from (as the forge test's setUp)."""
    for token_id in range(1, MACHINE_IDS + 1):
        oracle.overridePrice(COLLECTION, token_id, MACHINE_START, sender=owner)


def oracle_machine(oracle, *, owner, reporter, steps: list[int]):
    """A FastStateMachine class with OracleHandler's three rules and its invariant: every
    stored price is the model's. `steps[0]` counts the rules run."""
    chain = oracle.chain
    slots = [mapping_slot(PRICES_SLOT, COLLECTION, token + 1) for token in range(MACHINE_IDS)]

    class OracleMachine(FastStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.model = [MACHINE_START] * MACHINE_IDS
            # The cap window each price is in: (opening price, opening time); prepare_machine's
            # overrides opened one at the current time.
            self.windows = [(MACHINE_START, chain.timestamp)] * MACHINE_IDS

        @rule(
            token=st.integers(0, MACHINE_IDS - 1),
            bps=st.integers(0, BENCH_CAP_BPS),
            up=st.booleans(),
        )
        def set_price(self, token: int, bps: int, up: bool) -> None:
            previous = self.model[token]
            delta = previous * bps // 10_000
            price = previous + delta if up else previous - delta
            now = chain.timestamp
            anchor, started = self.windows[token]
            if now >= started + MACHINE_CAP_WINDOW:
                anchor, started = previous, now
            if exceeds_cap(anchor, price, BENCH_CAP_BPS):
                # Within the cap of the last update, beyond the cap of the window: refused.
                with reverts(oracle.OraclePriceChangeTooLarge, previousPrice=anchor):
                    oracle.setPrice(COLLECTION, token + 1, price, sender=reporter)
            else:
                oracle.setPrice(COLLECTION, token + 1, price, sender=reporter)
                self.model[token] = price
                self.windows[token] = (anchor, started)
            steps[0] += 1

        @rule(token=st.integers(0, MACHINE_IDS - 1), price=st.integers(1, MAX_PRICE))
        def override_price(self, token: int, price: int) -> None:
            oracle.overridePrice(COLLECTION, token + 1, price, sender=owner)
            self.model[token] = price
            self.windows[token] = (price, chain.timestamp)
            steps[0] += 1

        @rule(seconds=st.integers(1, 86_400))
        def warp(self, seconds: int) -> None:
            chain.warp(chain.timestamp + seconds)
            steps[0] += 1

        @invariant()
        def prices_match_model(self) -> None:
            # Read from storage, as the forge invariant does with vm.load: a fraction of the
            # cost of four latestPrice calls (test_stored_prices__read_from_storage__are_the_
            # views checks the layout against latestPrice).
            stored = [chain.storage_at(oracle, slot) & PRICE_MASK for slot in slots]
            assert stored == self.model

    return OracleMachine
