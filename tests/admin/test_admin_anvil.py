"""The admin scripts as an operator runs them: `ape run` subprocesses against an anvil node
that outlives each run, with the committed examples on a fresh deployment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from domacross_deploy.suite import role_id
from domacross_sdk import DomaCross
from domacross_sdk.deployments import load_record
from tests.utils.anvil import anvil_node

ROOT = Path(__file__).parents[2]
APE = Path(sys.executable).parent / "ape"
NETWORK = "ethereum:local:foundry"
# anvil's dev account 1 (public test mnemonic)
ACCOUNT_1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


@pytest.fixture(scope="module")
def node():
    with anvil_node() as url:
        yield url


def ape_run(url, directory, *args):
    env = {**os.environ, "APE_FOUNDRY_HOST": url, "DOMACROSS_DEPLOYMENTS_DIR": str(directory)}
    return subprocess.run(  # noqa: S603
        [str(APE), "run", *args, "--network", NETWORK],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def ok(result):
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def block_of(url) -> int:
    body = {"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []}
    return int(requests.post(url, json=body, timeout=10).json()["result"], 16)


def test_admin_scripts__examples_on_fresh_deployment__work_end_to_end(node, tmp_path):
    ok(ape_run(node, tmp_path, "deploy"))
    record_file = tmp_path / "ethereum-local.json"
    record = load_record(record_file)
    dc = DomaCross.connect(node, deployment=record_file)

    # The example's token addresses are those of a fresh deployment by anvil's account 0.
    out = ok(ape_run(node, tmp_path, "set-prices", "--csv", "examples/prices.csv"))
    assert "4 price(s) set in 2 transaction(s)" in out
    tokens = {name: record.contracts[name].address for name in record.contracts}
    assert dc.oracle.price_of(tokens["DomaOwnershipToken"], 1) == 15 * 10**17
    assert dc.oracle.fungible_price_of(tokens["DomainFractionToken"]) == 2 * 10**16

    out = ok(ape_run(node, tmp_path, "create-competition", "--spec", "examples/competition.yaml"))
    competition = out.strip().splitlines()[-1].removeprefix("competition: ")
    assert dc.factory.is_competition(competition)
    assert dc.competition(competition).config().payout_bps == (6_000, 3_000, 1_000)

    bad = tmp_path / "bad.json"
    bad.write_text('{"start": "+5m", "end": "+1d", "claim_deadline": "+4d", "entry_fee": -1}')
    block = block_of(node)
    result = ape_run(node, tmp_path, "create-competition", "--spec", str(bad))
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.splitlines() == [
        f"Error: {bad}: invalid competition spec",
        "  entry_fee: amount must not be negative: -1",
        "  max_participants: missing",
        "  rake_bps: missing",
        "  payout_bps: missing",
    ]
    assert block_of(node) == block

    ok(ape_run(node, tmp_path, "roles", "grant", "--role", "RESOLVER", "--account", ACCOUNT_1))
    assert dc.factory.has_role(role_id("RESOLVER_ROLE"), ACCOUNT_1)
    assert "0 did not" in ok(ape_run(node, tmp_path, "verify-deployment"))
    ok(ape_run(node, tmp_path, "roles", "revoke", "--role", "RESOLVER", "--account", ACCOUNT_1))
    assert not load_record(record_file).has_role(
        record.contracts["CompetitionFactory"].address, role_id("RESOLVER_ROLE"), ACCOUNT_1
    )


def test_admin_script__doma_network_without_rpc_variable__one_line_error(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOMA_")}
    result = subprocess.run(  # noqa: S603
        [str(APE), "run", "pause", "--network", "doma:testnet:node", "--target", "oracle"],
        cwd=ROOT,
        env={**env, "DOMACROSS_DEPLOYMENTS_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().startswith("Error: DOMA_TESTNET_RPC_URL_PRIMARY is not set")
    assert len(result.stderr.strip().splitlines()) == 1
