"""The HTML pages: the competition list, a competition (rules, pool, live leaderboard,
chart) and a trader. Server-rendered, readable without script; `static/app.js` only
localizes times, adds copy buttons and applies the leaderboard stream's events."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eth_utils.address import to_checksum_address
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from domacross.api.deps import SessionDep, SettingsDep
from domacross.api.schemas import CompetitionPublic, CompetitionStatus
from domacross.web import data, format
from domacross.web.standings import standings

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
WALLET = re.compile(r"^0x[0-9a-fA-F]{40}$")
MAX_ID = 2**63 - 1

templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters.update(
    eth=format.eth,
    wei_title=format.wei_title,
    short_wallet=format.short_wallet,
    iso=format.iso,
    human_time=format.human_time,
    percent_bps=format.percent_bps,
    duration=format.duration,
)

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def time_left(competition: CompetitionPublic, now: datetime) -> str:
    """What the list says about time: until the start, until the end, or that it is over."""
    match competition.status:
        case CompetitionStatus.scheduled:
            return "starts in " + format.duration((competition.start_time - now).total_seconds())
        case CompetitionStatus.open:
            return format.duration((competition.end_time - now).total_seconds()) + " left"
        case CompetitionStatus.cancelled:
            return "cancelled"
        case _:
            return "ended"


def _page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status)


def _error(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return _page(request, "error.html", status, title=title, message=message)


@router.get("/")
def competitions_page(request: Request, session: SessionDep, settings: SettingsDep) -> Any:
    now = datetime.now(UTC)
    rows = [(c, time_left(c, now), data.pool_of(c)) for c in data.competitions(session, settings)]
    return _page(request, "index.html", rows=rows)


@router.get("/competitions/{competition_id}")
def competition_page(
    request: Request, competition_id: str, session: SessionDep, settings: SettingsDep
) -> Any:
    if not competition_id.isdigit() or not 1 <= int(competition_id) <= MAX_ID:
        return _error(
            request,
            400,
            "Not a competition id",
            f"{competition_id!r} is not a competition id: use the number from the list at /.",
        )
    competition = data.competition(session, int(competition_id))
    if competition is None:
        return _error(
            request,
            404,
            "No such competition",
            f"No competition {competition_id} has been indexed: pick one from the list at /.",
        )
    built = standings(request.app.state.standings_cache, session, settings, competition)
    return _page(
        request,
        "competition.html",
        competition=competition,
        time_left=time_left(competition, datetime.now(UTC)),
        pool=data.pool_of(competition),
        board=built.board,
        chart=built.chart,
        stream=f"/api/v1/competitions/{competition.id}/leaderboard/stream",
    )


@router.get("/traders/{wallet}")
def trader_page(request: Request, wallet: str, session: SessionDep, settings: SettingsDep) -> Any:
    if not WALLET.match(wallet):
        return _error(
            request,
            400,
            "Not a wallet address",
            f"{wallet!r} is not a wallet address: give 0x and 40 hex digits.",
        )
    checksummed = to_checksum_address(wallet)
    trader = data.trader(session, settings, checksummed)
    if trader is None:
        return _error(
            request,
            404,
            "Unknown trader",
            f"{checksummed} has not entered any indexed competition.",
        )
    return _page(request, "trader.html", trader=trader)
