"""A real anvil node (from npm) on a free loopback port, for end-to-end tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests

# anvil's default dev accounts (public test mnemonic "test test ... junk"): never real funds.
ANVIL_KEYS = (
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3faaf4de22b1a5c5",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def anvil_node() -> Iterator[str]:
    """Starts anvil and yields its URL; stops it afterwards. Skips (fails under CI) without it."""
    binary = shutil.which("anvil")
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("anvil is not on PATH: run `make setup` (npm installs it)")
        pytest.skip("anvil is not installed (npm @foundry-rs/anvil-linux-amd64): run `make setup`")
    port = free_port()
    proc = subprocess.Popen(  # noqa: S603 - our own binary
        [binary, "--port", str(port), "--silent"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.post(
                    url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}, timeout=1
                )
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("anvil did not start") from None
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
