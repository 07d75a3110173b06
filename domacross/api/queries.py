"""Reads shared by the routes: competition status, ranked standings, portfolios."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, not_, or_, select
from sqlalchemy.orm import Session

from domacross.api.schemas import (
    CompetitionPublic,
    CompetitionStatus,
    LeaderboardEntryPublic,
)
from domacross.db.models import CHECKPOINT_ROW, ChainOffset, Competition, Participant, User
from domacross_sdk.scoring import UNIT


def status_of(competition: Competition, now: datetime) -> CompetitionStatus:
    """Like the contract's `status()`: Open is `[start_time, end_time)`."""
    if competition.cancelled:
        return CompetitionStatus.cancelled
    if competition.finalized:
        return CompetitionStatus.finalized
    if now < competition.start_time:
        return CompetitionStatus.scheduled
    if now < competition.end_time:
        return CompetitionStatus.open
    return CompetitionStatus.ended


def status_filter(status: CompetitionStatus, now: datetime) -> ColumnElement[bool]:
    """The SQL condition of `status_of(...) == status`."""
    live = and_(not_(Competition.cancelled), not_(Competition.finalized))
    match status:
        case CompetitionStatus.cancelled:
            return Competition.cancelled.is_(True)
        case CompetitionStatus.finalized:
            return and_(not_(Competition.cancelled), Competition.finalized.is_(True))
        case CompetitionStatus.scheduled:
            return and_(live, Competition.start_time > now)
        case CompetitionStatus.open:
            return and_(live, Competition.start_time <= now, Competition.end_time > now)
        case CompetitionStatus.ended:
            return and_(live, Competition.end_time <= now)


def competition_public(competition: Competition, now: datetime) -> CompetitionPublic:
    data: dict[str, Any] = {
        name: getattr(competition, name)
        for name in CompetitionPublic.model_fields
        if name != "status"
    }
    return CompetitionPublic.model_validate({**data, "status": status_of(competition, now)})


def data_version(session: Session, competition_id: int) -> tuple[Any, ...] | None:
    """The version of a competition's indexed data (None if there is no such competition):
    its chain's checkpoint, which the indexer rewrites with every change (see `cache`)."""
    row = session.execute(
        select(ChainOffset.last_block_number, ChainOffset.updated_at)
        .select_from(Competition)
        .outerjoin(
            ChainOffset,
            and_(
                ChainOffset.chain_id == Competition.chain_id,
                ChainOffset.contract_address == CHECKPOINT_ROW,
            ),
        )
        .where(Competition.id == competition_id)
    ).one_or_none()
    return None if row is None else tuple(row)


def leaderboard_page(
    session: Session, competition_id: int, limit: int, after: tuple[int, str] | None
) -> tuple[list[LeaderboardEntryPublic], bool]:
    """A page of the standings after `(score_e18, wallet)`, ranked; and whether more follow.

    Order: score descending (P&L at oracle prices, `domacross_sdk.scoring`, the quantity
    the results pay by), then wallet ascending: the order of the index
    `ix_participants_board`, so a page is a range scan of it (no sort, at any depth).
    Ranks are competition ranks (1, 2, 2, 4): an entry's rank is 1 + the number of
    entrants that scored strictly more, so ties share one, on any page. The indexer
    stores them with the scores (`domacross.indexer.ranks`); rows it has not ranked yet
    are ranked here by counting.
    """
    score = Participant.score_e18
    query = (
        select(
            Participant.wallet,
            User.username,
            score,
            Participant.portfolio_value,
            Participant.realised_pnl,
            Participant.unrealised_pnl,
            Participant.rank,
        )
        .join(User, User.id == Participant.user_id)
        .where(Participant.competition_id == competition_id)
    )
    if after is not None:
        last, wallet = after
        # NOTE: `score <= last` first, so the index bounds the scan.
        query = query.where(score <= last, or_(score < last, Participant.wallet > wallet))
    rows = session.execute(query.order_by(score.desc(), Participant.wallet).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    if not rows:
        return [], False
    stored = [row[6] for row in rows]
    ranks = (
        [rank for rank in stored if rank is not None]
        if None not in stored
        else _count_ranks(session, competition_id, str(rows[0][0]), [row[2] for row in rows])
    )
    entries = [
        LeaderboardEntryPublic(
            rank=rank,
            wallet=str(entry_wallet),
            username=username,
            score=str(exact // UNIT),
            score_e18=str(exact),
            value=str(value),
            realised_pnl=str(realised),
            unrealised_pnl=str(unrealised),
        )
        for rank, (entry_wallet, username, exact, value, realised, unrealised, _) in zip(
            ranks, rows, strict=True
        )
    ]
    return entries, more


def _count_ranks(
    session: Session, competition_id: int, first_wallet: str, scores: list[int]
) -> list[int]:
    """The ranks of a page (its first wallet, its scores in board order) from counting
    the entrants before it."""
    score = Participant.score_e18
    first_score = scores[0]
    # Entries before this page: two index-only counts, in one round trip (one CASE-count
    # over both made PostgreSQL scan the table).
    where = Participant.competition_id == competition_id
    count = select(func.count()).select_from(Participant)
    above_q = count.where(where, score > first_score)
    tied_q = count.where(where, score == first_score, Participant.wallet < first_wallet)
    above, tied_before = session.execute(
        select(above_q.scalar_subquery(), tied_q.scalar_subquery())
    ).one()
    position = above + tied_before  # entries before the first of this page
    ranks: list[int] = []
    rank = above + 1
    previous: int | None = None
    for offset, exact in enumerate(scores):
        if previous is not None and exact != previous:
            rank = position + offset + 1
        previous = exact
        ranks.append(rank)
    return ranks


def entrant_count(session: Session, competition_id: int) -> int:
    """Entrants, as the indexer keeps them on the competition (no count over its rows)."""
    count = session.scalar(
        select(Competition.participant_count).where(Competition.id == competition_id)
    )
    return count or 0


def rank_of(session: Session, participant: Participant) -> int:
    """The entrant's leaderboard rank: as the indexer stored it, else 1 + the number of
    entrants that scored strictly more."""
    if participant.rank is not None:
        return participant.rank
    competition_id, score_e18 = participant.competition_id, participant.score_e18
    above = session.scalar(
        select(func.count())
        .select_from(Participant)
        .where(Participant.competition_id == competition_id, Participant.score_e18 > score_e18)
    )
    return (above or 0) + 1
