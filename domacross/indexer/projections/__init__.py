"""The index's projections, in the order their handlers and hooks run.

Adding a contract family is one module here (a `Projection` with its handlers, writes
and rollback) and one line below. The order matters where a projection reads another's
rows of the same range in its after-range hook (trades read the range's prices and joins,
scores read transfers and prices), and rollbacks run in the reverse order (rows before the
rows they refer to). Board runs last: it writes the entry texts of the values the
others wrote.
"""

from __future__ import annotations

from domacross.indexer.projections import (
    basket_claims,
    baskets,
    board,
    competitions,
    pauses,
    raw,
    scores,
    trades,
    valuations,
)
from domacross.indexer.registry import Projection

PROJECTIONS: tuple[Projection, ...] = (
    raw.projection,
    competitions.projection,
    valuations.projection,
    pauses.projection,
    baskets.projection,
    basket_claims.projection,
    trades.projection,
    scores.projection,
    board.projection,
)
