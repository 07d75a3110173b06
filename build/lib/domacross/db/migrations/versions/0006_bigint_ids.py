"""ids and the keys pointing at them become BIGINT on PostgreSQL (int64, as the API's
schema promises; INTEGER refused ids from 2**31 with a server error); the indexer's
checkpoint write notifies `domacross_data` at commit, so API processes push live
leaderboards at once instead of waiting for their next poll; participants carry their
wallet (filled by a trigger on insert) in an index in leaderboard order, so a leaderboard
page is an index range scan

SQLite's INTEGER is already 64-bit, and SQLite has no NOTIFY: nothing to do there.

Revision ID: 0006_bigint_ids
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_bigint_ids"
down_revision = "0004"
branch_labels = None
depends_on = None

ID_COLUMNS = {
    "auth_nonces": ["id"],
    "chain_offsets": ["id"],
    "competitions": ["id"],
    "prices": ["id"],
    "raw_events": ["id"],
    "users": ["id"],
    "claims": ["id", "competition_id"],
    "domain_baskets": ["id", "owner_user_id"],
    "leaderboard_snapshots": ["id", "competition_id"],
    "participants": ["id", "user_id", "competition_id"],
    "portfolio_values": ["id", "competition_id", "user_id"],
    "prize_results": ["id", "competition_id"],
    "basket_holdings": ["id", "basket_id", "user_id"],
    "basket_items": ["id", "basket_id"],
    "basket_navs": ["id", "basket_id"],
    "basket_transfers": ["id", "basket_id"],
    "trades": ["id", "participant_id", "competition_id"],
}


def _retype(to: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in ID_COLUMNS.items():
        op.execute(
            f"ALTER TABLE {table} "
            + ", ".join(f"ALTER COLUMN {column} TYPE {to}" for column in columns)
        )
        # A SERIAL's sequence has its own type, capped at 2**31 - 1 unless changed too.
        sequence = op.get_bind().scalar(sa.text(f"SELECT pg_get_serial_sequence('{table}', 'id')"))
        if sequence:
            op.execute(f"ALTER SEQUENCE {sequence} AS {to}")


NOTIFY_FUNCTION = """
CREATE OR REPLACE FUNCTION domacross_notify_data() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('domacross_data', NEW.chain_id::text);
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""
NOTIFY_TRIGGER = """
CREATE TRIGGER trg_chain_offsets_notify AFTER INSERT OR UPDATE ON chain_offsets
FOR EACH ROW EXECUTE FUNCTION domacross_notify_data()
"""


PG_WALLET_FUNCTION = """
CREATE OR REPLACE FUNCTION domacross_participant_wallet() RETURNS trigger AS $$
BEGIN
    NEW.wallet := (SELECT wallet_address FROM users WHERE id = NEW.user_id);
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""
PG_WALLET_TRIGGER = """
CREATE TRIGGER trg_participants_wallet BEFORE INSERT ON participants
FOR EACH ROW EXECUTE FUNCTION domacross_participant_wallet()
"""
SQLITE_WALLET_TRIGGER = """
CREATE TRIGGER trg_participants_wallet AFTER INSERT ON participants
BEGIN
    UPDATE participants SET wallet = (SELECT wallet_address FROM users WHERE id = NEW.user_id)
    WHERE id = NEW.id;
END
"""


def _board_index() -> None:
    # NOTE: the writer (the indexer) does not name the column: a user's wallet never
    # changes, so a trigger on insert keeps it right whoever inserts.
    op.add_column("participants", sa.Column("wallet", sa.String(length=42), nullable=True))
    op.execute(
        "UPDATE participants SET wallet = "
        "(SELECT wallet_address FROM users WHERE users.id = participants.user_id)"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_WALLET_FUNCTION)
        op.execute(PG_WALLET_TRIGGER)
    else:
        op.execute(SQLITE_WALLET_TRIGGER)
    op.create_index(
        "ix_participants_board",
        "participants",
        ["competition_id", sa.text("portfolio_value DESC"), "wallet"],
    )


def upgrade() -> None:
    _retype("BIGINT")
    _board_index()
    if op.get_bind().dialect.name == "postgresql":
        # NOTE: delivered at commit, and only then: a rolled-back range notifies nobody.
        op.execute(NOTIFY_FUNCTION)
        op.execute(NOTIFY_TRIGGER)


def downgrade() -> None:
    op.drop_index("ix_participants_board", table_name="participants")
    op.execute(
        "DROP TRIGGER IF EXISTS trg_participants_wallet"
        + (" ON participants" if op.get_bind().dialect.name == "postgresql" else "")
    )
    with op.batch_alter_table("participants") as batch:
        batch.drop_column("wallet")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS domacross_participant_wallet()")
        op.execute("DROP TRIGGER IF EXISTS trg_chain_offsets_notify ON chain_offsets")
        op.execute("DROP FUNCTION IF EXISTS domacross_notify_data()")
    _retype("INTEGER")
