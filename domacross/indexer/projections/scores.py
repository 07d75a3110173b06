"""Scores: each entrant's P&L marked at oracle prices, by the one definition in
`domacross_sdk.scoring`, so the leaderboard ranks by what the results will pay.

After every indexed range, each competition whose scores are not final is rescored from
the stored history when the range could change them: a price of its oracle, an entrant
joining, or the chain passing its end. The inputs are the rows the follower writes anyway:
``prices`` (the oracle's ``PriceUpdated``), ``raw_events`` (``Transfer`` logs of the
followed domain tokens) and ``participants`` (``ParticipantJoined``).

The end block is the last block before ``end_time``. A range's headers include every
block that has an event and the range's last block, so the last of them before the end
stands for the end block: no scored log lies between the two. Once a range passes the end
the scores are final (``competitions.score_final``); a reorg below that block reopens them.

Only tokens the follower follows (`ChainConfig.domain_tokens`) and the follower's oracle
are seen: a competition valued by another oracle scores 0 here, while
`Competition.standings` (any node) sees every token its oracle prices.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from domacross.db.models import Competition, Participant, Price, RawEvent, User
from domacross.indexer.addressbook import ANY_ROLE, Role
from domacross.indexer.ranks import rank_entrants
from domacross.indexer.registry import Key, Projection, Range
from domacross_sdk import events as ev
from domacross_sdk.scoring import Entry, Mark, Move, compute_scores

TRANSFER_NAMES = ("Transfer", "FractionTransfer")
projection = Projection("scores")


@dataclass
class Touched:
    """The contracts of a range's logs that can change scores: oracles that priced,
    competitions that were joined."""

    oracles: set[str] = field(default_factory=set)
    competitions: set[str] = field(default_factory=set)


@projection.on_batch(ANY_ROLE, ev.PriceUpdated)
def on_prices(r: Range, events: list[ev.PriceUpdated]) -> None:
    r.state(Touched).oracles.update({e.meta.address for e in events})


@projection.on(Role.COMPETITION, ev.ParticipantJoined)
def on_joined(r: Range, e: ev.ParticipantJoined, key: Key) -> None:
    r.state(Touched).competitions.add(e.meta.address)


@projection.after_range
def refresh_scores(r: Range) -> None:
    """Rescores the competitions that the range's blocks (just written) may change."""
    session, touched = r.session, r.state(Touched)
    open_ = session.scalars(
        select(Competition).where(
            Competition.chain_id == r.chain_id, Competition.score_final.is_(False)
        )
    ).all()
    for competition in open_:
        end_time = competition.end_time
        before = [b for b, ts in r.timestamps.items() if ts < end_time]
        final = len(before) < len(r.timestamps)
        cutoff = max(before, default=r.start - 1) if final else r.end
        if (
            not final
            and competition.score_block is not None
            and competition.oracle not in touched.oracles
            and competition.contract_address not in touched.competitions
        ):
            continue
        score_competition(session, competition, cutoff)
        competition.score_block = cutoff
        competition.score_final = final


@projection.rollback
def reopen_scores(session: Session, chain_id: int, ancestor: int) -> None:
    """After a reorg back to `ancestor`: scores computed past it are no longer known."""
    session.execute(
        update(Competition)
        .where(Competition.chain_id == chain_id, Competition.score_block > ancestor)
        .values(score_final=False, score_block=None)
    )


def score_competition(session: Session, competition: Competition, cutoff: int) -> None:
    """Writes every entrant's `score_e18` as of block `cutoff`, and their ranks."""
    chain_id = competition.chain_id
    marks = [
        Mark((p.block_number, p.log_index), p.token, p.token_id, p.fungible, p.price)
        for p in session.scalars(
            select(Price).where(
                Price.chain_id == chain_id,
                Price.oracle == competition.oracle,
                Price.block_number <= cutoff,
            )
        )
    ]
    tokens = {m.token: m.fungible for m in marks}
    moves = []
    for row in session.scalars(
        select(RawEvent).where(
            RawEvent.chain_id == chain_id,
            RawEvent.name.in_(TRANSFER_NAMES),
            RawEvent.address.in_(tokens),
            RawEvent.block_number <= cutoff,
        )
    ):
        fungible = row.name == "FractionTransfer"
        if tokens[row.address] != fungible:
            continue  # a transfer of the other standard than the oracle prices it as
        a = row.args
        token_id, amount = (0, int(a["value"])) if fungible else (int(a["token_id"]), 1)
        moves.append(
            Move(
                (row.block_number, row.log_index),
                row.address,
                token_id,
                amount,
                a["from_"],
                a["to"],
                fungible,
            )
        )
    rows = session.execute(
        select(
            Participant.id,
            User.wallet_address,
            Participant.joined_block,
            Participant.joined_log_index,
        )
        .join(User, User.id == Participant.user_id)
        .where(Participant.competition_id == competition.id)
    ).all()
    entries = [Entry((block, index), wallet) for _, wallet, block, index in rows]
    scores = compute_scores(moves, marks, entries, cutoff)
    for participant_id, wallet, _, _ in rows:
        # NOTE: re-indexing from an earlier checkpoint keeps later rows: an entrant that
        # joins after `cutoff` has scored nothing yet.
        score = scores[wallet].score_e18 if wallet in scores else 0
        session.execute(
            update(Participant).where(Participant.id == participant_id).values(score_e18=score)
        )
    rank_entrants(session, competition.id)


@projection.recompute
def rerank(session: Session, chain_id: int) -> None:
    """Ranks every competition of the chain again: entrants above the rolled-back block
    are gone, and the others' ranks close up."""
    for competition_id in session.scalars(
        select(Competition.id).where(Competition.chain_id == chain_id)
    ).all():
        rank_entrants(session, competition_id)
