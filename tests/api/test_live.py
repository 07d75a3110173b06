"""Against a real uvicorn server: the leaderboard's Server-Sent Events stream; and the
read-only role on PostgreSQL."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import httpx
import pytest
import uvicorn
from click.testing import CliRunner
from sqlalchemy import create_engine, text, update
from sqlalchemy.exc import DBAPIError

from domacross.api.main import create_app
from domacross.cli import main as cli
from domacross.db.models import CHECKPOINT_ROW, ChainOffset, Participant
from domacross.db.readonly import make_read_engine
from domacross.indexer.ranks import rank_entrants
from tests.api.conftest import wallet


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(app) -> Iterator[str]:
    """`app` on a real uvicorn server in a thread; its base URL."""
    port = _free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def live_server(make_settings, database_url) -> Iterator[str]:
    settings = make_settings(database_url, sse_poll_interval=0.1, sse_keepalive_seconds=0.5)
    with serving(create_app(settings)) as base:
        yield base


def _events(response: httpx.Response) -> Iterator[tuple[str, dict]]:
    name, data = None, []
    for line in response.iter_lines():
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data.append(line.removeprefix("data: "))
        elif line == "" and name:
            yield name, json.loads("".join(data))
            name, data = None, []


def test_leaderboard_stream__standings_change__pushes_new_event(live_server, seed, session):
    competition = seed.competition()
    seed.entrant(competition, wallet(700), 5)
    seed.entrant(competition, wallet(701), 9)
    url = f"{live_server}/api/v1/competitions/{competition.id}/leaderboard/stream"
    with httpx.Client(timeout=10) as client, client.stream("GET", url) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = _events(response)
        name, first = next(events)
        assert name == "leaderboard"
        assert [(e["wallet"], e["rank"]) for e in first["data"]] == [
            (wallet(701), 1),
            (wallet(700), 2),
        ]
        assert first["status"] == "open" and first["total_entrants"] == 2
        session.execute(
            update(Participant)
            .where(Participant.competition_id == competition.id, Participant.portfolio_value == 5)
            .values(portfolio_value=10**30, score_e18=10**30, value_updated_at=first_change_time())
        )
        rank_entrants(session, competition.id)  # with the scores, as the indexer does
        session.commit()
        name, second = next(events)
        assert second["data"][0] == {
            "rank": 1,
            "wallet": wallet(700),
            "username": None,
            "score": str(10**12),
            "score_e18": str(10**30),
            "value": str(10**30),
            "realised_pnl": "0",
            "unrealised_pnl": "0",
        }
    missing = httpx.get(f"{live_server}/api/v1/competitions/999999/leaderboard/stream", timeout=5)
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_leaderboard_stream__many_clients__one_poller_fans_out(make_settings, database_url, seed):
    competition = seed.competition()
    seed.entrant(competition, wallet(710), 5)
    app = create_app(make_settings(database_url, sse_poll_interval=0.1))
    with serving(app) as base, httpx.Client(timeout=10) as client, ExitStack() as streams:
        url = f"{base}/api/v1/competitions/{competition.id}/leaderboard/stream"
        # NOTE: each reader is kept: a dropped generator closes its response.
        readers = [_events(streams.enter_context(client.stream("GET", url))) for _ in range(6)]
        firsts = [next(reader) for reader in readers]
        assert all(first == firsts[0] for first in firsts)
        boards = app.state.live.boards
        assert list(boards) == [competition.id] and boards[competition.id].subscribers == 6


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_leaderboard_stream__postgresql_checkpoint_commit__pushed_without_polling(
    make_settings, database_url, seed, session
):
    competition = seed.competition()
    seed.entrant(competition, wallet(720), 5)
    # Polling once a minute: an event within seconds can only come from NOTIFY.
    app = create_app(make_settings(database_url, sse_poll_interval=60))
    with serving(app) as base, httpx.Client(timeout=10) as client:
        url = f"{base}/api/v1/competitions/{competition.id}/leaderboard/stream"
        with client.stream("GET", url) as response:
            events = _events(response)
            assert next(events)[1]["data"][0]["value"] == "5"
            time.sleep(0.5)  # the LISTEN connection is up
            session.execute(
                update(Participant)
                .where(Participant.competition_id == competition.id)
                .values(portfolio_value=77, value_updated_at=first_change_time())
            )
            session.add(
                ChainOffset(
                    chain_id=competition.chain_id,
                    contract_address=CHECKPOINT_ROW,
                    last_block_number=1,
                )
            )
            session.commit()
            started = time.monotonic()
            name, second = next(events)
            assert time.monotonic() - started < 5
            assert name == "leaderboard" and second["data"][0]["value"] == "77"
        assert app.state.live.notifications >= 1


def first_change_time():
    from datetime import UTC, datetime

    return datetime.now(UTC)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_readonly_role__postgresql__writes_refused(database_url, pg_admin, monkeypatch):
    role = f"domacross_api_test_ro_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("DOMACROSS_DATABASE_URL", database_url)
    result = CliRunner().invoke(cli, ["db", "create-readonly-role", "--name", role])
    assert result.exit_code == 0, result.output
    read_url = database_url.replace("postgres@", f"{role}@", 1)
    try:
        # The role alone (no READ ONLY session setting) has no write privilege...
        raw = create_engine(read_url)
        with raw.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM users")).scalar() == 0
            with pytest.raises(DBAPIError, match=r"permission denied|read-only"):
                connection.execute(
                    text("INSERT INTO users (wallet_address, created_at) VALUES ('0x1', now())")
                )
        raw.dispose()
        # ...and the API's read engine refuses writes whatever the role.
        for url in (read_url, database_url):
            engine = make_read_engine(url)
            with engine.connect() as connection, pytest.raises(DBAPIError, match="read-only"):
                connection.execute(text("DELETE FROM users"))
            engine.dispose()
    finally:
        with pg_admin.connect() as connection:
            name = database_url.rsplit("/", 1)[1]
            other = create_engine(pg_admin.url.set(database=name), isolation_level="AUTOCOMMIT")
            with other.connect() as inner:
                inner.execute(text(f"DROP OWNED BY {role}"))
            other.dispose()
            connection.execute(text(f"DROP ROLE IF EXISTS {role}"))
