"""A wallet's portfolio across competitions and chains, and its history."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from domacross.api.deps import (
    CursorQuery,
    LimitQuery,
    SessionDep,
    SettingsDep,
    WalletPath,
    page_size,
)
from domacross.api.errors import not_found
from domacross.api.pagination import newest_first
from domacross.api.queries import rank_of, status_of
from domacross.api.routes.competitions import NOT_FOUND
from domacross.api.schemas import (
    ChainTotalPublic,
    PortfolioCompetitionPublic,
    PortfolioHistoryPublic,
    PortfolioPointPublic,
    PortfolioPublic,
)
from domacross.db.models import Competition, Participant, PortfolioValue, User

router = APIRouter(prefix="/api/v1/portfolio", tags=["portfolio"])


def _user_id(session: SessionDep, wallet: str) -> int:
    user_id = session.scalar(select(User.id).where(User.wallet_address == wallet))
    if user_id is None:
        raise not_found("wallet", wallet=wallet)
    return user_id


@router.get("/{wallet}", response_model=PortfolioPublic, responses=NOT_FOUND)
def get_portfolio(session: SessionDep, wallet: WalletPath) -> PortfolioPublic:
    """The wallet's current value and rank in every competition it entered, with totals
    per chain and overall."""
    user_id = _user_id(session, wallet)
    rows = session.execute(
        select(Participant, Competition)
        .join(Competition, Competition.id == Participant.competition_id)
        .where(Participant.user_id == user_id)
        .order_by(Competition.chain_id, Competition.start_time.desc(), Competition.id.desc())
    ).all()
    now = datetime.now(UTC)
    per_chain: dict[int, int] = defaultdict(int)
    competitions = []
    for participant, competition in rows:
        per_chain[competition.chain_id] += participant.portfolio_value
        competitions.append(
            PortfolioCompetitionPublic(
                competition_id=competition.id,
                chain_id=competition.chain_id,
                contract_address=competition.contract_address,
                name=competition.name,
                status=status_of(competition, now),
                value=str(participant.portfolio_value),
                rank=rank_of(session, participant),
                value_updated_at=participant.value_updated_at,
            )
        )
    return PortfolioPublic(
        wallet=wallet,
        total_value=str(sum(per_chain.values())),
        chains=[
            ChainTotalPublic(chain_id=chain, value=str(value))
            for chain, value in sorted(per_chain.items())
        ],
        competitions=competitions,
    )


@router.get("/{wallet}/history", response_model=PortfolioHistoryPublic, responses=NOT_FOUND)
def get_portfolio_history(
    session: SessionDep,
    settings: SettingsDep,
    wallet: WalletPath,
    competition_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    chain_id: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
) -> PortfolioHistoryPublic:
    """Every recorded portfolio value of the wallet, newest first."""
    user_id = _user_id(session, wallet)
    query = select(PortfolioValue).where(PortfolioValue.user_id == user_id)
    if competition_id is not None:
        query = query.where(PortfolioValue.competition_id == competition_id)
    if chain_id is not None:
        query = query.where(PortfolioValue.chain_id == chain_id)
    rows, next_cursor = newest_first(
        session,
        query,
        "history",
        PortfolioValue.timestamp,
        PortfolioValue.id,
        cursor,
        page_size(limit, settings),
    )
    data = [PortfolioPointPublic.model_validate(row) for row in rows]
    return PortfolioHistoryPublic(wallet=wallet, data=data, next_cursor=next_cursor)
