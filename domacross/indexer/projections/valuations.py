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
from domacross.indexer.registry import Key, Projection, Range, in_log_order
from domacross.indexer.rows import Columns, Row, bulk_insert_columns, bulk_insert_ignore, hexstr
from domacross_sdk import events as ev

projection = Projection("valuations")


@dataclass
class Pending:
    """The range's rows, and each entrant's latest value in it."""

    prices: list[list[ev.PriceUpdated]] = field(default_factory=list)
    """The range's `PriceUpdated` events, in batches."""
    values: list[Row] = field(default_factory=list)
    latest: dict[tuple[int, int], tuple[int, datetime]] = field(default_factory=dict)


@projection.on_batch(Role.ORACLE, ev.PriceUpdated)
def on_prices(r: Range, events: list[ev.PriceUpdated]) -> None:
    r.state(Pending).prices.append(events)


def _price_columns(r: Range, batches: list[list[ev.PriceUpdated]]) -> Columns:
    """The `prices` rows of a range's `PriceUpdated` events, column by column, in log order."""
    events = in_log_order(batches)
    metas = [e.meta for e in events]
    times = r.timestamps
    return {
        "chain_id": [r.chain_id] * len(events),
        "block_number": [m.block_number for m in metas],
        "tx_hash": ["0x" + m.transaction_hash.hex() for m in metas],
        "log_index": [m.log_index for m in metas],
        "oracle": [m.address for m in metas],
        "token": [e.token for e in events],
        "token_id": [e.token_id for e in events],
        "fungible": [e.fungible for e in events],
        "price": [e.price for e in events],
        "previous_price": [e.previous_price for e in events],
        "reporter": [e.reporter for e in events],
        "overridden": [e.overridden for e in events],
        "timestamp": [times[m.block_number] for m in metas],
    }


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
    if pending.prices:
        bulk_insert_columns(r.session, Price.__table__, _price_columns(r, pending.prices))  # type: ignore[arg-type]
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
