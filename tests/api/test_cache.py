"""The leaderboard's page cache: a page is reused only while the indexed data version (the
chain's checkpoint row, rewritten by every indexed range and rollback) is unchanged."""

from __future__ import annotations

import time

from sqlalchemy import select

from domacross.db.models import CHECKPOINT_ROW, ChainOffset, Participant
from domacross.indexer.ranks import rank_entrants
from tests.api.conftest import wallet


def _checkpoint(session, chain_id: int, block: int) -> None:
    """What the indexer's `_save_checkpoint` does at the end of each range."""
    row = session.scalar(
        select(ChainOffset).where(
            ChainOffset.chain_id == chain_id, ChainOffset.contract_address == CHECKPOINT_ROW
        )
    )
    if row is None:
        session.add(
            ChainOffset(chain_id=chain_id, contract_address=CHECKPOINT_ROW, last_block_number=block)
        )
    else:
        row.last_block_number = block
    session.commit()


def _values(client, competition_id: int) -> list[tuple[str, str]]:
    body = client.get(f"/api/v1/competitions/{competition_id}/leaderboard").json()
    return [(e["wallet"], e["value"]) for e in body["data"]]


def test_leaderboard_cache__new_checkpoint__serves_the_new_standings(
    make_client, database_url, seed, session
):
    client = make_client(database_url, api_cache_seconds=60, api_version_check_seconds=0)
    competition = seed.competition()
    first = seed.entrant(competition, wallet(401), 10)
    seed.entrant(competition, wallet(402), 20)
    _checkpoint(session, competition.chain_id, 100)
    before = [(wallet(402), "20"), (wallet(401), "10")]
    assert _values(client, competition.id) == before

    # A write the indexer never makes (data without a new checkpoint): the page is reused.
    entrant = session.get(Participant, first.id)
    entrant.portfolio_value = entrant.score_e18 = 30  # the score is what ranks
    rank_entrants(session, competition.id)
    session.commit()
    assert _values(client, competition.id) == before
    assert client.app.state.page_cache.hits >= 1

    # The indexer commits its range with the checkpoint: the next read recomputes.
    _checkpoint(session, competition.chain_id, 101)
    assert _values(client, competition.id) == [(wallet(401), "30"), (wallet(402), "20")]


def test_leaderboard_cache__rollback_to_same_block_number__still_a_new_version(
    make_client, database_url, seed, session
):
    """A reorg rolls back and replays: the checkpoint's block can come back to a number it
    had, but its write time differs, so no page of the old branch is served."""
    client = make_client(database_url, api_cache_seconds=60, api_version_check_seconds=0)
    competition = seed.competition()
    entrant = seed.entrant(competition, wallet(411), 5)
    _checkpoint(session, competition.chain_id, 200)
    assert _values(client, competition.id) == [(wallet(411), "5")]
    _checkpoint(session, competition.chain_id, 190)  # rollback
    session.get(Participant, entrant.id).portfolio_value = 7
    session.commit()
    _checkpoint(session, competition.chain_id, 200)  # replayed on the new branch
    assert _values(client, competition.id) == [(wallet(411), "7")]


def test_leaderboard_cache__disabled__every_read_sees_the_database(
    make_client, database_url, seed, session
):
    client = make_client(database_url, api_cache_seconds=0)
    competition = seed.competition()
    entrant = seed.entrant(competition, wallet(421), 1)
    assert _values(client, competition.id) == [(wallet(421), "1")]
    session.get(Participant, entrant.id).portfolio_value = 2
    session.commit()
    assert _values(client, competition.id) == [(wallet(421), "2")]
    assert client.app.state.page_cache.hits == 0


def test_leaderboard_cache__bad_cursor_and_unknown_competition__never_cached(
    make_client, database_url, seed
):
    client = make_client(database_url, api_cache_seconds=60, api_version_check_seconds=0)
    competition = seed.competition()
    seed.entrant(competition, wallet(431), 1)
    path = f"/api/v1/competitions/{competition.id}/leaderboard"
    for _ in range(2):
        response = client.get(path, params={"cursor": "not-a-cursor"})
        assert response.status_code == 400
        assert response.json()["code"] == "validation_error"
        assert client.get("/api/v1/competitions/99999999/leaderboard").status_code == 404
    assert client.app.state.page_cache.hits == 0


def test_leaderboard_cache__version_rechecked__new_range_shows_within_check_interval(
    make_client, database_url, seed, session
):
    client = make_client(database_url, api_cache_seconds=60, api_version_check_seconds=0.2)
    competition = seed.competition()
    entrant = seed.entrant(competition, wallet(441), 1)
    _checkpoint(session, competition.chain_id, 300)
    assert _values(client, competition.id) == [(wallet(441), "1")]
    session.get(Participant, entrant.id).portfolio_value = 9
    session.commit()
    _checkpoint(session, competition.chain_id, 301)
    time.sleep(0.3)  # past the version check interval: the next read re-reads the version
    assert _values(client, competition.id) == [(wallet(441), "9")]
