"""`/auth/verify` under 4 KB messages, over a real server (`make bench-auth`).

The sign-in message is read within bounds before any field is parsed, so a hostile message
costs linear work. Measured: response times of 4,096-character messages of several shapes
(one long statement, many resources, garbage), sent one after the other to a real
`domacross serve` over SQLite. Yardstick in the same run: `GET /health` on that server.
Target: p95 < 50 ms (the parser it replaced took 6-9 s of CPU on such a message).
"""

from __future__ import annotations

import statistics
import sys
import time
import uuid
from pathlib import Path

import click
import httpx
from eth_account import Account
from eth_account.messages import encode_defunct

from bench.results import Row, Target, report
from bench.server import served
from domacross.db.migrate import upgrade

TARGET_MS = 50.0
SIZE = 4_096
DOMAIN = "bench.domacross.test"


def messages(account: Account, nonce: str) -> dict[str, str]:
    """Messages of exactly 4,096 characters: valid shape, near-valid, garbage."""
    head = f"{DOMAIN} wants you to sign in with your Ethereum account:\n{account.address}\n\n"
    tail = (
        f"\n\nURI: https://{DOMAIN}/\nVersion: 1\nChain ID: 1\nNonce: {nonce}\n"
        f"Issued At: 2026-01-01T00:00:00Z"
    )

    def fill(prefix: str, suffix: str, unit: str) -> str:
        room = SIZE - len(prefix) - len(suffix)
        return prefix + (unit * (room // len(unit) + 1))[:room] + suffix

    resources = head + "Sign in" + tail + "\nResources:"
    return {
        "long statement": fill(head, tail, "a "),
        "many resources": fill(resources, "", "\n- https://x.test/" + "r" * 60),
        "header repeated": fill(
            "", "", f"{DOMAIN} wants you to sign in with your Ethereum account:\n"
        ),
        "separators": fill("", "", ":\n- "),
        "one line of digits": fill("", "", "9"),
    }


def signed(account: Account, text: str) -> dict[str, str]:
    signature = account.sign_message(encode_defunct(text=text)).signature.hex()
    return {"message": text, "signature": "0x" + signature.removeprefix("0x")}


@click.command()
@click.option("--rounds", default=40, show_default=True, help="Requests per message shape.")
@click.option("--repeat", default=3, show_default=True, help="Runs; each gives one p95.")
@click.option("--json", "json_path", default=None, help="Write the rows here (bench/run.py).")
def main(rounds: int, repeat: int, json_path: str | None) -> None:
    """Times `/auth/verify` on 4 KB messages against `GET /health` on the same server."""
    path = Path(f"/tmp/domacross-auth-bench-{uuid.uuid4().hex[:8]}.db")  # noqa: S108
    url = f"sqlite:///{path}"
    upgrade(url)
    env = {
        "DOMACROSS_DATABASE_URL": url,
        "DOMACROSS_RATE_LIMIT_ENABLED": "false",
        "DOMACROSS_SIWE_DOMAIN": DOMAIN,
    }
    verify_ms: list[list[float]] = [[] for _ in range(repeat)]
    health_ms: list[list[float]] = [[] for _ in range(repeat)]
    try:
        # /health answers 503 while the indexer has not run: the server is up all the same.
        with (
            served(env, ready_statuses=(200, 503)) as server,
            httpx.Client(base_url=server.base, timeout=30) as client,
        ):
            account = Account.create()
            nonce = client.get("/auth/nonce").json()["nonce"]
            bodies = [signed(account, text) for text in messages(account, nonce).values()]
            assert all(len(body["message"]) == SIZE for body in bodies)  # noqa: S101
            for run in range(repeat * rounds):
                for body in bodies:
                    started = time.perf_counter()
                    response = client.post("/auth/verify", json=body)
                    verify_ms[run % repeat].append((time.perf_counter() - started) * 1_000)
                    if response.status_code >= 500 or response.status_code == 200:
                        raise SystemExit(f"unexpected {response.status_code}: {response.text}")
                    started = time.perf_counter()
                    client.get("/health")
                    health_ms[run % repeat].append((time.perf_counter() - started) * 1_000)
    finally:
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink(missing_ok=True)

    def p95(samples: list[float]) -> float:
        return statistics.quantiles(samples, n=20)[-1]

    rows = [
        Row(
            "auth",
            f"/auth/verify p95, 4,096-character messages ({rounds * 5} requests per run, 5 shapes)",
            "ms",
            [p95(samples) for samples in verify_ms],
            "GET /health p95, same server",
            [p95(samples) for samples in health_ms],
            Target("<", TARGET_MS, "bounded sign-in work"),
            note=f"max {max(max(samples) for samples in verify_ms):.1f} ms",
        )
    ]
    sys.exit(report(rows, json_path, "Sign-in: /auth/verify under 4 KB messages"))


if __name__ == "__main__":
    main()
