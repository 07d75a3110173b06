"""Live leaderboards: one poller per competition per process, fanned out to every stream.

A stream that polled the database itself would make N streams cost N queries per poll
interval, with plain requests queued behind them (seconds of p95 at 500-1,000 streams).
Here a `Board` per competition reads the standings' version once per
interval, renders an event once when it changes, and every subscribed stream sends that
same text. On PostgreSQL the indexer's checkpoint write fires `NOTIFY domacross_data` at
commit (trigger of migration 0006_bigint_ids); one `LISTEN` connection per process wakes
every board at once, so a change is pushed without waiting for the next poll. Polling
stays as the fallback (and for status changes that are only the clock passing a time).

Streams cost the event loop nothing between events: an event is encoded once, as bytes,
for every stream, and one ticker per process sends the keepalives (a timer and a task per
stream per wait made 1,000 streams a load on the loop that normal requests queued behind).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
from sqlalchemy import make_url
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("domacross.api")
CHANNEL = "domacross_data"
"""The PostgreSQL channel the checkpoint trigger notifies (payload: the chain id)."""

Work = Callable[..., Any]
KEEPALIVE = b": keepalive\n\n"


class Board:
    """The latest rendered event of one competition, and the poller that refreshes it."""

    def __init__(self, hub: LiveHub, competition_id: int) -> None:
        self.hub = hub
        self.competition_id = competition_id
        self.subscribers = 0
        self.event: bytes | None = None
        """The latest `event: ...` block, encoded; None until first rendered."""
        self.seq = 0
        self.ticks = 0
        """Keepalives due so far (`LiveHub._tick`)."""
        self.gone = False
        self.changed = asyncio.Event()
        self.wake = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def _refresh(self, sent: Any) -> Any:
        version = await self.hub.read(self.hub.version_of, self.competition_id)
        if version is None:
            self.gone = True
            self._publish(b"event: gone\ndata: {}\n\n")
            return None
        if version != sent:
            event = await self.hub.read(self.hub.event_of, self.competition_id)
            data = json.dumps(event, separators=(",", ":"))
            self._publish(f"id: {self.seq + 1}\nevent: leaderboard\ndata: {data}\n\n".encode())
        return version

    def _publish(self, event: bytes) -> None:
        self.event = event
        self.seq += 1
        self._wake_streams()

    def tick(self) -> None:
        """A keepalive is due on every stream of this board."""
        self.ticks += 1
        self._wake_streams()

    def _wake_streams(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()

    async def stream(self, retry_ms: int) -> AsyncIterator[bytes]:
        """One client's stream: the latest event at once, then each new one; a keepalive
        comment when the ticker says so. Waits on the board's one event, no timer."""
        yield f"retry: {retry_ms}\n\n".encode()
        seen, ticked = 0, self.ticks
        while True:
            if self.seq > seen and self.event is not None:
                seen = self.seq
                yield self.event
                if self.gone:
                    return
            elif self.ticks > ticked:
                ticked = self.ticks
                yield KEEPALIVE
            else:
                await self.changed.wait()

    async def run(self) -> None:
        sent: Any = object()
        while self.subscribers > 0 and not self.gone:
            try:
                sent = await self._refresh(sent)
            except Exception:  # a failed read: keep the last event, try again next time
                log.exception(
                    "leaderboard stream poll failed (competition %s)", self.competition_id
                )
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), self.hub.poll_interval)
        self.hub.boards.pop(self.competition_id, None)


class LiveHub:
    """Every board of this process, and its one `LISTEN` connection on PostgreSQL."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        version_of: Work,
        event_of: Work,
        poll_interval: float,
        listen_url: str | None,
        keepalive_seconds: float = 15.0,
    ) -> None:
        self.sessions = sessions
        self.version_of = version_of
        self.event_of = event_of
        self.poll_interval = poll_interval
        self.listen_url = listen_url
        self.boards: dict[int, Board] = {}
        self.listener: asyncio.Task[None] | None = None
        self.keepalive_seconds = keepalive_seconds
        self.ticker: asyncio.Task[None] | None = None
        self.notifications = 0

    async def read(self, work: Work, *args: Any) -> Any:
        def run() -> Any:
            with self.sessions() as session:
                return work(session, *args)

        return await anyio.to_thread.run_sync(run)

    def subscribe(self, competition_id: int) -> Board:
        board = self.boards.get(competition_id)
        if board is None or board.task is None or board.task.done():
            board = self.boards[competition_id] = Board(self, competition_id)
        board.subscribers += 1
        if board.task is None:
            board.task = asyncio.create_task(board.run())
        if self.listen_url and (self.listener is None or self.listener.done()):
            self.listener = asyncio.create_task(self._listen(self.listen_url))
        if self.ticker is None or self.ticker.done():
            self.ticker = asyncio.create_task(self._tick())
        return board

    @staticmethod
    def unsubscribe(board: Board) -> None:
        board.subscribers -= 1
        if board.subscribers <= 0:
            board.wake.set()  # let the poller see it is alone and stop

    def wake_all(self) -> None:
        for board in list(self.boards.values()):
            board.wake.set()

    async def _tick(self) -> None:
        """Keepalives for every stream of the process, from one timer."""
        while self.boards:
            await asyncio.sleep(self.keepalive_seconds)
            for board in list(self.boards.values()):
                board.tick()

    async def _listen(self, url: str) -> None:
        import psycopg

        conninfo = make_url(url).set(drivername="postgresql").render_as_string(False)
        delay = 1.0
        while self.boards:
            try:
                async with await psycopg.AsyncConnection.connect(
                    conninfo, autocommit=True
                ) as connection:
                    await connection.execute(f"LISTEN {CHANNEL}")
                    delay = 1.0
                    self.wake_all()  # whatever changed while not listening
                    async for _ in connection.notifies():
                        self.notifications += 1
                        self.wake_all()
                        if not self.boards:
                            return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # polling still runs; reconnect with backoff
                log.warning("LISTEN %s failed (%s); polling meanwhile", CHANNEL, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    async def close(self) -> None:
        tasks = [board.task for board in self.boards.values() if board.task]
        tasks += [task for task in (self.listener, self.ticker) if task is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
