"""`domacross serve --workers 2`: a rate limit and a sign-in hold across the processes
(counters in Redis at 127.0.0.1:6379, nonces in the database, one signing key)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from eth_account import Account
from redis import Redis

from domacross.db.migrate import upgrade
from tests.api.test_auth_users import sign_in_body

DOMACROSS = str(Path(sys.executable).with_name("domacross"))


def _redis_or_skip() -> None:
    try:
        Redis(host="127.0.0.1", port=6379, socket_connect_timeout=2).ping()
    except Exception as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis not reachable at 127.0.0.1:6379: {exc}")
        pytest.skip(f"Redis not reachable at 127.0.0.1:6379: {type(exc).__name__}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _fresh(method: str, url: str, **kwargs) -> httpx.Response:
    """One request on a new connection, so the kernel may hand it to either worker."""
    with httpx.Client(timeout=10, headers={"Connection": "close"}) as client:
        return client.request(method, url, **kwargs)


def test_serve_workers__limit_and_sign_in__hold_across_two_processes(tmp_path):
    _redis_or_skip()
    url = f"sqlite:///{tmp_path / 'workers.db'}"
    upgrade(url)
    prefix = f"domacross-test-{uuid.uuid4().hex[:8]}"
    port = _free_port()
    env = {
        **os.environ,
        "DOMACROSS_DATABASE_URL": url,
        "DOMACROSS_RATE_LIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
        "DOMACROSS_RATE_LIMIT_KEY_PREFIX": prefix,
        "DOMACROSS_RATE_LIMIT_IP": "14/minute",
        "DOMACROSS_SIWE_DOMAIN": "app.domacross.test",
    }
    server = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        [DOMACROSS, "serve", "--workers", "2", "--port", str(port), "--log-level", "warning"],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _fresh("GET", f"{base}/health").status_code in (200, 503):
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "serve --workers 2 did not start"
            time.sleep(0.2)
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        assert len(children) >= 2, children  # two workers (plus maybe a resource tracker)

        # Sign-in: nonce from one connection, verify and use the token on fresh ones.
        account = Account.create()
        nonce = _fresh("GET", f"{base}/auth/nonce").json()["nonce"]
        verified = _fresh("POST", f"{base}/auth/verify", json=sign_in_body(account, nonce))
        assert verified.status_code == 200, verified.text
        bearer = {"Authorization": f"Bearer {verified.json()['access_token']}"}
        for _ in range(6):
            me = _fresh(
                "POST", f"{base}/api/v1/users", json={"wallet_address": account.address},
                headers=bearer,
            )  # fmt: skip
            assert me.status_code in (200, 201), me.text
        replay = _fresh("POST", f"{base}/auth/verify", json=sign_in_body(account, nonce))
        assert replay.status_code == 401  # the nonce was used, whichever worker answers

        # 9 limited requests so far; 14 per minute in all, whichever worker counts them.
        statuses = [_fresh("GET", f"{base}/api/v1/competitions").status_code for _ in range(9)]
        assert statuses == [200] * 5 + [429] * 4
    finally:
        server.terminate()
        server.wait(timeout=20)
        redis = Redis(host="127.0.0.1", port=6379)
        for key in redis.scan_iter(f"{prefix}*"):
            redis.delete(key)


def test_serve_workers__memory_counters__refused_with_what_to_do(tmp_path):
    env = {**os.environ, "DOMACROSS_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    env.pop("DOMACROSS_RATE_LIMIT_STORAGE_URI", None)
    done = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [DOMACROSS, "serve", "--workers", "2", "--port", str(_free_port())],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0
    assert "DOMACROSS_RATE_LIMIT_STORAGE_URI=redis://127.0.0.1:6379" in done.stderr
