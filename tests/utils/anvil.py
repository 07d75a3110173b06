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
from eth_account import Account

# anvil's default dev accounts, from its public test mnemonic: never real funds.
ANVIL_MNEMONIC = "test test test test test test test test test test test junk"
Account.enable_unaudited_hdwallet_features()
ANVIL_KEYS = tuple(
    "0x" + Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}").key.hex()
    for i in range(6)
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def anvil_node(chain_id: int | None = None) -> Iterator[str]:
    """Starts anvil and yields its URL; stops it afterwards. Skips (fails under CI) without it."""
    binary = shutil.which("anvil")
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("anvil is not on PATH: run `make setup` (npm installs it)")
        pytest.skip("anvil is not installed (npm @foundry-rs/anvil-linux-amd64): run `make setup`")
    port = free_port()
    proc = subprocess.Popen(  # noqa: S603 - our own binary
        [binary, "--port", str(port), "--silent"]
        + (["--chain-id", str(chain_id)] if chain_id is not None else []),
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
