"""Differential test: the fast engine against Ape's own chain, on the same random sequences.

One suite is deployed on both, at the same addresses (the engine's deployer nonce is set
to Ape's before each deployment). Hypothesis then draws call sequences over a fresh
competition per example (joins with right and wrong fees, pauses, cancels, refunds,
results honest or over the pool, rejections, finalize, claims, sweeps, oracle updates,
tracker valuations, time travel), replays each step on both chains at the same block time,
and asserts after every step:

* the same outcome: success with the same events (names, emitters, decoded arguments), or
  a revert with the same custom error and arguments;
* the same return values: views of the competition, and what `updatePortfolioValue`
  returns (simulated on both before it is sent);
* the same balances: the competition's, and every account's once Ape's gas fees are
  added back (the engine charges no gas).

Small on purpose (Ape runs ~45 transactions/s): derandomized, a few examples of up to a
dozen steps; `DOMACROSS_DIFFERENTIAL_EXAMPLES=N` explores N random ones.
"""

from __future__ import annotations

import ast
import os
from typing import Any

import ape
import pytest
from ape.exceptions import CustomError
from ape.utils.abi import Struct
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domacross_fuzz import ContractRevertError, FastChain
from domacross_fuzz.project import FastProject
from domacross_sdk import prizes as pz
from tests.utils.constants import DAY, ETH, FEE, HOUR, LIMITS, MAX_AGE, MAX_CHANGE_BPS
from tests.utils.fast_suite import FastSuite

pytestmark = pytest.mark.fuzz

COLLECTION_TOKEN_IDS = (100, 101, 102, 103)
ERC721 = 0
EXAMPLES = os.environ.get("DOMACROSS_DIFFERENTIAL_EXAMPLES")


def norm(value: Any) -> Any:
    """One shape for both engines: bools as ints (Ape decodes event bools as 1/0), addresses
    lowercase, bytes as hex, structs and sequences as tuples (Ape decodes structs inside
    events as plain tuples; the engine's named tuples are tuples)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, bytes | bytearray):
        return bytes(value).hex()
    if isinstance(value, Struct):  # Ape's returned structs (in events they are tuples)
        return tuple(norm(v) for _, v in value.items())
    if isinstance(value, dict):
        return {k: norm(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return tuple(norm(v) for v in value)
    raise TypeError(f"cannot normalise {value!r}")


def assert_same_revert(ape_exc, fast_exc: ContractRevertError) -> None:
    """The same custom error and arguments; or, where Ape left the error undecoded (its
    message is then the raw revert data), the same revert data byte for byte."""
    if isinstance(ape_exc, CustomError):
        assert (fast_exc.name, norm(fast_exc.inputs)) == (ape_exc.name, norm(ape_exc.inputs))
        return
    message = ape_exc.revert_message or ""
    if message.startswith(("b'", 'b"')):
        assert fast_exc.data == ast.literal_eval(message), (ape_exc, fast_exc)
    else:  # a reason string, or a bare revert
        assert fast_exc.name in ("Error", None), (ape_exc, fast_exc)
        assert fast_exc.inputs.get("message", "") == message or not fast_exc.data, ape_exc


class Mirror:
    """The same suite on Ape's chain and on a private fast chain, driven in lockstep."""

    def __init__(self, project, chain, accounts):
        self.chain = chain
        self.fast = FastChain(chain_id=chain.chain_id, timestamp=chain.pending_timestamp)
        self.fast_project = FastProject(project, self.fast)
        self.project = project
        self.accounts = accounts
        self.fees: dict[str, int] = {}
        self.clock = chain.pending_timestamp
        for account in accounts:
            self.fast.deal(account, 10_000 * ETH)

    def deploy(self, name: str, *args, sender):
        """Deploys on both; the engine's deployer nonce mirrors Ape's, so addresses match."""
        nonce = sender.nonce
        ape_contract = getattr(self.project, name).deploy(*args, sender=sender)
        self.fees[sender.address] = self.fees.get(sender.address, 0)
        self.fast.set_nonce(sender, nonce)
        fast_contract = getattr(self.fast_project, name).deploy(*args, sender=sender)
        assert fast_contract.address == ape_contract.address
        return ape_contract, fast_contract

    def head_timestamp(self) -> int:
        """Ape's latest block time, read from the provider (never a cached head)."""
        return int(self.chain.provider.get_block("latest").timestamp)

    def request(self, timestamp: int) -> None:
        """Asks Ape to run its next transaction at `timestamp` (or a little later).

        The engine never guesses Ape's block times: it follows them, running each
        transaction at the time of Ape's receipt and each call at Ape's latest block time.
        NOTE: Ape's `pending_timestamp = t` makes eth-tester mine an empty block at t - 1,
        which fails (and leaves auto-mining off) unless t - 1 is after Ape's head.
        """
        timestamp = max(timestamp, self.head_timestamp() + 2)
        if self.chain.pending_timestamp != timestamp:
            self.chain.pending_timestamp = timestamp
        self.clock = timestamp

    def travel(self, seconds: int) -> None:
        self.request(self.clock + seconds)

    def send(self, pair, name: str, *args, sender, value: int = 0):
        """One transaction on both chains; asserts the same outcome. Returns Ape's receipt."""
        ape_contract, fast_contract = pair
        self.request(self.clock)
        try:
            receipt = getattr(ape_contract, name)(*args, sender=sender, value=value)
        except ape.exceptions.ContractLogicError as exc:
            failed = self.failed_receipt(exc)
            self.fast.warp(failed.timestamp if failed else self.head_timestamp())
            with pytest.raises(ContractRevertError) as fast_exc:
                getattr(fast_contract, name)(*args, sender=sender, value=value)
            assert_same_revert(exc, fast_exc.value)
            fee = failed.total_fees_paid if failed else 0
            self.fees[sender.address] = self.fees.get(sender.address, 0) + fee
            self.clock += 1
            return None
        self.fast.warp(receipt.timestamp)
        fast_receipt = getattr(fast_contract, name)(*args, sender=sender, value=value)
        self.fees[sender.address] = self.fees.get(sender.address, 0) + receipt.total_fees_paid
        ape_events = [
            (log.contract_address, log.event_name, norm(dict(log.event_arguments)))
            for log in receipt.events
        ]
        fast_events = [(e.address, e.name, norm(e.args)) for e in fast_receipt.events]
        assert norm(fast_events) == norm(ape_events), name
        self.clock = receipt.timestamp + 1
        return receipt

    def failed_receipt(self, exc):
        """The receipt of a reverted transaction that Ape's chain mined (and charged gas
        for), or None when it was rejected before mining."""
        txn = getattr(exc, "txn", None)
        if txn is None:
            return None
        if hasattr(txn, "total_fees_paid"):
            return txn
        try:
            return self.chain.provider.get_receipt(txn.txn_hash.hex())
        except Exception:  # never mined
            return None

    def view(self, pair, name: str, *args) -> Any:
        """One view on both chains; asserts the same return value (or the same revert)."""
        ape_contract, fast_contract = pair
        return self._same_call(getattr(ape_contract, name), getattr(fast_contract, name), args, {})

    def simulate(self, pair, name: str, *args, sender) -> Any:
        """A transaction simulated on both chains (`.call`): the same return value or revert."""
        ape_fn, fast_fn = (getattr(c, name).call for c in pair)
        return self._same_call(ape_fn, fast_fn, args, {"sender": sender})

    def _same_call(self, ape_fn, fast_fn, args, kwargs) -> Any:
        # NOTE: Ape's calls run on the latest block (its transactions on the pending one).
        self.fast.warp(self.head_timestamp())
        try:
            expected = ape_fn(*args, **kwargs)
        except ape.exceptions.ContractLogicError as exc:
            with pytest.raises(ContractRevertError) as fast_exc:
                fast_fn(*args, **kwargs)
            assert_same_revert(exc, fast_exc.value)
            return None
        assert norm(fast_fn(*args, **kwargs)) == norm(expected)
        return expected

    def assert_balances(self, competition) -> None:
        ape_c, fast_c = competition
        assert fast_c.balance == ape_c.balance
        for account in self.accounts:
            ape_spent = self.start_ape[account.address] - account.balance
            fast_spent = self.start_fast[account.address] - self.fast.balance_of(account)
            gas = self.fees.get(account.address, 0) - self.start_fees.get(account.address, 0)
            assert fast_spent == ape_spent - gas, account

    def mark_balances(self) -> None:
        self.start_ape = {a.address: a.balance for a in self.accounts}
        self.start_fast = {a.address: self.fast.balance_of(a) for a in self.accounts}
        self.start_fees = dict(self.fees)


@pytest.fixture(scope="module")
def mirror(
    project, chain, accounts, owner, reporter, registrar, resolver, guardian, updater, treasury
):
    m = Mirror(project, chain, [accounts[i] for i in range(11)])
    m.oracle = m.deploy("ValuationOracle", owner, MAX_AGE, MAX_CHANGE_BPS, sender=owner)
    m.send(m.oracle, "grantRole", m.oracle[0].REPORTER_ROLE(), reporter, sender=owner)
    m.token = m.deploy("DomaOwnershipToken", owner, sender=owner)
    m.send(m.token, "grantRole", m.token[0].REGISTRAR_ROLE(), registrar, sender=owner)
    m.factory = m.deploy("CompetitionFactory", owner, LIMITS, sender=owner)
    for role, who in (("ORGANIZER_ROLE", owner), ("RESOLVER_ROLE", resolver)):
        m.send(m.factory, "grantRole", getattr(m.factory[0], role)(), who, sender=owner)
    m.send(m.factory, "grantRole", m.factory[0].GUARDIAN_ROLE(), guardian, sender=owner)
    m.tracker = m.deploy("PortfolioTracker", owner, m.oracle[0], sender=owner)
    m.send(m.tracker, "grantRole", m.tracker[0].UPDATER_ROLE(), updater, sender=owner)
    m.send(m.tracker, "setFactory", m.factory[0], sender=owner)
    m.send(m.factory, "setTracker", m.tracker[0], sender=owner)
    m.send(m.factory, "setTreasury", treasury.address, sender=owner)
    m.players = [accounts[i] for i in (3, 4, 5, 9)]
    expiry = m.fast.timestamp + 100 * 365 * DAY
    for token_id, player in zip(COLLECTION_TOKEN_IDS, m.players, strict=True):
        m.send(m.token, "mint", player, token_id, expiry, 1_001, sender=registrar)
    m.suite = FastSuite(
        m.fast_project, m.oracle[1], m.token[1], m.factory[1], m.tracker[1], treasury.address
    )
    return m


who = st.integers(0, 3)
steps = st.one_of(
    st.tuples(st.just("travel"), st.sampled_from([1, 10 * 60, HOUR, DAY, 3 * DAY])),
    st.tuples(st.just("join"), who, st.booleans()),
    st.tuples(st.just("pause"), st.booleans()),
    st.tuples(st.just("unpause"), st.booleans()),
    st.tuples(st.just("cancel"), st.booleans()),
    st.tuples(st.just("refund"), who),
    st.tuples(st.just("post"), st.booleans()),
    st.tuples(st.just("reject"), st.booleans()),
    st.tuples(st.just("finalize")),
    st.tuples(st.just("claim"), who),
    st.tuples(st.just("sweep")),
    st.tuples(st.just("price"), who, st.integers(1, 10 * ETH), st.booleans()),
    st.tuples(st.just("track"), who),
)


@settings(
    max_examples=int(EXAMPLES or 6),
    derandomize=EXAMPLES is None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=st.lists(steps, min_size=8, max_size=12))
def test_fast_engine__random_sequences__same_outcomes_as_ape(
    mirror, owner, reporter, resolver, guardian, updater, stranger, treasury, sequence
):
    m = mirror
    m.request(m.clock)
    params = m.suite.competition_params(start=m.clock + 60)
    tx = m.send(m.factory, "createCompetition", params, sender=owner)
    [log] = tx.decode_logs(m.factory[0].CompetitionCreated)
    competition = (
        m.project.Competition.at(log.competition),
        m.fast_project.Competition.at(log.competition),
    )
    m.view(competition, "config")
    start = competition[1].config().startTime
    m.request(start)
    m.mark_balances()
    joined: list = []
    results = None
    for step in sequence:
        kind, *args = step
        if kind == "travel":
            m.travel(args[0])
        elif kind == "join":
            player = m.players[args[0]]
            if m.send(competition, "join", sender=player, value=FEE if args[1] else FEE - 1):
                joined.append(player.address)
        elif kind in ("pause", "unpause", "cancel"):
            sender = (guardian if kind != "unpause" else owner) if args[0] else stranger
            m.send(competition, kind, sender=sender)
        elif kind == "refund":
            m.send(competition, "refund", sender=m.players[args[0]])
        elif kind == "post":
            values = {p: 10 * (i + 1) for i, p in enumerate(joined)}
            available = pz.distributable(len(joined) * FEE, competition[1].config().rakeBps)
            results = (
                pz.compute_results(values, [6_000, 3_000, 1_000], available) if values else None
            )
            root = results.root if results else b"\x01" * 32
            total = (results.total if results else 0) if args[0] else available + 1
            m.send(competition, "postResults", root, total, sender=resolver)
        elif kind == "reject":
            m.send(competition, "rejectResults", sender=guardian if args[0] else stranger)
        elif kind in ("finalize", "sweep"):
            m.send(competition, kind, sender=resolver)
        elif kind == "claim":
            player = m.players[args[0]].address
            prize = results.prizes.get(player, 0) if results else 0
            proof = results.proof(player) if prize else []
            m.send(competition, "claim", prize, proof, sender=m.players[args[0]])
        elif kind == "price":
            token_id = COLLECTION_TOKEN_IDS[args[0]]
            name, sender = ("setPrice", reporter) if args[2] else ("overridePrice", owner)
            m.send(m.oracle, name, m.token[0], token_id, args[1], sender=sender)
        elif kind == "track":
            player = m.players[args[0]]
            holding = [(ERC721, m.token[0].address, COLLECTION_TOKEN_IDS[args[0]], 1)]
            call_args = (competition[0], player, holding)
            m.simulate(m.tracker, "updatePortfolioValue", *call_args, sender=updater)
            m.send(m.tracker, "updatePortfolioValue", *call_args, sender=updater)
        for name in ("status", "paused", "participantCount", "claimedTotal", "results"):
            m.view(competition, name)
        m.assert_balances(competition)


# -- The environment, probe by probe (contracts/test/EnvironmentProbe.sol) ------------------
# Each listed difference between the engine and Ape's provider is a test: equal where the
# engine matches Ape, the documented value where it deliberately differs (docs/fuzzing.md).
BLS12_G1ADD = "0x000000000000000000000000000000000000000b"


@pytest.fixture(scope="module")
def probes(project, fast_project, fast_chain, accounts, owner):
    # NOTE: every session fixture the probe tests use is set up first; one asked for later
    # makes Ape rebase this module's snapshot (InvalidIsolationWarning).
    return (
        project.EnvironmentProbe.deploy(sender=owner),
        fast_project.EnvironmentProbe.deploy(sender=owner),
    )


def test_probe__view__same_chain_sender_origin_coinbase_gaslimit_prevrandao_rules(
    probes, fast_chain, accounts
):
    ape_env, fast_env = (p.environment() for p in probes)
    for field in ("chainId", "coinbase", "gaslimit"):
        assert norm(getattr(fast_env, field)) == norm(getattr(ape_env, field)), field
    # A call without a sender comes from Ape's first test account on both.
    assert norm(fast_env.sender) == norm(ape_env.sender) == accounts[0].address.lower()
    assert norm(fast_env.origin) == norm(ape_env.origin)


def test_probe__transaction__prevrandao_zero_on_both_gas_price_free_on_the_engine(probes, owner):
    ape_probe, fast_probe = probes
    ape_env = ape_probe.recordEnvironment(sender=owner).events[0].event_arguments["environment"]
    fast_env = fast_probe.recordEnvironment(sender=owner).events[0].environment
    assert fast_env.prevrandao == ape_env[5] == 0
    assert fast_env.sender == owner.address
    # Documented difference: the engine's gas is free (pyrevm fixes the base fee at 0).
    assert ape_env[3] > 0 and ape_env[4] == ape_env[3]  # basefee, gasprice (no tip)
    assert (fast_env.basefee, fast_env.gasprice) == (0, 0)


def test_probe__view_after_time_travel__engine_sees_the_warped_time(probes, fast_chain, chain):
    ape_probe, fast_probe = probes
    # Documented difference: Ape's calls run on its latest mined block; the engine's calls
    # see the time set by warp, as forge's do.
    assert ape_probe.environment().timestamp == chain.provider.get_block("latest").timestamp
    fast_chain.warp(fast_chain.timestamp + 3_600)
    assert fast_probe.environment().timestamp == fast_chain.timestamp


def test_probe__code__same_size_and_bytes_as_ape(probes, chain):
    ape_probe, fast_probe = probes
    ape_code = bytes(chain.provider.get_code(ape_probe.address))
    fast_code = fast_probe.chain.code_of(fast_probe)
    assert fast_code == ape_code
    assert fast_probe.codeSize(fast_probe) == ape_probe.codeSize(ape_probe) == len(ape_code)


def test_probe__bls12_381_precompile__prague_on_ape_absent_on_the_engine(probes):
    ape_probe, fast_probe = probes
    # Documented difference: pyrevm 0.3.7 (revm 8) has no Prague precompiles.
    assert tuple(ape_probe.precompileAnswers(BLS12_G1ADD, b"\0" * 256)) == (True, 128)
    assert tuple(fast_probe.precompileAnswers(BLS12_G1ADD, b"\0" * 256)) == (True, 0)


def test_probe__eip6780__created_and_destroyed_in_one_transaction_loses_code_on_both(
    probes, owner, chain
):
    ape_probe, fast_probe = probes
    ape_child = ape_probe.createAndDestroy.call(sender=owner)
    ape_probe.createAndDestroy(sender=owner)
    fast_child = fast_probe.createAndDestroy.call(sender=owner)
    fast_probe.createAndDestroy(sender=owner)
    assert len(chain.provider.get_code(ape_child)) == 0
    assert fast_probe.chain.code_of(fast_child) == b""
    assert fast_probe.codeSize(fast_child) == ape_probe.codeSize(ape_child) == 0


def test_probe__eip6780__destroyed_in_a_later_transaction_keeps_code_on_both(
    probes, owner, project, fast_project
):
    ape_probe, fast_probe = probes
    ape_address = ape_probe.create.call(sender=owner)
    ape_probe.create(sender=owner)
    ape_child = ape.Contract(ape_address, contract_type=project.Doomed.contract_type)
    fast_child = fast_project.Doomed.at(fast_probe.create.call(sender=owner))
    fast_probe.create(sender=owner)
    ape_child.destroy(sender=owner)
    fast_child.destroy(sender=owner)
    assert ape_probe.codeSize(ape_child) > 0
    assert fast_probe.codeSize(fast_child) == ape_probe.codeSize(ape_child)


def test_probe__invalid_opcode__a_revert_for_reverts_on_both(probes, owner):
    from domacross_fuzz import reverts

    ape_probe, fast_probe = probes
    with ape.reverts():
        ape_probe.invalidOpcode.transact(sender=owner)
    with reverts():
        fast_probe.invalidOpcode(sender=owner)
