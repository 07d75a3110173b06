"""The indexer service: one follower thread per chain, snapshots, a rich progress bar."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial

from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session, sessionmaker

from domacross.db.models import BlockRecord
from domacross.indexer.follower import ChainConfig, ChainFollower
from domacross.indexer.snapshots import take_snapshots
from domacross.settings import Settings
from domacross_sdk.errors import DomaCrossError

log = logging.getLogger("domacross.indexer")


class Indexer:
    """Indexes several chains at once into one database."""

    def __init__(
        self, chains: Sequence[ChainConfig], sessions: sessionmaker[Session], settings: Settings
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        # Unset confirmations / reorg window (None): each chain's network default.
        self.followers = [
            ChainFollower(
                chain,
                sessions,
                confirmations=settings.confirmations,
                batch_blocks=settings.batch_blocks,
                max_logs_per_range=settings.max_logs_per_range,
                reorg_window=settings.reorg_window,
                head_tag=settings.head_tag,
            )
            for chain in chains
        ]
        self._errors: list[Exception] = []
        ids = [f.chain_id for f in self.followers]
        if len(set(ids)) != len(ids):
            raise ValueError(f"two chains share a chain id: {ids}")

    def backfill(self, *, show_progress: bool = True, retry_seconds: float | None = 30.0) -> None:
        """Indexes every chain up to its confirmed head, with a progress bar per chain (at
        a terminal). RPC faults are waited out for `retry_seconds` (None: until they end)."""
        # NOTE: the bar is for a person at a terminal; piped or logged output gets the JSON
        # log lines only. The target is a field: `total` is None until the head is known.
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("block {task.completed:,.0f}/{task.fields[target]:,}"),
            TextColumn("{task.fields[events]:,} events, {task.fields[rate]:,.0f}/s"),
            TimeElapsedColumn(),
            disable=not show_progress or not sys.stdout.isatty(),
        ) as bar:
            threads = []
            for follower in self.followers:
                task = bar.add_task(follower.config.name, total=None, target=0, events=0, rate=0.0)

                def report(
                    p: object,
                    follower: ChainFollower = follower,
                    task: TaskID = task,
                    started: float = time.perf_counter(),
                ) -> None:
                    elapsed = max(time.perf_counter() - started, 1e-9)
                    target = max(follower.progress.head - follower.confirmations, 1)
                    bar.update(
                        task,
                        completed=max(follower.progress.indexed, 0),
                        total=target,
                        target=target,
                        events=follower.progress.events,
                        rate=follower.progress.events / elapsed,
                    )

                thread = threading.Thread(
                    target=self._guard,
                    args=(partial(follower.backfill, report, retry_seconds=retry_seconds),),
                    daemon=True,
                )
                thread.start()
                threads.append(thread)
            for thread in threads:
                thread.join()
        if self._errors:
            raise self._errors[0]

    def _guard(self, fn: Callable[..., object], *args: object) -> None:
        """Runs a follower's work in its thread, keeping its exception for the caller."""
        try:
            fn(*args)
        except DomaCrossError as exc:  # reorg too deep, range changed, node errors, ...
            # Said in one line by the caller (the CLI): no traceback for a known condition.
            log.error("indexing stopped: %s", exc, extra={"error": type(exc).__name__})
            self._errors.append(exc)
        except Exception as exc:
            log.exception("indexing failed", extra={"error": type(exc).__name__})
            self._errors.append(exc)

    def run(self, stop: threading.Event) -> None:
        """Follows every chain until `stop` is set, snapshotting leaderboards meanwhile."""
        threads = [
            threading.Thread(target=f.follow, args=(stop, self.settings.poll_interval), daemon=True)
            for f in self.followers
        ]
        for thread in threads:
            thread.start()
        while not stop.wait(self.settings.snapshot_interval):
            self.snapshot()
        for thread in threads:
            thread.join(timeout=10)

    def snapshot(self) -> int:
        """Takes a leaderboard snapshot of every live competition on every chain."""
        total = 0
        for follower in self.followers:
            block = max(follower.progress.indexed, 0)
            with self.sessions.begin() as session:
                record = session.get(BlockRecord, (follower.chain_id, block))
                now = record.timestamp if record else datetime.now(UTC)
                total += take_snapshots(session, follower.chain_id, block, now)
        return total
