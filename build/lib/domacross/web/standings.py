"""A competition's leaderboard and chart, built once per indexed-data version.

The chart reads a valuation history per portfolio, so it is built once per indexed range,
not per page view. The key is the leaderboard cache's (`domacross.api.cache`): the
indexer's checkpoint row, rewritten with every indexed range and every reorg rollback, so a
new range never shows an old board. `max_age` bounds what the version does not cover
(usernames, the chart's "now"), as it does for the API's pages; 0 disables the cache.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import UTC, datetime

from cachetools import TTLCache
from sqlalchemy.orm import Session

from domacross.api.queries import data_version
from domacross.api.schemas import CompetitionPublic, CompetitionStatus
from domacross.settings import Settings
from domacross.web import chart, data, format


@dataclass(frozen=True)
class Standings:
    board: data.Board
    chart: chart.Chart | None


class StandingsCache:
    """Thread-safe LRU of `Standings` with a time-to-live (one per app)."""

    def __init__(self, max_entries: int, max_age: float) -> None:
        self.enabled = max_entries > 0 and max_age > 0
        self._items: TTLCache[Hashable, Standings] = TTLCache(
            maxsize=max(max_entries, 1), ttl=max(max_age, 1e-9)
        )
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Standings | None:
        if not self.enabled:
            return None
        with self._lock:
            return self._items.get(key)

    def put(self, key: Hashable, value: Standings) -> None:
        if self.enabled:
            with self._lock:
                self._items[key] = value


def standings(
    cache: StandingsCache, session: Session, settings: Settings, competition: CompetitionPublic
) -> Standings:
    """The top `sse_top` entries (what the stream sends) and the chart of the first few."""
    key = (competition.id, data_version(session, competition.id), competition.status)
    cached = cache.get(key)
    if cached is not None:
        return cached
    board = data.board(session, competition.id, settings.sse_top)
    histories = [
        (
            entry.wallet,
            entry.username or format.short_wallet(entry.wallet),
            [
                (p.timestamp, int(p.value))
                for p in data.history(session, settings, entry.wallet, competition.id)
            ],
        )
        for entry in board.entries[: data.CHART_SERIES]
    ]
    # Lines run to now while the competition is live, to its end once it is over (the
    # chain's clock, which sets the end, may run ahead of this server's).
    live = competition.status in (CompetitionStatus.scheduled, CompetitionStatus.open)
    now = datetime.now(UTC)
    end = min(now, competition.end_time) if live else competition.end_time
    built = Standings(board, chart.build(histories, end))
    cache.put(key, built)
    return built
