"""Follows one chain: backfill in adaptive ranges, then the head; checkpoints, reorgs, lag.

The follower knows no contract: each range is fetched (the address book says what to ask
for), decoded, routed (the address book says which logs are ours, with their contracts'
roles), applied (the projections' registry, `domacross.indexer.apply`) and checkpointed,
in one transaction.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any, Literal

from requests import RequestException
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker
from web3 import Web3
from web3.exceptions import Web3RPCError
from web3.types import RPCEndpoint

from domacross.db.models import (
    CHECKPOINT_ROW,
    BlockRecord,
    ChainOffset,
    IndexerStatus,
    RawEvent,
)
from domacross.indexer.addressbook import AddressBook, Role
from domacross.indexer.apply import REGISTRY, Applier, rollback
from domacross.indexer.breaker import CircuitBreaker, CircuitOpenError
from domacross.indexer.decode import decode
from domacross.indexer.gcpolicy import indexing_pace
from domacross.indexer.logs import get_logs
from domacross.indexer.registry import Registry, Routed
from domacross.indexer.rows import hexstr, upsert
from domacross.settings import BATCH_BLOCKS, MAX_LOGS_PER_RANGE
from domacross_sdk.errors import DomaCrossError, RpcUnavailableError
from domacross_sdk.networks import indexer_defaults
from domacross_sdk.rpc import FailoverHTTPProvider

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
    """Domain-token contracts (ERC-721, ERC-20) whose transfers become trades."""
    marketplace: str | None = None
    """The marketplace whose `Sold` events price trades (local chains: DomainMarketplace)."""
    basket_factory: str | None = None
    """The DomainBasketFactory, if baskets are indexed (its baskets' events are then followed)."""

    def contracts(self) -> list[tuple[str, Role]]:
        """The configured contracts and their roles (the address book's fixed entries)."""
        found = [
            (self.factory, Role.COMPETITION_FACTORY),
            (self.tracker, Role.TRACKER),
            (self.oracle, Role.ORACLE),
        ]
        found += [(token, Role.DOMAIN_TOKEN) for token in self.domain_tokens]
        if self.marketplace is not None:
            found.append((self.marketplace, Role.MARKETPLACE))
        if self.basket_factory is not None:
            found.append((self.basket_factory, Role.BASKET_FACTORY))
        return found


@dataclass
class Progress:
    """What the follower reports after each range."""

    head: int = 0
    indexed: int = -1
    events: int = 0
    lag_seconds: float = 0.0
    ranges: int = field(default=0)


def _log_position(log: Mapping[str, Any]) -> tuple[int, int]:
    return int(log["blockNumber"], 16), int(log["logIndex"], 16)


def _header_of(block: dict[str, Any]) -> Header:
    return (
        str(block["hash"]),
        str(block["parentHash"]),
        datetime.fromtimestamp(int(block["timestamp"], 16), UTC),
    )


class ReorgTooDeepError(DomaCrossError, RuntimeError):
    """No stored block hash matches the chain any more: the indexed data cannot be tied to
    the node's chain. Recovery: `domacross index --rewind-to BLOCK`."""


class RangeChangedError(DomaCrossError, RuntimeError):
    """The chain changed while a range was read (a reorg between its eth_getLogs and its
    header reads): the range is read again after the reorg check."""


RPC_FAULTS: tuple[type[BaseException], ...] = (
    RpcUnavailableError,
    CircuitOpenError,
    RequestException,
    Web3RPCError,
    RangeChangedError,
)
"""Faults of the node, not of the data: waited out (see `ChainFollower.backfill`)."""
FAST_POLL = 0.05
"""Seconds before the first head poll after an indexed range (see `ChainFollower.follow`)."""
HEADER_BATCH = 100
"""Block headers per JSON-RPC batch."""
RANGE_RETRIES = 10
"""Reads of one range before a chain that keeps changing under it is an error."""
HeadTag = Literal["latest", "safe", "finalized"]
Header = tuple[str, str, datetime]
"""(hash, parent hash, timestamp) of a block."""
Fetched = tuple[list[Routed], dict[int, datetime], dict[int, tuple[str, str]]]
"""A range as read: its events that are ours, the times and (hash, parent hash) of its
blocks."""


class ChainFollower:
    """Indexes one chain into the database.

    Args:
        config: The chain and its contracts.
        sessions: Session factory of the database.
        confirmations: Blocks behind the head before a block is indexed; None: the
            default of the chain's network (`domacross_sdk.networks.indexer_defaults`).
        batch_blocks: Largest eth_getLogs range; halved when a node refuses a range.
        max_logs_per_range: Logs one range should hold at most. A getLogs response is held
            in memory whole, so ranges start small (FIRST_RANGE_BLOCKS), shrink in
            proportion when a range held more logs than this, and double (up to
            `batch_blocks`) while ranges hold under a quarter of it.
        reorg_window: Recent block hashes kept to find a common ancestor; None: the
            network's default.
        head_tag: "safe" or "finalized" never indexes past the node's block of that tag
            (as well as `confirmations` behind the head): reorgs then stay below the data
            on chains that have them. A node without the tag falls back to "latest".
        registry: The projections to write (`domacross.indexer.projections.PROJECTIONS`).
    """

    def __init__(
        self,
        config: ChainConfig,
        sessions: sessionmaker[Session],
        *,
        confirmations: int | None = 2,
        batch_blocks: int = BATCH_BLOCKS,
        max_logs_per_range: int = MAX_LOGS_PER_RANGE,
        reorg_window: int | None = 128,
        breaker: CircuitBreaker | None = None,
        head_tag: HeadTag = "latest",
        registry: Registry = REGISTRY,
    ) -> None:
        self.config = config
        self.w3 = config.w3
        self.sessions = sessions
        self.max_batch_blocks = batch_blocks
        self.batch_blocks = min(batch_blocks, FIRST_RANGE_BLOCKS)
        self.max_logs = max_logs_per_range
        self.head_tag = head_tag
        self.breaker = breaker or CircuitBreaker(config.name)
        self.chain_id = int(self.breaker.call(lambda: self.w3.eth.chain_id))
        defaults = indexer_defaults(self.chain_id)
        self.confirmations = defaults.confirmations if confirmations is None else confirmations
        self.reorg_window = defaults.reorg_window if reorg_window is None else reorg_window
        self.book = AddressBook(self.chain_id, config.contracts())
        """Which logs are ours (the one place that decides it)."""
        self.applier = Applier(self.chain_id, self.book, self._block_time, registry)
        self.progress = Progress()
        self.failed = False
        """Set when the indexed data cannot be tied to the chain: /health reports it."""
        self._followed = [address for address, _ in config.contracts()]
        """The configured contracts, each with its checkpoint row."""
        self._reader: ThreadPoolExecutor | None = None
        self._prefetch: tuple[int, int, Future[Fetched], AddressBook] | None = None
        """The next range, being read while the current one is written (backfill)."""

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
        for attempt in range(RANGE_RETRIES):
            head = int(self.breaker.call(lambda: self.w3.eth.block_number))
            target = head - self.confirmations
            if self.head_tag != "latest":
                tagged = self._tagged_block()
                target = target if tagged is None else min(target, tagged)
            self.progress.head = head
            try:
                with self.sessions() as session:
                    self._check_reorg(session)
            except ReorgTooDeepError:
                with self.sessions() as session:
                    done = self.checkpoint(session)
                self._status(done, head)  # /health reports the chain failed
                raise
            with self.sessions() as session:
                done = self.checkpoint(session)
                parent = session.get(BlockRecord, (self.chain_id, done))
                self.applier.load(session)
            if done >= target:
                self._drop_prefetch()
                self._status(done, head)
                return 0
            fetched = self._take_prefetch(done + 1, target)
            try:
                if fetched is None:
                    start, end = done + 1, min(done + self.batch_blocks, target)
                    events, timestamps, end_hash = self._fetch(
                        start, end, self.book, parent.hash if parent else None
                    )
                else:
                    start, end, (events, timestamps, end_hash), learned = fetched
                    # The contracts that range created (routing it added them there).
                    self.book.merge(learned)
            except RangeChangedError as exc:
                log.warning(
                    "chain %d: %s; reading the range again",
                    self.chain_id,
                    exc,
                    extra={"chain_id": self.chain_id, "attempt": attempt + 1},
                )
                continue
            break
        else:
            raise RangeChangedError(
                f"chain {self.chain_id}: blocks {start}-{end} changed on each of "
                f"{RANGE_RETRIES} reads; check the node (is it flapping between forks?)"
            )
        if end < target:  # backfilling: read the next range while this one is written
            self._start_prefetch(end + 1, target, end_hash[end][0])
        try:
            with self.sessions.begin() as session:
                self.applier.apply(session, start, end, timestamps, events)
                self._remember_blocks(session, timestamps, end, end_hash)
                self._save_checkpoint(session, end)
        except BaseException:
            self.applier.forget()  # ids cached by the failed range may name no row
            raise
        self.progress.indexed = end
        self.progress.events += len(events)
        self.progress.ranges += 1
        self._status(end, head)
        return end - done

    # -- reading ahead -----------------------------------------------------------------------

    def _start_prefetch(self, start: int, target: int, parent_hash: str) -> None:
        """Reads the range after `start - 1` in a background thread while the current one is
        written: the node answers (and the database writes) meanwhile, instead of one after
        the other. It routes with a copy of the address book, which already holds this
        range's new contracts (`_fetch` adds them as it routes); `parent_hash` ties the
        next range to this one, and a reorg in between is caught like any other (the
        parent check, then `_check_reorg`)."""
        end = min(start + self.batch_blocks - 1, target)
        if self._reader is None:
            self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="getlogs")
        book = self.book.copy()  # NOTE: `_fetch` adds the next range's new contracts to it
        future = self._reader.submit(self._fetch, start, end, book, parent_hash)
        self._prefetch = (start, end, future, book)

    def _take_prefetch(
        self, start: int, target: int
    ) -> tuple[int, int, Fetched, AddressBook] | None:
        """The range read ahead, when it is the next one and still under `target`; None
        when there is none or it failed (the range is then read again, in this thread, so
        a fault surfaces as it would without reading ahead)."""
        pending, self._prefetch = self._prefetch, None
        if pending is None:
            return None
        first, end, future, book = pending
        error = future.exception()  # NOTE: waits: only one range is ever read at a time
        if error is not None or first != start or end > target:
            return None
        return first, end, future.result(), book

    def _drop_prefetch(self) -> None:
        pending, self._prefetch = self._prefetch, None
        if pending is not None:
            pending[2].exception()

    def _fetch(
        self, start: int, end: int, book: AddressBook, parent_hash: str | None = None
    ) -> Fetched:
        """The range's events that are ours (routed by `book`, which learns the contracts
        they create) and the headers of their blocks (and of `start` and `end`), all of one
        branch: `end`'s header is read before and after the logs, every log's block hash
        must equal its block's header, and `start` must extend `parent_hash` (the stored
        hash of the block before it); otherwise `RangeChangedError`."""
        splits: list[int] = []
        end_before = self._header_or_changed(end)

        def fetch() -> tuple[list[Any], list[Any]]:
            logs = get_logs(self.w3, start, end, addresses=book.by_address(), splits=splits)
            extra: list[Any] = []
            for topics in book.topics():
                extra += get_logs(self.w3, start, end, topics=[topics], splits=splits)
            # Contracts created in this range: their logs of the range too.
            created = book.discover(logs)
            if created:
                extra += get_logs(self.w3, start, end, addresses=created, splits=splits)
            return logs, extra

        logs, extra = self.breaker.call(fetch)
        if splits:  # the node's own limit: never grow past it again
            self.max_batch_blocks = max(1, min(splits) // 2)
        self._adapt(end - start + 1, len(logs) + len(extra))
        if extra:
            # NOTE: a contract's log may come both by address and by topic (Paused,
            # Unpaused). The bulk (one query by address) needs neither pass.
            unique = {(lg["blockNumber"], lg["logIndex"]): lg for lg in logs + extra}
            logs = sorted(unique.values(), key=_log_position)
        events: list[Routed] = []
        for entry in logs:
            event = decode(entry)
            if event is None:
                continue
            roles = book.route(event)
            if roles:
                events.append((event, roles))
        positions = [(e.meta.block_number, e.meta.log_index) for e, _ in events]
        if any(a >= b for a, b in itertools.pairwise(positions)):
            # Log order: a node answers one query in it; this is for one that does not.
            events = [e for _, e in sorted(zip(positions, events, strict=True), key=itemgetter(0))]
        # NOTE: newest first: once a header of the new branch is read, the older ones read
        # after it are of that branch too, so the stored hashes never mix two branches.
        blocks = sorted({p[0] for p in positions} | {start, end}, reverse=True)
        headers = self._headers(blocks)
        expected = {n: bytes.fromhex(h[0][2:]) for n, h in headers.items()}
        for event, _ in events:
            if expected[event.meta.block_number] != event.meta.block_hash:
                block_hash = hexstr(event.meta.block_hash)
                raise RangeChangedError(
                    f"block {event.meta.block_number} of a log ({block_hash}) was replaced"
                )
        if headers[end] != end_before:
            raise RangeChangedError(f"block {end} was replaced while its range was read")
        if parent_hash is not None and headers[start][1] != parent_hash:
            raise RangeChangedError(f"block {start} no longer extends indexed block {start - 1}")
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

    def header(self, number: int) -> Header | None:
        """A block's header by number, or None when the node has no such block (a new
        branch still shorter than the old one: that is no RPC failure, the breaker counts
        it as a success)."""
        response = self.breaker.call(
            lambda: self.w3.provider.make_request(
                RPCEndpoint("eth_getBlockByNumber"), [hex(number), False]
            )
        )
        if "error" in response:
            raise Web3RPCError(str(response["error"]), rpc_response=response)
        block = response.get("result")
        return _header_of(block) if block else None

    def _headers(self, numbers: list[int]) -> dict[int, Header]:
        """Headers of `numbers`, in JSON-RPC batches of HEADER_BATCH where the provider
        sends batches (one round trip instead of one per block: half the backfill's time
        went to these reads); `RangeChangedError` when one is missing."""
        batch = getattr(self.w3.provider, "make_batch_request", None)
        if not isinstance(self.w3.provider, FailoverHTTPProvider) or batch is None:
            return {n: self._header_or_changed(n) for n in numbers}
        found: dict[int, Header] = {}
        for i in range(0, len(numbers), HEADER_BATCH):
            chunk = numbers[i : i + HEADER_BATCH]
            answers = self.breaker.call(
                lambda chunk=chunk: batch(  # type: ignore[misc]
                    [(RPCEndpoint("eth_getBlockByNumber"), [hex(n), False]) for n in chunk]
                )
            )
            for number, answer in zip(chunk, answers, strict=True):
                if "error" in answer:
                    raise Web3RPCError(str(answer["error"]), rpc_response=answer)
                block = answer.get("result")
                if not block:
                    raise RangeChangedError(f"block {number} disappeared")
                found[number] = _header_of(block)
        return found

    def _tagged_block(self) -> int | None:
        """The number of the node's `head_tag` block; None (and "latest" from then on)
        when the node does not know the tag."""
        response = self.breaker.call(
            lambda: self.w3.provider.make_request(
                RPCEndpoint("eth_getBlockByNumber"), [self.head_tag, False]
            )
        )
        block = response.get("result") if "error" not in response else None
        if not block:
            log.warning(
                "chain %d: the node has no %r block; following 'latest'",
                self.chain_id,
                self.head_tag,
                extra={"chain_id": self.chain_id},
            )
            self.head_tag = "latest"
            return None
        return int(block["number"], 16)

    def _block_time(self, number: int) -> datetime | None:
        found = self.header(number)
        return found[2] if found else None

    def _header_or_changed(self, number: int) -> Header:
        found = self.header(number)
        if found is None:
            raise RangeChangedError(f"block {number} disappeared")
        return found

    def _remember_blocks(
        self,
        session: Session,
        timestamps: dict[int, datetime],
        end: int,
        hashes: dict[int, tuple[str, str]],
    ) -> None:
        rows = [
            {
                "chain_id": self.chain_id,
                "number": number,
                "hash": block_hash,
                "parent_hash": parent,
                "timestamp": timestamps[number],
            }
            for number, (block_hash, parent) in hashes.items()
        ]
        # NOTE: one statement per range: a merge per block read each block first (a round
        # trip each, a tenth of a PostgreSQL backfill's time).
        upsert(session, BlockRecord.__table__, rows, ["chain_id", "number"])  # type: ignore[arg-type]
        # Keep only the recent window (plus every stored block inside it).
        session.execute(
            delete(BlockRecord).where(
                BlockRecord.chain_id == self.chain_id,
                BlockRecord.number < end - self.reorg_window,
            )
        )

    # -- reorgs ----------------------------------------------------------------------------

    def _check_reorg(self, session: Session) -> None:
        top = session.scalars(
            select(BlockRecord)
            .where(BlockRecord.chain_id == self.chain_id)
            .order_by(BlockRecord.number.desc())
            .limit(1)
        ).first()
        if top is None or self._matches(top.number, top.hash):
            return
        ancestor = self._find_ancestor(session)
        if ancestor is None:
            self.failed = True
            first = self.config.start_block
            raise ReorgTooDeepError(
                f"chain {self.chain_id}: none of the indexed block hashes (blocks table and raw "
                f"events) is on the node's chain any more; reindex with "
                f"`domacross index --rewind-to {first - 1}` (or check that the RPC serves the "
                "recorded chain)"
            )
        log.warning(
            "reorg on chain %d: rolling back to block %d",
            self.chain_id,
            ancestor,
            extra={"chain_id": self.chain_id, "ancestor": ancestor, "was": top.number},
        )
        self.rewind(session, ancestor)

    def rewind(self, session: Session, block: int) -> None:
        """Deletes every row derived from blocks above `block` and sets the checkpoint to
        it (the next range starts at `block + 1`); commits."""
        self._drop_prefetch()
        rollback(session, self.chain_id, block, self.applier.registry)
        self._save_checkpoint(session, block)
        session.commit()
        self.applier.forget()
        self.failed = False

    def _find_ancestor(self, session: Session) -> int | None:
        """The highest indexed block whose stored hash is still on the node's chain.

        Past the `reorg_window` of stored headers the raw events' block hashes still go
        back to the first indexed block, so a reorg deeper than the window is rewound too.
        A stored branch matches up to some block and not above it, so after probing the
        recent window block by block the older hashes are searched by galloping, then
        bisecting: a few dozen header reads at most."""
        known: dict[int, str] = {}
        for number, block_hash in session.execute(
            select(RawEvent.block_number, RawEvent.block_hash)
            .where(RawEvent.chain_id == self.chain_id)
            .distinct()
        ):
            known[int(number)] = str(block_hash)
        for record in session.scalars(
            select(BlockRecord).where(BlockRecord.chain_id == self.chain_id)
        ):
            known[record.number] = record.hash
        ordered = sorted(known.items(), reverse=True)  # newest first
        if not ordered:
            return None
        # Gallop: 1, 2, 4, ... positions back until a hash matches.
        step, low, high = 1, -1, 0  # ordered[high] is the first candidate, low matched none
        while True:
            index = min(high, len(ordered) - 1)
            if self._matches(*ordered[index]):
                high = index
                break
            low = index
            if index == len(ordered) - 1:
                return None
            high, step = index + step, step * 2
        # Bisect between the last mismatch (low) and the first match (high).
        while high - low > 1:
            middle = (low + high) // 2
            if self._matches(*ordered[middle]):
                high = middle
            else:
                low = middle
        return ordered[high][0]

    def _matches(self, number: int, block_hash: str) -> bool:
        found = self.header(number)
        return found is not None and found[0] == block_hash

    # -- status ----------------------------------------------------------------------------

    def _status(self, indexed: int, head: int) -> None:
        lag_seconds = 0.0
        with self.sessions.begin() as session:
            record = session.get(BlockRecord, (self.chain_id, indexed))
            if record is not None:
                lag_seconds = max(0.0, (datetime.now(UTC) - record.timestamp).total_seconds())
            status = session.get(IndexerStatus, self.chain_id)
            if status is None:
                status = IndexerStatus(chain_id=self.chain_id, events_indexed=0)
                session.add(status)
            status.head_block = head
            status.indexed_block = max(indexed, 0)
            status.lag_blocks = max(0, head - indexed)
            status.lag_seconds = lag_seconds
            status.breaker_state = "failed" if self.failed else self.breaker.state
            status.events_indexed = self.progress.events
        self.progress.lag_seconds = lag_seconds

    # -- loops -----------------------------------------------------------------------------

    def backfill(
        self,
        on_range: Callable[[Progress], None] | None = None,
        *,
        retry_seconds: float | None = 0.0,
        stop: threading.Event | None = None,
    ) -> Progress:
        """Indexes up to the confirmed head, then returns.

        Args:
            on_range: Called after each range.
            retry_seconds: How long RPC faults (every URL down, the breaker open, error
                answers) are waited out, with backoff, before the fault is raised; None
                waits until `stop` is set (the long-running indexer's first catch-up).
            stop: Ends the waiting early.
        """
        stop = stop or threading.Event()
        failing_since: float | None = None
        delay = 0.5
        with indexing_pace():  # see gcpolicy: a quarter of a backfill went to the collector
            while not stop.is_set():
                try:
                    advanced = self.step()
                except RPC_FAULTS as exc:
                    now = time.monotonic()
                    failing_since = now if failing_since is None else failing_since
                    if retry_seconds is not None and now - failing_since >= retry_seconds:
                        raise
                    log.warning(
                        "chain %d: RPC fault during backfill (%s); retrying in %.1fs",
                        self.chain_id,
                        type(exc).__name__,
                        delay,
                        extra={"chain_id": self.chain_id, "breaker_state": self.breaker.state},
                    )
                    stop.wait(delay)
                    delay = min(delay * 2, 10.0)
                    continue
                failing_since, delay = None, 0.5
                if not advanced:
                    break
                if on_range:
                    on_range(self.progress)
        return self.progress

    def follow(self, stop: threading.Event, poll_interval: float = 1.0) -> None:
        """Indexes forever (until `stop` is set), polling the head when caught up.

        The poll adapts: right after a range was indexed the head is polled again within
        FAST_POLL seconds, and each empty poll doubles the wait up to `poll_interval`. A
        chain with a block every 0.1 s is then followed within a block of its confirmed
        head, while an idle chain costs one head read per `poll_interval`."""
        reported = False
        idle = 0
        with indexing_pace():
            while not stop.is_set():
                try:
                    advanced = self.step()
                except ReorgTooDeepError as exc:  # said once; checked again each poll
                    if not reported:
                        log.error(str(exc), extra={"chain_id": self.chain_id})
                        reported = True
                    stop.wait(poll_interval)
                    continue
                except Exception as exc:  # an RPC or database fault: log, back off, go on
                    log.warning(
                        "chain %d: step failed: %s",
                        self.chain_id,
                        type(exc).__name__,
                        extra={"chain_id": self.chain_id, "breaker_state": self.breaker.state},
                    )
                    stop.wait(poll_interval)
                    continue
                if advanced:
                    idle = 0
                    continue
                stop.wait(min(poll_interval, FAST_POLL * 2**idle))
                idle = min(idle + 1, 16)
