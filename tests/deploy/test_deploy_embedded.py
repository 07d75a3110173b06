"""`deploy_suite` and `verify` in process, on the embedded chain of the test session."""

from __future__ import annotations

import ape
import pytest
from eth_utils import to_checksum_address

from domacross_deploy import verify as verify_module
from domacross_deploy.session import Session, check_rpc_env
from domacross_deploy.suite import CONTRACT_NAMES, SuiteConfig, deploy_suite, role_id
from domacross_deploy.verify import Compiled, compile_runtime, strip_metadata, verify
from domacross_sdk.deployments import load_record, save_record
from domacross_sdk.errors import MissingRpcUrlError
from domacross_sdk.suite import GRANTS, LINKS


@pytest.fixture(scope="module")
def compiled():
    return compile_runtime([*CONTRACT_NAMES, "Competition"])


def open_session(provider, directory, **kwargs):
    return Session.open(provider, None, directory, fresh_if_stale=True, **kwargs)


@pytest.fixture
def deployed(chain, owner, tmp_path):
    session = open_session(chain.provider, tmp_path)
    outcome = deploy_suite(session, SuiteConfig(deployer=owner.address, local=True))
    return session, outcome


def test_deploy__fresh_embedded_chain__whole_suite_recorded(deployed, owner, project):
    session, outcome = deployed
    record = load_record(session.path)
    assert session.path.name == "ethereum-local.json"
    assert outcome.sent == len(CONTRACT_NAMES) + len(LINKS) + len(GRANTS)  # deploys, links, grants
    assert list(record.contracts) == list(CONTRACT_NAMES)
    assert record.pending is None
    assert record.deployer == owner.address
    tracker = project.PortfolioTracker.at(record.contracts["PortfolioTracker"].address)
    assert tracker.factory() == record.contracts["CompetitionFactory"].address
    assert tracker.basketFactory() == record.contracts["DomainBasketFactory"].address
    assert tracker.oracle() == record.contracts["ValuationOracle"].address
    factory = project.CompetitionFactory.at(record.contracts["CompetitionFactory"].address)
    assert (factory.tracker(), factory.oracle()) == (tracker.address, tracker.oracle())
    granted = {(g.contract, g.role) for g in record.roles if g.tx_hash is not None}
    assert granted == {(contract, r.role) for r, contract in GRANTS}
    for grant in record.roles:
        contract = project.get_contract(grant.contract).at(grant.contract_address)
        assert contract.hasRole(grant.role_id, owner)


def test_deploy__guardian_option__guardian_pauses_basket_factory_outsider_refused(
    chain, owner, guardian, stranger, project, tmp_path
):
    # A guardian other than the admin, so that only GUARDIAN_ROLE can let it pause.
    session = open_session(chain.provider, tmp_path)
    config = SuiteConfig(
        deployer=owner.address, local=True, roles={"guardian": (guardian.address,)}
    )
    deploy_suite(session, config)
    record = load_record(session.path)
    baskets = project.DomainBasketFactory.at(record.contracts["DomainBasketFactory"].address)
    competitions = project.CompetitionFactory.at(record.contracts["CompetitionFactory"].address)
    guardians = {g.contract for g in record.roles if g.role == "GUARDIAN_ROLE"}
    assert guardians == {"CompetitionFactory", "DomainBasketFactory"}
    assert not baskets.hasRole(baskets.DEFAULT_ADMIN_ROLE(), guardian)

    with ape.reverts(baskets.AccessControlUnauthorizedAccount, account=stranger):
        baskets.pause(sender=stranger)
    assert not baskets.paused()
    baskets.pause(sender=guardian)
    assert baskets.paused()
    competitions.pause(sender=guardian)
    assert competitions.paused()


def test_deploy__earlier_deployment_without_basket_guardian__rerun_sends_that_grant_only(
    chain, owner, guardian, project, tmp_path
):
    # What a deployment from before the guardian reached the basket factory looks like.
    config = SuiteConfig(
        deployer=owner.address, local=True, roles={"guardian": (guardian.address,)}
    )
    session = open_session(chain.provider, tmp_path)
    deploy_suite(session, config)
    record = load_record(session.path)
    baskets = project.DomainBasketFactory.at(record.contracts["DomainBasketFactory"].address)
    rid = role_id("GUARDIAN_ROLE")
    baskets.revokeRole(rid, guardian, sender=owner)
    save_record(record.without_role(baskets.address, rid, guardian.address), session.path)

    outcome = deploy_suite(open_session(chain.provider, tmp_path), config)
    assert outcome.sent == 1
    sent = [r.step for r in outcome.rows if r.action == "send"]
    assert sent == [f"grant:DomainBasketFactory.GUARDIAN_ROLE:{guardian.address}"]
    assert baskets.hasRole(rid, guardian)
    assert load_record(session.path).has_role(baskets.address, rid, guardian.address)


def test_deploy__rerun__sends_nothing_and_keeps_record(deployed, chain, owner):
    session, _ = deployed
    before = session.path.read_text()
    block = chain.blocks.head.number
    again = open_session(chain.provider, session.path.parent)
    outcome = deploy_suite(again, SuiteConfig(deployer=owner.address, local=True))
    assert outcome.sent == 0
    assert {row.action for row in outcome.rows} == {"skip"}
    assert chain.blocks.head.number == block
    assert session.path.read_text() == before


def test_deploy__dry_run_on_empty_record__plans_all_sends_nothing(chain, owner, tmp_path):
    block = chain.blocks.head.number
    session = open_session(chain.provider, tmp_path, read_only=True)
    outcome = deploy_suite(session, SuiteConfig(deployer=owner.address, local=True), dry_run=True)
    assert chain.blocks.head.number == block
    assert not session.path.exists()
    deploys = [r for r in outcome.rows if r.step.startswith("deploy:")]
    assert [r.action for r in deploys] == ["deploy"] * len(CONTRACT_NAMES)
    assert all(r.gas and r.gas > 500_000 for r in deploys)


def test_deploy__oracle_args_changed__reported_not_redeployed_until_asked(deployed, chain, owner):
    session, _ = deployed
    config = SuiteConfig(deployer=owner.address, local=True, max_price_age=3_600)
    again = open_session(chain.provider, session.path.parent)
    outcome = deploy_suite(again, config)
    assert outcome.sent == 0
    assert outcome.changed == ["ValuationOracle"]
    old = load_record(session.path).contracts["ValuationOracle"].address

    again = open_session(chain.provider, session.path.parent)
    outcome = deploy_suite(again, config, redeploy=["ValuationOracle"])
    record = load_record(session.path)
    # The new oracle, its admin grant and reporter grant; the tracker now points elsewhere.
    assert outcome.sent == 2
    assert record.contracts["ValuationOracle"].address != old
    assert record.contracts["ValuationOracle"].constructor_args[1] == 3_600
    assert outcome.changed == ["PortfolioTracker", "DomainBasketFactory"]


def test_verify__fresh_deployment__every_check_matches(deployed, compiled):
    session, _ = deployed
    checks = verify(session, compiled)
    assert [c for c in checks if not c.ok] == []
    # code hash, masked code, creation code per contract; the implementation; grants; the calls
    record = load_record(session.path)
    assert len(checks) == 2 + 3 * len(record.contracts) + 1 + len(record.roles) + len(LINKS)


@pytest.mark.parametrize("tamper", ["bytecode_hash", "address", "role"])
def test_verify__tampered_record__mismatch_reported(deployed, compiled, tamper):
    session, _ = deployed
    record = load_record(session.path)
    oracle = record.contracts["ValuationOracle"]
    tracker = record.contracts["PortfolioTracker"]
    if tamper == "bytecode_hash":
        changed = record.with_contract(
            "ValuationOracle", oracle.model_copy(update={"bytecode_hash": "0x" + "00" * 32})
        )
        expected = {("ValuationOracle " + oracle.address, "code hash = record")}
    elif tamper == "address":
        # The tracker's code where the oracle's should be: both code checks fail.
        changed = record.model_copy(
            update={
                "contracts": {
                    **record.contracts,
                    "ValuationOracle": oracle.model_copy(update={"address": tracker.address}),
                }
            }
        )
        label = "ValuationOracle " + tracker.address
        expected = {(label, "code hash = record"), (label, "code = compiled (immutables masked)")}
    else:
        grant = next(g for g in record.roles if g.role == "REPORTER_ROLE")
        stranger = "0x" + "99" * 20
        changed = record.with_role(grant.model_copy(update={"account": stranger}))
        expected = {("ValuationOracle.REPORTER_ROLE", f"held by {stranger}")}
    save_record(changed, session.path)
    reread = open_session(session.provider, session.path.parent, read_only=True, check=False)
    failed = {(c.item, c.check) for c in verify(reread, compiled) if not c.ok}
    assert failed == expected


def test_verify__record_of_another_chain__every_contract_failed_no_traceback(deployed, compiled):
    session, _ = deployed
    text = session.path.read_text()
    record = load_record(session.path)
    # Each contract moved to an address with no code, as on a chain the record wasn't made on.
    for index, entry in enumerate(record.contracts.values()):
        empty = to_checksum_address(f"0x{0xDEAD0000 + index:040x}")
        text = text.replace(entry.address, empty).replace(entry.address.lower(), empty)
    session.path.write_text(text)
    reread = open_session(session.provider, session.path.parent, read_only=True, check=False)
    checks = verify(reread, compiled)
    failed = [c for c in checks if not c.ok]
    assert {c.item.split(" ")[0] for c in failed if c.check == "code at address"} == set(
        record.contracts
    )
    # The reads through a contract (implementation, roles, links) fail as checks, not errors.
    reads = [c for c in failed if c.detail == verify_module.NO_CODE]
    assert len(reads) == 1 + len(record.roles) + len(LINKS)
    assert all(not c.ok for c in checks if c.item != "network" and c.item != "record")


def _rebuilt(compiled: Compiled, *, in_metadata: bool) -> Compiled:
    """The same contract as another build would give it: one byte flipped in its metadata hash
    (another source path or setting) or in its code (another source)."""
    code = bytearray(compiled.code)
    stripped = len(strip_metadata(compiled.code))
    assert stripped < len(code)  # solc appended metadata
    index = stripped + 5 if in_metadata else stripped - 40
    code[index] ^= 0xFF
    return Compiled(bytes(code), compiled.immutables)


def test_strip_metadata__solc_code__cbor_removed_and_plain_code_unchanged(compiled):
    code = compiled["ValuationOracle"].code
    stripped = strip_metadata(code)
    length = int.from_bytes(code[-2:], "big")
    assert stripped == code[: len(code) - length - 2]
    assert code[len(stripped)] == 0xA2  # {ipfs, solc}
    assert strip_metadata(b"\x60\x00\x60\x00") == b"\x60\x00\x60\x00"
    assert strip_metadata(b"") == b""


def test_verify__only_metadata_differs__partial_match_not_changed_sources(deployed, compiled):
    session, _ = deployed
    record = load_record(session.path)
    oracle = record.contracts["ValuationOracle"]
    # What a build from another checkout path looks like: another metadata hash, so another
    # creation-code hash, and the same code.
    rebuilt = {
        **compiled,
        "ValuationOracle": _rebuilt(compiled["ValuationOracle"], in_metadata=True),
    }
    save_record(
        record.with_contract(
            "ValuationOracle", oracle.model_copy(update={"init_code_hash": "0x" + "11" * 32})
        ),
        session.path,
    )
    reread = open_session(session.provider, session.path.parent, read_only=True, check=False)
    checks = {(c.item, c.check): c for c in verify(reread, rebuilt)}
    label = "ValuationOracle " + oracle.address
    assert [c for c in checks.values() if not c.ok] == []
    assert (
        "partial match (metadata only)"
        in checks[label, "code = compiled (immutables masked)"].detail
    )
    creation = checks[label, "creation code = record"]
    assert "partial match" in creation.detail and "sources changed" not in creation.detail


def test_verify__code_differs__sources_changed_reported(deployed, compiled):
    session, _ = deployed
    oracle = load_record(session.path).contracts["ValuationOracle"]
    rebuilt = {
        **compiled,
        "ValuationOracle": _rebuilt(compiled["ValuationOracle"], in_metadata=False),
    }
    failed = [c for c in verify(session, rebuilt) if not c.ok]
    assert [(c.item, c.check) for c in failed] == [
        ("ValuationOracle " + oracle.address, "code = compiled (immutables masked)")
    ]
    assert "sources changed" in failed[0].detail


def test_verify__compiled_twice_then_one_source_byte_changed__cached_then_reported(
    deployed, tmp_path, monkeypatch
):
    session, _ = deployed
    names = [*CONTRACT_NAMES, "Competition"]
    runs: list[object] = []
    real_solc = verify_module.run_solc

    def counted(standard_input, binary, base_path):
        runs.append(standard_input)
        return real_solc(standard_input, binary, base_path)

    monkeypatch.setattr(verify_module, "run_solc", counted)
    first = compile_runtime(names, cache_dir=tmp_path)
    second = compile_runtime(names, cache_dir=tmp_path)
    assert len(runs) == 1  # the second compile came from the cache
    assert second == first
    assert [c for c in verify(session, second) if not c.ok] == []

    # The same input with one byte of ValuationOracle.sol changed, as after an edit.
    select = verify_module._select_immutables

    def edited(standard_input):
        sources = standard_input["sources"]
        (source_id,) = [s for s in sources if s.rsplit("/", 1)[-1] == "ValuationOracle.sol"]
        source = standard_input["sources"][source_id]
        assert "MAX_BATCH = 256;" in source["content"]
        source["content"] = source["content"].replace("MAX_BATCH = 256;", "MAX_BATCH = 257;")
        return select(standard_input)

    monkeypatch.setattr(verify_module, "_select_immutables", edited)
    changed = compile_runtime(names, cache_dir=tmp_path)
    assert len(runs) == 2
    oracle = load_record(session.path).contracts["ValuationOracle"]
    failed = [c for c in verify(session, changed) if not c.ok]
    assert [(c.item, c.check) for c in failed] == [
        ("ValuationOracle " + oracle.address, "code = compiled (immutables masked)")
    ]
    assert "sources changed" in failed[0].detail


def test_check_rpc_env__doma_without_variable__names_it():
    with pytest.raises(MissingRpcUrlError, match="DOMA_MAINNET_RPC_URL_PRIMARY"):
        check_rpc_env("doma:mainnet:node", environ={})
    check_rpc_env("doma:mainnet:node", environ={"DOMA_MAINNET_RPC_URL_PRIMARY": "http://x"})
    check_rpc_env("ethereum:local:test", environ={})
