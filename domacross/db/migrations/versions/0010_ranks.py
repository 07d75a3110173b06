"""entrants carry their leaderboard rank (competition rank by score), kept by the indexer,
so a leaderboard page is one index range scan instead of counting the entrants before it

Revision ID: 0010_ranks
Revises: 0009_claim_ends_at
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_ranks"
down_revision = "0009_claim_ends_at"
branch_labels = None
depends_on = None

# NOTE: UPDATE ... FROM: PostgreSQL, and SQLite from 3.33.
RANK_ALL = """
UPDATE participants SET rank = ranked.rank
FROM (
    SELECT id, rank() OVER (PARTITION BY competition_id ORDER BY score_e18 DESC) AS rank
    FROM participants
) AS ranked
WHERE participants.id = ranked.id
"""


def upgrade() -> None:
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rank", sa.BigInteger(), nullable=True))
    op.execute(RANK_ALL)


def downgrade() -> None:
    # NOTE: SQLite's own DROP COLUMN (3.35+), not a batch rebuild, which would drop the
    # table's triggers (its wallet trigger, migration 0006).
    op.execute("ALTER TABLE participants DROP COLUMN rank")
