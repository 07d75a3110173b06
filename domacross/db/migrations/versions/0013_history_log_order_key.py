"""history keyed in log order: unique (chain_id, block_number, log_index) replaces the
unique (chain_id, tx_hash, log_index) and the (chain_id, block_number) index

A log's index counts within its block, so (block, log index) names one log of a chain.
Rows arrive in that order: each insert appends to the new key's index, where a
transaction hash landed anywhere in the old one, and the key serves the rollback's "above
this block" reads too, so every history row costs one index entry fewer.

A database that holds two rows at one (chain, block, log index) kept rows of an abandoned
branch (indexers before block-hash checks of every log): the upgrade stops, naming the
table and the block, and changes nothing; re-index from below that block.

Revision ID: 0013_history_log_order_key
Revises: 0012_raw_events_address_name
Create Date: 2026-12-04
"""

from __future__ import annotations

import warnings

import sqlalchemy as sa
from alembic import op

from domacross.db.migrate import MigrationRefusedError

revision = "0013_history_log_order_key"
down_revision = "0012_raw_events_address_name"
branch_labels = None
depends_on = None

TABLES = (
    "raw_events",
    "prices",
    "portfolio_values",
    "pause_changes",
    "prize_results",
    "claims",
    "basket_navs",
    "basket_transfers",
    "basket_nft_claims",
)
LOG_ORDER = ["chain_id", "block_number", "log_index"]
BY_TRANSACTION = ["chain_id", "tx_hash", "log_index"]


def _refuse_duplicates(table: str) -> None:
    # NOTE: the table names are ours, never input.
    found = (
        op.get_bind()
        .execute(
            sa.text(
                f"SELECT chain_id, block_number, log_index FROM {table} "  # noqa: S608
                "GROUP BY chain_id, block_number, log_index HAVING count(*) > 1 "
                "ORDER BY block_number LIMIT 1"
            )
        )
        .first()
    )
    if found is not None:
        chain_id, block, log_index = found
        raise MigrationRefusedError(
            f"{table} holds two rows for log {log_index} of block {block} on chain "
            f"{chain_id}: rows of an abandoned branch were kept. Nothing was changed; "
            f"re-index from below it (`domacross index --rewind-to {block - 1}`) with the "
            "previous release, then upgrade again."
        )


def _rekey(table: str, unique: list[str], index: bool) -> None:
    with warnings.catch_warnings(), op.batch_alter_table(table, schema=None) as batch_op:
        # SQLite's rebuild reflects the tables a foreign key names: SQLAlchemy says it
        # skips the expression index of `users` (lower(username)), which the rebuild
        # neither needs nor touches.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
        batch_op.drop_constraint(f"uq_{table}_event", type_="unique")
        if index:
            batch_op.create_index(f"ix_{table}_chain_block", ["chain_id", "block_number"])
        else:
            batch_op.drop_index(f"ix_{table}_chain_block")
        batch_op.create_unique_constraint(f"uq_{table}_event", unique)


def upgrade() -> None:
    for table in TABLES:
        _refuse_duplicates(table)
    for table in TABLES:
        _rekey(table, LOG_ORDER, index=False)


def downgrade() -> None:
    for table in TABLES:
        _rekey(table, BY_TRANSACTION, index=True)
