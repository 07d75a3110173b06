"""Pauses: `Paused` / `Unpaused` of any of our contracts, as `pause_changes` history."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from domacross.db.models import PauseChange
from domacross.indexer.addressbook import ANY_ROLE
from domacross.indexer.registry import Key, Projection, Range
from domacross.indexer.rows import Row, bulk_insert_ignore
from domacross_sdk import events as ev

projection = Projection("pauses")


class Pending(list[Row]):
    """The range's pause rows."""


@projection.on(ANY_ROLE, ev.Paused)
def on_paused(r: Range, e: ev.Paused, key: Key) -> None:
    _change(r, e, key, paused=True)


@projection.on(ANY_ROLE, ev.Unpaused)
def on_unpaused(r: Range, e: ev.Unpaused, key: Key) -> None:
    _change(r, e, key, paused=False)


def _change(r: Range, e: ev.Paused | ev.Unpaused, key: Key, *, paused: bool) -> None:
    r.state(Pending).append(
        {
            **key,
            "address": e.meta.address,
            "paused": paused,
            "account": e.account,
            "timestamp": r.time(e),
        }
    )


@projection.after_range
def write(r: Range) -> None:
    bulk_insert_ignore(r.session, PauseChange.__table__, r.state(Pending))  # type: ignore[arg-type]


@projection.rollback
def rollback(session: Session, chain_id: int, ancestor: int) -> None:
    session.execute(
        delete(PauseChange).where(
            PauseChange.chain_id == chain_id, PauseChange.block_number > ancestor
        )
    )
