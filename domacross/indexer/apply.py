"""Turns decoded events into database rows, idempotently, inside the caller's transaction.

History rows are inserted with ON CONFLICT DO NOTHING on (chain, transaction, log), so a
replayed range writes nothing twice. Current-state columns are set in event order, and
`recompute` rebuilds them from the history after a reorg.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from domacross.db.models import (
    BlockRecord,
    Claim,
    Competition,
    Participant,
    PauseChange,
    PortfolioValue,
    Price,
    PrizeResult,
    RawEvent,
    Trade,
    User,
)
from domacross.indexer.baskets import BasketHandlers, recompute_baskets, rollback_baskets
from domacross.indexer.ranks import rank_entrants
from domacross_sdk import events as ev
from domacross_sdk.events_base import ContractEvent

COMPETITION_EVENTS = (
    ev.ParticipantJoined,
    ev.ResultsPosted,
    ev.ResultsRejected,
    ev.CompetitionFinalized,
    ev.PrizeClaimed,
    ev.RefundClaimed,
    ev.UnclaimedSwept,
    ev.CompetitionCancelled,
    ev.Paused,
    ev.Unpaused,
)
"""Events of competitions: fetched by topic from any address, kept for known competitions."""

TRADE_EVENTS = (ev.Transfer, ev.FractionTransfer, ev.Sold)
"""Events that become trades (`domacross.indexer.trades`), from tracked contracts only."""


def hexstr(value: bytes) -> str:
    return "0x" + value.hex()


def jsonable(value: Any) -> Any:
    """An event value as JSON: ints as decimal strings (exact), bytes as hex."""
    kind = type(value)
    if kind is int:  # NOTE: the common cases first, by exact type (bool is an int too)
        return str(value)
    if kind is str:
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, bytes):
        return hexstr(value)
    if isinstance(value, datetime):
        return int(value.timestamp())
    if isinstance(value, tuple | list):
        return [jsonable(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {k: jsonable(getattr(value, k)) for k in value.__dataclass_fields__}
    if hasattr(value, "total_seconds"):
        return int(value.total_seconds())
    return value


_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(cls: type) -> tuple[str, ...]:
    """The value fields of an event class (all but `meta`), listed once per class."""
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = tuple(f.name for f in fields(cls) if f.name != "meta")
    return found


def insert_ignore(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Inserts rows, skipping those whose unique event key already exists."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(table).on_conflict_do_nothing(), rows)


_BULK: dict[tuple[str, str, tuple[str, ...]], tuple[str, list[Any], bool]] = {}


def _bulk_statement(
    session: Session, table: Table, columns: tuple[str, ...]
) -> tuple[str, list[Any], bool]:
    """(SQL, one bind processor per column, positional?) of INSERT .. ON CONFLICT DO
    NOTHING of `columns` into `table`, compiled once per dialect."""
    dialect = session.get_bind().dialect
    key = (table.name, dialect.name, columns)
    found = _BULK.get(key)
    if found is None:
        insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
        compiled = (
            insert(table)
            .on_conflict_do_nothing()
            .compile(dialect=dialect, column_keys=list(columns))
        )
        positional = bool(compiled.positional)
        order = list(compiled.positiontup or []) if positional else list(columns)
        if sorted(order) != sorted(columns):
            raise RuntimeError(f"unexpected parameters {order} for {table.name}")
        processors = [
            table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in order
        ]
        found = (compiled.string, [order, processors], positional)
        _BULK[key] = found
    return found


def bulk_insert_ignore(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """`insert_ignore` of many rows of one shape, straight to the driver's executemany: the
    statement is compiled once and each value goes through its column's own bind processor
    (what SQLAlchemy does per row, minus its per-row bookkeeping, which cost more than the
    database's own work on a backfill). Rows must name every column that has a default."""
    if not rows:
        return
    columns = tuple(rows[0])
    missing = [
        c.name
        for c in table.columns
        if c.name not in columns and (c.default is not None and not c.primary_key)
    ]
    if missing:
        insert_ignore(session, table, rows)
        return
    sql, (order, processors), positional = _bulk_statement(session, table, columns)
    # Column by column (a list comprehension per column is far cheaper than a generator per
    # row); a block's timestamp recurs on every row of the block: processed once.
    values: list[list[Any]] = []
    for name, process in zip(order, processors, strict=True):
        column = [row[name] for row in rows]
        if process is not None:
            if isinstance(column[0], datetime):
                memo = {v: process(v) for v in set(column)}
                column = [memo[v] for v in column]
            else:
                column = [process(v) for v in column]
        values.append(column)
    if session.get_bind().dialect.name == "postgresql":
        _copy_ignore(session, table, order, values)
        return
    params: list[Any] = (
        list(zip(*values, strict=True))
        if positional
        else [dict(zip(order, row, strict=True)) for row in zip(*values, strict=True)]
    )
    session.connection().exec_driver_sql(sql, params)


def _copy_ignore(
    session: Session, table: Table, columns: list[str], values: list[list[Any]]
) -> None:
    """PostgreSQL: COPY into a temporary table of the transaction, then one INSERT ..
    SELECT .. ON CONFLICT DO NOTHING (COPY alone cannot skip existing rows). executemany
    sent one statement per row: on a backfill it took most of the time."""
    stage = f"stage_{table.name}"
    names = ", ".join(columns)
    raw = session.connection().connection.driver_connection
    # NOTE: the names are our own tables' and columns', never input.
    create = f"CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS AS SELECT {names} "
    create += f"FROM {table.name} WITH NO DATA"
    move = f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {stage} "  # noqa: S608
    move += "ON CONFLICT DO NOTHING"
    with raw.cursor() as cursor:  # type: ignore[union-attr]
        cursor.execute(create)
        with cursor.copy(f"COPY {stage} ({names}) FROM STDIN") as copy:
            for row in zip(*values, strict=True):
                copy.write_row(row)
        cursor.execute(move)
        cursor.execute(f"TRUNCATE {stage}")


@dataclass
class Batch:
    """What one range of blocks writes, gathered so that it goes in bulk."""

    chain_id: int
    timestamps: dict[int, datetime]
    raw: list[dict[str, Any]] = field(default_factory=list)
    prices: list[dict[str, Any]] = field(default_factory=list)
    values: list[dict[str, Any]] = field(default_factory=list)
    latest_value: dict[tuple[int, int], tuple[int, datetime]] = field(default_factory=dict)
    trade_events: list[ContractEvent] = field(default_factory=list)
    """Token transfers and marketplace sales, for `trades.TradeRecorder`."""
    pauses: list[dict[str, Any]] = field(default_factory=list)


class Applier(BasketHandlers):
    """Applies one chain's events to the database, with id caches across batches.
    The basket handlers come from `domacross.indexer.baskets`."""

    def __init__(self, chain_id: int) -> None:
        self.chain_id = chain_id
        self._users: dict[str, int] = {}
        self._competitions: dict[str, int] = {}
        self._baskets: dict[str, int] = {}

    def known_competitions(self, session: Session) -> set[str]:
        """Addresses of this chain's competitions already in the database."""
        rows = session.execute(
            select(Competition.contract_address, Competition.id).where(
                Competition.chain_id == self.chain_id
            )
        )
        self._competitions = {address: id_ for address, id_ in rows}
        return set(self._competitions)

    def forget(self) -> None:
        """Drops the id caches (after a rollback deleted rows)."""
        self._users.clear()
        self._competitions.clear()
        self._baskets.clear()

    def apply(self, session: Session, batch: Batch, event: ContractEvent) -> None:
        """Records one event: its raw row, and what it means."""
        meta = event.meta
        ts = batch.timestamps[meta.block_number]
        key = {
            "chain_id": self.chain_id,
            "block_number": meta.block_number,
            "tx_hash": hexstr(meta.transaction_hash),
            "log_index": meta.log_index,
        }
        args = {}
        for name in _fields(type(event)):
            value = getattr(event, name)
            kind = type(value)  # NOTE: the common cases inline: jsonable per value cost more
            if kind is int:
                args[name] = str(value)
            elif kind is str or kind is bool:
                args[name] = value
            else:
                args[name] = jsonable(value)
        batch.raw.append(
            {
                **key,
                "block_hash": hexstr(meta.block_hash),
                "address": meta.address,
                "name": type(event).__name__,
                "args": args,
            }
        )
        handler = getattr(self, f"_on_{type(event).__name__}", None)
        if handler is not None:
            handler(session, batch, event, key, ts)
        if isinstance(event, TRADE_EVENTS):
            batch.trade_events.append(event)

    def flush(self, session: Session, batch: Batch) -> None:
        """Writes the batched rows and the latest values of the batch."""
        for table, rows in (
            (RawEvent.__table__, batch.raw),
            (Price.__table__, batch.prices),
            (PortfolioValue.__table__, batch.values),
            (PauseChange.__table__, batch.pauses),
        ):
            bulk_insert_ignore(session, table, rows)  # type: ignore[arg-type]
        for (competition_id, user_id), (value, ts) in batch.latest_value.items():
            session.execute(
                update(Participant)
                .where(Participant.competition_id == competition_id, Participant.user_id == user_id)
                .values(portfolio_value=value, value_updated_at=ts)
            )

    # -- handlers -------------------------------------------------------------------------

    def _user_id(self, session: Session, wallet: str) -> int:
        cached = self._users.get(wallet)
        if cached is not None:
            return cached
        found = session.scalar(select(User.id).where(User.wallet_address == wallet))
        if found is None:
            # Users are shared by every chain: another chain's follower may insert the same
            # wallet at the same moment, hence ON CONFLICT DO NOTHING, then read it back.
            insert_ignore(
                session,
                User.__table__,  # type: ignore[arg-type]
                [{"wallet_address": wallet, "created_at": datetime.now(UTC)}],
            )
            found = session.scalar(select(User.id).where(User.wallet_address == wallet))
        if found is None:  # pragma: no cover - the insert or a concurrent one made it exist
            raise RuntimeError(f"user {wallet} could not be created")
        self._users[wallet] = found
        return found

    def _competition_id(self, session: Session, address: str) -> int | None:
        cached = self._competitions.get(address)
        if cached is None:
            cached = session.scalar(
                select(Competition.id).where(
                    Competition.chain_id == self.chain_id, Competition.contract_address == address
                )
            )
            if cached is not None:
                self._competitions[address] = cached
        return cached

    def _on_CompetitionCreated(  # noqa: N802 - named after the event
        self,
        session: Session,
        batch: Batch,
        e: ev.CompetitionCreated,
        key: dict[str, Any],
        ts: datetime,
    ) -> None:
        if self._competition_id(session, e.competition) is not None:
            return
        p = e.params
        competition = Competition(
            chain_id=self.chain_id,
            contract_address=e.competition,
            factory_address=e.meta.address,
            organizer=e.organizer,
            registry_index=e.index,
            start_time=p.start_time,
            end_time=p.end_time,
            claim_deadline=p.claim_deadline,
            dispute_window=int(e.dispute_window.total_seconds()),
            entry_fee=p.entry_fee,
            max_participants=p.max_participants,
            rake_bps=p.rake_bps,
            payout_bps=list(p.payout_bps),
            oracle=p.oracle,
            tracker=p.tracker,
            treasury=p.treasury,
            created_block=key["block_number"],
            created_tx=key["tx_hash"],
            participant_count=0,
            claimed_total=0,
        )
        session.add(competition)
        session.flush()
        self._competitions[e.competition] = competition.id

    def _on_ParticipantJoined(  # noqa: N802
        self,
        session: Session,
        batch: Batch,
        e: ev.ParticipantJoined,
        key: dict[str, Any],
        ts: datetime,
    ) -> None:
        competition_id = self._competition_id(session, e.meta.address)
        if competition_id is None:
            return
        user_id = self._user_id(session, e.account)
        exists = session.scalar(
            select(Participant.id).where(
                Participant.competition_id == competition_id, Participant.user_id == user_id
            )
        )
        if exists is None:
            session.add(
                Participant(
                    user_id=user_id,
                    competition_id=competition_id,
                    chain_id=self.chain_id,
                    joined_block=key["block_number"],
                    joined_tx=key["tx_hash"],
                    joined_log_index=key["log_index"],
                    joined_at=ts,
                    fee=e.fee,
                    portfolio_value=0,
                )
            )
        session.execute(
            update(Competition)
            .where(Competition.id == competition_id)
            .values(participant_count=e.participant_count)
        )

    def _on_PortfolioValueUpdated(  # noqa: N802
        self,
        session: Session,
        batch: Batch,
        e: ev.PortfolioValueUpdated,
        key: dict[str, Any],
        ts: datetime,
    ) -> None:
        competition_id = self._competition_id(session, e.competition)
        if competition_id is None:
            return
        user_id = self._user_id(session, e.user)
        batch.values.append(
            {
                **key,
                "competition_id": competition_id,
                "user_id": user_id,
                "value": e.value,
                "holdings_count": e.holdings_count,
                "holdings_hash": hexstr(e.holdings_hash),
                "timestamp": ts,
            }
        )
        batch.latest_value[(competition_id, user_id)] = (e.value, ts)

    def _on_PriceUpdated(  # noqa: N802
        self, session: Session, batch: Batch, e: ev.PriceUpdated, key: dict[str, Any], ts: datetime
    ) -> None:
        batch.prices.append(
            {
                **key,
                "oracle": e.meta.address,
                "token": e.token,
                "token_id": e.token_id,
                "fungible": e.fungible,
                "price": e.price,
                "previous_price": e.previous_price,
                "reporter": e.reporter,
                "overridden": e.overridden,
                "timestamp": ts,
            }
        )

    def _on_Paused(  # noqa: N802
        self, session: Session, batch: Batch, e: ev.Paused, key: dict[str, Any], ts: datetime
    ) -> None:
        batch.pauses.append(
            {
                **key,
                "address": e.meta.address,
                "paused": True,
                "account": e.account,
                "timestamp": ts,
            }
        )

    def _on_Unpaused(  # noqa: N802
        self, session: Session, batch: Batch, e: ev.Unpaused, key: dict[str, Any], ts: datetime
    ) -> None:
        batch.pauses.append(
            {
                **key,
                "address": e.meta.address,
                "paused": False,
                "account": e.account,
                "timestamp": ts,
            }
        )

    def _result(
        self, session: Session, address: str, key: dict[str, Any], ts: datetime, **values: Any
    ) -> int | None:
        competition_id = self._competition_id(session, address)
        if competition_id is not None:
            insert_ignore(
                session,
                PrizeResult.__table__,  # type: ignore[arg-type]
                [{**key, "competition_id": competition_id, "timestamp": ts, **values}],
            )
        return competition_id

    def _on_ResultsPosted(  # noqa: N802
        self, session: Session, batch: Batch, e: ev.ResultsPosted, key: dict[str, Any], ts: datetime
    ) -> None:
        cid = self._result(
            session,
            e.meta.address,
            key,
            ts,
            kind="posted",
            merkle_root=hexstr(e.merkle_root),
            total_payout=e.total_payout,
            rake=None,
            actor=e.resolver,
        )
        if cid is not None:
            session.execute(
                update(Competition)
                .where(Competition.id == cid)
                .values(
                    merkle_root=hexstr(e.merkle_root),
                    total_payout=e.total_payout,
                    results_posted_at=ts,
                )
            )

    def _on_ResultsRejected(  # noqa: N802
        self,
        session: Session,
        batch: Batch,
        e: ev.ResultsRejected,
        key: dict[str, Any],
        ts: datetime,
    ) -> None:
        cid = self._result(
            session,
            e.meta.address,
            key,
            ts,
            kind="rejected",
            merkle_root=hexstr(e.merkle_root),
            total_payout=None,
            rake=None,
            actor=e.guardian,
        )
        if cid is not None:
            session.execute(
                update(Competition)
                .where(Competition.id == cid)
                .values(merkle_root=None, total_payout=None, results_posted_at=None)
            )

    def _on_CompetitionFinalized(  # noqa: N802
        self,
        session: Session,
        batch: Batch,
        e: ev.CompetitionFinalized,
        key: dict[str, Any],
        ts: datetime,
    ) -> None:
        cid = self._result(
            session,
            e.meta.address,
            key,
            ts,
            kind="finalized",
            merkle_root=hexstr(e.merkle_root),
            total_payout=e.total_payout,
            rake=e.rake,
            actor=None,
        )
        competition = session.get(Competition, cid) if cid is not None else None
        if competition is not None:
            session.execute(
                update(Competition)
                .where(Competition.id == competition.id)
                .values(
                    finalized=True, rake_paid=e.rake, claim_ends_at=claim_ends_at(competition, ts)
                )
            )

    def _claim(
        self,
        session: Session,
        address: str,
        kind: str,
        account: str,
        amount: int,
        key: dict[str, Any],
        ts: datetime,
    ) -> int | None:
        cid = self._competition_id(session, address)
        if cid is None:
            return None
        insert_ignore(
            session,
            Claim.__table__,  # type: ignore[arg-type]
            [
                {
                    **key,
                    "competition_id": cid,
                    "kind": kind,
                    "account": account,
                    "amount": amount,
                    "timestamp": ts,
                }
            ],
        )
        return cid

    def _on_PrizeClaimed(  # noqa: N802
        self, session: Session, batch: Batch, e: ev.PrizeClaimed, key: dict[str, Any], ts: datetime
    ) -> None:
        cid = self._claim(session, e.meta.address, "prize", e.account, e.amount, key, ts)
        if cid is not None:
            user_id = self._user_id(session, e.account)
            session.execute(
                update(Participant)
                .where(Participant.competition_id == cid, Participant.user_id == user_id)
                .values(prize_claimed=e.amount)
            )
            session.execute(
                update(Competition)
                .where(Competition.id == cid)
                .values(
                    claimed_total=select(func.coalesce(func.sum(Claim.amount), 0))
                    .where(Claim.competition_id == cid, Claim.kind == "prize")
                    .scalar_subquery()
                )
            )

    def _on_RefundClaimed(  # noqa: N802
        self, session: Session, batch: Batch, e: ev.RefundClaimed, key: dict[str, Any], ts: datetime
    ) -> None:
        cid = self._claim(session, e.meta.address, "refund", e.account, e.amount, key, ts)
        if cid is not None:
            user_id = self._user_id(session, e.account)
            session.execute(
                update(Participant)
                .where(Participant.competition_id == cid, Participant.user_id == user_id)
                .values(refunded=e.amount)
            )

    def _on_UnclaimedSwept(  # noqa: N802
        self,
        session: Session,
        batch: Batch,
        e: ev.UnclaimedSwept,
        key: dict[str, Any],
        ts: datetime,
    ) -> None:
        self._claim(session, e.meta.address, "sweep", e.treasury, e.amount, key, ts)

    def _on_CompetitionCancelled(  # noqa: N802
        self,
        session: Session,
        batch: Batch,
        e: ev.CompetitionCancelled,
        key: dict[str, Any],
        ts: datetime,
    ) -> None:
        cid = self._competition_id(session, e.meta.address)
        if cid is not None:
            session.execute(update(Competition).where(Competition.id == cid).values(cancelled=True))


HISTORY = (RawEvent, Price, PortfolioValue, PrizeResult, Claim, PauseChange)


def rollback(session: Session, chain_id: int, ancestor: int) -> None:
    """Deletes every row of `chain_id` derived from blocks after `ancestor`, then rebuilds
    the current-state columns of the chain's competitions from the remaining history."""
    from domacross.indexer import trades  # NOTE: trades imports this module

    trades.delete_trades(session, chain_id, ancestor)
    for history in HISTORY:
        session.execute(
            delete(history).where(history.chain_id == chain_id, history.block_number > ancestor)
        )
    session.execute(
        delete(Participant).where(
            Participant.chain_id == chain_id, Participant.joined_block > ancestor
        )
    )
    doomed = select(Competition.id).where(
        Competition.chain_id == chain_id, Competition.created_block > ancestor
    )
    for owned in (Trade, Participant, PortfolioValue, PrizeResult, Claim):
        session.execute(delete(owned).where(owned.competition_id.in_(doomed)))
    session.execute(
        delete(Competition).where(
            Competition.chain_id == chain_id, Competition.created_block > ancestor
        )
    )
    rollback_baskets(session, chain_id, ancestor)
    session.execute(
        delete(BlockRecord).where(BlockRecord.chain_id == chain_id, BlockRecord.number > ancestor)
    )
    recompute(session, chain_id)
    trades.rebuild_pnl(session, chain_id)


def claim_ends_at(competition: Competition, finalized_at: datetime) -> datetime:
    """When claims really end: as `Competition._claimEndsAt`, the claim period the organizer
    configured (deadline minus end minus dispute window) counted from finalization."""
    period = competition.claim_deadline - competition.end_time
    return finalized_at + period - timedelta(seconds=competition.dispute_window)


def recompute(session: Session, chain_id: int) -> None:
    """Rebuilds competitions', participants' and baskets' current state from the history rows."""
    recompute_baskets(session, chain_id)
    for competition in session.scalars(select(Competition).where(Competition.chain_id == chain_id)):
        cid = competition.id
        competition.participant_count = (
            session.scalar(
                select(func.count())
                .select_from(Participant)
                .where(Participant.competition_id == cid)
            )
            or 0
        )
        competition.cancelled = bool(
            session.scalar(
                select(func.count())
                .select_from(RawEvent)
                .where(
                    RawEvent.chain_id == chain_id,
                    RawEvent.address == competition.contract_address,
                    RawEvent.name == "CompetitionCancelled",
                )
            )
        )
        history = session.scalars(
            select(PrizeResult)
            .where(PrizeResult.competition_id == cid)
            .order_by(PrizeResult.block_number.desc(), PrizeResult.log_index.desc())
        ).all()
        last = history[0] if history else None
        # Results stand when the latest row posted or finalized them; their posting time is
        # that of the latest "posted" row (a finalized row follows its posting).
        standing = last if last is not None and last.kind in ("posted", "finalized") else None
        posting = next((r for r in history if r.kind == "posted"), None) if standing else None
        competition.finalized = standing is not None and standing.kind == "finalized"
        competition.rake_paid = standing.rake if competition.finalized and standing else None
        competition.merkle_root = standing.merkle_root if standing else None
        competition.total_payout = standing.total_payout if standing else None
        competition.results_posted_at = posting.timestamp if posting else None
        competition.claim_ends_at = (
            claim_ends_at(competition, standing.timestamp)
            if competition.finalized and standing
            else None
        )
        competition.claimed_total = (
            session.scalar(
                select(func.coalesce(func.sum(Claim.amount), 0)).where(
                    Claim.competition_id == cid, Claim.kind == "prize"
                )
            )
            or 0
        )
        for participant in session.scalars(
            select(Participant).where(Participant.competition_id == cid)
        ):
            latest = session.scalars(
                select(PortfolioValue)
                .where(
                    PortfolioValue.competition_id == cid,
                    PortfolioValue.user_id == participant.user_id,
                )
                .order_by(PortfolioValue.block_number.desc(), PortfolioValue.log_index.desc())
            ).first()
            participant.portfolio_value = latest.value if latest else 0
            participant.value_updated_at = latest.timestamp if latest else None
            wallet = participant.user.wallet_address
            paid = {
                kind: amount
                for kind, amount in session.execute(
                    select(Claim.kind, Claim.amount).where(
                        Claim.competition_id == cid, Claim.account == wallet
                    )
                )
            }
            participant.prize_claimed = paid.get("prize")
            participant.refunded = paid.get("refund")
        # Entrants above the rolled-back block are gone: the others' ranks close up.
        rank_entrants(session, cid)
