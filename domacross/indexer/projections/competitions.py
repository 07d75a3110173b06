"""Competitions: the factory's `CompetitionCreated`, then each competition's entrants,
results and payouts.

Current-state columns (`participant_count`, results, `finalized`, `cancelled`, claimed
amounts) are set in event order, and `recompute` rebuilds them from the history rows
(`prize_results`, `claims`, `raw_events`) after a rollback.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from domacross.db.models import Claim, Competition, Participant, PrizeResult, RawEvent
from domacross.indexer.addressbook import Role
from domacross.indexer.registry import Key, Projection, Range
from domacross.indexer.rows import hexstr, insert_ignore
from domacross_sdk import events as ev
from domacross_sdk.events_base import ContractEvent

projection = Projection("competitions")


def claim_ends_at(competition: Competition, finalized_at: datetime) -> datetime:
    """When claims really end: as `Competition._claimEndsAt`, the claim period the organizer
    configured (deadline minus end minus dispute window) counted from finalization."""
    period = competition.claim_deadline - competition.end_time
    return finalized_at + period - timedelta(seconds=competition.dispute_window)


@projection.on(Role.COMPETITION_FACTORY, ev.CompetitionCreated)
def on_created(r: Range, e: ev.CompetitionCreated, key: Key) -> None:
    if r.ids.competition(r.session, e.competition) is not None:
        return
    p = e.params
    competition = Competition(
        chain_id=r.chain_id,
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
    r.session.add(competition)
    r.session.flush()
    r.ids.remember_competition(e.competition, competition.id)


@projection.on(Role.COMPETITION, ev.ParticipantJoined)
def on_joined(r: Range, e: ev.ParticipantJoined, key: Key) -> None:
    session = r.session
    competition_id = r.ids.competition(session, e.meta.address)
    if competition_id is None:
        return
    user_id = r.ids.user(session, e.account)
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
                chain_id=r.chain_id,
                joined_block=key["block_number"],
                joined_tx=key["tx_hash"],
                joined_log_index=key["log_index"],
                joined_at=r.time(e),
                fee=e.fee,
                portfolio_value=0,
            )
        )
    session.execute(
        update(Competition)
        .where(Competition.id == competition_id)
        .values(participant_count=e.participant_count)
    )


def _result(r: Range, e: ContractEvent, key: Key, **values: Any) -> int | None:
    competition_id = r.ids.competition(r.session, e.meta.address)
    if competition_id is not None:
        insert_ignore(
            r.session,
            PrizeResult.__table__,  # type: ignore[arg-type]
            [{**key, "competition_id": competition_id, "timestamp": r.time(e), **values}],
        )
    return competition_id


@projection.on(Role.COMPETITION, ev.ResultsPosted)
def on_results_posted(r: Range, e: ev.ResultsPosted, key: Key) -> None:
    root = hexstr(e.merkle_root)
    cid = _result(
        r,
        e,
        key,
        kind="posted",
        merkle_root=root,
        total_payout=e.total_payout,
        rake=None,
        actor=e.resolver,
    )
    if cid is not None:
        r.session.execute(
            update(Competition)
            .where(Competition.id == cid)
            .values(merkle_root=root, total_payout=e.total_payout, results_posted_at=r.time(e))
        )


@projection.on(Role.COMPETITION, ev.ResultsRejected)
def on_results_rejected(r: Range, e: ev.ResultsRejected, key: Key) -> None:
    cid = _result(
        r,
        e,
        key,
        kind="rejected",
        merkle_root=hexstr(e.merkle_root),
        total_payout=None,
        rake=None,
        actor=e.guardian,
    )
    if cid is not None:
        r.session.execute(
            update(Competition)
            .where(Competition.id == cid)
            .values(merkle_root=None, total_payout=None, results_posted_at=None)
        )


@projection.on(Role.COMPETITION, ev.CompetitionFinalized)
def on_finalized(r: Range, e: ev.CompetitionFinalized, key: Key) -> None:
    cid = _result(
        r,
        e,
        key,
        kind="finalized",
        merkle_root=hexstr(e.merkle_root),
        total_payout=e.total_payout,
        rake=e.rake,
        actor=None,
    )
    competition = r.session.get(Competition, cid) if cid is not None else None
    if competition is not None:
        r.session.execute(
            update(Competition)
            .where(Competition.id == competition.id)
            .values(
                finalized=True,
                rake_paid=e.rake,
                claim_ends_at=claim_ends_at(competition, r.time(e)),
            )
        )


def _claim(
    r: Range, e: ContractEvent, key: Key, kind: str, account: str, amount: int
) -> int | None:
    cid = r.ids.competition(r.session, e.meta.address)
    if cid is None:
        return None
    row = {**key, "competition_id": cid, "kind": kind, "account": account, "amount": amount}
    row["timestamp"] = r.time(e)
    insert_ignore(r.session, Claim.__table__, [row])  # type: ignore[arg-type]
    return cid


@projection.on(Role.COMPETITION, ev.PrizeClaimed)
def on_prize_claimed(r: Range, e: ev.PrizeClaimed, key: Key) -> None:
    cid = _claim(r, e, key, "prize", e.account, e.amount)
    if cid is None:
        return
    session = r.session
    user_id = r.ids.user(session, e.account)
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


@projection.on(Role.COMPETITION, ev.RefundClaimed)
def on_refund_claimed(r: Range, e: ev.RefundClaimed, key: Key) -> None:
    cid = _claim(r, e, key, "refund", e.account, e.amount)
    if cid is not None:
        user_id = r.ids.user(r.session, e.account)
        r.session.execute(
            update(Participant)
            .where(Participant.competition_id == cid, Participant.user_id == user_id)
            .values(refunded=e.amount)
        )


@projection.on(Role.COMPETITION, ev.UnclaimedSwept)
def on_unclaimed_swept(r: Range, e: ev.UnclaimedSwept, key: Key) -> None:
    _claim(r, e, key, "sweep", e.treasury, e.amount)


@projection.on(Role.COMPETITION, ev.CompetitionCancelled)
def on_cancelled(r: Range, e: ev.CompetitionCancelled, key: Key) -> None:
    cid = r.ids.competition(r.session, e.meta.address)
    if cid is not None:
        r.session.execute(update(Competition).where(Competition.id == cid).values(cancelled=True))


def created_after(chain_id: int, ancestor: int) -> Any:
    """The ids of the chain's competitions created above `ancestor` (a subquery): rows of
    other projections that belong to them go in their rollback too."""
    return select(Competition.id).where(
        Competition.chain_id == chain_id, Competition.created_block > ancestor
    )


@projection.rollback
def rollback(session: Session, chain_id: int, ancestor: int) -> None:
    for history in (PrizeResult, Claim):
        session.execute(
            delete(history).where(history.chain_id == chain_id, history.block_number > ancestor)
        )
    session.execute(
        delete(Participant).where(
            Participant.chain_id == chain_id, Participant.joined_block > ancestor
        )
    )
    doomed = created_after(chain_id, ancestor)
    for owned in (Participant, PrizeResult, Claim):
        session.execute(delete(owned).where(owned.competition_id.in_(doomed)))
    session.execute(
        delete(Competition).where(
            Competition.chain_id == chain_id, Competition.created_block > ancestor
        )
    )


@projection.recompute
def recompute(session: Session, chain_id: int) -> None:
    """Rebuilds competitions' and their entrants' payout state from the history rows."""
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
