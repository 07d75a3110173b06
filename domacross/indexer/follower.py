"""Follows one chain: backfill in adaptive ranges, then the head; checkpoints, reorgs, lag."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from web3 import Web3

from domacross.db.models import CHECKPOINT_ROW, BlockRecord, ChainOffset, IndexerStatus
from domacross.indexer.apply import COMPETITION_EVENTS, Applier, Batch, hexstr, rollback
from domacross.indexer.baskets import BASKET_EVENTS
from domacross.indexer.breaker import CircuitBreaker
from domacross.indexer.logs import get_logs
from domacross.indexer.scores import refresh_scores, reopen_scores
from domacross.indexer.trades import TradeRecorder
from domacross_sdk.events_base import ContractEvent, decode_log
from domacross_sdk.generated import events as ev

log = logging.getLogger("domacross.indexer")
COMPETITIONS = CHECKPOINT_ROW
"""The checkpoint row of the competition events (fetched by topic, not by address)."""
FIRST_RANGE_BLOCKS = 100
"""Blocks of the first getLogs range; later ranges adapt to how dense the chain is."""


@dataclass(frozen=True)
class ChainConfig:
    """One chain to follow."""

    name: str
    w3: Web3
    factory: str
    tracker: str
    oracle: str
    start_block: int = 0
    domain_tokens: tuple[str, ...] = ()
    """Domain-token contracts (ERC-721, ERC-20) whose transfers become trades (issue 12)."""
    marketplace: str | None = None
    """The marketplace whose `Sold` events price trades (local chains: DomainMarketplace)."""
    basket_factory: str | None = None
    """The DomainBasketFactory, if baskets are indexed (its baskets' events are then followed)."""


@dataclass
class Progress:
    """What the follower reports after each range."""

    head: int = 0
    indexed: int = -1
    events: int = 0
    lag_seconds: float = 0.0
    ranges: int = field(default=0)


class ReorgTooDeepError(RuntimeError):
    """No stored block matches the chain any more: the reorg is deeper than the window."""


class ChainFollower:
    """Indexes one chain into the database.

    Args:
        config: The chain and its contracts.
        sessions: Session factory of the database.
        confirmations: Blocks behind the head before a block is indexed.
        batch_blocks: Largest eth_getLogs range; halved when a node refuses a range.
        max_logs_per_range: Logs one range should hold at most. A getLogs response is held
            in memory whole, so ranges start small (FIRST_RANGE_BLOCKS), shrink in
            proportion when a range held more logs than this, and double (up to
            `batch_blocks`) while ranges hold under a quarter of it.
        reorg_window: Recent block hashes kept to find a common ancestor.
    """

    def __init__(
        self,
        config: ChainConfig,
        sessions: sessionmaker[Session],
        *,
        confirmations: int = 2,
        batch_blocks: int = 2_000,
        max_logs_per_range: int = 10_000,
        reorg_window: int = 128,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self.config = config
        self.w3 = config.w3
        self.sessions = sessions
        self.confirmations = confirmations
        self.max_batch_blocks = batch_blocks
        self.batch_blocks = min(batch_blocks, FIRST_RANGE_BLOCKS)
        self.max_logs = max_logs_per_range
        self.reorg_window = reorg_window
        self.breaker = breaker or CircuitBreaker(config.name)
        self.chain_id = int(self.breaker.call(lambda: self.w3.eth.chain_id))
        self.applier = Applier(self.chain_id)
        self.progress = Progress()
        self._followed = [config.factory, config.tracker, config.oracle]
        self._followed += [
            *config.domain_tokens,
            *([config.marketplace] if config.marketplace else []),
        ]
        self.trades = TradeRecorder(self.chain_id, config.domain_tokens, config.marketplace)
        # NOTE: a fraction token's `Transfer` decodes like a basket share's: keep both.
        self._domain_tokens = {Web3.to_checksum_address(t) for t in config.domain_tokens}
        if config.basket_factory is not None:
            self._followed.append(config.basket_factory)
        self._topics = [["0x" + e.TOPIC0.hex() for e in COMPETITION_EVENTS]]

    # -- checkpoint ------------------------------------------------------------------------

    def checkpoint(self, session: Session) -> int:
        """The last fully indexed block (start_block - 1 before the first range)."""
        value = session.scalar(
            select(ChainOffset.last_block_number).where(
                ChainOffset.chain_id == self.chain_id, ChainOffset.contract_address == COMPETITIONS
            )
        )
        return self.config.start_block - 1 if value is None else int(value)

    def _save_checkpoint(self, session: Session, block: int) -> None:
        for address in [*self._followed, COMPETITIONS]:
            row = session.scalar(
                select(ChainOffset).where(
                    ChainOffset.chain_id == self.chain_id, ChainOffset.contract_address == address
                )
            )
            if row is None:
                session.add(
                    ChainOffset(
                        chain_id=self.chain_id, contract_address=address, last_block_number=block
                    )
                )
            else:
                row.last_block_number = block

    # -- one step --------------------------------------------------------------------------

    def step(self) -> int:
        """Indexes the next range up to the confirmed head, in one transaction with its
        checkpoint; returns how many blocks it advanced (0 when caught up)."""
        head = int(self.breaker.call(lambda: self.w3.eth.block_number))
        target = head - self.confirmations
        self.progress.head = head
        with self.sessions() as session:
            self._check_reorg(session)
            done = self.checkpoint(session)
            known = self.applier.known_competitions(session)
            baskets = self.applier.known_baskets(session)
        if done >= target:
            self._status(done, head)
            return 0
        start, end = done + 1, min(done + self.batch_blocks, target)
        events, timestamps, end_hash = self._fetch(start, end, known, baskets)
        with self.sessions.begin() as session:
            batch = Batch(self.chain_id, timestamps)
            for event in events:
                self.applier.apply(session, batch, event)
            self.applier.flush(session, batch)
            self.trades.record(session, batch)
            refresh_scores(session, batch, start, end)
            self._remember_blocks(session, timestamps, end, end_hash)
            self._save_checkpoint(session, end)
        self.progress.indexed = end
        self.progress.events += len(events)
        self.progress.ranges += 1
        self._status(end, head)
        return end - done

    def _fetch(
        self, start: int, end: int, known: set[str], baskets: set[str] | None = None
    ) -> tuple[list[ContractEvent], dict[int, datetime], dict[int, tuple[str, str]]]:
        splits: list[int] = []
        baskets = set() if baskets is None else baskets

        def fetch() -> tuple[list[Any], list[Any], list[Any]]:
            own = get_logs(self.w3, start, end, addresses=self._followed, splits=splits)
            comp = get_logs(self.w3, start, end, topics=self._topics, splits=splits)
            # Baskets by address (known ones and those created in this range), never by topic.
            wanted = sorted(baskets | self._new_baskets(own))
            mine = get_logs(self.w3, start, end, addresses=wanted, splits=splits) if wanted else []
            return own, comp, mine

        own, comp, mine = self.breaker.call(fetch)
        if splits:  # the node's own limit: never grow past it again
            self.max_batch_blocks = max(1, min(splits) // 2)
        self._adapt(end - start + 1, len(own) + len(comp) + len(mine))
        raw = sorted(
            own + comp + mine, key=lambda lg: (int(lg["blockNumber"], 16), int(lg["logIndex"], 16))
        )
        events: list[ContractEvent] = []
        for entry in raw:
            event = decode_log(entry)
            if event is None:
                continue
            if isinstance(event, COMPETITION_EVENTS) and event.meta.address not in known:
                continue  # a competition event of a contract that is not ours
            if (
                isinstance(event, BASKET_EVENTS)
                and event.meta.address not in baskets
                and event.meta.address not in self._domain_tokens
            ):
                continue  # a basket event (or an ERC-20 transfer) of a contract that is not ours
            if (
                isinstance(event, ev.BasketCreated)
                and event.meta.address == self.config.basket_factory
            ):
                baskets.add(event.basket)
            if (
                isinstance(event, ev.CompetitionCreated)
                and event.meta.address == self.config.factory
            ):
                known.add(event.competition)
            events.append(event)
        blocks = sorted({e.meta.block_number for e in events} | {end})
        headers = self.breaker.call(lambda: self._headers(blocks))
        timestamps = {n: h[2] for n, h in headers.items()}
        hashes = {n: (h[0], h[1]) for n, h in headers.items()}
        return events, timestamps, hashes

    def _adapt(self, blocks: int, logs: int) -> None:
        """The next range's size from how dense this one was (see `max_logs_per_range`)."""
        if logs > self.max_logs:
            self.batch_blocks = max(1, blocks * self.max_logs // logs)
        elif logs < self.max_logs // 4:
            self.batch_blocks = min(self.max_batch_blocks, max(self.batch_blocks, blocks * 2))
        self.batch_blocks = min(self.batch_blocks, self.max_batch_blocks)

    def _new_baskets(self, own: list[Any]) -> set[str]:
        """Baskets created by the basket factory in these logs."""
        factory = self.config.basket_factory
        if factory is None:
            return set()
        # NOTE: raw fields first: decoding every log twice halved the backfill rate.
        topic, address = "0x" + ev.BasketCreated.TOPIC0.hex(), factory.lower()
        found: set[str] = set()
        for entry in own:
            topics = entry["topics"]
            if topics and topics[0] == topic and entry["address"].lower() == address:
                event = decode_log(entry)
                if isinstance(event, ev.BasketCreated):
                    found.add(event.basket)
        return found

    def _headers(self, numbers: list[int]) -> dict[int, tuple[str, str, datetime]]:
        result: dict[int, tuple[str, str, datetime]] = {}
        for n in numbers:
            block = self.w3.eth.get_block(n)
            result[n] = (
                hexstr(bytes(block["hash"])),
                hexstr(bytes(block["parentHash"])),
                datetime.fromtimestamp(int(block["timestamp"]), UTC),
            )
        return result

    def _remember_blocks(
        self,
        session: Session,
        timestamps: dict[int, datetime],
        end: int,
        hashes: dict[int, tuple[str, str]],
    ) -> None:
        for number, (block_hash, parent) in hashes.items():
            session.merge(
                BlockRecord(
                    chain_id=self.chain_id,
                    number=number,
                    hash=block_hash,
                    parent_hash=parent,
                    timestamp=timestamps[number],
                )
            )
        # Keep only the recent window (plus every stored block inside it).
        stale = select(BlockRecord).where(
            BlockRecord.chain_id == self.chain_id, BlockRecord.number < end - self.reorg_window
        )
        for record in session.scalars(stale):
            session.delete(record)

    # -- reorgs ----------------------------------------------------------------------------

    def _check_reorg(self, session: Session) -> None:
        stored = list(
            session.scalars(
                select(BlockRecord)
                .where(BlockRecord.chain_id == self.chain_id)
                .order_by(BlockRecord.number.desc())
            )
        )
        if not stored or self._matches(stored[0]):
            return
        ancestor = None
        for record in stored[1:]:
            if self._matches(record):
                ancestor = record.number
                break
        if ancestor is None:
            raise ReorgTooDeepError(
                f"chain {self.chain_id}: no stored block of the last {self.reorg_window} matches; "
                "raise DOMACROSS_REORG_WINDOW or reindex from an earlier block"
            )
        log.warning(
            "reorg on chain %d: rolling back to block %d",
            self.chain_id,
            ancestor,
            extra={"chain_id": self.chain_id, "ancestor": ancestor, "was": stored[0].number},
        )
        rollback(session, self.chain_id, ancestor)
        reopen_scores(session, self.chain_id, ancestor)
        self._save_checkpoint(session, ancestor)
        session.commit()
        self.applier.forget()

    def _matches(self, record: BlockRecord) -> bool:
        try:
            block = self.breaker.call(lambda: self.w3.eth.get_block(record.number))
        except Exception:  # the block no longer exists on a shorter chain
            return False
        return hexstr(bytes(block["hash"])) == record.hash

    # -- status ----------------------------------------------------------------------------

    def _status(self, indexed: int, head: int) -> None:
        lag_seconds = 0.0
        with self.sessions.begin() as session:
            record = session.get(BlockRecord, (self.chain_id, indexed))
            if record is not None:
                ts = (
                    record.timestamp
                    if record.timestamp.tzinfo
                    else record.timestamp.replace(tzinfo=UTC)
                )
                lag_seconds = max(0.0, (datetime.now(UTC) - ts).total_seconds())
            status = session.get(IndexerStatus, self.chain_id)
            if status is None:
                status = IndexerStatus(chain_id=self.chain_id, events_indexed=0)
                session.add(status)
            status.head_block = head
            status.indexed_block = max(indexed, 0)
            status.lag_blocks = max(0, head - indexed)
            status.lag_seconds = lag_seconds
            status.breaker_state = self.breaker.state
            status.events_indexed = self.progress.events
        self.progress.lag_seconds = lag_seconds

    # -- loops -----------------------------------------------------------------------------

    def backfill(self, on_range: Callable[[Progress], None] | None = None) -> Progress:
        """Indexes up to the confirmed head, then returns."""
        while self.step():
            if on_range:
                on_range(self.progress)
        return self.progress

    def follow(self, stop: threading.Event, poll_interval: float = 1.0) -> None:
        """Indexes forever (until `stop` is set), polling the head when caught up."""
        while not stop.is_set():
            try:
                advanced = self.step()
            except Exception as exc:  # an RPC or database fault: log, back off, go on
                log.warning(
                    "chain %d: step failed: %s",
                    self.chain_id,
                    type(exc).__name__,
                    extra={"chain_id": self.chain_id, "breaker_state": self.breaker.state},
                )
                stop.wait(poll_interval)
                continue
            if not advanced:
                stop.wait(poll_interval)
