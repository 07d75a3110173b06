"""Hostile input on both backends: every answer is the JSON envelope, never a 500.

Datetimes at the ends of the range, forged cursors (huge ids, non-ASCII digits, NUL),
ids across the int32/int64 edges, bad signatures, odd unicode, sizes and headers.
"""

# ruff: noqa: RUF001 - look-alike unicode characters are the point of these tests

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

from eth_account import Account
from eth_account.messages import encode_defunct

from tests.api.conftest import wallet
from tests.api.test_auth_users import DOMAIN, sign_in_body

WALLET = wallet(901)
ID_ROUTES = (
    "/api/v1/competitions/{id}",
    "/api/v1/competitions/{id}/leaderboard",
    "/api/v1/competitions/{id}/leaderboard/stream",
    "/api/v1/competitions/{id}/trades",
    "/api/v1/baskets/{id}",
)


def forged(kind: str, *key: object) -> str:
    """A cursor as this API encodes them, with any key a client may forge."""
    raw = json.dumps([kind, *key]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def assert_envelope(response, status: int) -> None:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details"} and body["message"]


def test_hostile__datetime_filters_at_range_ends__400_or_200(client):
    out_of_range = {
        "starts_after": "0001-01-01T00:00:00+01:00",
        "ends_before": "9999-12-31T23:59:59-01:00",
        "starts_before": "9999-12-31T23:59:59-14:00",
        "ends_after": "0001-01-01T00:00:00+14:00",
    }
    for name, value in out_of_range.items():
        response = client.get("/api/v1/competitions", params={name: value})
        assert_envelope(response, 400)
        assert name in response.json()["message"]
    in_range = {"starts_after": "0001-01-01T00:00:00Z", "ends_before": "9999-12-31T23:59:59"}
    for name, value in in_range.items():
        response = client.get("/api/v1/competitions", params={name: value})
        assert response.status_code == 200, response.text


def test_hostile__forged_cursors__400_on_every_list(client, seed):
    competition = seed.competition()
    seed.entrant(competition, WALLET, 5)
    lists = {
        "/api/v1/competitions": "competitions",
        f"/api/v1/competitions/{competition.id}/trades": "trades",
        f"/api/v1/users/{WALLET}/activity": "activity",
        f"/api/v1/portfolio/{WALLET}/history": "history",
        "/api/v1/baskets": "baskets",
    }
    when = datetime.now(UTC).isoformat()
    bad_keys = {
        "competitions": [
            (when, 10**30),
            (when, -1),
            (when, 2**63),
            ("0001-01-01T00:00:00+01:00", 1),
        ],
        "trades": [(when, 10**30), ("²⁰²⁶-01-01", 1), (when + "\x00", 1)],
        "activity": [(when, "trade", 10**30), (when, "trade\x00", 1), (when, "tråde", 1)],
        "history": [(when, 10**30), ("9999-12-31T23:59:59-01:00", 1)],
        "baskets": [(10**30,), (2**63,), (-5,)],
    }
    for path, kind in lists.items():
        for key in bad_keys[kind]:
            response = client.get(path, params={"cursor": forged(kind, *key)})
            assert_envelope(response, 400)
    board = f"/api/v1/competitions/{competition.id}/leaderboard"
    for key in [
        ("²", WALLET),  # "²".isdigit() is true, int() refuses it
        ("١٢", WALLET),  # Arabic-Indic digits
        ("9" * 78, WALLET),  # 78 digits but above 2**256
        ("5", "\x00" + WALLET[1:]),  # NUL: PostgreSQL refuses it in text
        ("5", "not-a-wallet"),
        ("5", 5),
    ]:
        assert_envelope(client.get(board, params={"cursor": forged("leaderboard", *key)}), 400)
    for junk in ("%%%", "W10", "bnVsbA", "x" * 512, base64.urlsafe_b64encode(b"[" * 400).decode()):
        assert_envelope(client.get(board, params={"cursor": junk}), 400)


def test_hostile__ids_across_int32_and_int64__404_or_400(client):
    for path in ID_ROUTES:
        for id_ in (2**31 - 1, 2**31, 2**32 + 1, 2**53 + 1, 2**63 - 1):
            assert_envelope(client.get(path.format(id=id_)), 404)
        for id_ in (2**63, 10**30, 0, -1):
            assert_envelope(client.get(path.format(id=id_)), 400)
    by_address = f"/api/v1/competitions/by-address/{2**63 - 1}/{WALLET}"
    assert_envelope(client.get(by_address), 404)
    assert_envelope(client.get(f"/api/v1/competitions/by-address/{2**63}/{WALLET}"), 400)
    assert_envelope(client.get("/api/v1/competitions", params={"chain_id": 2**63}), 400)


def test_hostile__ids_above_int32__stored_and_served(client, seed):
    """int64 end to end: rows whose ids pass 2**31 (and their foreign keys) read back."""
    big = 2**40 + 7
    competition = seed.competition(id=big)
    seed.entrant(competition, WALLET, 3)
    assert client.get(f"/api/v1/competitions/{big}").json()["id"] == big
    board = client.get(f"/api/v1/competitions/{big}/leaderboard").json()
    assert [entry["wallet"] for entry in board["data"]] == [WALLET]
    edge = seed.competition(id=2**63 - 1)
    assert client.get(f"/api/v1/competitions/{edge.id}").json()["id"] == 2**63 - 1


def test_hostile__bad_signatures__401_not_500(client):
    account = Account.create()
    signatures = {
        "zero": "0x" + "00" * 65,
        "v=0": "0x" + "11" * 64 + "00",
        "v=0xff": "0x" + "11" * 64 + "ff",
        "r=n": "0x" + "ff" * 32 + "11" * 32 + "1b",
        "s>n": "0x" + "11" * 32 + "ff" * 32 + "1c",
    }
    for name, signature in signatures.items():
        nonce = client.get("/auth/nonce").json()["nonce"]
        body = sign_in_body(account, nonce) | {"signature": signature}
        response = client.post("/auth/verify", json=body)
        assert_envelope(response, 401)
        assert response.json()["code"] == "unauthorized", name
    for signature in ("0x" + "00" * 64, "0x" + "zz" * 65, "00" * 65, "0x" + "٠" * 130):
        body = {"message": "x", "signature": signature}
        assert_envelope(client.post("/auth/verify", json=body), 400)


def _message(account, nonce, **overrides) -> str:
    now = datetime.now(UTC)
    fields = {
        "domain": DOMAIN,
        "uri": f"https://{DOMAIN}/",
        "chain": "97476",
        "issued": now.isoformat().replace("+00:00", "Z"),
        "statement": "Sign in to DomaCross",
        "extra": "",
    } | overrides
    return (
        f"{fields['domain']} wants you to sign in with your Ethereum account:\n"
        f"{account.address}\n\n{fields['statement']}\n\n"
        f"URI: {fields['uri']}\nVersion: 1\nChain ID: {fields['chain']}\nNonce: {nonce}\n"
        f"Issued At: {fields['issued']}{fields['extra']}"
    )


def _signed(account, text: str) -> dict[str, str]:
    signature = account.sign_message(encode_defunct(text=text)).signature.hex()
    return {"message": text, "signature": "0x" + signature.removeprefix("0x")}


def test_siwe__uri_issued_at_not_before_checked__401(client):
    account = Account.create()
    now = datetime.now(UTC)
    iso = lambda t: t.isoformat().replace("+00:00", "Z")  # noqa: E731
    refused = {
        "uri elsewhere": {"uri": "https://evil.test/"},
        "uri lookalike": {"uri": f"https://{DOMAIN}.evil.test/"},
        "issued ten years ago": {"issued": iso(now - timedelta(days=3_650))},
        "issued ten years ahead": {"issued": iso(now + timedelta(days=3_650))},
        "issued an hour ahead": {"issued": iso(now + timedelta(hours=1))},
        "not before tomorrow": {"extra": f"\nNot Before: {iso(now + timedelta(days=1))}"},
        "expired": {"extra": f"\nExpiration Time: {iso(now - timedelta(minutes=5))}"},
        "wrong domain": {"domain": "evil.test", "uri": "https://evil.test/"},
    }
    for name, overrides in refused.items():
        nonce = client.get("/auth/nonce").json()["nonce"]
        response = client.post(
            "/auth/verify", json=_signed(account, _message(account, nonce, **overrides))
        )
        assert response.status_code == 401, (name, response.text)
    nonce = client.get("/auth/nonce").json()["nonce"]
    fine = _message(
        account,
        nonce,
        issued=iso(now - timedelta(seconds=30)),
        extra=f"\nExpiration Time: {iso(now + timedelta(minutes=5))}",
    )
    assert client.post("/auth/verify", json=_signed(account, fine)).status_code == 200


def test_siwe__chain_not_accepted__401(make_client, database_url):
    client = make_client(database_url, siwe_chain_ids=[1])
    account = Account.create()
    nonce = client.get("/auth/nonce").json()["nonce"]
    response = client.post("/auth/verify", json=_signed(account, _message(account, nonce)))
    assert_envelope(response, 401)


def test_siwe__malformed_or_oversized_messages__400(client):
    account = Account.create()
    nonce = client.get("/auth/nonce").json()["nonce"]
    good = _message(account, nonce)
    shapes = {
        "4 KB statement": _message(account, nonce, statement="a" * 3_900),
        "too long": good + "\nRequest ID: " + "r" * 4_096,
        "many lines": good + "\nResources:" + "\n- x:y" * 100,
        "chain id superscript": _message(account, nonce, chain="²"),
        "chain id huge": _message(account, nonce, chain="9" * 40),
        "unicode domain header": good.replace(" wants you", " wänts you"),
        "NUL in statement": _message(account, nonce, statement="hi\x00there"),
        "not canonical": good.replace("Version: 1", "Version:  1"),
        "CRLF": good.replace("\n", "\r\n"),
        "empty lines only": "\n" * 20,
    }
    for name, text in shapes.items():
        response = client.post("/auth/verify", json=_signed(account, text))
        assert response.status_code in (400, 413), (name, response.text)
        assert response.json()["code"] == "validation_error", name


def test_headers__non_bearer_schemes__401(client):
    body = {"wallet_address": wallet(902)}
    for value in ("Basic YWxpY2U6c2VjcmV0", "Digest username=x", "bearer", "Token abc", "Bearer"):
        response = client.post("/api/v1/users", json=body, headers={"Authorization": value})
        assert_envelope(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"
    assert client.post("/api/v1/users", json=body).status_code == 201


def test_headers__oversized_or_odd__never_500(client):
    odd = {
        "X-Forwarded-For": "1.2.3.4, " * 500,
        "Last-Event-ID": "é" * 10,
        "Accept": "\x7f" * 100,
        "Content-Length": "abc",
    }
    for name, value in odd.items():
        response = client.get("/api/v1/competitions", headers={name: value.encode("latin-1")})
        assert response.status_code < 500, name


def test_limit_above_maximum__400_says_the_maximum(client):
    response = client.get("/api/v1/competitions", params={"limit": 201})
    assert_envelope(response, 400)
    assert response.json()["details"] == {"max_limit": 200}
    assert client.get("/api/v1/competitions", params={"limit": 200}).status_code == 200


def test_unicode_paths_and_queries__400_or_404(client):
    for path in (
        "/api/v1/competitions/１２",  # fullwidth digits
        "/api/v1/competitions/٣",
        f"/api/v1/users/{WALLET[:-1]}٣",
        "/api/v1/portfolio/0x" + "０" * 40,
        "/api/v1/competitions?min_entry_fee=²",
        "/api/v1/competitions?status=ｏｐｅｎ",
        "/api/v1/competitions/%00",
        "/api/v1/users/%F0%9F%92%A9",
    ):
        response = client.get(path)
        assert response.status_code in (400, 404), (path, response.text)
        assert response.headers["content-type"].startswith("application/json")


def test_forwarded_for__hops_counted_from_the_right__spoofed_entries_ignored(
    make_client, sqlite_only_url
):
    client = make_client(
        sqlite_only_url, rate_limit_enabled=True, rate_limit_ip="2/minute", trusted_proxy_hops=1
    )
    # The proxy appends the address it saw (10.0.0.9); whatever the client put first varies.
    statuses = [
        client.get(
            "/api/v1/competitions", headers={"X-Forwarded-For": f"6.6.6.{n}, 10.0.0.9"}
        ).status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]
    other = client.get("/api/v1/competitions", headers={"X-Forwarded-For": "6.6.6.1, 10.0.0.10"})
    assert other.status_code == 200

    two = make_client(
        sqlite_only_url, rate_limit_enabled=True, rate_limit_ip="1/minute", trusted_proxy_hops=2
    )
    hops = {"X-Forwarded-For": "6.6.6.6, 10.0.0.20, 10.1.1.1"}
    assert two.get("/api/v1/competitions", headers=hops).status_code == 200
    spoofed = {"X-Forwarded-For": "7.7.7.7, 10.0.0.20, 10.1.1.1"}
    assert_envelope(two.get("/api/v1/competitions", headers=spoofed), 429)


def test_cors__refused_preflight__envelope(make_client, sqlite_only_url):
    client = make_client(sqlite_only_url, cors_origins=["https://app.domacross.test"])
    response = client.options(
        "/api/v1/competitions",
        headers={"Origin": "https://evil.test", "Access-Control-Request-Method": "GET"},
    )
    assert_envelope(response, 400)
    assert response.json()["code"] == "validation_error"
    assert "origin" in response.json()["message"]


def test_internal_error__logged_without_bound_parameters(make_client, tmp_path, caplog):
    from sqlalchemy import create_engine, text

    from domacross.db.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'broken.db'}"
    upgrade(url)
    engine = create_engine(url)
    with engine.begin() as connection:  # a database the API cannot read: a real 500
        connection.execute(text("DROP TABLE competitions"))
    engine.dispose()
    client = make_client(url)
    with caplog.at_level("ERROR", logger="domacross.api"):
        response = client.get(f"/api/v1/competitions/{987_654_321}")
    assert_envelope(response, 500)
    assert response.json()["message"] == "internal error"
    logged = caplog.text
    assert "no such table" in logged  # the failure is logged...
    assert "[parameters:" not in logged and "parameters hidden" in logged  # not its values
