"""The suite manifest (`domacross_sdk.suite`) is the one list: every reader agrees with it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from domacross_deploy import admin as deploy_admin
from domacross_deploy import suite as deploy_suite
from domacross_sdk import Addresses, ConfigurationError, DomaCross, DomainMarketplace, suite
from domacross_sdk.abis import CONTRACT_NAMES, abi
from domacross_sdk.client import WRAPPERS
from domacross_sdk.convert import to_address
from tests.sdk.conftest import signer_of

ROOT = Path(__file__).resolve().parents[2]


def test_every_contract_of_the_manifest_ships_its_abi():
    assert CONTRACT_NAMES == suite.CONTRACT_NAMES
    for name in suite.CONTRACT_NAMES:
        assert abi(name), name
    shipped = {p.stem for p in (ROOT / "domacross_sdk" / "abi").glob("*.json")}
    assert shipped == set(suite.CONTRACT_NAMES)


def test_the_generator_reads_the_manifest():
    spec = importlib.util.spec_from_file_location("_gen_sdk_probe", ROOT / "toolchain/gen_sdk.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    assert list(suite.CONTRACT_NAMES) == module.CONTRACTS


def test_client_addresses_and_wrappers_cover_every_deployed_contract():
    deployed = {c.name for c in suite.CONTRACTS if c.deployed}
    assert set(Addresses.NAMES) == deployed == set(WRAPPERS)
    for name, field in Addresses.NAMES.items():
        assert field in Addresses.__dataclass_fields__, name
        assert name == WRAPPERS[name].CONTRACT_NAME


def test_deploy_has_constructor_arguments_for_every_deployed_contract():
    assert set(deploy_suite.ARGS) == set(suite.DEPLOY_ORDER)
    assert deploy_suite.CONTRACT_NAMES == suite.DEPLOY_ORDER
    assert [c.name for c in suite.deployed(local=False)] == [
        "ValuationOracle",
        "PortfolioTracker",
        "CompetitionFactory",
        "DomainBasketFactory",
    ]
    for link in suite.LINKS:
        assert {link.target, link.value, link.runs_after} <= set(suite.DEPLOY_ORDER)


def test_admin_accepts_the_contracts_with_roles_only():
    assert deploy_admin.contract_name("oracle") == "ValuationOracle"
    assert deploy_admin.contract_name("domainbasketfactory") == "DomainBasketFactory"
    # DomainMarketplace has no AccessControl: no role can be granted on it.
    with pytest.raises(Exception, match="unknown contract 'marketplace'"):
        deploy_admin.contract_name("marketplace")
    for _, name in suite.GRANTS:
        assert suite.contract(name).access_control


def test_every_role_in_a_deployed_contracts_abi_is_granted_there():
    """A role constant in a contract's ABI (``GUARDIAN_ROLE()``) is listed for that contract,
    so that deploy, roles and pause reach every contract that has it (both factories)."""
    in_abis = {
        (f["name"], c.name)
        for c in suite.CONTRACTS
        if c.deployed and c.access_control
        for f in abi(c.name)
        if f.get("type") == "function"
        and f["name"].endswith("_ROLE")
        and f["name"] != suite.ADMIN_ROLE
    }
    in_manifest = {(r.role, name) for r, name in suite.GRANTS}
    assert in_manifest == in_abis
    assert ("GUARDIAN_ROLE", "DomainBasketFactory") in in_manifest


def test_pause_targets_are_the_pausable_contracts_with_roles():
    assert deploy_admin.PAUSE_TARGETS == {
        "oracle": "ValuationOracle",
        "tracker": "PortfolioTracker",
        "factory": "CompetitionFactory",
        "basket-factory": "DomainBasketFactory",
    }
    assert deploy_admin.pause_target("Basket-Factory") == "DomainBasketFactory"
    assert deploy_admin.pause_target("domainbasketfactory") == "DomainBasketFactory"
    assert deploy_admin.pause_target("marketplace") is None


def test_lookup_by_name_or_alias_and_its_error():
    assert suite.contract("basket-factory").name == "DomainBasketFactory"
    assert suite.contract(" DomainMarketplace ").field == "marketplace"
    with pytest.raises(KeyError, match="unknown contract 'oracel'; one of ValuationOracle"):
        suite.contract("oracel")


def test_addresses_from_record_read_the_marketplace():
    market = "0x" + "ab" * 20
    addresses = Addresses.from_record({"contracts": {"DomainMarketplace": {"address": market}}})
    assert addresses.marketplace == to_address(market)
    assert addresses.oracle is None


def test_client_marketplace_on_chain(dc, owner, chain):
    """A marketplace deployed from the shipped bytecode, reached through the client."""
    signer = signer_of(owner)
    address = dc.deploy("DomainMarketplace", sender=signer)
    client = DomaCross.from_web3(
        chain.provider.web3, addresses=Addresses(marketplace=address), signer=signer
    )
    market = client.marketplace()
    assert isinstance(market, DomainMarketplace)
    assert market.listing_count() == 0
    assert market.owner() == owner.address
    assert client.contract("marketplace").address == address
    with pytest.raises(ConfigurationError, match="no oracle address"):
        client.contract("ValuationOracle")
    with pytest.raises(ConfigurationError, match="deployed per competition or basket"):
        client.contract("Competition")
