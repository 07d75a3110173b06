"""Trades: domain-token transfers of competition participants, priced, and their P&L.

For each range the follower indexes, after the other rows of the range are written (so
the range's own oracle prices and joins are visible), this projection's after-range hook
(:meth:`TradeRecorder.record`) turns the domain tokens' `Transfer` logs into `trades` rows:

- Only a wallet that is a participant of a competition *live at that log* gets a row:
  the block's time is in `[start_time, end_time)`, the competition was not cancelled
  before the log, and the wallet's `ParticipantJoined` precedes the log. One transfer
  between two such entrants is two rows (one per side), and a wallet in two live
  competitions gets a row in each.
- A transfer paired with a `Sold` of the configured marketplace in the same transaction
  (same token, token id or amount, seller -> buyer) is a `buy` / `sell` at the sale price
  (`price_source` "sale"). Otherwise `transfer_in` / `transfer_out`, or `mint` (from the
  zero address) / `burn` (to it), valued at the oracle price as of that log (the latest
  `prices` row strictly before it; fungible prices per 1e18 base units): "oracle", or
  NULL with "unknown" when the oracle never priced the token.
- Self-transfers and zero-amount ERC-20 transfers move nothing and are skipped.
  `OwnershipTokenBurned` comes with its `Transfer` to the zero address: a `burn`.
- **Expiry** is a time, not a transaction: no log marks it. The Ownership Token's
  `OwnershipTokenMinted` / `OwnershipTokenRenewed` say when a registration ends. When the
  expiry in force for a domain falls in a range's time span (after the previous range's
  last block, up to its own last block), every participant that holds the domain (by its
  trades before the lapse) in a competition live at that time (and not cancelled before
  it) gets an `expiry` row: value 0 (`price_source` "expiry"), the expiry as its
  `timestamp`, the first block at or after the expiry as its block, and the mint or
  renewal that set that expiry as its transaction and log (its unique key). A renewal
  before that block cancels it. Nothing after the lapse counts, so the rows do not depend
  on where ranges are cut, and a reorg above the lapse deletes and rebuilds them alike.

Rows are unique on (participant, chain, transaction, log) and inserted with ON CONFLICT
DO NOTHING like every history row, so a replayed range writes nothing twice; a reorg
deletes them with the rest of the range (`rollback`) and rebuilds the P&L (`recompute`).

P&L (`domacross.pnl`, average cost) is precomputed per participant into
`participants.realised_pnl` / `unrealised_pnl` whenever the participant trades or a token
it traded is repriced, so the leaderboard reads two columns. Held positions are valued at
the latest oracle price before the competition's end.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import Session

from domacross import pnl
from domacross.db.models import (
    BlockRecord,
    Competition,
    Participant,
    Price,
    RawEvent,
    Trade,
    User,
)
from domacross.indexer.addressbook import Role
from domacross.indexer.projections.competitions import created_after
from domacross.indexer.registry import Key, Projection, Range
from domacross.indexer.rows import Row, hexstr, insert_ignore
from domacross.pnl import PriceSource, TradeKind
from domacross_sdk import events as ev

projection = Projection("trades")

ZERO = "0x0000000000000000000000000000000000000000"
UNIT = 10**18
CHUNK = 500
"""Wallets per IN (...) query."""

TokenTransfer = ev.Transfer | ev.FractionTransfer
EXPIRY_EVENTS = ("OwnershipTokenMinted", "OwnershipTokenRenewed")
"""Raw events that set when a domain's registration ends (`args["expires_at"]`, unix s)."""


@dataclass(frozen=True)
class _Entrant:
    participant_id: int
    competition_id: int
    competition: str
    wallet: str
    joined: tuple[int, int]
    start: datetime
    end: datetime


@dataclass(frozen=True)
class _Holding:
    """One trade of a domain: who, which way (+1 in, -1 out), in which block."""

    entrant: _Entrant
    change: int
    block: int


def _holders(trades: list[_Holding], before: int) -> list[_Entrant]:
    """Entrants that held the domain, by their trades in blocks before `before`."""
    quantity: dict[int, int] = defaultdict(int)
    entrants: dict[int, _Entrant] = {}
    for trade in trades:
        if trade.block < before:
            quantity[trade.entrant.participant_id] += trade.change
            entrants[trade.entrant.participant_id] = trade.entrant
    return [entrants[pid] for pid, count in quantity.items() if count > 0]


def _amount(t: TokenTransfer) -> tuple[int, int, bool]:
    """(token id, amount, fungible) of a transfer."""
    if isinstance(t, ev.Transfer):
        return t.token_id, 1, False
    return 0, t.value, True


@dataclass
class Pending:
    """What a range holds for trades: transfers of the domain tokens, sales of the
    marketplace by transaction, and the positions its prices touch."""

    transfers: list[TokenTransfer] = field(default_factory=list)
    sales: dict[bytes, list[ev.Sold]] = field(default_factory=lambda: defaultdict(list))
    prices: list[tuple[str, int, bool, datetime]] = field(default_factory=list)
    """(token, token id, fungible, time) of each price."""


@projection.on(Role.DOMAIN_TOKEN, ev.Transfer)
def on_transfer(r: Range, e: ev.Transfer, key: Key) -> None:
    r.state(Pending).transfers.append(e)


@projection.on(Role.DOMAIN_TOKEN, ev.FractionTransfer)
def on_fraction_transfer(r: Range, e: ev.FractionTransfer, key: Key) -> None:
    r.state(Pending).transfers.append(e)


@projection.on(Role.MARKETPLACE, ev.Sold)
def on_sold(r: Range, e: ev.Sold, key: Key) -> None:
    r.state(Pending).sales[e.meta.transaction_hash].append(e)


@projection.on_batch(Role.ORACLE, ev.PriceUpdated)
def on_prices(r: Range, events: list[ev.PriceUpdated]) -> None:
    times = r.timestamps
    r.state(Pending).prices.extend(
        (e.token, e.token_id, e.fungible, times[e.meta.block_number]) for e in events
    )


@projection.after_range
def record(r: Range) -> None:
    tokens = r.book.addresses(Role.DOMAIN_TOKEN)
    recorder = TradeRecorder(r.chain_id, tokens, r.block_time)
    recorder.record(r.session, r.timestamps, r.state(Pending))


@projection.rollback
def rollback(session: Session, chain_id: int, ancestor: int) -> None:
    """Deletes the chain's trades above `ancestor` (and those of competitions created there)."""
    session.execute(delete(Trade).where(Trade.chain_id == chain_id, Trade.block_number > ancestor))
    session.execute(
        delete(Trade).where(Trade.competition_id.in_(created_after(chain_id, ancestor)))
    )


def _trade_row(
    entrant: _Entrant,
    chain_id: int,
    at: tuple[int, str, int],
    position: tuple[str, int, bool, int],
    kind: TradeKind,
    counterparty: str,
    price: tuple[int | None, PriceSource, int | None],
    timestamp: datetime,
) -> Row:
    """A `trades` row: `at` is (block, tx hash, log index), `position` (token, token id,
    fungible, amount), `price` (price, source, listing id)."""
    (block, tx_hash, log_index), (token, token_id, fungible, amount) = at, position
    value, source, listing_id = price
    return {
        "participant_id": entrant.participant_id,
        "competition_id": entrant.competition_id,
        "wallet": entrant.wallet,
        "chain_id": chain_id,
        "block_number": block,
        "tx_hash": tx_hash,
        "log_index": log_index,
        "token": token,
        "token_id": token_id,
        "fungible": fungible,
        "amount": amount,
        "kind": kind,
        "counterparty": counterparty,
        "price": value,
        "price_source": source,
        "listing_id": listing_id,
        "timestamp": timestamp,
    }


class TradeRecorder:
    """Records one chain's trades and keeps its participants' P&L current.

    Args:
        chain_id: The chain.
        tokens: Tracked domain-token contracts (ERC-721 Ownership Tokens, ERC-20 fractions).
        block_time: A block's time by number (the chain's header), to place expiry rows.
    """

    def __init__(
        self,
        chain_id: int,
        tokens: Sequence[str],
        block_time: Callable[[int], datetime | None] | None = None,
    ) -> None:
        self.chain_id = chain_id
        self.block_time = block_time
        self.tokens = frozenset(tokens)

    # -- per range --------------------------------------------------------------------------

    def record(self, session: Session, timestamps: dict[int, datetime], pending: Pending) -> int:
        """Writes the trades of a range (its headers' `timestamps`, its `pending` logs) and
        refreshes the P&L they or its prices change; returns how many trade rows were
        derived."""
        transfers, sales = pending.transfers, pending.sales
        rows = self._rows(session, timestamps, transfers, sales) if transfers else []
        insert_ignore(session, Trade.__table__, rows)  # type: ignore[arg-type]
        # NOTE: after the range's transfers: a domain bought and lapsed in one range counts.
        expiries = self._expiry_rows(session, timestamps)
        insert_ignore(session, Trade.__table__, expiries)  # type: ignore[arg-type]
        rows += expiries
        touched = {r["participant_id"] for r in rows}
        if pending.prices:
            touched |= self._holders_of_repriced(session, pending.prices)
        for participant_id in sorted(touched):
            refresh_pnl(session, participant_id)
        return len(rows)

    def _expiry_rows(self, session: Session, timestamps: dict[int, datetime]) -> list[Row]:
        """`expiry` rows for registrations that lapsed during this range (see module doc).

        Every input is fixed by the chain up to the lapse, never by where the range ends:
        the row's block is the first block at or after the expiry, and holdings, renewals
        and cancellations count only before that block."""
        if not self.tokens or not timestamps:
            return []
        first, end = min(timestamps), max(timestamps)
        until = timestamps[end]
        previous = session.scalar(
            select(BlockRecord.timestamp)
            .where(BlockRecord.chain_id == self.chain_id, BlockRecord.number < first)
            .order_by(BlockRecord.number.desc())
            .limit(1)
        )
        since = previous if previous is not None else datetime.min.replace(tzinfo=UTC)
        held = self._held_domains(session, since, until)
        if not held:
            return []
        setters = session.execute(
            select(
                RawEvent.address,
                RawEvent.args,
                RawEvent.block_number,
                RawEvent.log_index,
                RawEvent.tx_hash,
            )
            .where(
                RawEvent.chain_id == self.chain_id,
                RawEvent.name.in_(EXPIRY_EVENTS),
                RawEvent.address.in_(sorted({token for token, _ in held})),
            )
            .order_by(RawEvent.block_number, RawEvent.log_index)
        ).all()
        by_domain: dict[tuple[str, int], list[Any]] = defaultdict(list)
        for row in setters:
            domain = (row.address, int(row.args["token_id"]))
            if domain in held:
                by_domain[domain].append(row)
        cancelled = self._cancellations(
            session, {t.entrant.competition for ts in held.values() for t in ts}
        )
        rows: list[dict[str, Any]] = []
        for domain, events in by_domain.items():
            for i, setter in enumerate(events):
                expires = datetime.fromtimestamp(int(setter.args["expires_at"]), UTC)
                if not since < expires <= until:
                    continue
                block = self._block_at(timestamps, expires, first, end)
                if setter.block_number >= block:
                    continue  # set after it had passed: nothing was held until then
                renewal = events[i + 1] if i + 1 < len(events) else None
                if renewal is not None and renewal.block_number < block:
                    continue  # renewed before it lapsed
                for holder in _holders(held[domain], block):
                    if not holder.start <= expires < holder.end:
                        continue
                    if cancelled.get(holder.competition, (1 << 62, 0))[0] < block:
                        continue  # cancelled before the lapse: no longer live
                    # NOTE: the lapse disposes of it: a later lapse in this range sees that.
                    held[domain].append(_Holding(holder, -1, block))
                    rows.append(
                        _trade_row(
                            holder,
                            self.chain_id,
                            (block, setter.tx_hash, setter.log_index),
                            (domain[0], domain[1], False, 1),
                            "expiry",
                            ZERO,
                            (0, "expiry", None),
                            expires,
                        )
                    )
        return rows

    def _block_at(
        self, timestamps: dict[int, datetime], when: datetime, first: int, end: int
    ) -> int:
        """The first block of [first, end] whose time is at or after `when` (its time
        is at or before `end`'s, after the block before `first`)."""
        low, high = first - 1, end  # time(low) < when <= time(high)
        for number, ts in timestamps.items():  # narrow with the headers at hand
            if ts >= when and number < high:
                high = number
            elif ts < when and number > low:
                low = number
        while high - low > 1:
            middle = (low + high) // 2
            found = self.block_time(middle) if self.block_time else None
            if found is None:
                break  # no header source: the first known block after the expiry
            if found >= when:
                high = middle
            else:
                low = middle
        return high

    def _held_domains(
        self, session: Session, since: datetime, until: datetime
    ) -> dict[tuple[str, int], list[_Holding]]:
        """The trades of domains (ERC-721) by participants of competitions live in
        (since, until], per domain, in chain order: `_holders` says who held one when."""
        rows = session.execute(
            select(
                Trade.participant_id,
                Trade.competition_id,
                Competition.contract_address,
                Trade.wallet,
                Trade.token,
                Trade.token_id,
                Trade.kind,
                Trade.block_number,
                Competition.start_time,
                Competition.end_time,
            )
            .join(Competition, Competition.id == Trade.competition_id)
            .where(
                Trade.chain_id == self.chain_id,
                Trade.fungible.is_(False),
                Competition.start_time <= until,
                Competition.end_time > since,
            )
            .order_by(Trade.block_number, Trade.log_index)
        ).all()
        held: dict[tuple[str, int], list[_Holding]] = defaultdict(list)
        for row in rows:
            held[(row.token, int(row.token_id))].append(
                _Holding(
                    _Entrant(
                        row.participant_id,
                        row.competition_id,
                        row.contract_address,
                        row.wallet,
                        (0, 0),
                        row.start_time,
                        row.end_time,
                    ),
                    1 if row.kind in pnl.ACQUIRE else -1,
                    row.block_number,
                )
            )
        return held

    def _holders_of_repriced(
        self, session: Session, prices: list[tuple[str, int, bool, datetime]]
    ) -> set[int]:
        """Participants that traded a position repriced in this range, in competitions that
        had not ended before the range's first price (later prices do not value them)."""
        keys = {(token, 0 if fungible else token_id) for token, token_id, fungible, _ in prices}
        earliest = min(ts for *_, ts in prices)
        rows = session.execute(
            select(Trade.participant_id, Trade.token, Trade.token_id, Trade.fungible)
            .join(Competition, Competition.id == Trade.competition_id)
            .where(
                Trade.chain_id == self.chain_id,
                Trade.token.in_(sorted({k[0] for k in keys})),
                Competition.end_time > earliest,
            )
            .distinct()
        )
        return {
            pid for pid, token, tid, fungible in rows if (token, 0 if fungible else tid) in keys
        }

    def _rows(
        self,
        session: Session,
        timestamps: dict[int, datetime],
        transfers: list[TokenTransfer],
        sales: dict[bytes, list[ev.Sold]],
    ) -> list[Row]:
        wallets: set[str] = {str(a) for t in transfers for a in (t.from_, t.to)} - {ZERO}
        entrants = self._entrants(session, wallets)
        if not entrants:
            return []
        cancelled = self._cancellations(
            session, {e.competition for es in entrants.values() for e in es}
        )
        used: set[tuple[bytes, int]] = set()
        rows: list[dict[str, Any]] = []
        for t in transfers:
            token_id, amount, fungible = _amount(t)
            if amount == 0 or t.from_ == t.to:
                continue
            meta = t.meta
            position = (meta.block_number, meta.log_index)
            ts = timestamps[meta.block_number]
            sides = [(t.to, "in"), (t.from_, "out")]
            parties = [
                (e, side)
                for wallet, side in sides
                for e in entrants.get(wallet, ())
                if e.start <= ts < e.end
                and e.joined < position
                and cancelled.get(e.competition, (1 << 62, 0)) > position
            ]
            if not parties:
                continue
            sale = self._match_sale(t, token_id, amount, sales.get(meta.transaction_hash, []), used)
            oracle: tuple[int | None] | None = None
            kind: TradeKind
            source: PriceSource
            for entrant, side in parties:
                if sale is not None:
                    kind = "buy" if side == "in" else "sell"
                    price: int | None = sale.price
                    source = "sale"
                else:
                    if side == "in":
                        kind = "mint" if t.from_ == ZERO else "transfer_in"
                    else:
                        kind = "burn" if t.to == ZERO else "transfer_out"
                    if oracle is None:
                        oracle = (
                            self._oracle_value(
                                session, t.meta.address, token_id, amount, fungible, position
                            ),
                        )
                    price = oracle[0]
                    source = "unknown" if price is None else "oracle"
                rows.append(
                    _trade_row(
                        entrant,
                        self.chain_id,
                        (meta.block_number, hexstr(meta.transaction_hash), meta.log_index),
                        (meta.address, token_id, fungible, amount),
                        kind,
                        t.from_ if side == "in" else t.to,
                        (price, source, sale.listing_id if sale is not None else None),
                        ts,
                    )
                )
        return rows

    @staticmethod
    def _match_sale(
        t: TokenTransfer,
        token_id: int,
        amount: int,
        candidates: list[ev.Sold],
        used: set[tuple[bytes, int]],
    ) -> ev.Sold | None:
        for s in candidates:
            key = (s.meta.transaction_hash, s.meta.log_index)
            if (
                key not in used
                and s.token == t.meta.address
                and s.seller == t.from_
                and s.buyer == t.to
                and s.token_id == token_id
                and s.amount == amount
            ):
                used.add(key)
                return s
        return None

    def _entrants(self, session: Session, wallets: set[str]) -> dict[str, list[_Entrant]]:
        found: dict[str, list[_Entrant]] = defaultdict(list)
        ordered = sorted(wallets)
        for i in range(0, len(ordered), CHUNK):
            for row in session.execute(
                select(
                    Participant.id,
                    Participant.competition_id,
                    Competition.contract_address,
                    User.wallet_address,
                    Participant.joined_block,
                    Participant.joined_log_index,
                    Competition.start_time,
                    Competition.end_time,
                )
                .join(User, User.id == Participant.user_id)
                .join(Competition, Competition.id == Participant.competition_id)
                .where(
                    Competition.chain_id == self.chain_id,
                    User.wallet_address.in_(ordered[i : i + CHUNK]),
                )
            ):
                found[row[3]].append(
                    _Entrant(row[0], row[1], row[2], row[3], (row[4], row[5]), row[6], row[7])
                )
        return found

    def _cancellations(
        self, session: Session, competitions: Iterable[str]
    ) -> dict[str, tuple[int, int]]:
        """Where each cancelled competition was cancelled (block, log index)."""
        rows = session.execute(
            select(RawEvent.address, RawEvent.block_number, RawEvent.log_index).where(
                RawEvent.chain_id == self.chain_id,
                RawEvent.name == "CompetitionCancelled",
                RawEvent.address.in_(list(competitions)),
            )
        )
        return {address: (block, index) for address, block, index in rows}

    def _oracle_value(
        self,
        session: Session,
        token: str,
        token_id: int,
        amount: int,
        fungible: bool,
        position: tuple[int, int],
    ) -> int | None:
        """The oracle value of `amount` of the token as of `position` (prices strictly before)."""
        block, index = position
        query = select(Price.price).where(
            Price.chain_id == self.chain_id,
            Price.token == token,
            Price.fungible == fungible,
            or_(
                Price.block_number < block,
                and_(Price.block_number == block, Price.log_index < index),
            ),
        )
        if not fungible:
            query = query.where(Price.token_id == token_id)
        price = session.scalar(
            query.order_by(Price.block_number.desc(), Price.log_index.desc()).limit(1)
        )
        if price is None:
            return None
        return price * amount // UNIT if fungible else price * amount


# -- P&L ------------------------------------------------------------------------------------


def refresh_pnl(session: Session, participant_id: int) -> None:
    """Recomputes one participant's realised and unrealised P&L from its trades."""
    participant = session.get(Participant, participant_id)
    if participant is None:
        return
    trades = session.scalars(
        select(Trade)
        .where(Trade.participant_id == participant_id)
        .order_by(Trade.block_number, Trade.log_index)
    ).all()
    result = pnl.replay(
        pnl.Trade(t.kind, t.token, t.token_id, t.amount, t.price, t.fungible)  # type: ignore[arg-type]
        for t in trades
    )
    end = participant.competition.end_time
    prices: dict[pnl.PositionKey, int | None] = {}
    for key, position in result.positions.items():
        if position.quantity == 0:
            continue
        token, token_id = key
        query = select(Price.price).where(
            Price.chain_id == participant.chain_id,
            Price.token == token,
            Price.fungible == position.fungible,
            Price.timestamp < end,
        )
        if not position.fungible:
            query = query.where(Price.token_id == token_id)
        prices[key] = session.scalar(
            query.order_by(Price.block_number.desc(), Price.log_index.desc()).limit(1)
        )
    pnl.value(result, prices)
    participant.realised_pnl = result.realised
    participant.unrealised_pnl = result.unrealised


@projection.recompute
def rebuild_pnl(session: Session, chain_id: int) -> None:
    """After a rollback: zero every participant's P&L on the chain, then recompute those
    that still have trades."""
    session.execute(
        update(Participant)
        .where(Participant.chain_id == chain_id)
        .values(realised_pnl=0, unrealised_pnl=0)
    )
    for participant_id in list(
        session.scalars(select(Trade.participant_id).where(Trade.chain_id == chain_id).distinct())
    ):
        refresh_pnl(session, participant_id)
