"""A competition's standings recomputed from a node: logs in, scores and results out.

Reads only what any node serves (``eth_getLogs`` and block headers, no archive state), so
anyone can check a posted results root: the resolver, a guardian, an auditor.
See :mod:`domacross_sdk.scoring` for the definition of the score.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eth_utils.address import to_checksum_address
from hexbytes import HexBytes

from domacross_sdk import prizes
from domacross_sdk.generated.events import ParticipantJoined, PriceUpdated
from domacross_sdk.scoring import Entry, Mark, Move, Score, compute_scores, prize_values

if TYPE_CHECKING:
    from web3 import Web3

    from domacross_sdk.generated.structs import CompetitionConfig

TRANSFER_TOPIC = bytes.fromhex("ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")
LOG_CHUNK = 5_000
"""Blocks per eth_getLogs call: public nodes cap the range."""


@dataclass(frozen=True)
class Standings:
    """Scores at the end block and the results they give."""

    end_block: int
    ended: bool
    """False while the chain has no block at or after the end: the standings are provisional."""
    scores: dict[str, Score]
    results: prizes.Results


def end_block(w3: Web3, end_time: int) -> tuple[int, bool]:
    """The last block whose timestamp is before `end_time`, and whether the chain is past it.

    Binary search over headers: about log2(height) requests.
    """
    latest = int(w3.eth.block_number)
    if _timestamp(w3, latest) < end_time:
        return latest, False
    low, high = 0, latest  # timestamp(low) < end_time <= timestamp(high), or low is genesis
    if _timestamp(w3, 0) >= end_time:
        return 0, True
    while high - low > 1:
        middle = (low + high) // 2
        if _timestamp(w3, middle) < end_time:
            low = middle
        else:
            high = middle
    return low, True


def _timestamp(w3: Web3, block: int) -> int:
    return int(w3.eth.get_block(block)["timestamp"])


def get_logs(
    w3: Web3, addresses: Sequence[str], topic0: bytes, from_block: int, to_block: int
) -> Iterator[Any]:
    """Logs of `addresses` with `topic0` in [from_block, to_block], in chunks."""
    if not addresses:
        return
    start = from_block
    while start <= to_block:
        stop = min(start + LOG_CHUNK - 1, to_block)
        yield from w3.eth.get_logs(
            {
                "address": [to_checksum_address(a) for a in addresses],
                "topics": ["0x" + topic0.hex()],
                "fromBlock": start,
                "toBlock": stop,
            }
        )
        start = stop + 1


def _pos(log: Any) -> tuple[int, int]:
    return (int(log["blockNumber"]), int(log["logIndex"]))


def read_marks(w3: Web3, oracle: str, from_block: int, to_block: int) -> list[Mark]:
    """The oracle's ``PriceUpdated`` logs as marks."""
    marks = []
    for log in get_logs(w3, [oracle], PriceUpdated.TOPIC0, from_block, to_block):
        e = PriceUpdated.decode(log)
        token = to_checksum_address(e.token)
        marks.append(Mark(_pos(log), token, e.token_id, e.fungible, e.price))
    return marks


def read_moves(w3: Web3, tokens: dict[str, bool], from_block: int, to_block: int) -> list[Move]:
    """``Transfer`` logs of `tokens` (address -> fungible). An ERC-721 log has the token id as
    its third topic; an ERC-20 log carries the amount as data."""
    moves = []
    for log in get_logs(w3, sorted(tokens), TRANSFER_TOPIC, from_block, to_block):
        topics = [bytes(HexBytes(t)) for t in log["topics"]]
        token = to_checksum_address(log["address"])
        sender = to_checksum_address(topics[1][12:])
        receiver = to_checksum_address(topics[2][12:])
        if len(topics) == 4 and not tokens[token]:
            moves.append(
                Move(_pos(log), token, int.from_bytes(topics[3]), 1, sender, receiver, False)
            )
        elif len(topics) == 3 and tokens[token]:
            amount = int.from_bytes(bytes(HexBytes(log["data"]))[:32])
            moves.append(Move(_pos(log), token, 0, amount, sender, receiver, True))
    return moves


def read_entries(w3: Web3, competition: str, from_block: int, to_block: int) -> list[Entry]:
    """The competition's ``ParticipantJoined`` logs as entries."""
    return [
        Entry(_pos(log), ParticipantJoined.decode(log).account)
        for log in get_logs(w3, [competition], ParticipantJoined.TOPIC0, from_block, to_block)
    ]


def compute_standings(
    w3: Web3, competition: str, config: CompetitionConfig, from_block: int = 0
) -> Standings:
    """Scores and results of `competition` from public logs.

    Args:
        w3: A connection to any node that serves logs from `from_block`.
        competition: The competition's address.
        config: Its configuration (`Competition.config()`).
        from_block: A block at or before the deployment of the oracle and the priced tokens
            (their whole history is replayed to know every balance).

    Raises:
        ValueError: the logs read do not start early enough (a transfer of units nobody held).
    """
    last, ended = end_block(w3, int(config.end_time.timestamp()))
    marks = read_marks(w3, config.oracle, from_block, last)
    tokens = {m.token: m.fungible for m in marks}
    moves = read_moves(w3, tokens, from_block, last)
    entries = read_entries(w3, competition, from_block, last)
    scores = compute_scores(moves, marks, entries, last)
    pool = prizes.pool(len(entries), config.entry_fee)
    available = prizes.distributable(pool, config.rake_bps)
    results = prizes.compute_results(prize_values(scores), list(config.payout_bps), available)
    return Standings(end_block=last, ended=ended, scores=scores, results=results)
