"""entrants carry their leaderboard entry but its rank as JSON text (`board_json`),
written by the indexer and cleared by triggers whenever one of its values or the username
changes, so a leaderboard page reads stored texts instead of converting 256-bit values
and looking up usernames

Existing entrants start without it (NULL): the API computes their entries as before
until the indexer's next range writes them.

Revision ID: 0014_board_json
Revises: 0013_history_log_order_key
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_board_json"
down_revision = "0013_history_log_order_key"
branch_labels = None
depends_on = None

VALUES = ("score_e18", "portfolio_value", "realised_pnl", "unrealised_pnl")
"""The entrant's columns `board_json` is rendered from (domacross.db.board)."""
TRIGGERS = (("trg_participants_board_json", "participants"), ("trg_users_board_json", "users"))

# NOTE: a statement that writes a value and `board_json` together wrote a text for the new
# value: the trigger leaves it.
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION domacross_board_json_stale() RETURNS trigger AS $$
BEGIN
    NEW.board_json := NULL;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""
PG_TRIGGER = f"""
CREATE TRIGGER trg_participants_board_json BEFORE UPDATE OF {", ".join(VALUES)}
ON participants FOR EACH ROW
WHEN (
    OLD.board_json IS NOT NULL
    AND NEW.board_json IS NOT DISTINCT FROM OLD.board_json
    AND ({", ".join(f"NEW.{c}" for c in VALUES)})
        IS DISTINCT FROM ({", ".join(f"OLD.{c}" for c in VALUES)})
)
EXECUTE FUNCTION domacross_board_json_stale()
"""
SQLITE_TRIGGER = f"""
CREATE TRIGGER trg_participants_board_json AFTER UPDATE OF {", ".join(VALUES)}
ON participants FOR EACH ROW
WHEN OLD.board_json IS NOT NULL
    AND NEW.board_json IS OLD.board_json
    AND ({" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in VALUES)})
BEGIN
    UPDATE participants SET board_json = NULL WHERE id = NEW.id;
END
"""  # noqa: S608 - our column names, never input


PG_USER_FUNCTION = """
CREATE OR REPLACE FUNCTION domacross_board_json_username() RETURNS trigger AS $$
BEGIN
    UPDATE participants SET board_json = NULL
    WHERE user_id = NEW.id AND board_json IS NOT NULL;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""
PG_USER_TRIGGER = """
CREATE TRIGGER trg_users_board_json AFTER UPDATE OF username ON users
FOR EACH ROW WHEN (NEW.username IS DISTINCT FROM OLD.username)
EXECUTE FUNCTION domacross_board_json_username()
"""
SQLITE_USER_TRIGGER = """
CREATE TRIGGER trg_users_board_json AFTER UPDATE OF username ON users
FOR EACH ROW WHEN NEW.username IS NOT OLD.username
BEGIN
    UPDATE participants SET board_json = NULL
    WHERE user_id = NEW.id AND board_json IS NOT NULL;
END
"""


def upgrade() -> None:
    # NOTE: a plain ADD COLUMN on both backends: SQLite's batch rebuild would drop the
    # table's triggers (its wallet trigger, migration 0006).
    op.add_column("participants", sa.Column("board_json", sa.Text(), nullable=True))
    op.create_index(
        "ix_participants_unrendered",
        "participants",
        ["chain_id"],
        sqlite_where=sa.text("board_json IS NULL"),
        postgresql_where=sa.text("board_json IS NULL"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
        op.execute(PG_USER_FUNCTION)
        op.execute(PG_USER_TRIGGER)
    else:
        op.execute(SQLITE_TRIGGER)
        op.execute(SQLITE_USER_TRIGGER)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for trigger, table in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}" + (f" ON {table}" if postgresql else ""))
    op.drop_index("ix_participants_unrendered", table_name="participants")
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS domacross_board_json_stale()")
        op.execute("DROP FUNCTION IF EXISTS domacross_board_json_username()")
        op.drop_column("participants", "board_json")
    else:
        # NOTE: SQLite's own DROP COLUMN (3.35+), not a batch rebuild, which would drop the
        # table's other triggers.
        op.execute("ALTER TABLE participants DROP COLUMN board_json")
