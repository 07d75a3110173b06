"""Pause state of the followed contracts (competitions, oracle, factories, baskets)."""

from __future__ import annotations

from typing import Annotated

from eth_utils.address import to_checksum_address
from fastapi import APIRouter, Query
from sqlalchemy import and_, func, or_, select

from domacross.api.deps import CursorQuery, LimitQuery, SessionDep, SettingsDep, page_size
from domacross.api.pagination import decode_cursor, encode_cursor
from domacross.api.schemas import PauseStatePublic, PauseStatesPublic
from domacross.db.models import PauseChange

router = APIRouter(prefix="/api/v1/contracts", tags=["contracts"])


@router.get("/pause-state", response_model=PauseStatesPublic)
def pause_state(
    session: SessionDep,
    settings: SettingsDep,
    chain_id: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None,
    address: Annotated[str | None, Query(pattern=r"^0x[0-9a-fA-F]{40}$")] = None,
    paused: Annotated[
        bool | None, Query(description="true: only paused contracts; false: only unpaused.")
    ] = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
) -> PauseStatesPublic:
    """The pause state of every followed contract that was ever paused, from its latest
    `Paused` / `Unpaused` event: who made that change, in which block and when. A
    followed contract that is not listed has never been paused. By chain, then address."""
    latest = select(
        PauseChange,
        func.row_number()
        .over(
            partition_by=(PauseChange.chain_id, PauseChange.address),
            order_by=(PauseChange.block_number.desc(), PauseChange.log_index.desc()),
        )
        .label("n"),
    )
    if chain_id is not None:
        latest = latest.where(PauseChange.chain_id == chain_id)
    if address is not None:
        latest = latest.where(PauseChange.address == to_checksum_address(address))
    ranked = latest.subquery()
    query = select(ranked).where(ranked.c.n == 1)
    if paused is not None:
        query = query.where(ranked.c.paused.is_(paused))
    if cursor is not None:
        last_chain, last_address = decode_cursor("pause-state", cursor, (int, str))
        query = query.where(
            or_(
                ranked.c.chain_id > last_chain,
                and_(ranked.c.chain_id == last_chain, ranked.c.address > last_address),
            )
        )
    size = page_size(limit, settings)
    rows = (
        session.execute(query.order_by(ranked.c.chain_id, ranked.c.address).limit(size + 1))
        .mappings()
        .all()
    )
    data = [
        PauseStatePublic(
            chain_id=row["chain_id"],
            address=row["address"],
            paused=row["paused"],
            paused_by=row["account"] if row["paused"] else None,
            changed_by=row["account"],
            since_block=row["block_number"],
            since=row["timestamp"],
            tx_hash=row["tx_hash"],
        )
        for row in rows[:size]
    ]
    next_cursor = None
    if len(rows) > size:
        next_cursor = encode_cursor("pause-state", data[-1].chain_id, data[-1].address)
    return PauseStatesPublic(data=data, next_cursor=next_cursor)
