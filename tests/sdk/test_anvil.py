"""The SDK alone (no Ape) against a real anvil node: deploy, failover, bursts of sends."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from domacross_sdk import (
    Addresses,
    ChainMismatchError,
    ConfigurationError,
    DomaCross,
    LocalSigner,
    RpcUnavailableError,
    contract_errors,
)
from tests.utils.anvil import ANVIL_KEYS, anvil_node, free_port
from tests.utils.constants import ETH, LIMITS

COLLECTION = "0x" + "c2" * 20


@pytest.fixture(scope="module")
def anvil_url():
    with anvil_node() as url:
        yield url


@pytest.fixture(scope="module")
def suite(anvil_url):
    admin = LocalSigner.from_key(ANVIL_KEYS[0])
    dc = DomaCross.connect(anvil_url, signer=admin)
    oracle = dc.deploy("ValuationOracle", admin.address, 86_400, 2_000)
    tracker = dc.deploy("PortfolioTracker", admin.address, oracle)
    factory = dc.deploy("CompetitionFactory", admin.address, LIMITS)
    dc = DomaCross.connect(
        anvil_url,
        addresses=Addresses(oracle=oracle, tracker=tracker, factory=factory),
        signer=admin,
    )
    dc.tracker.set_factory(factory)
    dc.oracle.grant_role(dc.oracle.reporter_role(), admin.address)
    return dc


def test_connect__dead_primary__fails_over_to_fallback(anvil_url, suite):
    dead = f"http://127.0.0.1:{free_port()}"
    dc = DomaCross.connect(dead, fallback_url=anvil_url, addresses=suite.addresses)
    assert dc.chain_id == 31337
    assert dc.tracker.factory() == suite.addresses.factory
    assert dc.w3.provider.active == 1  # type: ignore[attr-defined]


def test_connect__every_url_dead__rpc_unavailable_names_hosts_not_paths():
    dead = f"http://127.0.0.1:{free_port()}/secret-api-key"
    dc = DomaCross.connect(dead)
    with pytest.raises(RpcUnavailableError) as info:
        _ = dc.chain_id
    assert "127.0.0.1" in str(info.value)
    assert "secret-api-key" not in str(info.value)


def test_connect__record_of_another_chain__refused_naming_both_ids(anvil_url, tmp_path):
    record = tmp_path / "doma-testnet.json"
    record.write_text('{"chain_id": 97476, "contracts": {}}')
    with pytest.raises(ChainMismatchError, match=r"chain 31337 .* chain 97476"):
        DomaCross.connect(anvil_url, deployment=record)


def test_for_network__doma_url_pointing_at_another_chain__refused(anvil_url, monkeypatch, tmp_path):
    monkeypatch.setenv("DOMA_TESTNET_RPC_URL_PRIMARY", anvil_url)
    record = tmp_path / "doma-testnet.json"
    record.write_text('{"contracts": {}}')
    with pytest.raises(ChainMismatchError) as info:
        DomaCross.for_network("doma:testnet", deployment=record)
    assert (info.value.node, info.value.expected) == (31337, 97476)
    assert "network doma:testnet" in str(info.value)


def test_connect__record_not_json__one_line_configuration_error(anvil_url, tmp_path):
    record = tmp_path / "broken.json"
    record.write_text("{not json")
    with pytest.raises(ConfigurationError, match="is not a deployment record") as info:
        DomaCross.connect(anvil_url, deployment=record)
    assert "\n" not in str(info.value)


def test_burst_of_concurrent_sends__consecutive_nonces_all_mined(suite):
    admin = suite.signer
    start = suite.w3.eth.get_transaction_count(admin.address)

    def send(i: int) -> int:
        return suite.oracle.set_price(COLLECTION, i, ETH + i).block_number

    with ThreadPoolExecutor(max_workers=8) as pool:
        blocks = list(pool.map(send, range(24)))
    assert len(blocks) == 24
    assert suite.w3.eth.get_transaction_count(admin.address) == start + 24
    assert [suite.oracle.price_of(COLLECTION, i) for i in range(24)] == [ETH + i for i in range(24)]


def test_revert_on_real_node__typed_error_and_no_nonce_used(suite):
    stranger = LocalSigner.from_key(ANVIL_KEYS[3])
    before = suite.w3.eth.get_transaction_count(stranger.address)
    with pytest.raises(contract_errors.AccessControlUnauthorizedAccount) as info:
        suite.oracle.set_price(COLLECTION, 1, ETH, sender=stranger)
    assert info.value.account == stranger.address
    with pytest.raises(contract_errors.OraclePriceNotSet):
        suite.oracle.price_of(COLLECTION, 10_000)
    assert suite.w3.eth.get_transaction_count(stranger.address) == before


def test_send_after_outside_nonce_use__recovers(suite):
    """Another process sent from the same account: the client re-reads the nonce and goes on."""
    admin = suite.signer
    other = DomaCross.connect(
        suite.w3.provider._providers[0].endpoint_uri,
        signer=admin,  # type: ignore[attr-defined]
        addresses=suite.addresses,
    )
    other.oracle.set_price(COLLECTION, 500, ETH)  # advances the chain nonce behind suite's back
    suite.sender.nonces.forget(admin.address)
    suite.oracle.set_price(COLLECTION, 501, ETH)
    assert suite.oracle.price_of(COLLECTION, 501) == ETH
