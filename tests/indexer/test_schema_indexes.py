"""The migrated schema has exactly the indexes the models declare (both backends), so a
model and its migration cannot drift apart unseen; and history's reads by contract and
event go through their index."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, text

from domacross.db.migrate import downgrade, upgrade
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
            # NOTE: expression indexes (lower(username)) are not reflected; unique
            # constraints are compared by their own test elsewhere: plain indexes here.
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
    engine = create_engine(url)
    with engine.connect() as conn:
        plan = " ".join(
            str(row[-1])
            for row in conn.execute(
                text(
                    "EXPLAIN QUERY PLAN SELECT block_number FROM raw_events"
                    " WHERE address = '0x' AND name IN ('OwnershipTokenMinted', 'Renewed')"
                )
            )
        )
    engine.dispose()
    assert "ix_raw_events_address_name" in plan
    downgrade(url, "0011_basket_nft_claims")
    assert {i[0] for i in _migrated(url)["raw_events"]} == before
