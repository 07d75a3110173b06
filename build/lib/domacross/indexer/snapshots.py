"""Leaderboard snapshots of live competitions, at a configurable interval."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from domacross.db.models import Competition, LeaderboardSnapshot, Participant, User


def standings(session: Session, competition_id: int) -> list[dict[str, Any]]:
    """Entrants by value (highest first; ties share a rank, ordered by wallet)."""
    rows = session.execute(
        select(User.wallet_address, Participant.portfolio_value)
        .join(User, User.id == Participant.user_id)
        .where(Participant.competition_id == competition_id)
        .order_by(Participant.portfolio_value.desc(), User.wallet_address)
    ).all()
    result: list[dict[str, Any]] = []
    for position, (wallet, value) in enumerate(rows, start=1):
        rank = result[-1]["rank"] if result and int(result[-1]["value"]) == value else position
        result.append({"wallet": wallet, "value": str(value), "rank": rank})
    return result


def take_snapshots(session: Session, chain_id: int, block_number: int, now: datetime) -> int:
    """Snapshots every competition of the chain that is live at `now`, the chain's time
    (started, not finalized or cancelled); returns how many were written."""
    live = session.scalars(
        select(Competition).where(
            Competition.chain_id == chain_id,
            Competition.start_time <= now,
            Competition.finalized.is_(False),
            Competition.cancelled.is_(False),
        )
    ).all()
    for competition in live:
        session.add(
            LeaderboardSnapshot(
                competition_id=competition.id,
                captured_at=datetime.now(UTC),
                block_number=block_number,
                standings=standings(session, competition.id),
            )
        )
    return len(live)
