"""The migrated schema has exactly the indexes and unique keys the models declare (both
backends), so a model and its migration cannot drift apart unseen; history's reads by
contract and event, and rollbacks by block, go through their index."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import UniqueConstraint, create_engine, inspect, text

from domacross.cli import main
from domacross.db.migrate import MigrationRefusedError, downgrade, upgrade
from domacross.db.models import Base


def _name(element: object) -> str:
    """A column's name, or the column of an ordering such as text("score_e18 DESC")."""
    return str(getattr(element, "name", None) or str(element).split()[0])


def _declared() -> dict[str, set[tuple[str, tuple[str, ...], bool]]]:
    found: dict[str, set[tuple[str, tuple[str, ...], bool]]] = {}
    for table in Base.metadata.sorted_tables:
        found[table.name] = {
            (str(index.name), tuple(_name(e) for e in index.expressions), bool(index.unique))
            for index in table.indexes
            # NOTE: expression indexes (lower(username)) are not reflected; unique keys
            # are compared by the next test: plain indexes here.
            if not index.unique and not any("(" in str(e) for e in index.expressions)
        }
    return found


def _migrated(url: str) -> dict[str, set[tuple[str, tuple[str, ...], bool]]]:
    engine = create_engine(url)
    try:
        schema = inspect(engine)
        found = {}
        for name in schema.get_table_names():
            found[name] = {
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in schema.get_indexes(name)
                if None not in i["column_names"] and not i.get("expressions") and not i["unique"]
            }
        return found
    finally:
        engine.dispose()


def _plan(url: str, statement: str) -> str:
    """SQLite's query plan of `statement`, its lines joined."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("EXPLAIN QUERY PLAN " + statement))
            return " ".join(str(row[-1]) for row in rows)
    finally:
        engine.dispose()


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_migrated_schema__indexes__equal_the_models(database_url):
    migrated, declared = _migrated(database_url), _declared()
    for table, indexes in declared.items():
        assert migrated[table] == indexes, table


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_raw_events__address_and_name__one_index_after_0012(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade(url, "0011_basket_nft_claims")
    before = {i[0] for i in _migrated(url)["raw_events"]}
    assert {"ix_raw_events_address", "ix_raw_events_name"} <= before
    upgrade(url)
    after = {i[0] for i in _migrated(url)["raw_events"]}
    assert "ix_raw_events_address_name" in after
    assert not after & {"ix_raw_events_address", "ix_raw_events_name"}
    plan = _plan(
        url,
        "SELECT block_number FROM raw_events"
        " WHERE address = '0x' AND name IN ('OwnershipTokenMinted', 'Renewed')",
    )
    assert "ix_raw_events_address_name" in plan
    downgrade(url, "0011_basket_nft_claims")
    assert {i[0] for i in _migrated(url)["raw_events"]} == before


def _unique_keys(url: str) -> dict[str, set[tuple[str, ...]]]:
    """Every table's unique keys (constraints and unique plain indexes) as column tuples."""
    engine = create_engine(url)
    try:
        schema = inspect(engine)
        found: dict[str, set[tuple[str, ...]]] = {}
        for name in schema.get_table_names():
            keys = {tuple(c["column_names"]) for c in schema.get_unique_constraints(name)}
            keys |= {
                tuple(i["column_names"])
                for i in schema.get_indexes(name)
                if i["unique"] and None not in i["column_names"] and not i.get("expressions")
            }
            found[name] = keys
        return found
    finally:
        engine.dispose()


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_migrated_schema__unique_keys__equal_the_models(database_url):
    migrated = _unique_keys(database_url)
    for table in Base.metadata.sorted_tables:
        declared = {
            tuple(c.name for c in constraint.columns)
            for constraint in table.constraints
            if isinstance(constraint, UniqueConstraint)
        } | {
            tuple(_name(e) for e in index.expressions)
            for index in table.indexes
            if index.unique and not any("(" in str(e) for e in index.expressions)
        }
        assert migrated[table.name] == declared, table.name


HISTORY = ("raw_events", "prices", "portfolio_values", "claims", "basket_nft_claims")


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_history__keyed_in_log_order_after_0013__rollback_reads_use_the_key(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade(url, "0012_raw_events_address_name")
    by_transaction = ("chain_id", "tx_hash", "log_index")
    assert all(by_transaction in _unique_keys(url)[t] for t in HISTORY)
    upgrade(url)
    keys, indexes = _unique_keys(url), _migrated(url)
    for table in HISTORY:
        assert keys[table] == {("chain_id", "block_number", "log_index")}, table
        assert f"ix_{table}_chain_block" not in {i[0] for i in indexes[table]}, table
    plan = _plan(url, "DELETE FROM prices WHERE chain_id = 1 AND block_number > 5")
    assert "USING INDEX sqlite_autoindex_prices_1 (chain_id=? AND block_number>?)" in plan
    downgrade(url, "0012_raw_events_address_name")
    assert all(_unique_keys(url)[t] == {by_transaction} for t in HISTORY)


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_0013__two_rows_at_one_log__refused_with_the_block_and_nothing_changed(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade(url, "0012_raw_events_address_name")
    engine = create_engine(url)
    row = (
        "INSERT INTO prices (chain_id, block_number, tx_hash, log_index, oracle, token,"
        " token_id, fungible, price, previous_price, reporter, overridden, timestamp)"
        " VALUES (7, 41, :tx, 3, '0x', '0x', '0', 0, '1', '0', '0x', 0, '2026-01-01')"
    )
    with engine.begin() as conn:
        conn.execute(text(row), {"tx": "0x" + "aa" * 32})  # the abandoned branch's
        conn.execute(text(row), {"tx": "0x" + "bb" * 32})  # the canonical one
    engine.dispose()
    with pytest.raises(MigrationRefusedError, match=r"prices holds two rows for log 3 of block 41"):
        upgrade(url)
    # What a user runs: one line, no traceback.
    result = CliRunner().invoke(main, ["db", "upgrade"], env={"DOMACROSS_DATABASE_URL": url})
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.output.startswith("Error: cannot migrate the database: prices holds two rows")
    assert "--rewind-to 40" in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    engine = create_engine(url)
    with engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        count = conn.execute(text("SELECT count(*) FROM prices")).scalar_one()
    engine.dispose()
    assert (version, count) == ("0012_raw_events_address_name", 2)
    assert ("chain_id", "tx_hash", "log_index") in _unique_keys(url)["prices"]


def _triggers(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
            else:
                query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            return {str(row[0]) for row in conn.execute(text(query))}
    finally:
        engine.dispose()


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_0014__board_json_and_its_triggers__up_and_down_keep_the_other_triggers(database_url):
    board = {"trg_participants_board_json", "trg_users_board_json"}
    at_head = _triggers(database_url)
    assert board <= at_head
    assert "trg_participants_wallet" in at_head
    downgrade(database_url, "0013_history_log_order_key")
    assert _triggers(database_url) == at_head - board
    engine = create_engine(database_url)
    try:
        columns = {c["name"] for c in inspect(engine).get_columns("participants")}
    finally:
        engine.dispose()
    assert "board_json" not in columns
    upgrade(database_url)
    assert _triggers(database_url) == at_head
    assert ("ix_participants_unrendered", ("chain_id",), False) in _migrated(database_url)[
        "participants"
    ]


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_downgrades_to_0006__participants_keep_their_wallet_trigger(database_url):
    # A batch rebuild of `participants` (SQLite) drops its triggers: every later
    # migration's downgrade must leave the wallet trigger of 0006 in place.
    downgrade(database_url, "0006_bigint_ids")
    assert "trg_participants_wallet" in _triggers(database_url)
    upgrade(database_url)
    assert "trg_participants_wallet" in _triggers(database_url)
