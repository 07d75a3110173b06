"""Leaderboard ranks, stored on the entrants so a page reads them instead of counting.

Computing a page's ranks at read time means counting the d entrants before it (10,000
rows deep at the bottom of a 10,000-entrant board, worse with ties); with the rank on
each row a page is one index range scan at any depth. The
indexer re-ranks a competition in the same transaction as the scores change, so a reader
never sees a rank that disagrees with the scores beside it.

Ranks are competition ranks (1, 2, 2, 4): 1 + the number of entrants that scored
strictly more, so ties share one (`domacross_sdk.scoring`: equal scores share).
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select, update
from sqlalchemy.orm import Session

from domacross.db.models import Participant


def rank_entrants(session: Session | Connection, competition_id: int) -> None:
    """Writes every entrant's `rank` from its `score_e18`: one statement, and only the
    rows whose rank changed are written."""
    ranked = (
        select(
            Participant.id,
            func.rank().over(order_by=Participant.score_e18.desc()).label("rank"),
        )
        .where(Participant.competition_id == competition_id)
        .subquery()
    )
    session.execute(
        update(Participant)
        .where(Participant.id == ranked.c.id, Participant.rank.is_distinct_from(ranked.c.rank))
        .values(rank=ranked.c.rank)
        .execution_options(synchronize_session=False)
    )
