"""domacross_sdk.networks: network choices and RPC variables."""

from __future__ import annotations

import pytest

from domacross_sdk import (
    ConfigurationError,
    MissingRpcUrlError,
    UnknownNetworkError,
    resolve_network,
    rpc_urls,
)


@pytest.mark.parametrize(
    ("choice", "chain_id"),
    [("doma:testnet", 97476), ("doma:mainnet:node", 97477), ("ethereum:local:test", None)],
)
def test_resolve_network__known__spec(choice, chain_id):
    assert resolve_network(choice).chain_id == chain_id


@pytest.mark.parametrize("choice", ["doma", "doma:devnet", "polygon:mainnet:node", ""])
def test_resolve_network__unknown__lists_known(choice):
    with pytest.raises(UnknownNetworkError) as info:
        resolve_network(choice)
    assert isinstance(info.value, LookupError)
    assert "doma:testnet" in str(info.value)


def test_rpc_urls__primary_and_fallback__read_from_env():
    env = {
        "DOMA_TESTNET_RPC_URL_PRIMARY": "https://a.example",
        "DOMA_TESTNET_RPC_URL_FALLBACK": "https://b.example",
    }
    urls = rpc_urls(resolve_network("doma:testnet"), environ=env)
    assert (urls.primary, urls.fallback) == ("https://a.example", "https://b.example")


def test_rpc_urls__no_fallback__none():
    env = {"DOMA_MAINNET_RPC_URL_PRIMARY": "https://a.example"}
    assert rpc_urls(resolve_network("doma:mainnet"), environ=env).fallback is None


@pytest.mark.parametrize("value", [None, "", "   "])
def test_rpc_urls__missing_primary__names_the_variable(value):
    env = {} if value is None else {"DOMA_TESTNET_RPC_URL_PRIMARY": value}
    with pytest.raises(MissingRpcUrlError) as info:
        rpc_urls(resolve_network("doma:testnet"), environ=env)
    assert info.value.variable == "DOMA_TESTNET_RPC_URL_PRIMARY"
    assert isinstance(info.value, ConfigurationError)
    assert "export DOMA_TESTNET_RPC_URL_PRIMARY" in str(info.value)


def test_rpc_urls__local_network__value_error():
    with pytest.raises(ValueError, match="local network"):
        rpc_urls(resolve_network("ethereum:local"))


def test_indexer_defaults__per_network_by_chain_id():
    from domacross_sdk.networks import IndexerDefaults, indexer_defaults

    assert indexer_defaults(97476) == IndexerDefaults(confirmations=2, reorg_window=1_024)
    assert indexer_defaults(97477) == IndexerDefaults(confirmations=2, reorg_window=1_024)
    assert indexer_defaults(31337) == IndexerDefaults(confirmations=0, reorg_window=128)
    assert indexer_defaults(1) == IndexerDefaults(confirmations=2, reorg_window=128)


def test_indexer_settings__unset_means_the_network_default_set_overrides():
    from domacross.settings import Settings

    assert (Settings().confirmations, Settings().reorg_window) == (None, None)
    assert Settings(confirmations=5, reorg_window=64).confirmations == 5
