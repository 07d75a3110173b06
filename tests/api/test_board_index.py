"""The leaderboard is fast without its cache: participants carry their wallet (a trigger
fills it on insert, whoever inserts) and a page is a range scan of `ix_participants_board`,
with no sort, on both backends."""

from __future__ import annotations

from sqlalchemy import insert, select

from domacross.api.queries import board_page_sql, leaderboard_page
from domacross.db.models import Participant
from tests.api.conftest import NOW, wallet


def test_participants__inserted_by_orm_or_core__wallet_filled_by_trigger(seed, session):
    competition = seed.competition()
    by_orm = seed.entrant(competition, wallet(800), 5)
    user = seed.user(wallet(801))
    session.execute(
        insert(Participant).values(
            user_id=user.id, competition_id=competition.id, chain_id=competition.chain_id,
            joined_block=1, joined_tx="0x" + "01" * 32, joined_log_index=0, joined_at=NOW,
            fee=1, portfolio_value=7,
        )
    )  # fmt: skip
    session.commit()
    rows = session.execute(
        select(Participant.id, Participant.wallet).where(
            Participant.competition_id == competition.id
        )
    ).all()
    assert {w for _, w in rows} == {wallet(800), wallet(801)}
    assert by_orm.id in {i for i, _ in rows}


def test_leaderboard_page__plan__index_range_scan_without_sort(seed, session):
    competition = seed.competition()
    for i in range(20):
        seed.entrant(competition, wallet(820 + i), i % 4)
    bind = session.get_bind()
    entries, _ = leaderboard_page(session, competition.id, 5, (2, wallet(820)))
    assert entries
    # The statement the page runs, as its driver gets it.
    page_sql, params = board_page_sql(bind.dialect, competition.id, 5, (2, wallet(820)))
    connection = session.connection()
    if bind.dialect.name == "postgresql":
        connection.exec_driver_sql("SET enable_seqscan = off")  # tiny table: force the choice
        plan = "\n".join(r[0] for r in connection.exec_driver_sql("EXPLAIN " + page_sql, params))
        connection.exec_driver_sql("RESET enable_seqscan")
    else:
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + page_sql, params)
        plan = "\n".join(str(r[-1]) for r in rows)
    assert "ix_participants_board" in plan, plan
    assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan
