"""Reads shared by the routes: competition status, ranked standings, portfolios."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Integer,
    Select,
    Text,
    and_,
    bindparam,
    cast,
    func,
    literal_column,
    not_,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from domacross.api.schemas import (
    CompetitionPublic,
    CompetitionStatus,
    LeaderboardEntryPublic,
)
from domacross.db.models import CHECKPOINT_ROW, ChainOffset, Competition, Participant, User
from domacross.db.types import INT256_OFFSET, Int256
from domacross_sdk.scoring import UNIT


def status_of(competition: Competition, now: datetime) -> CompetitionStatus:
    """Like the contract's `status()`: Open is `[start_time, end_time)`."""
    if competition.cancelled:
        return CompetitionStatus.cancelled
    if competition.finalized:
        return CompetitionStatus.finalized
    if now < competition.start_time:
        return CompetitionStatus.scheduled
    if now < competition.end_time:
        return CompetitionStatus.open
    return CompetitionStatus.ended


def status_filter(status: CompetitionStatus, now: datetime) -> ColumnElement[bool]:
    """The SQL condition of `status_of(...) == status`."""
    live = and_(not_(Competition.cancelled), not_(Competition.finalized))
    match status:
        case CompetitionStatus.cancelled:
            return Competition.cancelled.is_(True)
        case CompetitionStatus.finalized:
            return and_(not_(Competition.cancelled), Competition.finalized.is_(True))
        case CompetitionStatus.scheduled:
            return and_(live, Competition.start_time > now)
        case CompetitionStatus.open:
            return and_(live, Competition.start_time <= now, Competition.end_time > now)
        case CompetitionStatus.ended:
            return and_(live, Competition.end_time <= now)


def competition_public(competition: Competition, now: datetime) -> CompetitionPublic:
    data: dict[str, Any] = {
        name: getattr(competition, name)
        for name in CompetitionPublic.model_fields
        if name != "status"
    }
    return CompetitionPublic.model_validate({**data, "status": status_of(competition, now)})


def data_version(session: Session | Connection, competition_id: int) -> tuple[Any, ...] | None:
    """The version of a competition's indexed data (None if there is no such competition):
    its chain's checkpoint, which the indexer rewrites with every change (see `cache`)."""
    header = board_header(session, competition_id)
    return None if header is None else header[1]


def _header_columns() -> list[ColumnElement[Any]]:
    """A competition's entrant count (as the indexer keeps it: no count over its rows) and
    its data version (its chain's checkpoint block and write time), as uncorrelated scalar
    subqueries: computed once per statement, NULL count when there is no competition.

    NOTE: the version is a cache key, compared and never shown, so its time is left as the
    driver returns it (`type_coerce`): a page repeats it on each of its rows, and parsing
    SQLite's text into a datetime 50 times a page cost a quarter of the page's read.
    """
    competition_id: BindParameter[int] = bindparam("competition_id")
    checkpoint_of_competition = and_(
        ChainOffset.chain_id == Competition.chain_id,
        ChainOffset.contract_address == CHECKPOINT_ROW,
        Competition.id == competition_id,
    )
    return [
        select(Competition.participant_count)
        .where(Competition.id == competition_id)
        .scalar_subquery(),
        select(ChainOffset.last_block_number).where(checkpoint_of_competition).scalar_subquery(),
        type_coerce(
            select(ChainOffset.updated_at).where(checkpoint_of_competition).scalar_subquery(),
            NullType(),
        ),
    ]


def board_header(
    session: Session | Connection, competition_id: int
) -> tuple[int, tuple[Any, ...]] | None:
    """A competition's entrant count and data version; None if there is no such
    competition."""
    total, block, updated = session.execute(_HEADER, {"competition_id": competition_id}).one()
    return None if total is None else (total, (block, updated))


class BoardEntry(TypedDict):
    """One leaderboard entry as the API sends it: the fields of `LeaderboardEntryPublic`,
    built from trusted rows without a model (on the hot path that cost more than the
    query)."""

    rank: int
    wallet: str
    username: str | None
    score: str
    score_e18: str
    value: str
    realised_pnl: str
    unrealised_pnl: str


@dataclass(frozen=True)
class BoardPage:
    """A page of the standings with its competition's header, from one read."""

    total_entrants: int
    version: tuple[Any, ...]
    """`data_version` of the competition, read in the same statement as the entries."""
    entries: list[BoardEntry]
    more: bool
    """Whether entries follow this page."""


def _quoted(text: str) -> ColumnElement[str]:
    """A constant text, written into the statement (no parameter)."""
    return literal_column("'" + text.replace("'", "''") + "'", Text())


def _rendered_entry() -> ColumnElement[str]:
    """An entry as the API sends it, spliced in SQL from its rank and the indexer's
    `board_json` (domacross.db.board); NULL while either is missing."""
    return (
        _quoted('{"rank":')
        + cast(Participant.rank, Text())
        + _quoted(",")
        + Participant.board_json
        + _quoted("}")
    )


def _page_statement(after: bool, rendered: bool = False) -> Select[Any]:
    """A page in the order of `ix_participants_board` (competition, score descending,
    wallet), so it is a range scan of that index at any depth, no sort; the header's
    columns are uncorrelated scalar subqueries, computed once per statement. Its entries
    are the rows' columns, or (`rendered`) each entry's JSON text, with no join."""
    score = Participant.score_e18
    query = select(*_header_columns())
    if rendered:
        query = query.add_columns(_rendered_entry()).select_from(Participant)
    else:
        query = query.add_columns(
            Participant.wallet,
            User.username,
            score,
            Participant.portfolio_value,
            Participant.realised_pnl,
            Participant.unrealised_pnl,
            Participant.rank,
        ).join(User, User.id == Participant.user_id)
    query = query.where(Participant.competition_id == bindparam("competition_id"))
    if after:
        # NOTE: `score <= :score` first, so the index bounds the scan; the `or_` alone
        # would not.
        last = bindparam("score", type_=score.type)
        query = query.where(
            score <= last, or_(score < last, Participant.wallet > bindparam("wallet"))
        )
    return query.order_by(score.desc(), Participant.wallet).limit(
        bindparam("limit", type_=Integer())
    )


# NOTE: built once: building a statement costs more than running it on the hot path.
_HEADER = select(*_header_columns())
_PAGES = {
    (after, rendered): _page_statement(after, rendered)
    for after in (False, True)
    for rendered in (False, True)
}


@dataclass(frozen=True)
class _DriverStatement:
    """A page statement compiled once for a dialect: its SQL, its parameters' order
    (positional paramstyles such as SQLite's `?`; None for named ones) and the values of
    its constant parameters, in the driver's form."""

    sql: str
    order: tuple[str, ...] | None
    constants: dict[str, Any]


_SCORE_TYPE = Int256()
"""`Participant.score_e18`'s type, made once: looking it up through the mapped attribute
on each request cost a twentieth of a cursor page's CPU."""
_PAGE_PARAMETERS = frozenset({"competition_id", "limit", "score", "wallet"})
_DRIVER_STATEMENTS: dict[tuple[type[Dialect], str, bool, bool], _DriverStatement] = {}


def _driver_statement(dialect: Dialect, after: bool, rendered: bool) -> _DriverStatement:
    key = (type(dialect), dialect.paramstyle, after, rendered)
    statement = _DRIVER_STATEMENTS.get(key)
    if statement is None:
        compiled = _PAGES[after, rendered].compile(dialect=dialect)
        order = tuple(compiled.positiontup or ()) if compiled.positional else None
        constants: dict[str, Any] = {}
        for name, value in compiled.construct_params(_check=False).items():
            if name in _PAGE_PARAMETERS:
                continue
            process = compiled.binds[name].type.bind_processor(dialect)
            constants[name] = value if process is None else process(value)
        statement = _DriverStatement(compiled.string, order, constants)
        _DRIVER_STATEMENTS[key] = statement
    return statement


def board_page_sql(
    dialect: Dialect,
    competition_id: int,
    limit: int,
    after: tuple[int, str] | None,
    *,
    rendered: bool = False,
) -> tuple[str, Any]:
    """The page statement as the driver runs it for `dialect`: its SQL and parameters
    (`limit + 1` rows, the extra one telling whether more follow). `rendered`: each row
    is the header and the entry's JSON text (`rendered_page`), else the entry's columns
    (`page_from_rows`)."""
    statement = _driver_statement(dialect, after is not None, rendered)
    params: dict[str, Any] = {
        **statement.constants,
        "competition_id": competition_id,
        "limit": limit + 1,
    }
    if after is not None:
        params["score"] = _SCORE_TYPE.process_bind_param(after[0], dialect)
        params["wallet"] = after[1]
    if statement.order is None:
        return statement.sql, params
    return statement.sql, tuple(params[name] for name in statement.order)


def driver_rows(connection: Connection, sql: str, values: Any) -> list[Sequence[Any]]:
    """A statement's rows as the driver returns them, on the driver's own cursor."""
    dialect = connection.dialect
    driver = connection.connection.driver_connection
    assert driver is not None  # noqa: S101 - a checked-out connection always has one
    cursor = driver.cursor()
    try:
        cursor.execute(sql, values)
        rows: list[Sequence[Any]] = cursor.fetchall()
    except dialect.loaded_dbapi.Error as error:
        # What SQLAlchemy does for its own statements: a connection the server dropped
        # goes out of the pool instead of failing the next request too.
        if dialect.is_disconnect(error, driver, cursor):
            connection.invalidate(error)
        raise
    finally:
        cursor.close()
    return rows


def _page_rows(
    session: Session | Connection, competition_id: int, limit: int, after: tuple[int, str] | None
) -> Sequence[Sequence[Any]]:
    """The page statement's rows as the driver returns them, without SQLAlchemy's per-value
    result processing (`board_page` converts the four wide integers itself).

    NOTE: the page's hot path (bench/api_bench.py, cache off): SQLAlchemy's execution
    context, result rows and type processors cost as much as the query itself, so the
    statement is compiled once per dialect by SQLAlchemy (`board_page_sql`) and run on
    the driver's cursor (no `before_cursor_execute` events either).
    """
    connection = session.connection() if isinstance(session, Session) else session
    sql, values = board_page_sql(connection.dialect, competition_id, limit, after)
    return driver_rows(connection, sql, values)


def page_from_rows(rows: Sequence[Sequence[Any]], limit: int, dialect: str) -> BoardPage | None:
    """The page of the page statement's rows (`board_page_sql`), when they are all it
    takes: None when there are none (is there a competition at all?) or the indexer has
    not ranked one of them yet; `board_page` then reads what is missing."""
    ranks = [row[9] for row in rows[:limit]]
    if not rows or None in ranks:
        return None
    return _page(rows, limit, dialect, ranks)


@dataclass(frozen=True)
class RenderedPage:
    """A page of entries as JSON texts, with its competition's header."""

    total_entrants: int
    version: tuple[Any, ...]
    entries: list[str]
    """Each entry as the API sends it (`LeaderboardEntryPublic`, compact JSON)."""
    more: bool


def rendered_page(rows: Sequence[Sequence[Any]], limit: int) -> RenderedPage | None:
    """The page of the rendered page statement's rows (`board_page_sql(rendered=True)`);
    None when there are none or one of its entries has no text yet (not ranked, or its
    values changed since the indexer wrote it): then read it with `board_page`."""
    entries = [row[3] for row in rows[:limit]]
    if not rows or None in entries:
        return None
    total, block, updated = rows[0][:3]
    return RenderedPage(total, (block, updated), entries, len(rows) > limit)


def _offset(dialect: str) -> int:
    """What the stored forms of Uint256/Int256 (types.py) add to an int256: nothing to
    PostgreSQL's NUMERIC, INT256_OFFSET to the zero-padded text elsewhere."""
    return 0 if dialect == "postgresql" else INT256_OFFSET


def _page(rows: Sequence[Sequence[Any]], limit: int, dialect: str, ranks: list[int]) -> BoardPage:
    more = len(rows) > limit
    rows = rows[:limit]
    total, block, updated = rows[0][:3]
    if dialect == "postgresql" and type(rows[0][5]) is str:
        # NUMERIC(78, 0) as the server prints it (`Reader.rows`): already the canonical
        # decimal text of the integer (no leading zeros, no point), as the page shows it.
        return BoardPage(total, (block, updated), _text_entries(rows, ranks), more)
    offset = _offset(dialect)
    entries: list[BoardEntry] = []
    for rank, row in zip(ranks, rows, strict=True):
        score = int(row[5]) - offset
        entries.append(
            {
                "rank": rank,
                "wallet": str(row[3]),
                "username": row[4],
                "score": str(score // UNIT),
                "score_e18": str(score),
                "value": str(int(row[6])),
                "realised_pnl": str(int(row[7]) - offset),
                "unrealised_pnl": str(int(row[8]) - offset),
            }
        )
    return BoardPage(total, (block, updated), entries, more)


def _text_entries(rows: Sequence[Sequence[Any]], ranks: list[int]) -> list[BoardEntry]:
    return [
        {
            "rank": rank,
            "wallet": row[3],
            "username": row[4],
            "score": str(int(row[5]) // UNIT),
            "score_e18": row[5],
            "value": row[6],
            "realised_pnl": row[7],
            "unrealised_pnl": row[8],
        }
        for rank, row in zip(ranks, rows, strict=True)
    ]


def board_page(
    session: Session | Connection,
    competition_id: int,
    limit: int,
    after: tuple[int, str] | None,
) -> BoardPage | None:
    """The standings after `(score_e18, wallet)`, ranked, in one statement (a second only
    when the page is empty); None if there is no such competition.

    Order: score descending (P&L at oracle prices, `domacross_sdk.scoring`, the quantity
    the results pay by), then wallet ascending. Ranks are competition ranks (1, 2, 2, 4):
    1 + the number of entrants that scored strictly more, so ties share one, on any page.
    The indexer stores them with the scores (`domacross.indexer.ranks`); rows it has not
    ranked yet are ranked here by counting.
    """
    rows = _page_rows(session, competition_id, limit, after)
    return complete_page(session, competition_id, limit, rows)


def complete_page(
    session: Session | Connection,
    competition_id: int,
    limit: int,
    rows: Sequence[Sequence[Any]],
) -> BoardPage | None:
    """`board_page` from the page statement's rows already read: `page_from_rows`, or
    what it lacked read here (an empty page's header, ranks counted for unranked rows)."""
    connection = session.connection() if isinstance(session, Session) else session
    dialect = connection.dialect.name
    page = page_from_rows(rows, limit, dialect)
    if page is not None:
        return page
    if not rows:  # no entrant here: is there a competition at all?
        header = board_header(session, competition_id)
        return None if header is None else BoardPage(header[0], header[1], [], False)
    scores = [int(row[5]) - _offset(dialect) for row in rows[:limit]]
    ranks = _count_ranks(session, competition_id, str(rows[0][3]), scores)
    return _page(rows, limit, dialect, ranks)


def leaderboard_page(
    session: Session | Connection,
    competition_id: int,
    limit: int,
    after: tuple[int, str] | None,
) -> tuple[list[LeaderboardEntryPublic], bool]:
    """`board_page`'s entries as models, and whether more follow (no competition: none)."""
    page = board_page(session, competition_id, limit, after)
    if page is None:
        return [], False
    return [LeaderboardEntryPublic.model_validate(entry) for entry in page.entries], page.more


def _count_ranks(
    session: Session | Connection, competition_id: int, first_wallet: str, scores: list[int]
) -> list[int]:
    """The ranks of a page (its first wallet, its scores in board order) from counting
    the entrants before it."""
    score = Participant.score_e18
    first_score = scores[0]
    # Entries before this page: two index-only counts, in one round trip (one CASE-count
    # over both made PostgreSQL scan the table).
    where = Participant.competition_id == competition_id
    count = select(func.count()).select_from(Participant)
    above_q = count.where(where, score > first_score)
    tied_q = count.where(where, score == first_score, Participant.wallet < first_wallet)
    above, tied_before = session.execute(
        select(above_q.scalar_subquery(), tied_q.scalar_subquery())
    ).one()
    position = above + tied_before  # entries before the first of this page
    ranks: list[int] = []
    rank = above + 1
    previous: int | None = None
    for offset, exact in enumerate(scores):
        if previous is not None and exact != previous:
            rank = position + offset + 1
        previous = exact
        ranks.append(rank)
    return ranks


def entrant_count(session: Session | Connection, competition_id: int) -> int:
    """Entrants, as the indexer keeps them on the competition (no count over its rows)."""
    count = session.scalar(
        select(Competition.participant_count).where(Competition.id == competition_id)
    )
    return count or 0


def rank_of(session: Session, participant: Participant) -> int:
    """The entrant's leaderboard rank: as the indexer stored it, else 1 + the number of
    entrants that scored strictly more."""
    if participant.rank is not None:
        return participant.rank
    competition_id, score_e18 = participant.competition_id, participant.score_e18
    above = session.scalar(
        select(func.count())
        .select_from(Participant)
        .where(Participant.competition_id == competition_id, Participant.score_e18 > score_e18)
    )
    return (above or 0) + 1
