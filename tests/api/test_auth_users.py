"""Sign-In with Ethereum, session tokens, logout, users and usernames."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta

import jwt
from eth_account import Account
from eth_account.messages import encode_defunct

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from siwe import SiweMessage

DOMAIN = "app.domacross.test"


def sign_in_body(account, nonce, *, domain=DOMAIN, expires=None, chain_id=97476, signer=None):
    fields = {
        "domain": domain,
        "address": account.address,
        "statement": "Sign in to DomaCross",
        "uri": f"https://{domain}/",
        "version": "1",
        "chain_id": chain_id,
        "nonce": nonce,
        "issued_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
    }
    if expires is not None:
        fields["expiration_time"] = expires.isoformat().replace("+00:00", "Z")
    text = SiweMessage(**fields).prepare_message()
    signature = (signer or account).sign_message(encode_defunct(text=text)).signature
    return {"message": text, "signature": "0x" + signature.hex().removeprefix("0x")}


def sign_in(client, account=None):
    account = account or Account.create()
    nonce = client.get("/auth/nonce").json()["nonce"]
    response = client.post("/auth/verify", json=sign_in_body(account, nonce))
    assert response.status_code == 200, response.text
    return account, {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_sign_in__valid_message__rs256_token_and_user_created(client, private_key_pem):
    account = Account.create()
    nonce = client.get("/auth/nonce")
    assert nonce.headers["cache-control"] == "no-store"
    assert nonce.json()["domain"] == DOMAIN
    response = client.post("/auth/verify", json=sign_in_body(account, nonce.json()["nonce"]))
    assert response.status_code == 200
    token = response.json()["access_token"]
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    assert response.json()["wallet"] == account.address
    assert client.get(f"/api/v1/users/{account.address}").json()["username"] is None


def test_sign_in__nonce_reused__401(client):
    account = Account.create()
    body = sign_in_body(account, client.get("/auth/nonce").json()["nonce"])
    assert client.post("/auth/verify", json=body).status_code == 200
    again = client.post("/auth/verify", json=body)
    assert again.status_code == 401
    assert again.json()["code"] == "unauthorized"


def test_sign_in__unknown_or_expired_nonce__401(make_client, sqlite_only_url):
    client = make_client(sqlite_only_url, nonce_ttl_seconds=10)
    account = Account.create()
    assert client.post("/auth/verify", json=sign_in_body(account, "a" * 16)).status_code == 401
    from sqlalchemy import update

    from domacross.db.engine import make_engine
    from domacross.db.models import AuthNonce

    nonce = client.get("/auth/nonce").json()["nonce"]
    engine = make_engine(sqlite_only_url)
    with engine.begin() as connection:
        connection.execute(
            update(AuthNonce).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    engine.dispose()
    assert client.post("/auth/verify", json=sign_in_body(account, nonce)).status_code == 401


def test_sign_in__wrong_domain_forged_or_expired_message__401(client):
    account, other = Account.create(), Account.create()
    cases = {
        "domain": {"domain": "evil.test"},
        "signer": {"signer": other},
        "expired": {"expires": datetime.now(UTC) - timedelta(minutes=1)},
    }
    for name, kwargs in cases.items():
        nonce = client.get("/auth/nonce").json()["nonce"]
        response = client.post("/auth/verify", json=sign_in_body(account, nonce, **kwargs))
        assert response.status_code == 401, name
        assert response.json()["code"] == "unauthorized"
    # A forged attempt does not burn the nonce of the real owner.
    nonce = client.get("/auth/nonce").json()["nonce"]
    forged = sign_in_body(account, nonce, signer=other)
    assert client.post("/auth/verify", json=forged).status_code == 401
    assert client.post("/auth/verify", json=sign_in_body(account, nonce)).status_code == 200


def test_sign_in__nonce_bound_to_another_wallet__401(client):
    account, other = Account.create(), Account.create()
    nonce = client.get("/auth/nonce", params={"wallet": other.address}).json()["nonce"]
    assert client.post("/auth/verify", json=sign_in_body(account, nonce)).status_code == 401


def test_sign_in__not_eip4361__400(client):
    body = {"message": "hello", "signature": "0x" + "11" * 65}
    response = client.post("/auth/verify", json=body)
    assert response.status_code == 400 and response.json()["code"] == "validation_error"


def test_logout__token_revoked__later_requests_401(client):
    _, headers = sign_in(client)
    body = {"username": "dora_1"}
    assert client.put("/api/v1/users/me/username", json=body, headers=headers).status_code == 200
    assert client.post("/auth/logout", headers=headers).json() == {"message": "signed out"}
    again = client.put("/api/v1/users/me/username", json=body, headers=headers)
    assert again.status_code == 401 and again.json()["message"] == "session token revoked"


def test_token__expired_or_signed_by_another_key__401(client, private_key_pem):
    account, _ = sign_in(client)
    now = datetime.now(UTC)
    claims = {
        "iss": "domacross-api",
        "aud": "domacross-api",
        "sub": account.address,
        "jti": "x",
        "iat": int((now - timedelta(hours=2)).timestamp()),
        "exp": int((now - timedelta(hours=1)).timestamp()),
    }
    expired = jwt.encode(claims, private_key_pem, algorithm="RS256")
    from domacross.api.security import generate_private_key_pem

    claims["exp"] = int((now + timedelta(hours=1)).timestamp())
    foreign = jwt.encode(claims, generate_private_key_pem(), algorithm="RS256")
    hs256 = jwt.encode(claims, "secret-secret-secret-secret-secret", algorithm="HS256")
    for token in (expired, foreign, hs256, "garbage"):
        response = client.post("/auth/logout", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token
    assert client.post("/auth/logout").status_code == 401


def test_users__create_on_connect__201_then_200(client):
    address = Account.create().address
    created = client.post("/api/v1/users", json={"wallet_address": address.lower()})
    assert created.status_code == 201 and created.json()["wallet_address"] == address
    again = client.post("/api/v1/users", json={"wallet_address": address})
    assert again.status_code == 200
    assert client.get(f"/api/v1/users/{address}").json()["wallet_address"] == address
    assert client.get(f"/api/v1/users/{Account.create().address}").status_code == 404


def test_users__username_without_or_with_foreign_token__401_403(client):
    address = Account.create().address
    body = {"wallet_address": address, "username": "squatter"}
    assert client.post("/api/v1/users", json=body).status_code == 401
    _, headers = sign_in(client)
    assert client.post("/api/v1/users", json=body, headers=headers).status_code == 403
    assert client.put("/api/v1/users/me/username", json={"username": "nope"}).status_code == 401


def test_users__username_taken_any_case__409(client):
    _, alice = sign_in(client)
    _, bob = sign_in(client)
    ok = client.put("/api/v1/users/me/username", json={"username": "Alice"}, headers=alice)
    assert ok.status_code == 200 and ok.json()["username"] == "Alice"
    taken = client.put("/api/v1/users/me/username", json={"username": "alice"}, headers=bob)
    assert taken.status_code == 409 and taken.json()["code"] == "conflict"
    same = client.put("/api/v1/users/me/username", json={"username": "ALICE"}, headers=alice)
    assert same.status_code == 200  # renaming oneself in another case is fine
    bad = client.put("/api/v1/users/me/username", json={"username": "no spaces"}, headers=bob)
    assert bad.status_code == 400 and bad.json()["details"][0]["loc"] == ["body", "username"]
