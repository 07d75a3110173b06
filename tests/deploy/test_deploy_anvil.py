"""`ape run deploy` / `verify-deployment` as a deployer runs them, against an anvil node
that outlives each run, so that a run can be killed and resumed.

The node is started here on a free port (`.tools/bin/anvil` binds 127.0.0.1 with
--prune-history) and Ape is pointed at it with APE_FOUNDRY_HOST. Runs that must start from
the same state revert the node to a snapshot (`evm_snapshot` / `evm_revert`).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request

import pytest

from domacross_deploy.session import CRASH_ENV, CRASH_EXIT_CODE
from domacross_sdk.deployments import load_record, save_record
from tests.utils.anvil import free_port
from tests.utils.ape_cli import ROOT, ape_run, ok

ANVIL = ROOT / ".tools" / "bin" / "anvil"
# 7 deployments, setFactory, setBasketFactory, factory.setTracker, 8 grants: one per role,
# GUARDIAN on both factories (test_deploy_embedded counts them from the manifest)
TX_COUNT = 18

pytestmark = pytest.mark.skipif(not ANVIL.exists(), reason="anvil not installed (make setup)")


class Node:
    def __init__(self, url: str):
        self.url = url

    def rpc(self, method, *params):
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})
        # NOTE: self.url is always http://127.0.0.1:<port> (see the node fixture).
        request = urllib.request.Request(  # noqa: S310
            self.url, body.encode(), {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return json.loads(response.read())["result"]

    @property
    def block(self) -> int:
        return int(self.rpc("eth_blockNumber"), 16)


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("anvil") / "anvil.log"
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603
            [str(ANVIL), "--port", str(port)], stdout=out, stderr=subprocess.STDOUT
        )
    node = Node(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                node.block  # noqa: B018
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"anvil did not start: {log.read_text()}") from None
                time.sleep(0.1)
        yield node
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_deploy__dry_run_then_run_then_rerun__plan_all_then_record_then_nothing(node, tmp_path):
    start = node.block
    plan = ok(ape_run("deploy", "--dry-run", directory=tmp_path, node=node.url))
    assert "dry run: nothing sent, nothing written" in plan
    assert plan.count("│ deploy ") == 7
    assert node.block == start
    assert list(tmp_path.iterdir()) == []

    out = ok(ape_run("deploy", directory=tmp_path, node=node.url))
    assert f"{TX_COUNT} transaction(s) sent" in out
    assert node.block == start + TX_COUNT
    record_file = tmp_path / "ethereum-local.json"
    record = load_record(record_file)
    assert record.chain_id == 31337
    assert len(record.contracts) == 7

    before = record_file.read_text()
    out = ok(ape_run("deploy", directory=tmp_path, node=node.url))
    assert "0 transaction(s) sent" in out
    assert node.block == start + TX_COUNT
    assert record_file.read_text() == before


@pytest.mark.parametrize(
    ("crash", "recorded_contracts", "pending"),
    [
        # killed right after recording its 2nd transaction: oracle and tracker recorded
        ("2", 2, None),
        # killed after the 4th (setFactory) was mined, before it was recorded: it is pending
        ("4:unrecorded", 3, "call:PortfolioTracker.setFactory"),
    ],
)
def test_deploy__killed_then_rerun__same_record_as_uninterrupted_run(
    node, tmp_path, crash, recorded_contracts, pending
):
    # "Same" is DeploymentRecord.fingerprint(): equal except times and tx hashes, i.e. the
    # same contracts at the same addresses from the same blocks, with the same code hashes,
    # arguments, grants and calls, and nothing pending.
    snapshot = node.rpc("evm_snapshot")
    start = node.block
    ok(ape_run("deploy", directory=tmp_path / "straight", node=node.url))
    straight = load_record(tmp_path / "straight" / "ethereum-local.json")
    assert node.rpc("evm_revert", snapshot) is True
    assert node.block == start

    resumed_dir = tmp_path / "resumed"
    killed = ape_run("deploy", env={CRASH_ENV: crash}, directory=resumed_dir, node=node.url)
    assert killed.returncode == CRASH_EXIT_CODE, killed.stdout + killed.stderr
    partial = load_record(resumed_dir / "ethereum-local.json")
    assert len(partial.contracts) == recorded_contracts
    assert (partial.pending.step if partial.pending else None) == pending

    out = ok(ape_run("deploy", directory=resumed_dir, node=node.url))
    assert f"{TX_COUNT - int(crash.split(':')[0])} transaction(s) sent" in out
    resumed = load_record(resumed_dir / "ethereum-local.json")
    assert node.block == start + TX_COUNT
    assert resumed.fingerprint() == straight.fingerprint()
    assert resumed.pending is None


def test_verify_deployment__good_then_tampered_record__exit_0_then_1(node, tmp_path):
    ok(ape_run("deploy", directory=tmp_path, node=node.url))
    out = ok(ape_run("verify-deployment", directory=tmp_path, node=node.url))
    assert "0 did not" in out

    path = tmp_path / "ethereum-local.json"
    record = load_record(path)
    factory = record.contracts["CompetitionFactory"]
    save_record(
        record.with_contract(
            "CompetitionFactory",
            factory.model_copy(update={"bytecode_hash": "0x" + "ee" * 32}),
        ),
        path,
    )
    result = ape_run("verify-deployment", directory=tmp_path, node=node.url)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "MISMATCH" in result.stdout
    assert "1 did not" in result.stdout


def test_deploy__doma_network_without_rpc_variable__one_line_error_naming_it(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOMA_")}
    args = ("deploy", "--network", "doma:testnet:node")
    result = ape_run(*args, directory=tmp_path, environ=env, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: DOMA_TESTNET_RPC_URL_PRIMARY is not set")
