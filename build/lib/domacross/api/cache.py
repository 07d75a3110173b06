"""Rendered pages of the read-heavy endpoints, kept per process.

A page is stored under its request *and* the data version it was computed from: the
indexer's checkpoint row of the competition's chain (block and write time), which every
indexed range and every reorg rollback rewrites in the same transaction as the data. A
new version therefore never serves an old page. The version itself is re-read at most
every `version_age` seconds, so a hit needs no database and no worker thread: a newly
indexed range shows within that time. The API's own writes (a username) are not
versioned; `max_age` bounds how long they can lag. Both are far inside the
leaderboard freshness SLO (< 60 s).
"""

from __future__ import annotations

import threading
from collections.abc import Hashable

from cachetools import TTLCache


class PageCache:
    """Thread-safe LRU of response bodies with a time-to-live; `max_age=0` disables it."""

    def __init__(self, max_entries: int, max_age: float, version_age: float = 0.0) -> None:
        self.enabled = max_age > 0 and max_entries > 0
        self._pages: TTLCache[Hashable, bytes] = TTLCache(
            maxsize=max(max_entries, 1), ttl=max(max_age, 1e-9)
        )
        self._versions: TTLCache[Hashable, Hashable] | None = (
            TTLCache(maxsize=max(max_entries, 1), ttl=version_age)
            if self.enabled and version_age > 0
            else None
        )
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> bytes | None:
        if not self.enabled:
            return None
        with self._lock:
            body = self._pages.get(key)
            if body is None:
                self.misses += 1
            else:
                self.hits += 1
            return body

    def version(self, scope: Hashable) -> Hashable | None:
        """The data version of `scope` read less than `version_age` ago, if any."""
        if self._versions is None:
            return None
        with self._lock:
            return self._versions.get(scope)

    def set_version(self, scope: Hashable, version: Hashable) -> None:
        if self._versions is not None:
            with self._lock:
                self._versions[scope] = version

    def put(self, key: Hashable, body: bytes) -> None:
        if self.enabled:
            with self._lock:
                self._pages[key] = body

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            if self._versions is not None:
                self._versions.clear()
