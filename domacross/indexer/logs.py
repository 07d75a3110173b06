"""eth_getLogs in ranges that adapt when a node refuses a range as too large."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from web3 import Web3
from web3.exceptions import Web3RPCError
from web3.types import RPCEndpoint

log = logging.getLogger("domacross.indexer.logs")

TOO_LARGE = (
    "query returned more than",
    "block range",
    "range too large",
    "too many",
    "limit exceeded",
    "exceed",
    "response size",
)


def is_range_error(exc: BaseException) -> bool:
    """True when a node refused an eth_getLogs range as too large."""
    message = str(exc).lower()
    code = getattr(exc, "rpc_response", None) or {}
    return any(m in message for m in TOO_LARGE) or (
        isinstance(code, dict) and code.get("error", {}).get("code") == -32005
    )


def raw_get_logs(w3: Web3, params: dict[str, Any]) -> list[Any]:
    """eth_getLogs straight through the provider: the logs as the node sent them (hex
    strings). NOTE: web3's result formatters cost more than the whole indexing of a log."""
    response = w3.provider.make_request(RPCEndpoint("eth_getLogs"), [params])
    if "error" in response:
        raise Web3RPCError(str(response["error"]), rpc_response=response)
    return list(response["result"])


def get_logs(
    w3: Web3,
    from_block: int,
    to_block: int,
    *,
    addresses: Sequence[str] | None = None,
    topics: Sequence[Any] | None = None,
    splits: list[int] | None = None,
) -> list[Any]:
    """All logs of [from_block, to_block], splitting the range in halves whenever the node
    refuses it as too large. Each split appends the refused range's size to `splits`."""
    params: dict[str, Any] = {"fromBlock": hex(from_block), "toBlock": hex(to_block)}
    if addresses is not None:
        params["address"] = list(addresses)
    if topics is not None:
        params["topics"] = list(topics)
    try:
        return raw_get_logs(w3, params)
    except (Web3RPCError, ValueError) as exc:
        if not is_range_error(exc) or from_block >= to_block:
            raise
        middle = (from_block + to_block) // 2
        log.info("eth_getLogs range %d-%d refused as too large; splitting", from_block, to_block)
        if splits is not None:
            splits.append(to_block - from_block + 1)
        kw: dict[str, Any] = {"addresses": addresses, "topics": topics, "splits": splits}
        return get_logs(w3, from_block, middle, **kw) + get_logs(w3, middle + 1, to_block, **kw)
