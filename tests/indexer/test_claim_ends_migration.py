"""Migration 0009 fills the real end of claims of competitions finalized before it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, text

from domacross.db.migrate import upgrade

END = datetime(2030, 1, 1, tzinfo=UTC)
FINALIZED_AT = END + timedelta(hours=5)


def _competition(conn, cid: int, finalized: bool) -> None:
    conn.execute(
        text(
            "INSERT INTO competitions (id, chain_id, contract_address, factory_address, organizer,"
            " registry_index, start_time, end_time, claim_deadline, dispute_window, entry_fee,"
            " max_participants, rake_bps, payout_bps, oracle, tracker, treasury, created_block,"
            " created_tx, participant_count, cancelled, finalized, claimed_total, score_final)"
            " VALUES (:id, 1, :addr, :addr, :addr, :id, :start, :end, :deadline, 3600, '1', 3,"
            " 500, '[10000]', :addr, :addr, :addr, 1, :tx, 0, false, :finalized, '0', false)"
        ),
        {
            "id": cid,
            "addr": "0x" + f"{cid:040x}",
            "start": END - timedelta(days=1),
            "end": END,
            "deadline": END + timedelta(days=2),
            "tx": "0x" + f"{cid:064x}",
            "finalized": finalized,
        },
    )


def test_upgrade_0009__finalized_before__claim_end_from_finalization(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade(url, "0008_pause_changes")
    engine = create_engine(url)
    with engine.begin() as conn:
        _competition(conn, 1, finalized=True)
        _competition(conn, 2, finalized=False)
        conn.execute(
            text(
                "INSERT INTO prize_results (chain_id, block_number, tx_hash,"
                " log_index, competition_id, kind, merkle_root, timestamp)"
                " VALUES (1, 9, :h, 0, 1, 'finalized', :h, :at)"
            ),
            {"h": "0x" + "ab" * 32, "at": FINALIZED_AT},
        )
    upgrade(url)
    with engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT id, claim_ends_at FROM competitions")).all())
    engine.dispose()
    # Finalization + (deadline - end - dispute window) = 5 h + 2 days - 1 h after the end.
    expected = FINALIZED_AT + timedelta(days=2) - timedelta(hours=1)
    assert str(rows[1])[:19] == expected.strftime("%Y-%m-%d %H:%M:%S")
    assert rows[2] is None
