"""pause_changes: Paused / Unpaused of every followed contract, for the API's pause state

Revision ID: 0008_pause_changes
Revises: 0007_scores
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_pause_changes"
down_revision = "0007_scores"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pause_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("account", sa.String(length=42), nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=True),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pause_changes")),
        sa.UniqueConstraint("chain_id", "tx_hash", "log_index", name="uq_pause_changes_event"),
    )
    op.create_index("ix_pause_changes_chain_block", "pause_changes", ["chain_id", "block_number"])
    op.create_index(op.f("ix_pause_changes_address"), "pause_changes", ["address"])
    _copy_from_raw_events()


def _copy_from_raw_events() -> None:
    """Pauses indexed before this table existed, from raw events (times unknown)."""
    bind = op.get_bind()
    raw = sa.table(
        "raw_events",
        sa.column("chain_id"),
        sa.column("block_number"),
        sa.column("tx_hash"),
        sa.column("log_index"),
        sa.column("address"),
        sa.column("name"),
        sa.column("args", sa.JSON()),
    )
    rows = bind.execute(sa.select(raw).where(raw.c.name.in_(("Paused", "Unpaused")))).mappings()
    changes = [
        {
            "chain_id": r["chain_id"],
            "block_number": r["block_number"],
            "tx_hash": r["tx_hash"],
            "log_index": r["log_index"],
            "address": r["address"],
            "paused": r["name"] == "Paused",
            "account": r["args"]["account"],
            "timestamp": None,
        }
        for r in rows
    ]
    if changes:
        table = sa.table("pause_changes", *(sa.column(k) for k in changes[0]))
        bind.execute(sa.insert(table), changes)


def downgrade() -> None:
    op.drop_index(op.f("ix_pause_changes_address"), table_name="pause_changes")
    op.drop_index("ix_pause_changes_chain_block", table_name="pause_changes")
    op.drop_table("pause_changes")
