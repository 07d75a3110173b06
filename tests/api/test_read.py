"""Competitions, leaderboards and portfolios, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from domacross.api.queries import leaderboard_page
from domacross.api.schemas import LeaderboardPublic
from domacross.db.models import Participant
from tests.api.conftest import NOW, wallet

MAX_UINT = 2**256 - 1
MAX_INT256 = 2**255 - 1


def _all_pages(client, path, **params):
    items, cursor, pages = [], None, 0
    while True:
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        body = client.get(path, params=query).json()
        items += body["data"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return items, pages


def test_competitions__each_status__derived_from_times_and_flags(client, seed):
    scheduled = seed.competition(start_time=NOW + timedelta(hours=1))
    open_ = seed.competition()
    ended = seed.competition(start_time=NOW - timedelta(days=2), end_time=NOW - timedelta(days=1))
    finalized = seed.competition(end_time=NOW - timedelta(minutes=1), finalized=True)
    cancelled = seed.competition(cancelled=True)
    expected = {
        "scheduled": scheduled.id,
        "open": open_.id,
        "ended": ended.id,
        "finalized": finalized.id,
        "cancelled": cancelled.id,
    }
    for status, competition_id in expected.items():
        body = client.get("/api/v1/competitions", params={"status": status}).json()
        assert [c["id"] for c in body["data"]] == [competition_id], status
        assert body["data"][0]["status"] == status
    one = client.get(f"/api/v1/competitions/{open_.id}").json()
    assert one["status"] == "open" and one["entry_fee"] == str(10**17)


def test_competition__finalized__shows_real_claim_end_beside_configured(client, seed):
    ends = NOW + timedelta(days=5)
    finalized = seed.competition(
        end_time=NOW - timedelta(days=1), finalized=True, claim_ends_at=ends
    )
    running = seed.competition()
    body = client.get(f"/api/v1/competitions/{finalized.id}").json()
    assert body["claim_ends_at"] == ends.isoformat().replace("+00:00", "Z")
    assert body["claim_deadline"] != body["claim_ends_at"]
    assert client.get(f"/api/v1/competitions/{running.id}").json()["claim_ends_at"] is None


def test_competitions__filters__chain_window_and_fee_range(client, seed):
    cheap = seed.competition(chain_id=1, entry_fee=1)
    dear = seed.competition(chain_id=1, entry_fee=MAX_UINT, start_time=NOW + timedelta(days=3))
    other_chain = seed.competition(chain_id=2, entry_fee=5)

    def ids(**params):
        return [c["id"] for c in client.get("/api/v1/competitions", params=params).json()["data"]]

    assert ids(chain_id=1) == [dear.id, cheap.id]
    assert ids(chain_id=2) == [other_chain.id]
    assert ids(min_entry_fee="2") == [dear.id, other_chain.id]
    assert ids(min_entry_fee=str(MAX_UINT)) == [dear.id]
    assert ids(max_entry_fee="5") == [other_chain.id, cheap.id]
    assert ids(starts_after=(NOW + timedelta(days=1)).isoformat()) == [dear.id]
    assert ids(starts_before=(NOW + timedelta(days=1)).isoformat(), chain_id=1) == [cheap.id]
    dear_body = client.get(f"/api/v1/competitions/{dear.id}").json()
    assert dear_body["entry_fee"] == str(MAX_UINT)  # exact, as a string


def test_competitions__cursor_pages__every_item_once_in_stable_order(client, seed):
    same_start = NOW - timedelta(hours=2)
    made = [seed.competition(start_time=same_start) for _ in range(5)]
    made += [seed.competition(start_time=NOW - timedelta(hours=3 + i)) for i in range(4)]
    items, pages = _all_pages(client, "/api/v1/competitions", limit=2)
    assert pages == 5
    assert len({c["id"] for c in items}) == len(made) == len(items)
    keys = [(c["start_time"], c["id"]) for c in items]
    assert keys == sorted(keys, reverse=True)


def test_competitions__bad_cursor__400_envelope(client):
    for cursor in ["not-base64!", "WyJsZWFkZXJib2FyZCIsIjEiLCJ4Il0"]:  # 2nd: a leaderboard one
        response = client.get("/api/v1/competitions", params={"cursor": cursor})
        assert response.status_code == 400
        assert response.json() == {
            "code": "validation_error",
            "message": "invalid cursor",
            "details": None,
        }


def test_competition__by_chain_and_address__any_case(client, seed):
    competition = seed.competition()
    address = competition.contract_address.lower()
    path = f"/api/v1/competitions/by-address/{competition.chain_id}/{address}"
    assert client.get(path).json()["id"] == competition.id
    missing = client.get(f"/api/v1/competitions/by-address/1/{competition.contract_address}")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert client.get("/api/v1/competitions/999999").json()["code"] == "not_found"


def test_leaderboard__ties__share_rank_ordered_by_wallet(client, seed):
    competition = seed.competition()
    scores = {
        wallet(101): 50,
        wallet(102): 30,
        wallet(103): 30,
        wallet(104): -10,
        wallet(105): MAX_INT256,
    }
    for address, score in scores.items():
        seed.entrant(competition, address, MAX_UINT, score_e18=score)
    body = client.get(f"/api/v1/competitions/{competition.id}/leaderboard").json()
    assert body["total_entrants"] == 5
    ranks = [(e["rank"], e["score_e18"]) for e in body["data"]]
    assert ranks == [(1, str(MAX_INT256)), (2, "50"), (3, "30"), (3, "30"), (5, "-10")]
    assert body["data"][0]["score"] == str(MAX_INT256 // 10**18)
    assert body["data"][-1]["score"] == "-1"  # wei, rounded toward minus infinity
    tied = [e["wallet"] for e in body["data"] if e["score_e18"] == "30"]
    assert tied == sorted([wallet(102), wallet(103)])  # the database's own order of wallets
    assert body["next_cursor"] is None


def test_leaderboard__pages_split_ties__same_ranks_as_one_page(client, seed):
    competition = seed.competition()
    for i in range(13):
        score = [9, 7, 7, 7, 7, 5, 5, 3, 3, 3, 2, 1, -1][i]
        seed.entrant(competition, wallet(200 + i), 1, score_e18=score)
    path = f"/api/v1/competitions/{competition.id}/leaderboard"
    whole = client.get(path, params={"limit": 100}).json()["data"]
    for size in (1, 2, 3, 4):
        paged, pages = _all_pages(client, path, limit=size)
        assert paged == whole
        assert pages == -(-13 // size)
    assert [e["rank"] for e in whole] == [1, 2, 2, 2, 2, 6, 6, 8, 8, 8, 11, 12, 13]


def test_leaderboard__usernames_and_unknown_competition(client, seed):
    competition = seed.competition()
    seed.user(wallet(300), username="alice")
    seed.entrant(competition, wallet(300), 1)
    entry = client.get(f"/api/v1/competitions/{competition.id}/leaderboard").json()["data"][0]
    assert entry == {
        "rank": 1,
        "wallet": wallet(300),
        "username": "alice",
        "score": "0",
        "score_e18": "1",
        "value": "1",
        "realised_pnl": "0",
        "unrealised_pnl": "0",
    }
    assert client.get("/api/v1/competitions/424242/leaderboard").status_code == 404


def _board_of_edges(seed, session):
    """Entrants at the edges of what the wire carries: the int256 bounds, ties, negative
    P&L, a username and none."""
    competition = seed.competition()
    seed.user(wallet(310), username="bob")
    scores = [MAX_INT256, 30, 30, -(10**18) - 1, -(2**255)]
    entrants = [
        seed.entrant(competition, wallet(310 + i), MAX_UINT - i, score_e18=score)
        for i, score in enumerate(scores)
    ]
    for i, entrant in enumerate(entrants):
        row = session.get(Participant, entrant.id)
        row.realised_pnl, row.unrealised_pnl = -(2**255) + i, MAX_INT256 - i
    session.commit()
    return competition


def test_leaderboard__body_built_without_models__is_the_model_serialised(client, seed, session):
    """The route builds its JSON from rows, without a model per entry: every page must be
    exactly what `LeaderboardPublic` sends, and what the pages' model path reads."""
    competition = _board_of_edges(seed, session)
    path = f"/api/v1/competitions/{competition.id}/leaderboard"
    cursor, pages = None, []
    while True:
        response = client.get(path, params={"limit": 2, **({"cursor": cursor} if cursor else {})})
        body = response.json()
        assert (
            LeaderboardPublic.model_validate_json(response.content).model_dump(mode="json") == body
        )
        pages.append(body["data"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    entries, more = leaderboard_page(session, competition.id, 5, None)
    assert [e.model_dump(mode="json") for e in entries] == [e for p in pages for e in p]
    assert not more and len(pages) == 3
    assert [e["rank"] for p in pages for e in p] == [1, 2, 2, 4, 5]


def test_leaderboard__ranks_not_stored_yet__counted_the_same(
    make_client, database_url, seed, session
):
    client = make_client(database_url, api_cache_seconds=0)
    competition = _board_of_edges(seed, session)
    path = f"/api/v1/competitions/{competition.id}/leaderboard"
    stored, _ = _all_pages(client, path, limit=2)
    session.execute(
        update(Participant).where(Participant.competition_id == competition.id).values(rank=None)
    )
    session.commit()
    counted, _ = _all_pages(client, path, limit=2)
    assert counted == stored


def test_portfolio__across_chains__per_competition_and_totals(client, seed):
    me = wallet(400)
    a = seed.competition(chain_id=1)
    b = seed.competition(chain_id=2)
    c = seed.competition(chain_id=2)
    seed.entrant(a, me, 10**30)
    seed.entrant(b, me, 7)
    seed.entrant(c, me, 3)
    seed.entrant(c, wallet(401), 4)
    body = client.get(f"/api/v1/portfolio/{me.lower()}").json()
    assert body["wallet"] == me
    assert body["total_value"] == str(10**30 + 10)
    assert body["chains"] == [{"chain_id": 1, "value": str(10**30)}, {"chain_id": 2, "value": "10"}]
    by_id = {item["competition_id"]: item for item in body["competitions"]}
    assert by_id[c.id]["rank"] == 2 and by_id[a.id]["rank"] == 1 and by_id[b.id]["value"] == "7"
    assert client.get(f"/api/v1/portfolio/{wallet(499)}").json()["code"] == "not_found"


def test_portfolio_history__newest_first__paginated(client, seed):
    me = wallet(500)
    competition = seed.competition()
    seed.entrant(competition, me, 1)
    for i in range(5):
        seed.value(competition, me, 100 + i, NOW - timedelta(minutes=10 - i))
    seed.value(competition, wallet(501), 1, NOW)  # someone else's
    path = f"/api/v1/portfolio/{me}/history"
    items, pages = _all_pages(client, path, limit=2)
    assert [p["value"] for p in items] == ["104", "103", "102", "101", "100"]
    assert pages == 3
    other = client.get(path, params={"competition_id": competition.id + 1000}).json()
    assert other["data"] == []
