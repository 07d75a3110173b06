"""A small `domacross demo`, end to end: anvil, Ape deploy script, indexer, API."""

from __future__ import annotations

import io
import re

import httpx
import pytest
from rich.console import Console

from domacross.demo import DemoOptions, DemoResult, run_demo

# One demo serves both tests: a demo's cost is mostly its start-up (anvil, `ape run deploy`,
# indexer, API), so the same-seed test reruns this one rather than running two of its own.
OPTIONS = {"traders": 4, "rounds": 3, "seed": 11}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[DemoResult, dict[str, str], str]:
    """The demo's result, the competition page it served while up, and what it printed."""
    pages: dict[str, str] = {}

    def visit(running):
        url = f"{running.api_url}/competitions/{running.competition_id}"
        pages[url] = httpx.get(url, timeout=10).text

    output = io.StringIO()
    out_dir = tmp_path_factory.mktemp("demo")
    result = run_demo(
        DemoOptions(**OPTIONS, out_dir=out_dir, show=False, while_up=visit),
        Console(file=output, width=200),
    )
    return result, pages, output.getvalue()


def test_demo__api_standings_equal_chain_and_prizes_paid_equal_posted(demo):
    result, pages, output = demo
    # The competition page's URL is printed, and it served the final standings.
    [(url, html)] = pages.items()
    assert f"Competition page {url}" in output
    page_wallets = re.findall(r'<tr data-wallet="(0x[0-9a-fA-F]{40})">', html)
    assert page_wallets == [wallet for wallet, _, _ in result.standings_api]
    # Standings served by the API (ranked by score) equal the scores recomputed from the
    # chain's logs, in the same order.
    chain = sorted(result.standings_chain, key=lambda wv: (-wv[1], wv[0].lower()))
    served = [(wallet, value) for wallet, value, _ in result.standings_api]
    assert [(w.lower(), v) for w, v in served] == [(w.lower(), v) for w, v in chain]
    ranks = [rank for _, _, rank in result.standings_api]
    assert ranks[0] == 1 and ranks == sorted(ranks)
    # The prizes paid on chain equal the payouts posted.
    assert result.paid == result.posted
    assert sum(result.posted.values()) > 0
    assert result.chart.is_file() and result.chart.stat().st_size > 10_000
    # Every marketplace sale is served as a sell and a buy at its price.
    sent = sorted(
        [(seller, "sell", token_id, price) for seller, _, token_id, price in result.sales]
        + [(buyer, "buy", token_id, price) for _, buyer, token_id, price in result.sales]
    )
    served_trades = sorted(
        (t["wallet"], t["kind"], int(t["token_id"]), int(t["price"])) for t in result.trades_api
    )
    assert len(sent) == 6 and served_trades == sent
    assert {t["price_source"] for t in result.trades_api} == {"sale"}
    # Nothing is left running.
    assert all(p.poll() is not None for p in result.processes)


def test_demo__same_seed_same_results(demo, tmp_path):
    first, _, _ = demo
    again = run_demo(DemoOptions(**OPTIONS, out_dir=tmp_path, show=False))
    assert first.standings_chain == again.standings_chain
    assert first.posted == again.posted
