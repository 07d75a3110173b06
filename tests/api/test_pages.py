"""The competition pages as plain HTTP sees them (no script): what they show equals what the
JSON API answers, errors are one-line HTML pages, headers and CSP hold, and the OpenAPI schema
does not list them. The live behaviour is tested in a browser (tests/web)."""

from __future__ import annotations

import re
from datetime import timedelta

from domacross.api.middleware import PAGE_CSP
from tests.api.conftest import NOW, wallet

ETH = 10**18


def _rows(html: str, table_id: str) -> list[tuple[int, str, int]]:
    """(rank, wallet, value in wei) of each leaderboard row, read from the HTML."""
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = []
    for row in re.findall(r'<tr data-wallet="(0x[0-9a-fA-F]{40})">(.*?)</tr>', table, re.S):
        address, cells = row
        rank = int(re.search(r'<td class="num" data-label="Rank">(\d+)</td>', cells).group(1))
        value = int(re.search(r'<data class="amount" value="(-?\d+)"', cells).group(1))
        rows.append((rank, address, value))
    return rows


def test_pages__seeded_competition__same_standings_rules_and_pool_as_the_api(client, seed):
    competition = seed.competition(name="Spring Cup", rake_bps=250)
    seed.user(wallet(801), username="alice")
    seed.entrant(competition, wallet(801), 3 * ETH + 123)
    seed.entrant(competition, wallet(802), 5 * ETH)
    seed.entrant(competition, wallet(803), 3 * ETH + 123)
    for n, value, minutes_ago in ((801, ETH, 50), (801, 3 * ETH + 123, 20), (802, 5 * ETH, 40)):
        seed.value(competition, wallet(n), value, NOW - timedelta(minutes=minutes_ago))

    index = client.get("/")
    assert index.status_code == 200 and index.headers["content-type"].startswith("text/html")
    assert f'<a href="/competitions/{competition.id}">Spring Cup</a>' in index.text
    row = index.text.split(f'data-competition="{competition.id}"', 1)[1].split("</tr>", 1)[0]
    assert "status-open" in row and "left" in row
    pool = 3 * 10**17
    assert f'value="{pool}" title="{pool:,} wei">0.3 ETH<' in row and "3 / 1000" in row

    page = client.get(f"/competitions/{competition.id}")
    assert page.status_code == 200
    api = client.get(f"/api/v1/competitions/{competition.id}/leaderboard").json()["data"]
    assert _rows(page.text, "leaderboard") == [
        (e["rank"], e["wallet"], int(e["value"])) for e in api
    ]
    assert [r[0] for r in _rows(page.text, "leaderboard")] == [1, 2, 2]
    assert '<span class="username">alice</span>' in page.text
    assert f"{3 * ETH + 123:,} wei" in page.text  # the exact amount on hover
    assert "2.5%" in page.text  # the rake
    distributable = pool - pool * 250 // 10_000
    for share in (6_000, 3_000, 1_000):
        prize = distributable * share // 10_000
        assert f'value="{prize}"' in page.text
    assert f'<time datetime="{competition.end_time.isoformat().replace("+00:00", "Z")}' in (
        page.text
    )
    assert f'data-stream="/api/v1/competitions/{competition.id}/leaderboard/stream"' in page.text
    assert page.text.count("<polyline") == 2  # two entrants have a valuation history

    # Served as the API's responses are, with a CSP that forbids inline script and style.
    assert page.headers["content-security-policy"] == PAGE_CSP
    assert page.headers["x-frame-options"] == "DENY"
    assert re.findall(r"<script[^>]*>", page.text) == ['<script src="/static/app.js" defer>']
    assert " style=" not in page.text and "<style" not in page.text
    script = client.get("/static/app.js")
    assert script.status_code == 200 and "EventSource" in script.text

    trader = client.get(f"/traders/{wallet(801).lower()}")
    assert trader.status_code == 200
    portfolio = client.get(f"/api/v1/portfolio/{wallet(801)}").json()
    assert "<h1>alice</h1>" in trader.text
    assert f'value="{portfolio["total_value"]}"' in trader.text
    entry = trader.text.split(f'data-competition="{competition.id}"', 1)[1].split("</tr>")[0]
    assert re.search(
        rf'<td class="num" data-label="Rank">{portfolio["competitions"][0]["rank"]}</td>', entry
    )
    assert "joined" in trader.text  # the activity list


def test_pages__bad_or_unknown_ids__one_line_html_400_and_404(client):
    cases = {
        "/competitions/abc": (400, "is not a competition id"),
        "/competitions/0": (400, "is not a competition id"),
        "/competitions/999999": (404, "No competition 999999 has been indexed"),
        "/traders/0x123": (400, "is not a wallet address"),
        f"/traders/{wallet(899)}": (404, "has not entered any indexed competition"),
    }
    for path, (status, message) in cases.items():
        response = client.get(path)
        assert response.status_code == status, path
        assert response.headers["content-type"].startswith("text/html"), path
        assert re.search(rf'<p class="error">[^<]*{message}', response.text), path


def test_pages__names_from_the_chain__escaped(client, seed):
    # A competition's name and description are whatever its organizer put on chain.
    hostile = seed.competition(name="<img src=x onerror=alert(1)>", description="</p><script>")
    for path in ("/", f"/competitions/{hostile.id}"):
        html = client.get(path).text
        assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "</p><script>" not in client.get(f"/competitions/{hostile.id}").text


def test_pages__not_in_openapi__and_no_competitions_yet(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert paths and not {"/", "/competitions/{competition_id}", "/traders/{wallet}"} & set(paths)
    assert all(path.startswith(("/api/", "/auth/", "/health", "/metrics")) for path in paths)
    empty = client.get("/")
    assert empty.status_code == 200 and "No competition has been indexed yet" in empty.text
    # Known (e.g. signed up through the API) but never entered: a page, not an error.
    client.post("/api/v1/users", json={"wallet_address": wallet(898)})
    newcomer = client.get(f"/traders/{wallet(898)}")
    assert newcomer.status_code == 200 and "No competition entered yet." in newcomer.text


def test_format__amounts_shares_and_durations__exact_and_rounded_toward_zero():
    from domacross.web.format import duration, eth, percent_bps, short_wallet, wei_title

    assert eth(0) == "0 ETH" and eth(10**18) == "1 ETH"
    assert eth(1_234_567_899_999_999_999_999) == "1,234.5678 ETH"  # truncated, not rounded up
    assert eth(-15 * 10**15, signed=True) == "-0.015 ETH"
    assert eth(5 * 10**13, signed=True) == "+0 ETH"  # below the 4 decimals: sign kept
    # The largest uint256, exact (a float would print 1.157920892373162e+59).
    assert eth(2**256 - 1) == (
        "115,792,089,237,316,195,423,570,985,008,687,907,853,269,984,665,640,564,039,457.584 ETH"
    )
    assert wei_title(-1234) == "-1,234 wei"
    assert percent_bps(500) == "5%" and percent_bps(1_250) == "12.5%" and percent_bps(5) == "0.05%"
    assert duration(59) == "< 1m" and duration(3_600 + 120) == "1h 2m"
    assert duration(2 * 86_400 + 3 * 3_600 + 59) == "2d 3h"
    assert short_wallet(wallet(1)) == wallet(1)[:6] + "…" + wallet(1)[-4:]
