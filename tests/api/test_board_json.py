"""Leaderboard entries rendered by the indexer (`participants.board_json`): a page built
from them is byte for byte the page the API computes from the values, and no text is ever
served after one of its values or its username changed (the triggers of migration
0014_board_json clear it, whoever writes), on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text, update

from domacross.api.queries import board_page_sql, driver_rows, rendered_page
from domacross.db.board import board_json
from domacross.db.models import Participant, User
from domacross.indexer.projections.board import render_entries
from tests.api.conftest import wallet

MAX_INT256 = 2**255 - 1
VALUES = ("score_e18", "portfolio_value", "realised_pnl", "unrealised_pnl")


def _board(seed, session):
    """Entrants at the edges of every value's range, with ties and usernames."""
    competition = seed.competition()
    scores = [MAX_INT256, 30, 30, 0, -1, -(10**18) - 1, -(2**255), 10**18, 10**18 - 1]
    for i, score in enumerate(scores):
        seed.user(wallet(900 + i), username=f"trader_{i}" if i % 2 else None)
        entrant = seed.entrant(competition, wallet(900 + i), 2**256 - 1 - i, score_e18=score)
        entrant.realised_pnl = -(2**255) + i
        entrant.unrealised_pnl = MAX_INT256 - i
    session.commit()
    render_entries(session, competition.chain_id)
    session.commit()
    return competition


def _texts(session, competition_id):
    return dict(
        session.execute(
            select(Participant.wallet, Participant.board_json).where(
                Participant.competition_id == competition_id
            )
        ).all()
    )


def _pages(client, competition_id, limit):
    pages, cursor = [], None
    while True:
        query = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        response = client.get(f"/api/v1/competitions/{competition_id}/leaderboard", params=query)
        assert response.status_code == 200, response.text
        pages.append(response.content)
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return pages


def _rendered(session, competition_id, limit):
    """`rendered_page` of the first page: None when the API has to compute it."""
    connection = session.connection()
    sql, values = board_page_sql(connection.dialect, competition_id, limit, None, rendered=True)
    return rendered_page(driver_rows(connection, sql, values), limit)


@pytest.mark.parametrize("limit", [1, 4, 50])
def test_rendered_page__every_page__same_bytes_as_the_computed_page(
    seed, session, make_client, database_url, limit
):
    competition = _board(seed, session)
    client = make_client(database_url, api_cache_seconds=0)
    assert _rendered(session, competition.id, limit) is not None
    rendered = _pages(client, competition.id, limit)
    session.execute(update(Participant).values(board_json=None))
    session.commit()
    assert _rendered(session, competition.id, limit) is None  # now computed from values
    computed = _pages(client, competition.id, limit)
    assert rendered == computed
    assert len(rendered) == -(-9 // limit)
    # The entries say what the models say: usernames, extremes, negative scores.
    first = client.get(f"/api/v1/competitions/{competition.id}/leaderboard?limit=50").json()
    assert [e["username"] for e in first["data"]][:2] == [None, "trader_7"]
    assert first["data"][0]["score_e18"] == str(MAX_INT256)
    assert first["data"][-1]["score_e18"] == str(-(2**255))
    assert first["data"][-1]["score"] == str(-(2**255) // 10**18)


@pytest.mark.parametrize("column", VALUES)
def test_value_written__by_core_or_orm__text_cleared(seed, session, database_url, column):
    competition = _board(seed, session)
    target = wallet(902)
    # Core, as the indexer's valuations and scores write.
    session.execute(update(Participant).where(Participant.wallet == target).values({column: 12345}))
    session.commit()
    texts = _texts(session, competition.id)
    assert texts[target] is None
    assert all(t is not None for w, t in texts.items() if w != target)
    # ORM, as the indexer's trades write.
    render_entries(session, competition.chain_id)
    session.commit()
    participant = session.scalars(select(Participant).where(Participant.wallet == target)).one()
    setattr(participant, column, 54321)
    session.commit()
    assert _texts(session, competition.id)[target] is None


def test_other_columns_or_same_value__text_kept(seed, session, database_url):
    competition = _board(seed, session)
    before = _texts(session, competition.id)
    session.execute(
        update(Participant)
        .where(Participant.competition_id == competition.id)
        .values(rank=Participant.rank + 1, prize_claimed=7, score_e18=Participant.score_e18)
    )
    session.commit()
    assert _texts(session, competition.id) == before


def test_value_and_text_written_together__new_text_kept(seed, session, database_url):
    competition = _board(seed, session)
    target = wallet(903)
    written = board_json(target, "trader_3", 5, 6, 7, 8)
    session.execute(
        update(Participant)
        .where(Participant.wallet == target)
        .values(
            score_e18=5, portfolio_value=6, realised_pnl=7, unrealised_pnl=8, board_json=written
        )
    )
    session.commit()
    assert _texts(session, competition.id)[target] == written


def test_username_changed__that_users_texts_cleared_and_page_shows_it(
    seed, session, make_client, database_url
):
    competition = _board(seed, session)
    other = seed.competition()
    seed.entrant(other, wallet(904), 1)
    client = make_client(database_url, api_cache_seconds=0)
    session.execute(
        update(User).where(User.wallet_address == wallet(904)).values(username="renamed")
    )
    session.commit()
    assert _texts(session, competition.id)[wallet(904)] is None
    assert _texts(session, other.id)[wallet(904)] is None
    assert sum(t is None for t in _texts(session, competition.id).values()) == 1
    for competition_id in (competition.id, other.id):
        entries = client.get(f"/api/v1/competitions/{competition_id}/leaderboard").json()["data"]
        assert {e["wallet"]: e["username"] for e in entries}[wallet(904)] == "renamed"


def test_value_changed_outside_the_indexer__page_shows_the_new_value(
    seed, session, make_client, database_url
):
    competition = _board(seed, session)
    client = make_client(database_url, api_cache_seconds=0)
    path = f"/api/v1/competitions/{competition.id}/leaderboard"
    session.execute(
        text("UPDATE participants SET portfolio_value = :v WHERE wallet = :w"),
        {
            "v": "0" * 77 + "9" if session.get_bind().dialect.name == "sqlite" else 9,
            "w": wallet(905),
        },
    )
    session.commit()
    entries = {e["wallet"]: e for e in client.get(path).json()["data"]}
    assert entries[wallet(905)]["value"] == "9"
    # The indexer's next range writes the text again: the same page, now read.
    computed = client.get(path).content
    assert render_entries(session, competition.chain_id) == 1
    session.commit()
    assert _rendered(session, competition.id, 50) is not None
    assert client.get(path).content == computed
