"""The indexer's scores equal the ones anyone recomputes from the chain (one definition)."""

from __future__ import annotations

import json

from sqlalchemy import select

from domacross.api.queries import (
    board_page,
    board_page_sql,
    driver_rows,
    leaderboard_page,
    rendered_page,
)
from domacross.db.models import Competition, Participant, User
from domacross.indexer import ChainFollower
from domacross_sdk.scoring import ranking
from tests.utils.indexing import chain_config
from tests.utils.scenario import advance, deploy_suite, run_competition

ETH = 10**18


def test_scores__ranges_across_the_end__equal_sdk_standings_and_rank_the_board(anvil_url, sessions):
    suite = deploy_suite(anvil_url)
    dc = suite.dc
    address = run_competition(suite, token_base=1, finish=False)
    p0, p1, p2 = suite.players
    token = dc.ownership_token()
    token.transfer_from(p0.address, p1.address, 1, sender=p0)
    dc.oracle.set_price(suite.token, 1, ETH + ETH // 2)  # p1 holds it: +0.5
    dc.oracle.set_price(suite.token, 3, 2 * ETH)  # p2's falls: -1
    advance(dc, 2 * 3_600)
    dc.oracle.set_price(suite.token, 2, 10 * ETH)  # after the end: counts for nobody
    ChainFollower(
        chain_config(suite, anvil_url), sessions, confirmations=0, batch_blocks=3
    ).backfill()

    standings = dc.competition(address).standings()
    assert standings.ended
    expected = {s.account: s.score_e18 for s in standings.scores.values()}
    assert expected == {p0.address: 0, p1.address: ETH * ETH // 2, p2.address: -(ETH**2)}
    with sessions() as session:
        competition = session.scalars(
            select(Competition).where(Competition.contract_address == address)
        ).one()
        stored = dict(
            session.execute(
                select(User.wallet_address, Participant.score_e18)
                .join(Participant, Participant.user_id == User.id)
                .where(Participant.competition_id == competition.id)
            ).all()
        )
        assert stored == expected
        assert competition.score_final
        # Ranks stored with the scores (what a page reads): competition ranks of the chain's.
        ranks = dict(
            session.execute(
                select(User.wallet_address, Participant.rank)
                .join(Participant, Participant.user_id == User.id)
                .where(Participant.competition_id == competition.id)
            ).all()
        )
        assert ranks == {
            a: 1 + sum(other > score for other in expected.values())
            for a, score in expected.items()
        }
        board, _ = leaderboard_page(session, competition.id, 10, None)
        # Entry texts written after the last range, for every entrant: what a page reads
        # with the cache off, equal to the entries computed from the values.
        connection = session.connection()
        sql, values = board_page_sql(connection.dialect, competition.id, 10, None, rendered=True)
        page = rendered_page(driver_rows(connection, sql, values), 10)
        computed = board_page(session, competition.id, 10, None)
        assert page is not None and computed is not None
        assert [json.loads(entry) for entry in page.entries] == computed.entries
    assert [e.wallet for e in board] == [s.account for s in ranking(standings.scores)]
    assert [e.score for e in board] == [str(s.score) for s in ranking(standings.scores)]
    assert [e.rank for e in board] == [ranks[e.wallet] for e in board]
