"""The fast engine (domacross_fuzz) itself: deployment from Ape's contract types, calls,
decoded reverts and events, snapshots, cheats, and the isolation of tests and examples."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from eth_utils import to_checksum_address
from hypothesis import given, settings
from hypothesis import strategies as st

from domacross_fuzz import (
    ContractRevertError,
    ExecutionHaltedError,
    FastStateMachine,
    fast_given,
    reverts,
    run_machine,
)
from domacross_fuzz.fixtures import DEFAULT_TEST_BALANCE
from tests.utils.constants import DAY, ETH, FEE, MAX_AGE, MAX_CHANGE_BPS

COLLECTION = to_checksum_address("0x" + "c0" * 20)


def test_fast_chain__accounts__are_apes_funded_at_the_test_balance(fast_chain, accounts, chain):
    for account in accounts:
        assert fast_chain.balance_of(account) == DEFAULT_TEST_BALANCE
    assert fast_chain.timestamp >= chain.pending_timestamp - 3_600


def test_deploy__ape_contract_type__runs_the_constructor(fast_oracle, owner, reporter):
    assert fast_oracle.maxAge() == MAX_AGE
    assert fast_oracle.maxChangeBps() == MAX_CHANGE_BPS
    assert fast_oracle.hasRole(fast_oracle.REPORTER_ROLE(), reporter) is True
    assert fast_oracle.hasRole(fast_oracle.REPORTER_ROLE(), owner) is False


def test_call__struct_return__named_fields_and_checksummed_addresses(
    make_fast_competition, fast_factory, owner, treasury
):
    competition = make_fast_competition(maxParticipants=7)
    config = competition.config()
    assert config.factory == fast_factory.address
    assert config.organizer == owner.address
    assert config.treasury == treasury.address
    assert config.maxParticipants == 7
    assert config.payoutBps == [6_000, 3_000, 1_000]
    assert fast_factory.isCompetition(competition) is True


def test_revert__custom_error__carries_name_and_arguments(fast_oracle, reporter):
    with pytest.raises(ContractRevertError) as caught:
        fast_oracle.setPrice(COLLECTION, 7, 0, sender=reporter)
    assert caught.value.name == "OracleZeroPrice"
    assert caught.value.inputs == {"token": COLLECTION, "tokenId": 7}
    assert caught.value.selector == caught.value.data[:4] and len(caught.value.data) == 4 + 64


def test_revert__openzeppelin_error__decoded(fast_oracle, stranger):
    with reverts(fast_oracle.AccessControlUnauthorizedAccount, account=stranger) as info:
        fast_oracle.setPrice(COLLECTION, 1, 10, sender=stranger)
    assert info.value is not None
    assert info.value.inputs["neededRole"] == fast_oracle.REPORTER_ROLE()


def test_revert__panic__decoded_with_code(fast_factory):
    with reverts("Panic", code=0x32):  # array index out of bounds
        fast_factory.competitionAt(10**6)


def test_reverts__wrong_error_or_no_revert__fails(fast_oracle, reporter):
    with (
        pytest.raises(AssertionError, match="expected OracleZeroToken"),
        reverts("OracleZeroToken"),
    ):
        fast_oracle.setPrice(COLLECTION, 1, 0, sender=reporter)
    with pytest.raises(AssertionError, match="tokenId"), reverts("OracleZeroPrice", tokenId=2):
        fast_oracle.setPrice(COLLECTION, 1, 0, sender=reporter)
    with pytest.raises(AssertionError, match="succeeded"), reverts():
        fast_oracle.setPrice(COLLECTION, 1, 10, sender=reporter)


def test_transact__events__decoded_with_booleans_and_addresses(fast_oracle, owner):
    receipt = fast_oracle.overridePrice(COLLECTION, 3, 5 * ETH, sender=owner)
    [event] = receipt.events
    assert event.name == "PriceUpdated"
    assert event.address == fast_oracle.address
    assert event.args == {
        "token": COLLECTION,
        "tokenId": 3,
        "fungible": False,
        "previousPrice": 0,
        "price": 5 * ETH,
        "reporter": owner.address,
        "overridden": True,
    }
    assert receipt.decode_logs(fast_oracle.PriceUpdated) == [event]


def test_snapshot_revert__nested__undoes_storage_value_time_and_deals(
    fast_chain, make_fast_competition, alice, bob
):
    competition = make_fast_competition()
    start = fast_chain.timestamp
    alice_before = fast_chain.balance_of(alice)
    outer = fast_chain.snapshot()
    fast_chain.warp(competition.config().startTime)
    competition.join(value=FEE, sender=alice)
    fast_chain.deal(bob, 123)
    inner = fast_chain.snapshot()
    fast_chain.deal(alice, 7 * ETH)
    with reverts(competition.CompetitionWrongEntryFee, sent=FEE - 1):
        competition.join(value=FEE - 1, sender=alice)
    fast_chain.skip(DAY)
    assert competition.participantCount() == 1
    fast_chain.revert(inner)
    assert fast_chain.balance_of(alice) == alice_before - FEE
    assert fast_chain.balance_of(bob) == 123
    fast_chain.revert(outer)
    assert competition.participantCount() == 0
    assert competition.balance == 0
    assert fast_chain.balance_of(alice) == alice_before
    assert fast_chain.timestamp == start
    with pytest.raises(ValueError, match="already reverted"):
        fast_chain.revert(inner)


def test_deal__then_transfer_then_revert__restores_the_balance(
    fast_chain, make_fast_competition, carol
):
    competition = make_fast_competition()
    fast_chain.warp(competition.config().startTime)
    before = fast_chain.balance_of(carol)
    with fast_chain.isolate():
        competition.join(value=FEE, sender=carol)  # a transfer before the deal
        fast_chain.deal(carol, 2 * FEE)
        assert fast_chain.balance_of(carol) == 2 * FEE
    assert fast_chain.balance_of(carol) == before


def test_warp__past_max_age__price_goes_stale(fast_chain, fast_oracle, reporter):
    fast_oracle.setPrice(COLLECTION, 1, ETH, sender=reporter)
    updated_at = fast_chain.timestamp
    fast_chain.skip(MAX_AGE)
    assert fast_oracle.priceOf(COLLECTION, 1) == ETH
    fast_chain.skip(1)
    with reverts(
        fast_oracle.OraclePriceStale, updatedAt=updated_at, nowTs=updated_at + MAX_AGE + 1
    ):
        fast_oracle.priceOf(COLLECTION, 1)


def test_prank__no_sender__calls_come_from_the_pranked_account(fast_chain, fast_oracle, reporter):
    with fast_chain.prank(reporter):
        receipt = fast_oracle.setPrice(COLLECTION, 9, ETH)
    assert receipt.events[0].reporter == reporter.address
    with pytest.raises(TypeError, match="sender"):
        fast_oracle.setPrice(COLLECTION, 9, ETH)


def test_call__transaction_function__returns_value_and_discards_effects(
    fast_chain, fast_factory, make_fast_competition, owner, fast_oracle, fast_tracker, treasury
):
    competition = make_fast_competition()
    count = fast_factory.competitionCount()
    params = (
        fast_chain.timestamp + 60,
        fast_chain.timestamp + 60 + DAY,
        fast_chain.timestamp + 60 + 3 * DAY,
        FEE,
        10,
        0,
        fast_oracle,
        fast_tracker,
        treasury,
        [10_000],
    )
    predicted = fast_factory.createCompetition.call(params, sender=owner)
    assert fast_factory.competitionCount() == count
    receipt = fast_factory.createCompetition(params, sender=owner)
    assert receipt.decode_logs("CompetitionCreated")[0].competition == predicted != competition


def test_isolation__first_test__writes_state(fast_oracle, fast_chain, reporter, alice):
    # The writes take effect here; the next test (same module, run after this one) sees none.
    start = fast_chain.timestamp
    fast_oracle.setPrice(COLLECTION, 42, ETH, sender=reporter)
    fast_chain.deal(alice, 1)
    fast_chain.warp(start + 10 * DAY)
    assert fast_oracle.latestPrice(COLLECTION, 42)[0] == ETH
    assert fast_chain.balance_of(alice) == 1
    assert fast_chain.timestamp == start + 10 * DAY


def test_isolation__next_test__sees_none_of_it(fast_oracle, fast_chain, alice):
    assert fast_oracle.latestPrice(COLLECTION, 42) == (0, 0)
    assert fast_chain.balance_of(alice) == DEFAULT_TEST_BALANCE


@settings(max_examples=30, deadline=None)
@given(price=st.integers(1, 10**24))
def test_given__each_example__starts_from_the_same_state(fast_oracle, owner, price):
    assert fast_oracle.latestPrice(COLLECTION, 5) == (0, 0)
    fast_oracle.overridePrice(COLLECTION, 5, price, sender=owner)


@fast_given(examples=300, batch=50, price=st.integers(1, 10**24))
def test_fast_given__each_example__starts_from_the_same_state(fast_oracle, owner, price):
    assert fast_oracle.latestPrice(COLLECTION, 6) == (0, 0)
    fast_oracle.overridePrice(COLLECTION, 6, price, sender=owner)


def test_fast_given__batches__count_distinct_examples_and_skip_repeats(
    fast_chain, fast_oracle, owner
):
    batches: list[list[int]] = []

    @fast_given(examples=300, batch=50, price=st.integers(1, 10**24))
    def prop(fast_oracle, price):
        batches[-1].append(price)

    def start_batch(*args, **kwargs):
        batches.append([])
        return inner(*args, **kwargs)

    inner = prop.hypothesis.inner_test
    prop.hypothesis.inner_test = start_batch
    prop(fast_oracle=fast_oracle, fast_chain=fast_chain)
    stats = prop.fast_stats
    assert stats.test_cases == len(batches) == 300 // 50  # examples, not test cases, counted
    assert stats.examples == sum(len(b) for b in batches) <= 300
    assert all(len(b) == len(set(b)) for b in batches)  # no repeat runs within a batch
    assert stats.examples + stats.duplicates <= 300  # a repeating test case ends early


def test_fast_given__failure__shrinks_to_one_minimal_example(fast_chain, fast_oracle, owner):
    runs: list[list[int]] = []

    @fast_given(examples=2_000, batch=100, price=st.integers(1, 10**24))
    def prop(fast_oracle, price):
        if not runs or len(runs[-1]) >= 100:
            runs.append([])
        runs[-1].append(price)
        fast_oracle.overridePrice(COLLECTION, 8, price, sender=owner)
        assert price < 10**18

    with pytest.raises(AssertionError):
        prop(fast_oracle=fast_oracle, fast_chain=fast_chain)
    assert runs  # the property ran
    # The final replay is the shrunk test case: the shrinker dropped every passing draw.
    assert runs[-1][-1] == 10**18
    assert fast_oracle.latestPrice(COLLECTION, 8) == (0, 0)


def test_machine__every_run__starts_from_the_same_state(fast_chain, fast_oracle, owner):
    from hypothesis.stateful import invariant, rule

    starts: list[int] = []

    class Machine(FastStateMachine):
        def __init__(self):
            super().__init__()
            starts.append(fast_oracle.latestPrice(COLLECTION, 11)[0])

        @rule(price=st.integers(1, 10**20))
        def set_price(self, price):
            fast_oracle.overridePrice(COLLECTION, 11, price, sender=owner)

        @invariant()
        def stored(self):
            assert fast_oracle.latestPrice(COLLECTION, 11)[0] >= 0

    run_machine(Machine, fast_chain, sequences=20, steps=5, derandomize=True)
    assert starts == [0] * len(starts) and len(starts) >= 20
    assert fast_oracle.latestPrice(COLLECTION, 11) == (0, 0)


def test_machine__shrunk_failure__integers_stay_inside_their_strategies(fast_chain):
    from hypothesis.stateful import rule

    from domacross_fuzz.sequences import SequenceFailureError

    class Machine(FastStateMachine):
        @rule(
            count=st.integers(3, 9), size=st.sampled_from([500, 700]), wei=st.integers(min_value=7)
        )
        def fail(self, count, size, wei):
            # Fails for every value each strategy can draw: the shrinker lowers each argument
            # as far as it may, and no further than its strategy's minimum.
            assert count > 9 or size > 700 or wei < 0

    with pytest.raises(SequenceFailureError) as failure:
        run_machine(Machine, fast_chain, sequences=5, steps=3, derandomize=True)
    shown = str(failure.value)
    assert "1 call(s) fail" in shown
    assert "count=3," in shown  # the lower bound, never 0
    assert "size=500," in shown or "size=700," in shown  # a sampled value, never lowered
    assert "wei=7)" in shown  # bounded below only: lowered to that bound


def test_deal__after_a_payment_in_nested_snapshots__restores_absolute_balances(
    fast_chain, alice, bob
):
    start_alice, start_bob = fast_chain.balance_of(alice), fast_chain.balance_of(bob)
    outer = fast_chain.snapshot()
    fast_chain.transact(alice.address, b"", sender=bob, value=5 * ETH)  # alice receives
    fast_chain.deal(alice, 1)  # then is dealt less than she received
    inner = fast_chain.snapshot()
    fast_chain.transact(bob.address, b"", sender=alice, value=1)  # a payment inside
    fast_chain.deal(alice, 7)
    innermost = fast_chain.snapshot()
    fast_chain.deal(bob, 0)
    fast_chain.revert(innermost)  # a revert inside a revert
    assert fast_chain.balance_of(bob) == start_bob - 5 * ETH + 1
    fast_chain.revert(inner)
    assert fast_chain.balance_of(alice) == 1
    assert fast_chain.balance_of(bob) == start_bob - 5 * ETH
    fast_chain.revert(outer)
    assert fast_chain.balance_of(alice) == start_alice
    assert fast_chain.balance_of(bob) == start_bob


def test_hardfork__cancun_by_default__shanghai_selectable_prague_refused():
    from domacross_fuzz import FastChain
    from domacross_fuzz.abi import ContractAbi

    # Runtime: TLOAD(0) and return nothing: Cancun has TLOAD (EIP-1153), Shanghai does not.
    runtime = bytes.fromhex("5f5c00")
    init = bytes.fromhex("6003600c60003960036000f3") + runtime
    deployer = "0x" + "11" * 20
    for hardfork, works in (("cancun", True), ("shanghai", False)):
        chain = FastChain(hardfork=hardfork) if hardfork != "cancun" else FastChain()
        address = chain.deploy(ContractAbi.from_abi([]), init, sender=deployer).address
        if works:
            chain.transact(address, b"", sender=deployer)
        else:
            with pytest.raises(ExecutionHaltedError):
                chain.transact(address, b"", sender=deployer)
    with pytest.raises(ValueError, match="not available in pyrevm") as caught:
        FastChain(hardfork="prague")
    assert "\n" not in str(caught.value)


def test_reverts__invalid_opcode_and_out_of_gas__caught_as_halts(fast_project, owner):
    probe = fast_project.EnvironmentProbe.deploy(sender=owner)
    with reverts() as info:
        probe.invalidOpcode(sender=owner)
    assert isinstance(info.value, ExecutionHaltedError)
    with reverts():
        probe.burnAllGas.transact(sender=owner)
    with pytest.raises(AssertionError, match="got a halt"), reverts("SomeError"):
        probe.invalidOpcode(sender=owner)


def test_fast_given__settings_above__counted_in_examples(fast_chain, fast_oracle):
    ran: list[int] = []

    @settings(max_examples=30, database=None)
    @fast_given(batch=10, price=st.integers(1, 10**24))
    def prop(fast_oracle, price):
        ran.append(price)

    prop(fast_oracle=fast_oracle, fast_chain=fast_chain)
    assert prop.fast_stats.test_cases == 3
    assert 0 < len(ran) == prop.fast_stats.examples <= 30


def test_fast_given__failure__report_names_the_test_and_the_shrunk_example(
    fast_chain, fast_oracle, owner
):
    @fast_given(examples=1_000, price=st.integers(1, 10**24))
    def test_price__below_one_ether(fast_oracle, price):
        assert price < 10**18

    with pytest.raises(AssertionError) as caught:
        test_price__below_one_ether(fast_oracle=fast_oracle, fast_chain=fast_chain)
    assert caught.value.__notes__[-1] == (
        f"Falsifying example (shrunk by the engine): test_price__below_one_ether(price={10**18!r})"
    )


def test_many__several_views__the_values_of_one_by_one_calls(fast_oracle, owner):
    for token_id, price in ((1, 5 * ETH), (2, 7 * ETH)):
        fast_oracle.overridePrice(COLLECTION, token_id, price, sender=owner)
    ids = [(COLLECTION, 1), (COLLECTION, 2), (COLLECTION, 3)]
    batched = fast_oracle.latestPrice.many(ids)
    assert batched == [fast_oracle.latestPrice(*args) for args in ids]
    assert [price for price, _ in batched] == [5 * ETH, 7 * ETH, 0]
    assert fast_oracle.latestPrice.many([]) == []


def test_many__reverting_or_halting_view__raises_as_the_view_alone(
    fast_oracle, fast_project, owner
):
    with reverts(fast_oracle.OraclePriceNotSet, token=COLLECTION, tokenId=9):
        fast_oracle.priceOf.many([(COLLECTION, 9)])
    probe = fast_project.EnvironmentProbe.deploy(sender=owner)
    with pytest.raises(ExecutionHaltedError):
        probe.invalidOpcode.many([()])


def test_domacross_fuzz__imports__form_no_cycle():
    """Type-only imports count too: a cycle among the engine's modules is a design smell
    (contract.py reaches its chain through the ChainApi protocol instead)."""
    package = Path(__file__).resolve().parents[2] / "domacross_fuzz"
    modules = {f.stem for f in package.glob("*.py")} - {"__init__"}
    graph: dict[str, set[str]] = {}
    for name in modules:
        tree = ast.parse((package / f"{name}.py").read_text())
        imported = {
            node.module.split(".")[1]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("domacross_fuzz.")
        }
        graph[name] = imported & modules
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        assert name not in path, f"import cycle: {' -> '.join([*path, name])}"
        if name not in done:
            for imported in graph[name]:
                visit(imported, [*path, name])
            done.add(name)

    for name in sorted(modules):
        visit(name, [])
    assert "contract" not in graph["chain_api"] and "evm" not in graph["contract"]
