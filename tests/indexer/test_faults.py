"""Faults injected between the indexer's RPC calls (a proxy in front of anvil): reorgs in
the middle of a range, deeper than the window, short new branches; on both databases."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from sqlalchemy import select
from web3 import Web3

from domacross.db.models import BlockRecord, IndexerStatus, RawEvent
from domacross.indexer import ChainFollower
from domacross.indexer.logs import LogCapError
from domacross_sdk.rpc import FailoverHTTPProvider
from tests.indexer.check import assert_db_matches_chain
from tests.utils.indexing import chain_config
from tests.utils.rpc_proxy import Fault, rpc_proxy
from tests.utils.scenario import Suite, advance, deploy_suite, run_competition


def _follower(suite: Suite, url: str, sessions, **kw) -> ChainFollower:
    config = chain_config(suite, url, name="proxied")
    return ChainFollower(config, sessions, **{"confirmations": 0, **kw})


def _forget_nonces(suite: Suite) -> None:
    """After evm_revert the reverted transactions' nonces are free again."""
    for signer in (suite.admin, *suite.players):
        suite.dc.sender.nonces.forget(signer.address)


def _hashes_agree(sessions) -> None:
    """Every raw event's block hash is the stored header's hash of its block."""
    with sessions() as session:
        headers = dict(session.execute(select(BlockRecord.number, BlockRecord.hash)).all())
        for number, block_hash in session.execute(
            select(RawEvent.block_number, RawEvent.block_hash)
        ):
            if number in headers:
                assert headers[number] == block_hash, f"block {number}"


def test_reorg_between_get_logs_and_header_reads__range_read_again(anvil_url, sessions):
    suite = deploy_suite(anvil_url)
    w3 = suite.dc.w3
    fork = w3.eth.block_number
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    run_competition(suite, finish=False)  # branch A: read by eth_getLogs, then abandoned
    with rpc_proxy(anvil_url) as proxy:
        reorged = []

        def reorg_after_first_logs(method, params, response):
            if method == "eth_getLogs" and response.get("result") and not reorged:
                reorged.append(True)
                proxy.node("evm_revert", [snapshot])
                _forget_nonces(suite)
                advance(suite.dc, 5)
                run_competition(suite, token_base=40, finish=False)  # branch B, longer
            return response

        proxy.after = reorg_after_first_logs
        follower = _follower(suite, proxy.url, sessions, batch_blocks=10_000)
        follower.backfill()
    assert reorged and w3.eth.block_number > fork
    assert_db_matches_chain(sessions, suite.dc, w3.eth.block_number)
    _hashes_agree(sessions)


def test_short_new_branch__no_rpc_failure_and_no_cooldown(anvil_url, sessions, caplog):
    suite = deploy_suite(anvil_url)
    w3 = suite.dc.w3
    run_competition(suite, finish=False)
    follower = _follower(suite, anvil_url, sessions, batch_blocks=50)
    follower.backfill()
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    run_competition(suite, token_base=20, finish=False)  # branch A: 10+ blocks, indexed
    follower.backfill()
    w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]
    _forget_nonces(suite)
    advance(suite.dc, 3)  # branch B is shorter than A for now
    caplog.set_level(logging.WARNING, logger="domacross.indexer.breaker")
    follower.backfill()
    assert follower.breaker.state == "healthy"
    assert not [r for r in caplog.records if "open" in r.getMessage()]
    run_competition(suite, token_base=60, finish=False)
    follower.backfill()
    assert_db_matches_chain(sessions, suite.dc, w3.eth.block_number)


def test_reorg_deeper_than_the_window__rewound_by_the_raw_event_hashes(anvil_url, sessions):
    suite = deploy_suite(anvil_url)
    w3 = suite.dc.w3
    run_competition(suite, finish=False)
    follower = _follower(suite, anvil_url, sessions, batch_blocks=4, reorg_window=8)
    follower.backfill()
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    run_competition(suite, token_base=20, finish=False)
    for _ in range(12):  # the abandoned branch outgrows the window of stored headers
        advance(suite.dc, 1)
    follower.backfill()
    w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]
    _forget_nonces(suite)
    for _ in range(20):
        advance(suite.dc, 2)
    run_competition(suite, token_base=50, finish=False)
    follower.backfill()
    assert_db_matches_chain(sessions, suite.dc, w3.eth.block_number)
    _hashes_agree(sessions)


def test_no_indexed_hash_on_the_chain__failed_in_status_then_rewound(anvil_url, sessions):
    suite = deploy_suite(anvil_url)
    w3 = suite.dc.w3
    first = suite.record["contracts"]["ValuationOracle"]["block_number"]
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    run_competition(suite, finish=False)
    follower = _follower(suite, anvil_url, sessions, batch_blocks=4, reorg_window=8)
    follower.backfill()
    # Everything indexed is replaced, down to the block before the first indexed one.
    w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]
    w3.provider.make_request("anvil_reset", [])  # type: ignore[arg-type]
    suite2 = deploy_suite(anvil_url)
    for _ in range(30):
        advance(suite2.dc, 1)
    try:
        follower.backfill()
    except Exception as exc:
        assert type(exc).__name__ == "ReorgTooDeepError"
        assert f"--rewind-to {first - 1}" in str(exc)
    else:
        raise AssertionError("a chain with none of the indexed hashes must stop the indexer")
    with sessions() as session:
        status = session.get(IndexerStatus, follower.chain_id)
        assert status is not None and status.breaker_state == "failed"
    with sessions() as session:
        follower.rewind(session, first - 1)
    with sessions() as session:
        assert session.scalar(select(RawEvent).limit(1)) is None


def _urls_follower(suite: Suite, urls: list[str], sessions, **kw) -> ChainFollower:
    w3 = Web3(FailoverHTTPProvider(urls, primary_retry=0.3, max_backoff=0.05, timeout=2))
    config = chain_config(suite, name="proxied", w3=w3)
    return ChainFollower(config, sessions, **{"confirmations": 0, **kw})


def test_primary_answering_json_rpc_errors__fails_over_then_primary_again(anvil_url, sessions):
    suite = deploy_suite(anvil_url)
    suite.dc.oracle.pause()  # pause state of a followed contract lands in raw events
    suite.dc.oracle.unpause()
    run_competition(suite, finish=False)
    with rpc_proxy(anvil_url) as primary, rpc_proxy(anvil_url) as fallback:
        follower = _urls_follower(suite, [primary.url, fallback.url], sessions, batch_blocks=5)
        primary.fault = lambda m, _p: Fault(error={"code": -32000, "message": "header not found"})
        follower.backfill()
        assert fallback.calls.count("eth_getLogs") > 0
        assert_db_matches_chain(sessions, suite.dc, suite.dc.w3.eth.block_number)
        primary.fault = lambda _m, _p: None
        time.sleep(0.4)
        before = len(primary.calls)
        advance(suite.dc, 1)
        follower.backfill()
        assert len(primary.calls) > before + 1, "the primary is tried again after its pause"
    with sessions() as session:
        names = {
            (name, address)
            for name, address in session.execute(select(RawEvent.name, RawEvent.address))
        }
    oracle = suite.dc.addresses.oracle
    assert {("Paused", oracle), ("Unpaused", oracle)} <= names


def test_every_rpc_down_in_the_first_catch_up__waited_out(anvil_url, sessions):
    suite = deploy_suite(anvil_url)
    run_competition(suite, finish=False)
    with rpc_proxy(anvil_url) as primary, rpc_proxy(anvil_url) as fallback:
        follower = _urls_follower(suite, [primary.url, fallback.url], sessions, batch_blocks=5)
        down = threading.Event()
        down.set()
        for proxy in (primary, fallback):
            proxy.fault = lambda _m, _p: Fault(status=503) if down.is_set() else None
        threading.Timer(2.0, down.clear).start()
        follower.backfill(retry_seconds=None)
    assert_db_matches_chain(sessions, suite.dc, suite.dc.w3.eth.block_number)


@pytest.mark.parametrize(
    ("error", "limit"),
    [
        ({"code": -32614, "message": "eth_getLogs is limited to a 10000 range"}, 4),
        ({"code": -32000, "message": "ranges over 10 blocks are not supported on freetier"}, 10),
        ({"code": -32005, "message": "query returned more than 2 results"}, None),
    ],
)
def test_range_and_result_limits_of_providers__split_and_narrowed(
    anvil_url, sessions, error, limit
):
    suite = deploy_suite(anvil_url)
    run_competition(suite, finish=False)

    def refuse(method, params):
        if method != "eth_getLogs" or limit is None:
            return None
        query = params[0]
        size = int(query["toBlock"], 16) - int(query["fromBlock"], 16) + 1
        return Fault(error=error) if size > limit else None

    def cap(method, _params, response):
        if limit is None and method == "eth_getLogs" and len(response.get("result", [])) > 2:
            return {"jsonrpc": "2.0", "id": response.get("id"), "error": error}
        return response

    with rpc_proxy(anvil_url) as proxy:
        proxy.fault, proxy.after = refuse, cap
        _follower(suite, proxy.url, sessions, batch_blocks=1_000).backfill()
    assert_db_matches_chain(sessions, suite.dc, suite.dc.w3.eth.block_number)


def test_block_over_the_nodes_cap_even_narrowed__one_line_naming_it(anvil_url, sessions):
    suite = deploy_suite(anvil_url)
    run_competition(suite, finish=False)

    def cap(method, _params, response):
        if method == "eth_getLogs" and response.get("result"):
            error = {"code": -32005, "message": "query returned more than 0 results"}
            return {"jsonrpc": "2.0", "id": response.get("id"), "error": error}
        return response

    with rpc_proxy(anvil_url) as proxy:
        proxy.after = cap
        with pytest.raises(LogCapError, match=r"^block \d+ holds more logs of address 0x"):
            _follower(suite, proxy.url, sessions, batch_blocks=1_000).backfill()


def test_following_the_finalized_block__never_indexes_past_it(anvil_url, sessions):
    suite = deploy_suite(anvil_url)
    run_competition(suite, finish=False)
    for _ in range(70):  # anvil finalizes 64 blocks behind the head
        advance(suite.dc, 1)
    follower = _follower(suite, anvil_url, sessions, batch_blocks=50, head_tag="finalized")
    follower.backfill()
    finalized = int(suite.dc.w3.eth.get_block("finalized")["number"])
    head = suite.dc.w3.eth.block_number
    assert 0 < finalized < head
    with sessions() as session:
        assert follower.checkpoint(session) == finalized
    assert_db_matches_chain(sessions, suite.dc, finalized)
