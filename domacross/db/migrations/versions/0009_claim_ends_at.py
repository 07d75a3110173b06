"""competitions' real end of claims (the contract's claimEndsAt(), relative to finalization)

Revision ID: 0009_claim_ends_at
Revises: 0008_pause_changes
Create Date: 2026-12-02
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision = "0009_claim_ends_at"
down_revision = "0008_pause_changes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("competitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_ends_at", sa.DateTime(timezone=True), nullable=True))
    # Finalized competitions get it from their latest "finalized" row, as the indexer computes
    # it: finalization time + (claim_deadline - end_time - dispute_window).
    bind = op.get_bind()
    competitions = sa.table(
        "competitions",
        sa.column("id", sa.BigInteger),
        sa.column("end_time", sa.DateTime(timezone=True)),
        sa.column("claim_deadline", sa.DateTime(timezone=True)),
        sa.column("dispute_window", sa.BigInteger),
        sa.column("finalized", sa.Boolean),
        sa.column("claim_ends_at", sa.DateTime(timezone=True)),
    )
    results = sa.table(
        "prize_results",
        sa.column("competition_id", sa.BigInteger),
        sa.column("kind", sa.String),
        sa.column("timestamp", sa.DateTime(timezone=True)),
    )
    finalized_at = (
        sa.select(results.c.competition_id, sa.func.max(results.c.timestamp).label("at"))
        .where(results.c.kind == "finalized")
        .group_by(results.c.competition_id)
        .subquery()
    )
    rows = bind.execute(
        sa.select(
            competitions.c.id,
            competitions.c.end_time,
            competitions.c.claim_deadline,
            competitions.c.dispute_window,
            finalized_at.c.at,
        )
        .join(finalized_at, finalized_at.c.competition_id == competitions.c.id)
        .where(competitions.c.finalized.is_(True))
    ).all()
    for cid, end, deadline, window, at in rows:
        ends = at + (deadline - end) - timedelta(seconds=window)
        bind.execute(
            competitions.update().where(competitions.c.id == cid).values(claim_ends_at=ends)
        )


def downgrade() -> None:
    with op.batch_alter_table("competitions", schema=None) as batch_op:
        batch_op.drop_column("claim_ends_at")
