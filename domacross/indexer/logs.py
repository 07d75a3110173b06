"""eth_getLogs in ranges that adapt when a node refuses a range as too large."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from web3 import Web3
from web3.exceptions import Web3RPCError
from web3.types import RPCEndpoint

from domacross_sdk.errors import DomaCrossError
from domacross_sdk.generated.events import EVENTS

log = logging.getLogger("domacross.indexer.logs")

RANGE_LIMIT_MESSAGES: tuple[tuple[str, str], ...] = (
    # (a piece of the message, who sends it): matched lower-case; a node that refuses a
    # range for its size or its result count gets the range split (then the addresses and
    # topics narrowed, for a single block).
    ("query returned more than", "geth, Infura: more than 10000 results"),
    ("log response size exceeded", "Alchemy: response size"),
    ("is limited to a", "Ankr, QuickNode: eth_getLogs is limited to a 10000 range"),
    ("not supported on freetier", "free tiers: ranges over N blocks are not supported"),
    ("block range", "Erigon, BSC, Chainstack: exceed maximum block range / block range too large"),
    ("range too large", "generic"),
    ("range is too large", "generic"),
    ("too many", "too many results / blocks"),
    ("limit exceeded", "Alchemy, drpc: limit exceeded"),
    ("exceed", "exceeds max results, exceeded range"),
    ("response size", "response size should not be greater than"),
    ("max results", "query exceeds max results"),
    ("results limit", "results limit reached"),
)
RANGE_LIMIT_CODES = frozenset({-32005, -32614})
"""JSON-RPC codes of "limit exceeded" (EIP-1474) and of range limits (-32614, Ankr)."""
TOO_LARGE = tuple(m for m, _ in RANGE_LIMIT_MESSAGES)


class LogCapError(DomaCrossError, RuntimeError):
    """A single block holds more logs of one address and event than the node returns."""


def is_range_error(exc: BaseException) -> bool:
    """True when a node refused an eth_getLogs range (or its result) as too large."""
    message = str(exc).lower()
    response = getattr(exc, "rpc_response", None) or {}
    error = response.get("error") if isinstance(response, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return any(m in message for m in TOO_LARGE) or code in RANGE_LIMIT_CODES


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
    refuses it as too large. Each split appends the refused range's size to `splits`. A
    single block still refused is fetched by halves of its addresses, then of its event
    topics (only events the SDK decodes are asked for: the others are dropped anyway)."""
    params: dict[str, Any] = {"fromBlock": hex(from_block), "toBlock": hex(to_block)}
    if addresses is not None:
        params["address"] = list(addresses)
    if topics is not None:
        params["topics"] = list(topics)
    try:
        return raw_get_logs(w3, params)
    except (Web3RPCError, ValueError) as exc:
        if not is_range_error(exc):
            raise
        if from_block >= to_block:
            return _narrowed(w3, from_block, addresses, topics, exc)
        middle = (from_block + to_block) // 2
        log.info("eth_getLogs range %d-%d refused as too large; splitting", from_block, to_block)
        if splits is not None:
            splits.append(to_block - from_block + 1)
        kw: dict[str, Any] = {"addresses": addresses, "topics": topics, "splits": splits}
        return get_logs(w3, from_block, middle, **kw) + get_logs(w3, middle + 1, to_block, **kw)


def _narrowed(
    w3: Web3,
    block: int,
    addresses: Sequence[str] | None,
    topics: Sequence[Any] | None,
    refused: BaseException,
) -> list[Any]:
    """One block's logs in narrower queries: halves of the addresses, then of topic 0."""
    if addresses is not None and len(addresses) > 1:
        half = len(addresses) // 2
        return get_logs(w3, block, block, addresses=addresses[:half], topics=topics) + get_logs(
            w3, block, block, addresses=addresses[half:], topics=topics
        )
    first = list(topics[0]) if topics and isinstance(topics[0], list | tuple) else None
    if first is None and not topics:
        first = sorted({"0x" + topic.hex() for topic, _ in EVENTS})
    if first is not None and len(first) > 1:
        rest = list(topics[1:]) if topics else []
        half = len(first) // 2
        return get_logs(
            w3, block, block, addresses=addresses, topics=[first[:half], *rest]
        ) + get_logs(w3, block, block, addresses=addresses, topics=[first[half:], *rest])
    what = f"address {addresses[0]}" if addresses else "the followed contracts"
    event = f", event {first[0]}" if first else ""
    raise LogCapError(
        f"block {block} holds more logs of {what}{event} than the node returns in one "
        f"eth_getLogs ({str(refused).strip()[:160]}); index this chain through a node without "
        "that cap"
    ) from None
