"""entrants' scores (P&L marked at oracle prices at the end block) and how far they are known

Revision ID: 0007_scores
Revises: 0006_bigint_ids
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import domacross.db.types

revision = "0007_scores"
down_revision = "0006_bigint_ids"
branch_labels = None
depends_on = None


def _zero() -> str:
    """0 as Int256 stores it on this backend (SQLite: offset by 2**255, zero-padded)."""
    if op.get_bind().dialect.name == "postgresql":
        return "0"
    return f"{domacross.db.types.INT256_OFFSET:078d}"


def upgrade() -> None:
    with op.batch_alter_table("participants", schema=None) as batch_op:
        # NOTE: a server default fills the rows that exist already.
        batch_op.add_column(
            sa.Column(
                "score_e18",
                domacross.db.types.Int256(length=78),
                nullable=False,
                server_default=_zero(),
            )
        )
    # The leaderboard ranks by score: its index follows (score, then wallet).
    op.drop_index("ix_participants_board", table_name="participants")
    op.create_index(
        "ix_participants_board",
        "participants",
        ["competition_id", sa.text("score_e18 DESC"), "wallet"],
    )
    with op.batch_alter_table("competitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("score_block", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("score_final", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("competitions", schema=None) as batch_op:
        batch_op.drop_column("score_final")
        batch_op.drop_column("score_block")
    op.drop_index("ix_participants_board", table_name="participants")
    op.create_index(
        "ix_participants_board",
        "participants",
        ["competition_id", sa.text("portfolio_value DESC"), "wallet"],
    )
    # NOTE: SQLite's own DROP COLUMN (3.35+), not a batch rebuild, which would drop the
    # table's triggers (its wallet trigger, migration 0006).
    op.execute("ALTER TABLE participants DROP COLUMN score_e18")
