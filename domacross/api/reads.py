"""Database reads of the hot routes (the leaderboard, `/health`), run where they cost least.

A sync route costs FastAPI a worker-thread hop (three with a session dependency), and under
load each hop waits twice for the GIL: a worker that gave it up for I/O gets it back only
when the busy event loop lets go, after up to the interpreter's switch interval (5 ms),
and again for every statement, every row SQLite steps and every round trip. That wait,
not the queries, was most of the leaderboard's p95 with the page cache off. So:

* SQLite: the read runs on the event loop. A page is an index range scan of tens of rows
  (~0.1-0.3 ms), cheaper than the hop around it, and no other thread wants the GIL.
* PostgreSQL: a network round trip must not stall the loop, so the read runs in a small
  pool of threads of its own, handed over with `run_in_executor` (cheaper than anyio's
  `to_thread`), as one job: connection, statement, rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine

P = ParamSpec("P")
T = TypeVar("T")


class Reader:
    """Runs `work(connection, ...)` on a read connection, on the loop or in its pool."""

    def __init__(self, engine: Engine, threads: int) -> None:
        self.engine = engine
        self._executor = (
            None
            if engine.dialect.name == "sqlite"
            else ThreadPoolExecutor(threads, thread_name_prefix="domacross-read")
        )

    async def __call__(
        self,
        work: Callable[Concatenate[Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        def job() -> T:
            with self.engine.connect() as connection:
                return work(connection, *args, **kwargs)

        if self._executor is None:
            return job()
        return await asyncio.get_running_loop().run_in_executor(self._executor, job)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
