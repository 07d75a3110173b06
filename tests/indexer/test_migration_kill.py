"""A process killed at any statement of the first migrations leaves a SQLite database at
one of the revisions, never between two (each runs in a transaction, as on PostgreSQL),
so the next `upgrade` completes it."""

from __future__ import annotations

import multiprocessing
import os
import random

from sqlalchemy import Engine, create_engine, event, inspect, text

from domacross.db.migrate import alembic_config, upgrade


def _killed_upgrade(url: str, statement: int) -> None:
    """Child: dies (as SIGKILL would: no cleanup, no rollback) before its N-th statement."""
    seen = [0]

    @event.listens_for(Engine, "before_cursor_execute")
    def _count(*_: object) -> None:
        seen[0] += 1
        if seen[0] >= statement:
            os._exit(137)

    upgrade(url)
    os._exit(0)


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def _revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def test_sqlite_first_migration_killed_anywhere__next_upgrade_completes(tmp_path):
    # The tables at each revision, from databases migrated without interruption.
    at: dict[str | None, set[str]] = {None: set()}
    for revision in _revisions():
        reference = f"sqlite:///{tmp_path / f'reference-{revision}.db'}"
        upgrade(reference, revision)
        at[revision] = _tables(reference)
    complete = at[_revisions()[-1]]
    assert "alembic_version" in complete and len(complete) > 20
    fork = multiprocessing.get_context("fork")
    rng = random.Random(8)
    for i, statement in enumerate([3, 10, *sorted(rng.sample(range(11, 160), 4))]):
        url = f"sqlite:///{tmp_path / f'killed{i}.db'}"
        child = fork.Process(target=_killed_upgrade, args=(url, statement))
        child.start()
        child.join(timeout=120)
        assert child.exitcode in (0, 137)
        left = _tables(url)
        revision = _revision(url) if "alembic_version" in left else None
        assert left == at[revision], f"killed at statement {statement}: {sorted(left)}"
        upgrade(url)  # the next start
        assert _tables(url) == complete
