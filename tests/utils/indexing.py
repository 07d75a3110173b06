"""The indexer's view of a scenario's suite: its contracts as `domacross index` reads them
from the record (the domain token's transfers are trades)."""

from __future__ import annotations

from typing import Any

from web3 import Web3

from domacross.indexer import ChainConfig
from domacross_sdk.rpc import FailoverHTTPProvider
from tests.utils.scenario import Suite


def chain_config(
    suite: Suite, *urls: str, name: str = "anvil", w3: Web3 | None = None, **fields: Any
) -> ChainConfig:
    """``suite``'s chain through ``urls`` (the first the primary) or ``w3``; ``fields``
    replace the defaults (``domain_tokens``, ``marketplace``, ``basket_factory``, ...)."""
    addresses = suite.dc.addresses
    defaults: dict[str, Any] = {
        "name": name,
        "w3": w3 if w3 is not None else Web3(FailoverHTTPProvider(list(urls))),
        "factory": addresses.factory or "",
        "tracker": addresses.tracker or "",
        "oracle": addresses.oracle or "",
        "start_block": suite.record["contracts"]["ValuationOracle"]["block_number"],
        "domain_tokens": (suite.token,),
    }
    return ChainConfig(**{**defaults, **fields})
