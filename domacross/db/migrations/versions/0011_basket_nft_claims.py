"""basket_nft_claims: claims on a basket's NFTs (credited, transferred, withdrawn)

Revision ID: 0011_basket_nft_claims
Revises: 0010_ranks
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import domacross.db.types

revision = "0011_basket_nft_claims"
down_revision = "0010_ranks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    uint = domacross.db.types.Uint256(length=78)
    op.create_table(
        "basket_nft_claims",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "basket_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("component", uint, nullable=False),
        sa.Column("from_address", sa.String(length=42), nullable=True),
        sa.Column("to_address", sa.String(length=42), nullable=True),
        sa.Column("units", uint, nullable=True),
        sa.Column("token", sa.String(length=42), nullable=True),
        sa.Column("token_id", uint, nullable=True),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["basket_id"],
            ["domain_baskets.id"],
            name=op.f("fk_basket_nft_claims_basket_id_domain_baskets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_basket_nft_claims")),
        sa.UniqueConstraint("chain_id", "tx_hash", "log_index", name="uq_basket_nft_claims_event"),
    )
    op.create_index(
        "ix_basket_nft_claims_chain_block", "basket_nft_claims", ["chain_id", "block_number"]
    )
    op.create_index(
        op.f("ix_basket_nft_claims_from_address"), "basket_nft_claims", ["from_address"]
    )
    op.create_index(op.f("ix_basket_nft_claims_to_address"), "basket_nft_claims", ["to_address"])


def downgrade() -> None:
    op.drop_index(op.f("ix_basket_nft_claims_to_address"), table_name="basket_nft_claims")
    op.drop_index(op.f("ix_basket_nft_claims_from_address"), table_name="basket_nft_claims")
    op.drop_index("ix_basket_nft_claims_chain_block", table_name="basket_nft_claims")
    op.drop_table("basket_nft_claims")
