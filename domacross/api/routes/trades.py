"""Trades per competition and a wallet's activity (trades, joins, payouts), cursor-paged.

Both lists are newest first. Activity merges three tables by time; at equal times trades
come before joins before payouts, then the higher id first, so the order is total and the
cursor `(time, source, id)` of the last item resumes exactly after it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from eth_utils.address import to_checksum_address
from fastapi import APIRouter, Query
from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import InstrumentedAttribute

from domacross.api.deps import (
    CursorQuery,
    LimitQuery,
    SessionDep,
    SettingsDep,
    WalletPath,
    page_size,
)
from domacross.api.errors import ApiError, not_found
from domacross.api.pagination import decode_time_cursor, encode_cursor, newest_first, older_than
from domacross.api.routes.competitions import NOT_FOUND, CompetitionId
from domacross.api.schemas_trades import (
    ActivityItemPublic,
    ActivityPublic,
    TradePublic,
    TradesPublic,
)
from domacross.db.models import Claim, Competition, Participant, Trade, User

router = APIRouter(prefix="/api/v1", tags=["trades"])


@dataclass(frozen=True)
class _Source:
    """One table of a wallet's activity: its rows of the wallet, their time and id (the
    cursor's key), where a row keeps its log's position, and the rest of its item."""

    name: Literal["trade", "join", "claim"]
    order: int
    """Place at equal times: higher first."""
    model: type[Trade] | type[Participant] | type[Claim]
    time: InstrumentedAttribute[datetime]
    owned: Callable[[str, int], ColumnElement[bool]]
    """The wallet's rows, from its address and its user id."""
    position: tuple[str, str, str]
    """The row's attributes of the log's transaction hash, block number and log index."""
    fields: Callable[[Any], dict[str, Any]]
    """The item's fields that only this source has."""


SOURCES = (
    _Source(
        name="trade",
        order=2,
        model=Trade,
        time=Trade.timestamp,
        owned=lambda wallet, _: Trade.wallet == wallet,
        position=("tx_hash", "block_number", "log_index"),
        fields=lambda t: {"amount": None, "trade": TradePublic.model_validate(t)},
    ),
    _Source(
        name="join",
        order=1,
        model=Participant,
        time=Participant.joined_at,
        owned=lambda _, user_id: Participant.user_id == user_id,
        position=("joined_tx", "joined_block", "joined_log_index"),
        fields=lambda p: {"amount": str(p.fee)},
    ),
    _Source(
        name="claim",
        order=0,
        model=Claim,
        time=Claim.timestamp,
        owned=lambda wallet, _: Claim.account == wallet,
        position=("tx_hash", "block_number", "log_index"),
        fields=lambda c: {"amount": str(c.amount), "claim_kind": c.kind},
    ),
)
BY_NAME = {source.name: source for source in SOURCES}


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
    rows, next_cursor = newest_first(
        session, query, "trades", Trade.timestamp, Trade.id, cursor, page_size(limit, settings)
    )
    return TradesPublic(
        competition_id=competition_id,
        data=[TradePublic.model_validate(r) for r in rows],
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
    after: tuple[datetime, _Source, int] | None = None
    if cursor is not None:
        at, name, last_id = decode_time_cursor("activity", cursor, (str, str, int))
        if name not in BY_NAME:
            raise ApiError(400, "invalid cursor")
        after = (at, BY_NAME[name], last_id)
    # Each source's newest `size + 1` after the cursor, merged: the page is among them.
    items: list[tuple[datetime, int, int, ActivityItemPublic]] = []
    for source in SOURCES:
        query = select(source.model).where(source.owned(wallet, user_id))
        if after is not None:
            query = _after(query, source, *after)
        rows = session.scalars(
            query.order_by(source.time.desc(), source.model.id.desc()).limit(size + 1)
        ).all()
        items += ((*_key(source, row), _item(source, row)) for row in rows)
    items.sort(key=lambda item: item[:3], reverse=True)
    next_cursor = None
    if len(items) > size:
        at, order, last_id = items[size - 1][:3]
        name = next(source.name for source in SOURCES if source.order == order)
        next_cursor = encode_cursor("activity", at.isoformat(), name, last_id)
    return ActivityPublic(
        wallet=wallet, data=[item for *_, item in items[:size]], next_cursor=next_cursor
    )


def _after(
    query: Select[Any], source: _Source, at: datetime, last: _Source, last_id: int
) -> Select[Any]:
    """`source`'s rows after the cursor's item `(at, last, last_id)` in activity order."""
    if source.order > last.order:  # comes first at equal times: strictly older
        return query.where(source.time < at)
    if source.order < last.order:  # comes later at equal times: the same time included
        return query.where(source.time <= at)
    return older_than(query, source.time, source.model.id, at, last_id)


def _key(source: _Source, row: Any) -> tuple[datetime, int, int]:
    return getattr(row, source.time.key), source.order, row.id


def _item(source: _Source, row: Any) -> ActivityItemPublic:
    tx_hash, block_number, log_index = (getattr(row, name) for name in source.position)
    return ActivityItemPublic(
        type=source.name,
        timestamp=getattr(row, source.time.key),
        chain_id=row.chain_id,
        competition_id=row.competition_id,
        tx_hash=tx_hash,
        block_number=block_number,
        log_index=log_index,
        **source.fields(row),
    )
