"""Trades per competition and a wallet's activity (trades, joins, payouts), cursor-paged.

Both lists are newest first. Activity merges three tables by time; at equal times trades
come before joins before payouts, then the higher id first, so the order is total and the
cursor `(time, source, id)` of the last item resumes exactly after it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from eth_utils.address import to_checksum_address
from fastapi import APIRouter, Query
from sqlalchemy import Select, select

from domacross.api.deps import (
    CursorQuery,
    LimitQuery,
    SessionDep,
    SettingsDep,
    WalletPath,
    page_size,
)
from domacross.api.errors import ApiError, not_found
from domacross.api.pagination import decode_time_cursor, encode_cursor, older_than
from domacross.api.routes.competitions import NOT_FOUND, CompetitionId
from domacross.api.schemas_trades import (
    ActivityItemPublic,
    ActivityPublic,
    TradePublic,
    TradesPublic,
)
from domacross.db.models import Claim, Competition, Participant, Trade, User

router = APIRouter(prefix="/api/v1", tags=["trades"])

SOURCES = {"trade": 2, "join": 1, "claim": 0}
"""Order of the sources at equal times (higher first)."""


@router.get(
    "/competitions/{competition_id}/trades", response_model=TradesPublic, responses=NOT_FOUND
)
def list_competition_trades(
    session: SessionDep,
    settings: SettingsDep,
    competition_id: CompetitionId,
    wallet: Annotated[
        str | None, Query(pattern=r"^0x[0-9a-fA-F]{40}$", description="Only this entrant's.")
    ] = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
) -> TradesPublic:
    """The competition's trades, newest first (then highest id)."""
    if session.get(Competition, competition_id) is None:
        raise not_found("competition", id=competition_id)
    query = select(Trade).where(Trade.competition_id == competition_id)
    if wallet is not None:
        query = query.where(Trade.wallet == to_checksum_address(wallet))
    if cursor is not None:
        at, last_id = decode_time_cursor("trades", cursor, (str, int))
        query = older_than(query, Trade.timestamp, Trade.id, at, last_id)
    size = page_size(limit, settings)
    rows = session.scalars(
        query.order_by(Trade.timestamp.desc(), Trade.id.desc()).limit(size + 1)
    ).all()
    next_cursor = None
    if len(rows) > size:
        last = rows[size - 1]
        next_cursor = encode_cursor("trades", last.timestamp.isoformat(), last.id)
    return TradesPublic(
        competition_id=competition_id,
        data=[TradePublic.model_validate(r) for r in rows[:size]],
        next_cursor=next_cursor,
    )


@router.get("/users/{wallet}/activity", response_model=ActivityPublic, responses=NOT_FOUND)
def get_activity(
    session: SessionDep,
    settings: SettingsDep,
    wallet: WalletPath,
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
) -> ActivityPublic:
    """The wallet's trades, joins and payouts (prizes, refunds, sweeps) in every
    competition, merged newest first."""
    user_id = session.scalar(select(User.id).where(User.wallet_address == wallet))
    if user_id is None:
        raise not_found("wallet", wallet=wallet)
    size = page_size(limit, settings)
    at: datetime | None = None
    source_rank, last_id = 0, 0
    if cursor is not None:
        at, source, last_id = decode_time_cursor("activity", cursor, (str, str, int))
        if source not in SOURCES:
            raise ApiError(400, "invalid cursor")
        source_rank = SOURCES[source]

    def after(query: Select[Any], rank: int, ts_col: Any, id_col: Any) -> Select[Any]:
        if at is None:
            return query
        if rank > source_rank:  # this source comes first at equal times: strictly older
            return query.where(ts_col < at)
        if rank < source_rank:  # comes later at equal times: same time included
            return query.where(ts_col <= at)
        return older_than(query, ts_col, id_col, at, last_id)

    items: list[tuple[datetime, int, int, ActivityItemPublic]] = []
    trades = session.scalars(
        after(select(Trade).where(Trade.wallet == wallet), 2, Trade.timestamp, Trade.id)
        .order_by(Trade.timestamp.desc(), Trade.id.desc())
        .limit(size + 1)
    ).all()
    for t in trades:
        items.append(
            (
                t.timestamp,
                2,
                t.id,
                ActivityItemPublic(
                    type="trade",
                    timestamp=t.timestamp,
                    chain_id=t.chain_id,
                    competition_id=t.competition_id,
                    tx_hash=t.tx_hash,
                    block_number=t.block_number,
                    log_index=t.log_index,
                    amount=None,
                    trade=TradePublic.model_validate(t),
                ),
            )
        )
    joins = session.scalars(
        after(
            select(Participant).where(Participant.user_id == user_id),
            1,
            Participant.joined_at,
            Participant.id,
        )
        .order_by(Participant.joined_at.desc(), Participant.id.desc())
        .limit(size + 1)
    ).all()
    for p in joins:
        items.append(
            (
                p.joined_at,
                1,
                p.id,
                ActivityItemPublic(
                    type="join",
                    timestamp=p.joined_at,
                    chain_id=p.chain_id,
                    competition_id=p.competition_id,
                    tx_hash=p.joined_tx,
                    block_number=p.joined_block,
                    log_index=p.joined_log_index,
                    amount=str(p.fee),
                ),
            )
        )
    claims = session.scalars(
        after(select(Claim).where(Claim.account == wallet), 0, Claim.timestamp, Claim.id)
        .order_by(Claim.timestamp.desc(), Claim.id.desc())
        .limit(size + 1)
    ).all()
    for c in claims:
        items.append(
            (
                c.timestamp,
                0,
                c.id,
                ActivityItemPublic(
                    type="claim",
                    timestamp=c.timestamp,
                    chain_id=c.chain_id,
                    competition_id=c.competition_id,
                    tx_hash=c.tx_hash,
                    block_number=c.block_number,
                    log_index=c.log_index,
                    amount=str(c.amount),
                    claim_kind=c.kind,
                ),
            )
        )
    items.sort(key=lambda i: (i[0], i[1], i[2]), reverse=True)
    page = items[:size]
    next_cursor = None
    if len(items) > size:
        ts, rank, id_ = page[-1][:3]
        name = next(n for n, r in SOURCES.items() if r == rank)
        next_cursor = encode_cursor("activity", ts.isoformat(), name, id_)
    return ActivityPublic(wallet=wallet, data=[i[3] for i in page], next_cursor=next_cursor)
