"""Fixtures of the API tests: migrated databases (SQLite, and PostgreSQL on port 5432),
apps over them, a signing key, and factories that seed rows through the models."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest
from eth_account import Account
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from domacross.api.main import create_app
from domacross.api.security import generate_private_key_pem
from domacross.db.engine import make_engine, session_factory
from domacross.db.migrate import upgrade
from domacross.db.models import Base, Competition, Participant, PortfolioValue, User
from domacross.indexer.projections.board import render_entries
from domacross.indexer.ranks import rank_entrants
from domacross.settings import Settings

PG_ADMIN_URL = os.environ.get(
    "DOMACROSS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
NOW = datetime.now(UTC).replace(microsecond=0)


def _pg_available() -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {type(exc).__name__}"
    return None


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine]:
    """An admin engine on PostgreSQL; skipped without one, except under CI where it fails."""
    reason = _pg_available()
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason} (CI=true: PostgreSQL tests must run)")
        pytest.skip(reason)
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def create_pg_database(admin: Engine) -> str:
    name = f"domacross_api_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return admin.url.set(database=name).render_as_string(hide_password=False)


def drop_pg_database(admin: Engine, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('api-db') / 'api.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def postgresql_url(pg_admin: Engine) -> Iterator[str]:
    url = create_pg_database(pg_admin)
    upgrade(url)
    yield url
    drop_pg_database(pg_admin, url)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated, empty database of each backend."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    yield url
    engine = make_engine(url)
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()


@pytest.fixture
def sqlite_only_url(sqlite_url: str) -> Iterator[str]:
    yield sqlite_url
    engine = make_engine(sqlite_url)
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()


@pytest.fixture(scope="session")
def private_key_pem() -> str:
    return generate_private_key_pem().decode()


@pytest.fixture
def make_settings(private_key_pem: str) -> Callable[..., Settings]:
    def make(url: str, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": url,
            "jwt_private_key": private_key_pem,
            "rate_limit_enabled": False,
            "siwe_domain": "app.domacross.test",
        }
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def make_client(make_settings: Callable[..., Settings]) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(url: str, **overrides: Any) -> TestClient:
        client = TestClient(create_app(make_settings(url, **overrides)))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient], database_url: str) -> TestClient:
    return make_client(database_url)


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    engine = make_engine(database_url)
    with session_factory(engine)() as session:
        yield session
    engine.dispose()


def wallet(n: int) -> str:
    """A deterministic checksummed address (what the indexer stores)."""
    return Account.from_key(n.to_bytes(32, "big")).address


_seq = count(1)


class Seed:
    """Rows as the indexer writes them, through the models."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def competition(self, **overrides: Any) -> Competition:
        n = next(_seq)
        values: dict[str, Any] = {
            "chain_id": 97476,
            "contract_address": wallet(10_000 + n),
            "factory_address": wallet(1),
            "organizer": wallet(2),
            "registry_index": n,
            "name": f"Competition {n}",
            "start_time": NOW - timedelta(hours=1),
            "end_time": NOW + timedelta(days=1),
            "claim_deadline": NOW + timedelta(days=4),
            "dispute_window": 3_600,
            "entry_fee": 10**17,
            "max_participants": 1_000,
            "rake_bps": 500,
            "payout_bps": [6_000, 3_000, 1_000],
            "oracle": wallet(3),
            "tracker": wallet(4),
            "treasury": wallet(5),
            "created_block": n,
            "created_tx": "0x" + f"{n:064x}",
        }
        values.update(overrides)
        competition = Competition(**values)
        self.session.add(competition)
        self.session.commit()
        return competition

    def user(self, address: str, username: str | None = None) -> User:
        user = self.session.query(User).filter_by(wallet_address=address).one_or_none()
        if user is None:
            user = User(wallet_address=address, username=username)
            self.session.add(user)
            self.session.commit()
        return user

    def entrant(
        self, competition: Competition, address: str, value: int, score_e18: int | None = None
    ) -> Participant:
        """An entrant worth `value`; its score (what ranks) is `score_e18`, by default
        `value` (in wei x 10**18)."""
        user = self.user(address)
        n = next(_seq)
        participant = Participant(
            user_id=user.id,
            competition_id=competition.id,
            chain_id=competition.chain_id,
            joined_block=n,
            joined_tx="0x" + f"{n:064x}",
            joined_log_index=0,
            joined_at=NOW - timedelta(minutes=30),
            fee=competition.entry_fee,
            portfolio_value=value,
            value_updated_at=NOW,
            score_e18=value if score_e18 is None else score_e18,
        )
        self.session.add(participant)
        competition.participant_count += 1
        rank_entrants(self.session, competition.id)  # as the indexer does with the scores
        render_entries(self.session, competition.chain_id)  # and with the values
        self.session.commit()
        return participant

    def value(
        self, competition: Competition, address: str, value: int, at: datetime
    ) -> PortfolioValue:
        n = next(_seq)
        row = PortfolioValue(
            competition_id=competition.id,
            user_id=self.user(address).id,
            value=value,
            holdings_count=1,
            holdings_hash="0x" + "ab" * 32,
            timestamp=at,
            chain_id=competition.chain_id,
            block_number=n,
            tx_hash="0x" + f"{n:064x}",
            log_index=0,
        )
        self.session.add(row)
        self.session.commit()
        return row


@pytest.fixture
def seed(session: Session) -> Seed:
    return Seed(session)
