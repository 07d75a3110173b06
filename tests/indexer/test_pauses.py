"""Pause state: Paused / Unpaused of followed contracts, indexed and served by the API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from domacross.api.main import create_app
from domacross.api.security import generate_private_key_pem
from domacross.indexer import ChainFollower
from tests.utils.indexing import chain_config
from tests.utils.scenario import Suite, deploy_suite


def _follower(suite: Suite, url: str, sessions) -> ChainFollower:
    config = chain_config(suite, url, name="local", domain_tokens=())
    return ChainFollower(config, sessions, confirmations=0, batch_blocks=3)


def _states(database_url: str, query: str = "") -> list[dict]:
    from domacross.settings import Settings

    settings = Settings(
        database_url=database_url,
        jwt_private_key=generate_private_key_pem().decode(),
        rate_limit_enabled=False,
    )
    with TestClient(create_app(settings)) as client:
        response = client.get(f"/api/v1/contracts/pause-state{query}")
    assert response.status_code == 200, response.text
    return response.json()["data"]


def test_pause_state__latest_change_per_contract_and_rolled_back_with_its_block(
    anvil_url, database_url, sessions
):
    suite = deploy_suite(anvil_url)
    oracle, factory = suite.dc.addresses.oracle, suite.dc.addresses.factory
    guardian = suite.players[0]
    suite.dc.oracle.pause()
    suite.dc.oracle.unpause()
    before_pause = suite.dc.w3.eth.block_number
    suite.dc.oracle.pause()
    pause_block = suite.dc.w3.eth.block_number
    suite.dc.factory.grant_role(suite.dc.factory.guardian_role(), guardian.address)
    suite.dc.factory.pause(sender=guardian)
    follower = _follower(suite, anvil_url, sessions)
    follower.backfill()

    states = {s["address"]: s for s in _states(database_url)}
    assert set(states) == {oracle, factory}
    assert states[oracle]["paused"] is True
    assert states[oracle]["paused_by"] == suite.admin.address
    assert states[oracle]["since_block"] == pause_block
    assert states[oracle]["since"] is not None
    assert states[factory]["paused_by"] == guardian.address
    assert states[factory]["changed_by"] == guardian.address
    # Filters: one contract, only unpaused ones, another chain.
    only = _states(database_url, f"?address={oracle.lower()}")
    assert [s["address"] for s in only] == [oracle]
    assert _states(database_url, "?paused=false") == []
    assert _states(database_url, "?chain_id=1") == []

    suite.dc.factory.unpause()  # the admin only
    follower.backfill()
    states = {s["address"]: s for s in _states(database_url)}
    assert states[factory]["paused"] is False and states[factory]["paused_by"] is None
    assert states[factory]["changed_by"] == suite.admin.address
    assert [s["address"] for s in _states(database_url, "?paused=true")] == [oracle]

    # A reorg (here: a rewind) back before the last pause: the earlier state is served again.
    with sessions() as session:
        follower.rewind(session, before_pause)
    states = {s["address"]: s for s in _states(database_url)}
    assert set(states) == {oracle}
    assert states[oracle]["paused"] is False and states[oracle]["since_block"] < pause_block
