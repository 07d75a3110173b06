"""A live stack for the browser tests: anvil (npm) with a deployed suite and an open
competition, the indexer following it into SQLite, the API with its pages on uvicorn; and
the system's Chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from web3 import Web3

from domacross.api.main import create_app
from domacross.api.security import generate_private_key_pem
from domacross.db import make_engine, session_factory
from domacross.db.migrate import upgrade
from domacross.indexer import ChainConfig, Indexer
from domacross.settings import Settings
from domacross.web import browser as system_browser
from tests.utils.anvil import anvil_node
from tests.utils.scenario import Suite, deploy_suite, run_competition


@dataclass
class Stack:
    url: str
    suite: Suite
    competition: str
    competition_id: int
    indexer: Indexer


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_indexed(stack: Stack) -> None:
    head = stack.suite.dc.w3.eth.block_number
    deadline = time.monotonic() + 30
    while stack.indexer.followers[0].progress.indexed < head:
        assert time.monotonic() < deadline, "the indexer did not catch up within 30 s"
        time.sleep(0.02)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.db'}"
    upgrade(database_url)
    # The indexer as `domacross index` runs it on a dev chain (no confirmations), and the
    # API with a stream poll short enough for the page's 2 s freshness target.
    settings = Settings(
        database_url=database_url,
        confirmations=0,
        poll_interval=0.1,
        sse_poll_interval=0.25,
        jwt_private_key=generate_private_key_pem().decode(),
        rate_limit_enabled=False,
    )
    with anvil_node() as chain_url:
        suite = deploy_suite(chain_url)
        competition = run_competition(suite, finish=False)
        config = ChainConfig(
            name="anvil",
            w3=Web3(Web3.HTTPProvider(chain_url)),
            factory=suite.dc.addresses.factory or "",
            tracker=suite.dc.addresses.tracker or "",
            oracle=suite.dc.addresses.oracle or "",
            start_block=suite.record["contracts"]["ValuationOracle"]["block_number"],
            domain_tokens=(suite.token,),
        )
        engine = make_engine(database_url)
        indexer = Indexer([config], session_factory(engine), settings)
        stop = threading.Event()
        indexer_thread = threading.Thread(target=indexer.run, args=(stop,), daemon=True)
        indexer_thread.start()
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(settings),
                host="127.0.0.1",
                port=port,
                log_level="warning",
                timeout_graceful_shutdown=1,
            )
        )
        server_thread = threading.Thread(target=server.run, daemon=True)
        server_thread.start()
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            by_address = f"{url}/api/v1/competitions/by-address/{suite.dc.chain_id}/{competition}"
            while (
                not server.started or (found := httpx.get(by_address, timeout=2)).status_code != 200
            ):
                assert time.monotonic() < deadline, "competition not served within 30 s"
                time.sleep(0.05)
            made = Stack(url, suite, competition, int(found.json()["id"]), indexer)
            wait_indexed(made)
            yield made
        finally:
            server.should_exit = True
            server_thread.join(timeout=10)
            stop.set()
            indexer_thread.join(timeout=10)
            engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """The system's headless Chromium; skipped without one, except under CI=true."""
    reason = system_browser.unavailable()
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason} (CI=true: .ci/run installs Chromium; the page tests must run)")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = system_browser.launch(playwright)
        yield launched
        launched.close()
