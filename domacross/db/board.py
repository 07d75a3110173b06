"""A leaderboard entry's value members as JSON text, stored on the entrant
(`participants.board_json`) by the indexer.

The API's leaderboard page (cache off) reads these texts and splices in the rank in SQL,
so a page is read, not converted or joined: turning four 256-bit values per entry from
their stored forms into decimal text cost more than the read itself, and looking up each
entrant's username another third of it. Database triggers clear the text whenever one of
its values or the username changes (migration 0014_board_json), so a stored text never
outlives what it shows; the API computes an entry itself while its text is missing.
"""

from __future__ import annotations

from pydantic_core import to_json

from domacross_sdk.scoring import UNIT


def board_json(
    wallet: str,
    username: str | None,
    score_e18: int,
    value: int,
    realised_pnl: int,
    unrealised_pnl: int,
) -> str:
    """Every member of a `LeaderboardEntryPublic` but its rank (`"wallet"` to
    `"unrealised_pnl"`), as the API writes them: compact JSON, no braces."""
    return (
        f'"wallet":"{wallet}","username":{to_json(username).decode()},'
        f'"score":"{score_e18 // UNIT}","score_e18":"{score_e18}","value":"{value}",'
        f'"realised_pnl":"{realised_pnl}","unrealised_pnl":"{unrealised_pnl}"'
    )
