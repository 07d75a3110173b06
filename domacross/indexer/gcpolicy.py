"""The garbage collector's pace while ranges are indexed.

A range allocates tens of thousands of short-lived objects (the node's JSON, events, rows),
nearly all freed without cycles. At CPython's default pace (a young collection every 700
allocations) the collector kept scanning them, and every tenth time what they had been
promoted into: a quarter of a backfill's time went to it. While an indexer runs, a young
collection comes every YOUNG_THRESHOLD allocations instead (older generations as before,
relative to it); the setting is restored when the last indexer in the process stops.

At 10,000 the collector still took about 4.7 µs per event of a 100,000-event backfill (81
young, 7 middle and 1 full collection, timed through `gc.callbacks`); at 100,000 it
takes 0.5 µs (2 young collections). Nearly every object a range allocates is freed by
reference counting as soon as it is written, so only cyclic garbage waits longer (the
bench's peak-memory row measures the whole process); a young collection of 100,000
objects pauses the indexer's own process for milliseconds, and no request waits on it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 100_000
"""Allocations between young collections while indexing (CPython's default: 700)."""

_lock = threading.Lock()
_users = 0
_saved: tuple[int, int, int] | None = None


@contextmanager
def indexing_pace() -> Iterator[None]:
    """Collects young objects every YOUNG_THRESHOLD allocations inside the block (the
    process-wide setting: nested and concurrent blocks share it, the last one out restores
    the one found)."""
    global _users, _saved
    with _lock:
        if _users == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(max(YOUNG_THRESHOLD, _saved[0]), _saved[1], _saved[2])
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
