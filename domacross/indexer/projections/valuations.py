"""Valuations: the oracle's `PriceUpdated` (`prices`) and the tracker's
`PortfolioValueUpdated` (`portfolio_values`, and each entrant's latest value)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from domacross.db.models import Participant, PortfolioValue, Price
from domacross.indexer.addressbook import Role
from domacross.indexer.projections.competitions import created_after
from domacross.indexer.registry import Key, Projection, Range
from domacross.indexer.rows import Row, bulk_insert_ignore, hexstr
from domacross_sdk import events as ev

projection = Projection("valuations")


@dataclass
class Pending:
    """The range's rows, and each entrant's latest value in it."""

    prices: list[Row] = field(default_factory=list)
    values: list[Row] = field(default_factory=list)
    latest: dict[tuple[int, int], tuple[int, datetime]] = field(default_factory=dict)


@projection.on(Role.ORACLE, ev.PriceUpdated)
def on_price(r: Range, e: ev.PriceUpdated, key: Key) -> None:
    r.state(Pending).prices.append(
        {
            **key,
            "oracle": e.meta.address,
            "token": e.token,
            "token_id": e.token_id,
            "fungible": e.fungible,
            "price": e.price,
            "previous_price": e.previous_price,
            "reporter": e.reporter,
            "overridden": e.overridden,
            "timestamp": r.time(e),
        }
    )


@projection.on(Role.TRACKER, ev.PortfolioValueUpdated)
def on_value(r: Range, e: ev.PortfolioValueUpdated, key: Key) -> None:
    competition_id = r.ids.competition(r.session, e.competition)
    if competition_id is None:
        return
    user_id = r.ids.user(r.session, e.user)
    ts = r.time(e)
    pending = r.state(Pending)
    pending.values.append(
        {
            **key,
            "competition_id": competition_id,
            "user_id": user_id,
            "value": e.value,
            "holdings_count": e.holdings_count,
            "holdings_hash": hexstr(e.holdings_hash),
            "timestamp": ts,
        }
    )
    pending.latest[(competition_id, user_id)] = (e.value, ts)


@projection.after_range
def write(r: Range) -> None:
    pending = r.state(Pending)
    bulk_insert_ignore(r.session, Price.__table__, pending.prices)  # type: ignore[arg-type]
    bulk_insert_ignore(r.session, PortfolioValue.__table__, pending.values)  # type: ignore[arg-type]
    for (competition_id, user_id), (value, ts) in pending.latest.items():
        r.session.execute(
            update(Participant)
            .where(Participant.competition_id == competition_id, Participant.user_id == user_id)
            .values(portfolio_value=value, value_updated_at=ts)
        )


@projection.rollback
def rollback(session: Session, chain_id: int, ancestor: int) -> None:
    session.execute(delete(Price).where(Price.chain_id == chain_id, Price.block_number > ancestor))
    session.execute(
        delete(PortfolioValue).where(
            or_(
                (PortfolioValue.chain_id == chain_id) & (PortfolioValue.block_number > ancestor),
                PortfolioValue.competition_id.in_(created_after(chain_id, ancestor)),
            )
        )
    )


@projection.recompute
def recompute(session: Session, chain_id: int) -> None:
    """Each entrant's latest value, from the remaining `portfolio_values`."""
    for participant in session.scalars(select(Participant).where(Participant.chain_id == chain_id)):
        latest = session.scalars(
            select(PortfolioValue)
            .where(
                PortfolioValue.competition_id == participant.competition_id,
                PortfolioValue.user_id == participant.user_id,
            )
            .order_by(PortfolioValue.block_number.desc(), PortfolioValue.log_index.desc())
        ).first()
        participant.portfolio_value = latest.value if latest else 0
        participant.value_updated_at = latest.timestamp if latest else None
