"""`UtcDateTime` columns read back aware UTC datetimes on both backends, whatever zone the
value was written in and whatever zone the PostgreSQL session uses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import event, select

from domacross.db.engine import make_engine, session_factory
from domacross.db.models import BlockRecord

TOKYO = timezone(timedelta(hours=9))
INSTANT = datetime(2026, 3, 1, 12, 30, 15, tzinfo=UTC)


def test_datetimes_come_back_aware_utc(database_url: str) -> None:
    engine = make_engine(database_url)
    if engine.dialect.name == "postgresql":
        # A session zone other than UTC: PostgreSQL then answers in +09:00.
        @event.listens_for(engine, "connect")
        def _tokyo(dbapi_connection: Any, _: Any) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET TIME ZONE 'Asia/Tokyo'")
            dbapi_connection.commit()

    sessions = session_factory(engine)
    written = {
        1: INSTANT,  # aware UTC
        2: INSTANT.astimezone(TOKYO),  # the same instant in another zone
        3: INSTANT.replace(tzinfo=None),  # naive: taken as UTC
    }
    with sessions.begin() as session:
        for number, value in written.items():
            session.add(
                BlockRecord(chain_id=1, number=number, hash="0x", parent_hash="0x", timestamp=value)
            )
    with sessions() as session:
        read = session.scalars(select(BlockRecord.timestamp).order_by(BlockRecord.number)).all()
        # A bound value is shifted to UTC too, so comparing with another zone's time works.
        matched = session.scalars(
            select(BlockRecord.number).where(BlockRecord.timestamp == INSTANT.astimezone(TOKYO))
        ).all()
    engine.dispose()
    assert read == [INSTANT] * 3
    assert all(value.utcoffset() == timedelta(0) for value in read)
    assert all(value.tzinfo is UTC for value in read)
    assert sorted(matched) == [1, 2, 3]
