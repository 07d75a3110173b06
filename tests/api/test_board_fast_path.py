"""The leaderboard's fast path (plain queries skip FastAPI's parameter solving) answers
exactly as FastAPI's own validation does, and uvicorn's protocol as `domacross serve`
runs it sends a response's head and body in one write."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import uvicorn

from domacross.api.main import create_app
from domacross.api.routes import competitions
from domacross.api.server import HeadWithBodyProtocol, HeadWithBodyTransport
from tests.api.conftest import wallet
from tests.api.test_live import serving

MAX_INT256 = 2**255 - 1

QUERIES = (
    "",
    "limit=2",
    "limit=02",
    "limit=+2",
    "limit=%202",
    "limit=2.0",
    "limit=0",
    "limit=1000",
    "limit=1001",
    "limit=99999",
    "limit=-1",
    "limit=",
    "limit=1&limit=2",
    "limit=2&unknown=1",
    "limit=%D9%A3",  # an Arabic-Indic digit
    "cursor=",
    "cursor=x",
    "cursor=" + "A" * 512,
    "cursor=" + "A" * 513,
    "cursor=a&cursor=b",
    "LIMIT=2",
)
IDS = ("{id}", "0", "+{id}", "0{id}", "9223372036854775807", "9223372036854775808", "-1")


def _board(seed):
    competition = seed.competition()
    for i, score in enumerate([MAX_INT256, 30, 30, -(10**18) - 1, -(2**255)]):
        seed.entrant(competition, wallet(700 + i), 10**30 - i, score_e18=score)
    return competition


def test_leaderboard_fast_path__any_query__same_answer_as_fastapi_validation(
    client, seed, monkeypatch
):
    competition = _board(seed)
    first = client.get(f"/api/v1/competitions/{competition.id}/leaderboard?limit=2").json()
    queries = [*QUERIES, f"cursor={first['next_cursor']}", f"limit=1&cursor={first['next_cursor']}"]
    paths = [
        f"/api/v1/competitions/{raw.format(id=competition.id)}/leaderboard?{query}"
        for raw in IDS
        for query in queries
    ]
    fast = {path: client.get(path) for path in paths}
    # The same requests with every one handed to FastAPI's validation.
    monkeypatch.setattr(competitions, "_plain_board_query", lambda request: None)
    for path in paths:
        validated = client.get(path)
        assert (fast[path].status_code, fast[path].json()) == (
            validated.status_code,
            validated.json(),
        ), path
        assert fast[path].status_code < 500, path
    # Both paths were taken: plain queries answered, odd ones refused.
    assert fast[paths[1]].status_code == 200 and len(fast[paths[1]].json()["data"]) == 2
    assert fast[paths[QUERIES.index("limit=0")]].status_code == 400


class _Recorder(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True


def test_head_with_body_transport__head_then_body__one_write():
    async def run() -> tuple[list[bytes], list[bytes], list[bytes]]:
        loop = asyncio.get_running_loop()
        inner = _Recorder()
        transport = HeadWithBodyTransport(inner, loop)
        transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        assert inner.writes == []  # held for the body
        transport.write(b"{}")
        together = list(inner.writes)
        inner.writes.clear()
        transport.write(b"HTTP/1.1 204 No Content\r\n\r\n")  # no body follows
        await asyncio.sleep(0)
        alone = list(inner.writes)
        inner.writes.clear()
        transport.write(b"data: 1\n\n")  # a stream's chunk: straight through
        transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
        transport.close()  # a held head goes out before the close
        return together, alone, inner.writes

    together, alone, rest = asyncio.run(run())
    assert together == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"]
    assert alone == [b"HTTP/1.1 204 No Content\r\n\r\n"]
    assert rest == [b"data: 1\n\n", b"HTTP/1.1 200 OK\r\n\r\n"]


@pytest.fixture
def protocol_server(make_settings, database_url, monkeypatch):
    """A real server on the protocol `domacross serve` uses."""
    original = uvicorn.Config.__init__

    def with_protocol(self, *args, **kwargs):
        original(self, *args, **{**kwargs, "http": HeadWithBodyProtocol})

    monkeypatch.setattr(uvicorn.Config, "__init__", with_protocol)
    with serving(create_app(make_settings(database_url, api_cache_seconds=0))) as base:
        yield base


def test_head_with_body_protocol__keep_alive_reads__whole_responses(protocol_server, seed):
    competition = _board(seed)
    path = f"/api/v1/competitions/{competition.id}/leaderboard"
    with httpx.Client(base_url=protocol_server, timeout=5) as client:
        pages = [client.get(path, params={"limit": n}) for n in (1, 5, 1)]
        assert [len(page.json()["data"]) for page in pages] == [1, 5, 1]
        assert client.get("/health").status_code == 200
        assert client.head(path).status_code in (200, 405)
        assert client.get(path, params={"limit": 0}).status_code == 400
        assert client.get("/api/v1/competitions/424242/leaderboard").status_code == 404
