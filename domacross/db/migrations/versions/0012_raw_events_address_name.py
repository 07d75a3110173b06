"""raw_events: one index of (address, name) instead of one of each

Every query of raw_events names both the contract and the event (or the transaction,
which the unique key serves); the two single-column indexes cost every inserted log two
index entries where one serves those queries.

Revision ID: 0012_raw_events_address_name
Revises: 0011_basket_nft_claims
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0012_raw_events_address_name"
down_revision = "0011_basket_nft_claims"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_raw_events_address_name", "raw_events", ["address", "name"])
    op.drop_index("ix_raw_events_address", table_name="raw_events")
    op.drop_index("ix_raw_events_name", table_name="raw_events")


def downgrade() -> None:
    op.create_index("ix_raw_events_name", "raw_events", ["name"])
    op.create_index("ix_raw_events_address", "raw_events", ["address"])
    op.drop_index("ix_raw_events_address_name", table_name="raw_events")
