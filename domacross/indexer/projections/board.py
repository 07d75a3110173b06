"""Board: each entrant's leaderboard entry text (`participants.board_json`), written after
every range and after a rollback, once every other projection has written its values.

Triggers clear an entrant's text when one of its values or its username changes
(migration 0014_board_json), whoever writes it; this projection writes the texts that
are missing, found through the partial index `ix_participants_unrendered`. It runs last,
so a range's values are all in before their texts are written, in the same transaction:
a reader never sees an entry without its current values.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Connection, Table, bindparam, select, update
from sqlalchemy.orm import Session

from domacross.db.board import board_json
from domacross.db.models import Participant, User
from domacross.indexer.registry import Projection, Range

projection = Projection("board")

_TABLE = cast(Table, Participant.__table__)
_WRITE = (
    update(_TABLE).where(_TABLE.c.id == bindparam("row_id")).values(board_json=bindparam("text"))
)


def render_entries(session: Session | Connection, chain_id: int) -> int:
    """Writes `board_json` of the chain's entrants that lack it; how many were written."""
    if isinstance(session, Session):
        session.flush()  # values still pending in the session fire the trigger first
    rows = session.execute(
        select(
            Participant.id,
            User.wallet_address,
            User.username,
            Participant.score_e18,
            Participant.portfolio_value,
            Participant.realised_pnl,
            Participant.unrealised_pnl,
        )
        .join(User, User.id == Participant.user_id)
        .where(Participant.chain_id == chain_id, Participant.board_json.is_(None))
    ).all()
    if rows:
        session.execute(
            _WRITE,
            [
                {"row_id": row_id, "text": board_json(wallet, username, score, value, rp, up)}
                for row_id, wallet, username, score, value, rp, up in rows
            ],
        )
    return len(rows)


@projection.after_range
def write(r: Range) -> None:
    render_entries(r.session, r.chain_id)


@projection.recompute
def rewrite(session: Session, chain_id: int) -> None:
    render_entries(session, chain_id)
