"""What every route shares: the error envelope, limits, headers, CORS, health, metrics."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from eth_account import Account
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from domacross.api.metrics import ApiMetrics
from domacross.api.middleware import BodySizeLimitMiddleware, EdgeMiddleware
from domacross.db.engine import make_engine, session_factory
from domacross.db.models import IndexerStatus
from domacross.settings import Settings
from tests.api.test_auth_users import sign_in


def test_validation_error__fastapi_422__400_envelope(make_client, sqlite_only_url):
    client = make_client(sqlite_only_url)
    response = client.get("/api/v1/competitions", params={"limit": 0, "status": "nope"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert {tuple(d["loc"]) for d in body["details"]} == {("query", "limit"), ("query", "status")}
    assert set(body) == {"code", "message", "details"}


def test_unknown_path_and_method__envelope(make_client, sqlite_only_url):
    client = make_client(sqlite_only_url)
    missing = client.get("/nope")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    wrong = client.delete("/api/v1/competitions")
    assert wrong.status_code == 405 and wrong.json()["code"] == "validation_error"


def test_unhandled_exception__500_envelope_without_trace(make_client, sqlite_only_url, caplog):
    client = make_client(sqlite_only_url)

    @client.app.get("/boom")
    def boom() -> dict[str, str]:
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {"code": "internal", "message": "internal error", "details": None}
    assert "secret" not in response.text and "Traceback" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "secret internals" in caplog.text  # logged for operators


def test_body_too_large__413_envelope(make_client, sqlite_only_url):
    client = make_client(sqlite_only_url, max_body_bytes=1_024)
    body = {"wallet_address": Account.create().address, "pad": "x" * 2_000}
    response = client.post("/api/v1/users", json=body)
    assert response.status_code == 413
    assert response.json()["code"] == "validation_error"
    assert response.json()["details"] == {"max_bytes": 1_024}

    def chunks():  # no Content-Length: counted while reading
        for _ in range(4):
            yield b"x" * 512

    chunked = client.post(
        "/auth/verify", content=chunks(), headers={"content-type": "application/json"}
    )
    assert chunked.status_code == 413


def test_rate_limit__per_ip_and_per_wallet__429_with_retry_after(make_client, sqlite_only_url):
    client = make_client(
        sqlite_only_url,
        rate_limit_enabled=True,
        rate_limit_ip="5/minute",
        rate_limit_wallet="2/minute",
    )
    statuses = [client.get("/api/v1/competitions").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    limited = client.get("/api/v1/competitions")
    assert limited.json()["code"] == "rate_limited" and int(limited.headers["retry-after"]) >= 1
    assert client.get("/health").status_code == 200  # probes are never limited

    client = make_client(
        sqlite_only_url,
        rate_limit_enabled=True,
        rate_limit_ip="50/minute",
        rate_limit_wallet="2/minute",
    )
    _, headers = sign_in(client)
    statuses = [client.get("/api/v1/competitions", headers=headers).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get("/api/v1/competitions").status_code == 200  # same IP, no wallet


def test_security_headers__on_every_response(make_client, sqlite_only_url):
    client = make_client(sqlite_only_url)
    for response in (client.get("/api/v1/competitions"), client.get("/nope")):
        headers = response.headers
        assert headers["strict-transport-security"].startswith("max-age=63072000")
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
        assert "default-src 'none'" in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_cors__configured_origin_only(make_client, sqlite_only_url):
    client = make_client(sqlite_only_url, cors_origins=["https://app.domacross.test"])
    preflight = {"Access-Control-Request-Method": "GET"}
    allowed = client.options(
        "/api/v1/competitions", headers={"Origin": "https://app.domacross.test", **preflight}
    )
    assert allowed.headers["access-control-allow-origin"] == "https://app.domacross.test"
    other = client.get("/api/v1/competitions", headers={"Origin": "https://evil.test"})
    assert "access-control-allow-origin" not in other.headers


def _status(url, **values):
    engine = make_engine(url)
    with session_factory(engine)() as session:
        defaults = {
            "head_block": 100,
            "indexed_block": 99,
            "lag_blocks": 1,
            "lag_seconds": 2.0,
            "breaker_state": "closed",
            "updated_at": datetime.now(UTC),
        }
        session.add(IndexerStatus(**{**defaults, **values}))
        session.commit()
    engine.dispose()


def test_health__indexer_status__ok_or_degraded(client, database_url):
    assert client.get("/health").json() == {"status": "ok", "database": "ok", "chains": []}
    _status(database_url, chain_id=1)
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["chains"][0]["lag_blocks"] == 1
    _status(database_url, chain_id=2, lag_blocks=10, indexed_block=90)
    _status(database_url, chain_id=3, updated_at=datetime.now(UTC) - timedelta(hours=1))
    body = client.get("/health").json()
    assert body["status"] == "degraded"
    assert [c["healthy"] for c in body["chains"]] == [True, False, False]


def test_health__database_unreachable__503(make_client, tmp_path):
    client = make_client(f"sqlite:///{tmp_path}/missing/dir/db.sqlite")
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "down", "database": "unreachable", "chains": []}


def test_metrics__route_counts_latency_and_indexer_lag(client, database_url):
    _status(database_url, chain_id=97476, lag_blocks=4, lag_seconds=8.5)
    client.get("/api/v1/competitions/1")
    client.get("/api/v1/competitions/2")
    response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    text_ = response.text
    route = 'route="/api/v1/competitions/{competition_id}"'
    assert f'domacross_api_requests_total{{method="GET",{route},status="404"}} 2.0' in text_
    assert (
        f'domacross_api_request_duration_seconds_bucket{{le="0.25",method="GET",{route}}}' in text_
    )
    assert 'domacross_indexer_lag_blocks{chain_id="97476"} 4.0' in text_
    assert 'domacross_indexer_lag_seconds{chain_id="97476"} 8.5' in text_
    assert "domacross_api_database_up 1.0" in text_


def test_read_engine__sqlite__refuses_writes(make_client, sqlite_only_url):
    client = make_client(sqlite_only_url)
    with client.app.state.read_sessions() as session:
        try:
            session.execute(text("DELETE FROM users"))
        except Exception as exc:
            assert "readonly" in str(exc).lower()
        else:
            raise AssertionError("the read engine wrote")


def test_read_engine__autocommit__still_refuses_writes(make_client, database_url):
    """Reads autocommit (no BEGIN/ROLLBACK round trips); each statement is still READ ONLY."""
    client = make_client(database_url)
    engine = client.app.state.reader.engine
    with engine.connect() as connection:
        dbapi = connection.connection.dbapi_connection
        if engine.dialect.name == "postgresql":
            assert dbapi.autocommit
        else:
            assert dbapi.isolation_level is None  # pysqlite's autocommit
        with pytest.raises(DBAPIError, match=r"(?i)read-only|readonly"):
            connection.execute(text("DELETE FROM users"))


async def _read_body(scope, receive, send) -> None:
    """A bare ASGI app that reads its body outside any route (no FastAPI handler)."""
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


def test_edge__body_over_limit_outside_a_route__413_envelope_with_headers(sqlite_only_url):
    settings = Settings(database_url=sqlite_only_url)
    metrics = ApiMetrics(session_factory(make_engine(sqlite_only_url)))
    app = EdgeMiddleware(
        BodySizeLimitMiddleware(_read_body, max_bytes=8),
        settings=settings,
        docs_paths=frozenset(),
        metrics=metrics,
    )
    chunks = iter([b"x" * 6, b"x" * 6])
    sent: list[dict] = []

    async def receive() -> dict:
        body = next(chunks, b"")
        return {"type": "http.request", "body": body, "more_body": bool(body)}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/raw", "headers": []}
    asyncio.run(app(scope, receive, send))
    start, body = sent
    assert start["status"] == 413
    assert dict(start["headers"])[b"x-content-type-options"] == b"nosniff"
    assert json.loads(body["body"]) == {
        "code": "validation_error",
        "message": "request body too large",
        "details": {"max_bytes": 8},
    }
    assert metrics.requests.labels("POST", "unmatched", "413")._value.get() == 1
