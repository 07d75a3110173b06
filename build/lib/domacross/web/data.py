"""What the pages show, read through the JSON API's own query functions and route
functions (called as plain functions), so a page and the API never disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domacross.api.queries import competition_public, entrant_count, leaderboard_page
from domacross.api.routes.competitions import list_competitions
from domacross.api.routes.portfolio import get_portfolio, get_portfolio_history
from domacross.api.routes.trades import get_activity
from domacross.api.schemas import (
    CompetitionPublic,
    LeaderboardEntryPublic,
    PortfolioPointPublic,
    PortfolioPublic,
)
from domacross.api.schemas_trades import ActivityItemPublic
from domacross.db.models import Competition, Participant, User
from domacross.settings import Settings
from domacross_sdk import prizes

CHART_SERIES = 5
"""Portfolios drawn in a competition's chart (the top of the standings)."""
CHART_MAX_POINTS = 2_000
"""Points read per portfolio for the chart (the newest, when there are more)."""
ACTIVITY_ITEMS = 50


@dataclass(frozen=True)
class Pool:
    """A competition's prize pool from its entrants' fees (`domacross_sdk.prizes`)."""

    total: int
    rake: int
    distributable: int
    places: list[tuple[int, int, int]]
    """(place, share in bps, prize in wei if the pool were paid out now)."""


def pool_of(competition: CompetitionPublic) -> Pool:
    total = prizes.pool(competition.participant_count, int(competition.entry_fee))
    distributable = prizes.distributable(total, competition.rake_bps)
    places = [
        (place, bps, distributable * bps // 10_000)
        for place, bps in enumerate(competition.payout_bps, start=1)
    ]
    return Pool(total, prizes.rake(total, competition.rake_bps), distributable, places)


def competitions(session: Session, settings: Settings) -> list[CompetitionPublic]:
    """The newest competitions, as `GET /api/v1/competitions` lists them (one page)."""
    page = list_competitions(
        session,
        settings,
        chain_id=None,
        status=None,
        starts_after=None,
        starts_before=None,
        ends_after=None,
        ends_before=None,
        min_entry_fee=None,
        max_entry_fee=None,
        cursor=None,
        limit=settings.api_max_page_size,
    )
    return page.data


def competition(session: Session, competition_id: int) -> CompetitionPublic | None:
    row = session.get(Competition, competition_id)
    return None if row is None else competition_public(row, datetime.now(UTC))


@dataclass(frozen=True)
class Board:
    """The top of the standings, as the leaderboard stream sends it."""

    entries: list[LeaderboardEntryPublic]
    total_entrants: int


def board(session: Session, competition_id: int, top: int) -> Board:
    entries, _ = leaderboard_page(session, competition_id, top, None)
    return Board(entries, entrant_count(session, competition_id))


def history(
    session: Session, settings: Settings, wallet: str, competition_id: int
) -> list[PortfolioPointPublic]:
    """A wallet's recorded values in one competition, oldest first, via the history route."""
    points: list[PortfolioPointPublic] = []
    cursor: str | None = None
    while len(points) < CHART_MAX_POINTS:
        page = get_portfolio_history(
            session,
            settings,
            wallet,
            competition_id=competition_id,
            chain_id=None,
            cursor=cursor,
            limit=settings.api_max_page_size,
        )
        points.extend(page.data)
        cursor = page.next_cursor
        if cursor is None:
            break
    return points[:CHART_MAX_POINTS][::-1]


@dataclass(frozen=True)
class Trader:
    wallet: str
    username: str | None
    portfolio: PortfolioPublic
    pnl: dict[int, tuple[int, int]]
    """competition id -> (realised, unrealised) P&L in wei."""
    activity: list[ActivityItemPublic]
    competition_names: dict[int, str | None]


def trader(session: Session, settings: Settings, wallet: str) -> Trader | None:
    """A wallet's portfolio, P&L and recent activity; None when it was never indexed."""
    user = session.scalar(select(User).where(User.wallet_address == wallet))
    if user is None:
        return None
    portfolio = get_portfolio(session, wallet)
    # NOTE: the API reports P&L per leaderboard entry; this is the same column per wallet.
    pnl = {
        competition_id: (int(realised), int(unrealised))
        for competition_id, realised, unrealised in session.execute(
            select(
                Participant.competition_id, Participant.realised_pnl, Participant.unrealised_pnl
            ).where(Participant.user_id == user.id)
        )
    }
    activity = get_activity(session, settings, wallet, cursor=None, limit=ACTIVITY_ITEMS).data
    names = {c.competition_id: c.name for c in portfolio.competitions}
    return Trader(wallet, user.username, portfolio, pnl, activity, names)
