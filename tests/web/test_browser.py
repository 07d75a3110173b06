"""The pages in the system's headless Chromium over a live chain, indexer and API: no console
error on any page, the same standings as the API, times in the viewer's zone, the copy
button, and a new on-chain valuation on the open page within 2 s without a reload."""

from __future__ import annotations

import time

import httpx
from web3 import Web3

from domacross_sdk import AssetKind, Holding
from tests.web.conftest import Stack, wait_indexed

VIEWER_ZONE = "America/New_York"


def _open(browser, url: str, errors: list[str], **context_options):
    context = browser.new_context(timezone_id=VIEWER_ZONE, **context_options)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="load")
    return context, page


def _board(page) -> list[tuple[int, str, int]]:
    """(rank, wallet, value in wei) of each row of the page's leaderboard."""
    return page.eval_on_selector_all(
        "#leaderboard tbody tr[data-wallet]",
        """rows => rows.map(r => [
            Number(r.querySelector('td').textContent),
            r.dataset.wallet,
            r.querySelector('th + td data').value,
        ])""",
    )


def _api_board(stack: Stack) -> list[tuple[int, str, str]]:
    url = f"{stack.url}/api/v1/competitions/{stack.competition_id}/leaderboard"
    return [(e["rank"], e["wallet"], e["value"]) for e in httpx.get(url).json()["data"]]


def test_pages__three_pages__no_console_error_and_same_data_as_the_api(browser, stack):
    errors: list[str] = []
    context, page = _open(browser, f"{stack.url}/", errors)
    link = page.locator(f'a[href="/competitions/{stack.competition_id}"]')
    assert link.count() == 1
    row = page.locator(f'tr[data-competition="{stack.competition_id}"]')
    api_competition = httpx.get(f"{stack.url}/api/v1/competitions/{stack.competition_id}").json()
    assert "3 / 10" in row.inner_text() and api_competition["status"] in row.inner_text()
    # The end time, shown in the viewer's zone by the script (EST in December).
    assert row.locator("time").inner_text().endswith(("EST", "EDT"))

    link.click()
    page.wait_for_selector('#live-status[data-state="live"]')
    api = _api_board(stack)
    assert len(api) == 3 and _board(page) == [list(e) for e in api]
    assert page.locator("figure.chart polyline").count() == 3
    wallet = api[0][1]
    value = page.locator(f'tr[data-wallet="{wallet}"] th + td data')
    assert value.get_attribute("title") == f"{int(api[0][2]):,} wei"
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.locator(f'tr[data-wallet="{wallet}"] button.copy').click()
    assert page.evaluate("navigator.clipboard.readText()") == wallet

    page.locator(f'tr[data-wallet="{wallet}"] a').click()
    page.wait_for_url(f"**/traders/{wallet}")
    portfolio = httpx.get(f"{stack.url}/api/v1/portfolio/{wallet}").json()
    entry = page.locator(f'tr[data-competition="{stack.competition_id}"]')
    assert entry.locator("td:nth-child(4) data").get_attribute("value") == portfolio["total_value"]
    assert page.locator("table.activity tbody tr").count() >= 1  # at least the join
    context.close()
    assert errors == []


def test_competition_page__new_valuation_on_chain__shown_within_2s_without_reload(browser, stack):
    errors: list[str] = []
    context, page = _open(browser, f"{stack.url}/competitions/{stack.competition_id}", errors)
    page.wait_for_selector('#live-status[data-state="live"]')
    page.evaluate("window.notReloaded = true")
    suite = stack.suite
    last = suite.players[0]  # holds token 1, priced 1 ETH: last place
    new_price = 12 * 10**17
    suite.dc.oracle.set_price(suite.token, 1, new_price)
    holding = Holding(kind=AssetKind.ERC721, token=suite.token, token_id=1, amount=1)
    suite.dc.tracker.update_portfolio_value(stack.competition, last.address, [holding])
    sent = time.monotonic()  # the valuation is mined (automine): the clock starts here
    page.wait_for_function(
        """([wallet, value]) => {
            const cell = document.querySelector(`tr[data-wallet="${wallet}"] th + td data`);
            return cell !== null && cell.value === value;
        }""",
        arg=[Web3.to_checksum_address(last.address), str(new_price)],
        timeout=2_000,
    )
    elapsed = time.monotonic() - sent
    assert elapsed < 2.0, f"shown after {elapsed:.2f} s"
    assert page.evaluate("window.notReloaded") is True
    wait_indexed(stack)
    api = _api_board(stack)
    assert _board(page) == [list(e) for e in api]
    # The pushed rows read exactly like the server-rendered ones (same ETH formatting).
    live_text = page.locator("#leaderboard tbody").inner_text()
    context.close()
    errors_fresh: list[str] = []
    fresh_context, fresh = _open(
        browser,
        f"{stack.url}/competitions/{stack.competition_id}",
        errors_fresh,
        java_script_enabled=False,
    )
    assert fresh.locator("#leaderboard tbody").inner_text().replace("Copy", "") == (
        live_text.replace("Copy", "")
    )
    fresh_context.close()
    assert errors == [] and errors_fresh == []
