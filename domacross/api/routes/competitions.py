"""Competitions, their leaderboards, and the leaderboard's live stream."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from eth_utils.address import to_checksum_address
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response, StreamingResponse
from fastapi.routing import APIRoute
from pydantic_core import to_json
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domacross.api.cache import PageCache
from domacross.api.deps import (
    CURSOR_MAX_LENGTH,
    LIMIT_MAX,
    CursorQuery,
    LimitQuery,
    SessionDep,
    SettingsDep,
    page_size,
)
from domacross.api.errors import ApiError, not_found
from domacross.api.live import LiveHub
from domacross.api.pagination import as_utc, decode_cursor, encode_cursor, newest_first
from domacross.api.queries import (
    BoardPage,
    RenderedPage,
    board_page,
    board_page_sql,
    competition_public,
    complete_page,
    page_from_rows,
    rendered_page,
    status_filter,
    status_of,
)
from domacross.api.reads import Reader
from domacross.api.schemas import (
    CompetitionPublic,
    CompetitionsPublic,
    CompetitionStatus,
    ErrorPublic,
    LeaderboardEntryPublic,
    LeaderboardEventPublic,
    LeaderboardPublic,
    SnapshotRefPublic,
)
from domacross.db.models import Competition, LeaderboardSnapshot, Participant
from domacross.settings import Settings

router = APIRouter(prefix="/api/v1/competitions", tags=["competitions"])

UINT256_QUERY = r"^(0|[1-9][0-9]{0,77})$"
INT256_TEXT = re.compile(r"0|-?[1-9][0-9]{0,77}")
ADDRESS_TEXT = re.compile(r"0x[0-9a-fA-F]{40}")
CompetitionId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def _uint(value: str | None, name: str) -> int | None:
    if value is None:
        return None
    number = int(value)
    if number >= 2**256:
        raise ApiError(400, f"{name} is not a uint256")
    return number


@router.get("", response_model=CompetitionsPublic)
def list_competitions(
    session: SessionDep,
    settings: SettingsDep,
    chain_id: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None,
    status: CompetitionStatus | None = None,
    starts_after: Annotated[datetime | None, Query(description="start_time >= this")] = None,
    starts_before: Annotated[datetime | None, Query(description="start_time < this")] = None,
    ends_after: Annotated[datetime | None, Query(description="end_time >= this")] = None,
    ends_before: Annotated[datetime | None, Query(description="end_time < this")] = None,
    min_entry_fee: Annotated[str | None, Query(pattern=UINT256_QUERY, description="wei")] = None,
    max_entry_fee: Annotated[str | None, Query(pattern=UINT256_QUERY, description="wei")] = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
) -> CompetitionsPublic:
    """Competitions, newest start first (then highest id), with filters."""
    now = datetime.now(UTC)
    query = select(Competition)
    if chain_id is not None:
        query = query.where(Competition.chain_id == chain_id)
    if status is not None:
        query = query.where(status_filter(status, now))
    if starts_after is not None:
        query = query.where(Competition.start_time >= as_utc(starts_after, "starts_after"))
    if starts_before is not None:
        query = query.where(Competition.start_time < as_utc(starts_before, "starts_before"))
    if ends_after is not None:
        query = query.where(Competition.end_time >= as_utc(ends_after, "ends_after"))
    if ends_before is not None:
        query = query.where(Competition.end_time < as_utc(ends_before, "ends_before"))
    low, high = _uint(min_entry_fee, "min_entry_fee"), _uint(max_entry_fee, "max_entry_fee")
    if low is not None:
        query = query.where(Competition.entry_fee >= low)
    if high is not None:
        query = query.where(Competition.entry_fee <= high)
    rows, next_cursor = newest_first(
        session,
        query,
        "competitions",
        Competition.start_time,
        Competition.id,
        cursor,
        page_size(limit, settings),
    )
    data = [competition_public(row, now) for row in rows]
    return CompetitionsPublic(data=data, next_cursor=next_cursor)


NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorPublic}}


@router.get(
    "/by-address/{chain_id}/{address}", response_model=CompetitionPublic, responses=NOT_FOUND
)
def get_competition_by_address(
    session: SessionDep,
    chain_id: Annotated[int, Path(ge=0, le=2**63 - 1)],
    address: Annotated[str, Path(pattern=r"^0x[0-9a-fA-F]{40}$")],
) -> CompetitionPublic:
    """One competition by its chain and contract address (any case)."""
    competition = session.scalar(
        select(Competition).where(
            Competition.chain_id == chain_id,
            Competition.contract_address == to_checksum_address(address),
        )
    )
    if competition is None:
        raise not_found("competition", chain_id=chain_id, address=address)
    return competition_public(competition, datetime.now(UTC))


@router.get("/{competition_id}", response_model=CompetitionPublic, responses=NOT_FOUND)
def get_competition(session: SessionDep, competition_id: CompetitionId) -> CompetitionPublic:
    """One competition by id."""
    competition = session.get(Competition, competition_id)
    if competition is None:
        raise not_found("competition", id=competition_id)
    return competition_public(competition, datetime.now(UTC))


class _BoardRoute(APIRoute):
    """The leaderboard's route: a plain query (`_plain_board_query`) is answered without
    FastAPI's per-request parameter solving, anything else goes through it unchanged.

    NOTE: the API's hot path with its page cache off (bench/api_bench.py): solving the
    route's parameters and dependency cost a quarter of a page's CPU, more than the read.
    The route keeps its signature, so the OpenAPI schema and every validation error are
    FastAPI's own: any input the fast path does not accept as plainly valid (an odd
    number form, a repeated or unknown parameter, an empty or long cursor) is handed to
    FastAPI's handler, which validates it as for any route.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        validated = super().get_route_handler()

        async def handler(request: Request) -> Response:
            plain = _plain_board_query(request)
            if plain is None:
                return await validated(request)
            competition_id, cursor, limit = plain
            return await get_leaderboard(
                request, request.app.state.settings, competition_id, cursor, limit
            )

        return handler


_PLAIN_ID = re.compile(r"[1-9][0-9]{0,18}")
_PLAIN_LIMIT = re.compile(r"[1-9][0-9]{0,3}")


def _plain_board_query(request: Request) -> tuple[int, str | None, int | None] | None:
    """`(competition_id, cursor, limit)` when the request is plainly valid for the route's
    declared parameters (decimal digits in range, each query parameter at most once, a
    cursor of 1 to 512 characters); None for anything FastAPI should validate itself."""
    raw_id = request.path_params.get("competition_id")
    if not isinstance(raw_id, str) or not _PLAIN_ID.fullmatch(raw_id):
        return None
    competition_id = int(raw_id)
    if competition_id > 2**63 - 1:
        return None
    cursor: str | None = None
    limit: int | None = None
    for name, value in request.query_params.multi_items():
        if name == "cursor" and cursor is None and 0 < len(value) <= CURSOR_MAX_LENGTH:
            cursor = value
        elif name == "limit" and limit is None and _PLAIN_LIMIT.fullmatch(value):
            limit = int(value)
            if limit > LIMIT_MAX:
                return None
        else:
            return None
    return competition_id, cursor, limit


async def get_leaderboard(
    request: Request,
    settings: SettingsDep,
    competition_id: CompetitionId,
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
) -> Response:
    """Entrants by score (P&L at oracle prices, what the results pay by), highest first;
    ties share a rank and are ordered by wallet."""
    # NOTE: the API's hot path (bench/api_bench.py). A page rendered for the data version
    # read less than `api_version_check_seconds` ago is answered from memory; else one
    # statement reads the page's entry texts with its version (`rendered_page`, run by
    # `reads.Reader`), or its values when a text is missing (`board_page`).
    size = page_size(limit, settings)
    state = request.app.state
    cache: PageCache = state.page_cache
    version = cache.version(competition_id)
    body = None if version is None else cache.get((competition_id, cursor, size, version))
    if body is None:
        after = _board_cursor(cursor)  # a bad cursor is a 400 before any read
        reader: Reader = state.reader
        dialect = reader.engine.dialect
        sql, values = board_page_sql(dialect, competition_id, size, after, rendered=True)
        # NOTE: one statement is the whole read unless an entry has no text yet (the
        # indexer writes them after each range), the page is empty or not yet ranked.
        page: BoardPage | RenderedPage | None = rendered_page(await reader.rows(sql, values), size)
        if page is None:
            sql, values = board_page_sql(dialect, competition_id, size, after)
            rows = await reader.rows(sql, values)
            page = page_from_rows(rows, size, reader.dialect)
            if page is None:
                page = await reader(complete_page, competition_id, size, rows)
            if page is None:
                raise not_found("competition", id=competition_id)
        # NOTE: a page is a function of its data version: one rendered for this version
        # is served as it was (the page just read can only differ by writes the indexer
        # never makes without a new checkpoint).
        cache.set_version(competition_id, page.version)
        key = (competition_id, cursor, size, page.version)
        body = cache.get(key)
        if body is None:
            body = (
                _rendered_json(competition_id, page)
                if isinstance(page, RenderedPage)
                else _leaderboard_json(competition_id, page)
            )
            cache.put(key, body)
    return Response(body, media_type="application/json")


router.add_api_route(
    "/{competition_id}/leaderboard",
    get_leaderboard,
    methods=["GET"],
    response_model=LeaderboardPublic,
    responses=NOT_FOUND,
    route_class_override=_BoardRoute,
)


def _leaderboard_json(competition_id: int, page: BoardPage) -> bytes:
    """`LeaderboardPublic` as JSON, built from the page's entries without a model.

    NOTE: validating trusted rows into a model per entry cost more than the query did;
    tests/api/test_read.py checks this body against the model.
    """
    next_cursor = _next_cursor(page.entries[-1]) if page.more else None
    return to_json(
        {
            "competition_id": competition_id,
            "total_entrants": page.total_entrants,
            "data": page.entries,
            "next_cursor": next_cursor,
        }
    )


def _rendered_json(competition_id: int, page: RenderedPage) -> bytes:
    """`LeaderboardPublic` as JSON from entries already in JSON: the bytes
    `_leaderboard_json` writes for the same page (tests/api/test_board_json.py)."""
    next_cursor = f'"{_next_cursor(json.loads(page.entries[-1]))}"' if page.more else "null"
    return (
        f'{{"competition_id":{competition_id},"total_entrants":{page.total_entrants},'
        f'"data":[{",".join(page.entries)}],"next_cursor":{next_cursor}}}'
    ).encode()


def _next_cursor(last: Mapping[str, Any]) -> str:
    """The cursor of the page after the one whose last entry is `last`."""
    return encode_cursor("leaderboard", last["score_e18"], last["wallet"])


def _board_cursor(cursor: str | None) -> tuple[int, str] | None:
    """The `(score_e18, wallet)` a leaderboard cursor resumes after; 400 if it is not one."""
    if cursor is None:
        return None
    score, wallet = decode_cursor("leaderboard", cursor, (str, str))
    if not INT256_TEXT.fullmatch(score) or not ADDRESS_TEXT.fullmatch(wallet):
        raise ApiError(400, "invalid cursor")
    number = int(score)
    if not -(2**255) <= number < 2**255:
        raise ApiError(400, "invalid cursor")
    return number, wallet


# -- live stream --------------------------------------------------------------------------


def _board_version(session: Session, competition_id: int) -> tuple[Any, ...] | None:
    """Changes whenever the standings may have: a new snapshot, an entrant, a value, a
    rescoring."""
    competition = session.get(Competition, competition_id)
    if competition is None:
        return None
    snapshot = session.scalar(
        select(func.max(LeaderboardSnapshot.id)).where(
            LeaderboardSnapshot.competition_id == competition_id
        )
    )
    count, updated = session.execute(
        select(func.count(), func.max(Participant.value_updated_at)).where(
            Participant.competition_id == competition_id
        )
    ).one()
    return (
        snapshot,
        count,
        str(updated),
        competition.score_block,
        competition.cancelled,
        competition.finalized,
        status_of(competition, datetime.now(UTC)),
    )


def _board_event(session: Session, competition_id: int, top: int) -> LeaderboardEventPublic:
    competition = session.get(Competition, competition_id)
    assert competition is not None  # noqa: S101 - checked by the version just before
    snapshot = session.execute(
        select(
            LeaderboardSnapshot.id,
            LeaderboardSnapshot.captured_at,
            LeaderboardSnapshot.block_number,
        )
        .where(LeaderboardSnapshot.competition_id == competition_id)
        .order_by(LeaderboardSnapshot.id.desc())
        .limit(1)
    ).first()
    page = board_page(session, competition_id, top, None)
    assert page is not None  # noqa: S101 - the competition was just read
    return LeaderboardEventPublic(
        competition_id=competition_id,
        status=status_of(competition, datetime.now(UTC)),
        total_entrants=page.total_entrants,
        latest_snapshot=(
            SnapshotRefPublic(id=snapshot[0], captured_at=snapshot[1], block_number=snapshot[2])
            if snapshot
            else None
        ),
        data=[LeaderboardEntryPublic.model_validate(entry) for entry in page.entries],
    )


@router.get(
    "/{competition_id}/leaderboard/stream",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Server-Sent Events: `event: leaderboard` whose `data` is a "
            "LeaderboardEventPublic (JSON), sent at once and whenever the standings change; "
            "`: keepalive` comments in between.",
            "content": {
                "text/event-stream": {
                    "schema": {
                        "type": "object",
                        "description": "One event (`data` is JSON text)",
                        "properties": {
                            "event": {"type": "string", "enum": ["leaderboard", "gone"]},
                            "id": {"type": "string"},
                            "data": {"type": "string"},
                            "retry": {"type": "integer"},
                        },
                    }
                }
            },
        },
        **NOT_FOUND,
    },
)
async def stream_leaderboard(
    request: Request, settings: SettingsDep, competition_id: CompetitionId
) -> StreamingResponse:
    """Live leaderboard: the top `sse_top` entries, pushed when they change."""
    hub = live_hub(request.app.state, settings)
    if await hub.read(_board_version, competition_id) is None:
        raise not_found("competition", id=competition_id)

    async def events() -> AsyncIterator[bytes]:
        # NOTE: subscribed inside the generator, so the `finally` always runs.
        board = hub.subscribe(competition_id)
        try:
            async for chunk in board.stream(int(settings.sse_poll_interval * 2_000)):
                yield chunk
        finally:
            hub.unsubscribe(board)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _board_event_json(session: Session, competition_id: int, top: int) -> dict[str, Any]:
    return _board_event(session, competition_id, top).model_dump(mode="json")


def live_hub(state: Any, settings: Settings) -> LiveHub:
    """The process's hub of live boards, made on first use."""
    hub: LiveHub | None = getattr(state, "live", None)
    if hub is None:
        url = settings.read_url()
        hub = state.live = LiveHub(
            state.read_sessions,
            _board_version,
            functools.partial(_board_event_json, top=settings.sse_top),
            settings.sse_poll_interval,
            url if url.startswith("postgresql") else None,
            settings.sse_keepalive_seconds,
        )
    return hub
