"""The admin scripts as an operator runs them: `ape run` subprocesses against an anvil node
that outlives each run, with the committed examples on a fresh deployment."""

from __future__ import annotations

import functools
import os

import pytest
import requests

from domacross_deploy.suite import role_id
from domacross_sdk import DomaCross
from domacross_sdk.deployments import load_record
from tests.utils.anvil import anvil_node
from tests.utils.ape_cli import ape_run, ok

# anvil's dev account 1 (public test mnemonic)
ACCOUNT_1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


@pytest.fixture(scope="module")
def node():
    with anvil_node() as url:
        yield url


def block_of(url) -> int:
    body = {"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []}
    return int(requests.post(url, json=body, timeout=10).json()["result"], 16)


def test_admin_scripts__examples_on_fresh_deployment__work_end_to_end(node, tmp_path):
    run = functools.partial(ape_run, directory=tmp_path, node=node)
    ok(run("deploy"))
    record_file = tmp_path / "ethereum-local.json"
    record = load_record(record_file)
    dc = DomaCross.connect(node, deployment=record_file)

    # The example's token addresses are those of a fresh deployment by anvil's account 0.
    out = ok(run("set-prices", "--csv", "examples/prices.csv"))
    assert "4 price(s) set in 2 transaction(s)" in out
    tokens = {name: record.contracts[name].address for name in record.contracts}
    assert dc.oracle.price_of(tokens["DomaOwnershipToken"], 1) == 15 * 10**17
    assert dc.oracle.fungible_price_of(tokens["DomainFractionToken"]) == 2 * 10**16

    out = ok(run("create-competition", "--spec", "examples/competition.yaml"))
    competition = out.strip().splitlines()[-1].removeprefix("competition: ")
    assert dc.factory.is_competition(competition)
    assert dc.competition(competition).config().payout_bps == (6_000, 3_000, 1_000)

    bad = tmp_path / "bad.json"
    bad.write_text('{"start": "+5m", "end": "+1d", "claim_deadline": "+4d", "entry_fee": -1}')
    block = block_of(node)
    result = run("create-competition", "--spec", str(bad))
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.splitlines() == [
        f"Error: {bad}: invalid competition spec",
        "  entry_fee: amount must not be negative: -1",
        "  max_participants: missing",
        "  rake_bps: missing",
        "  payout_bps: missing",
    ]
    assert block_of(node) == block

    ok(run("roles", "grant", "--role", "RESOLVER", "--account", ACCOUNT_1))
    assert dc.factory.has_role(role_id("RESOLVER_ROLE"), ACCOUNT_1)
    assert "0 did not" in ok(run("verify-deployment"))
    ok(run("roles", "revoke", "--role", "RESOLVER", "--account", ACCOUNT_1))
    assert not load_record(record_file).has_role(
        record.contracts["CompetitionFactory"].address, role_id("RESOLVER_ROLE"), ACCOUNT_1
    )

    # A guardian granted on both factories stops basket creation; only an admin resumes it.
    ok(run("roles", "grant", "--role", "GUARDIAN", "--account", ACCOUNT_1))
    assert dc.basket_factory.has_role(role_id("GUARDIAN_ROLE"), ACCOUNT_1)
    ok(run("pause", "--target", "basket-factory", "--account", "TEST::1"))
    assert dc.basket_factory.paused()
    result = run("pause", "--target", "basket-factory", "--unpause", "--account", "TEST::1")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "needed to unpause it (a guardian may only pause)" in result.stderr
    ok(run("pause", "--target", "basket-factory", "--unpause"))
    assert not dc.basket_factory.paused()


def test_admin_script__doma_network_without_rpc_variable__one_line_error(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOMA_")}
    args = ("pause", "--network", "doma:testnet:node", "--target", "oracle")
    result = ape_run(*args, directory=tmp_path, environ=env, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("Error: DOMA_TESTNET_RPC_URL_PRIMARY is not set")
    assert len(result.stderr.strip().splitlines()) == 1
