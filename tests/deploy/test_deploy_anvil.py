"""`ape run deploy` as a deployer runs it, against an anvil node that outlives each run, so
that a run can be killed and resumed (tests/deploy/anvil_scripts.py).

One uninterrupted deployment from the node's first state (dry run, run, rerun) is the
reference that every killed-and-resumed run, started from that same state, must equal.
`verify-deployment` against anvil: tests/deploy/test_verify_anvil.py.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass

import pytest

from domacross_deploy.session import CRASH_ENV, CRASH_EXIT_CODE
from domacross_sdk.deployments import DeploymentRecord, load_record
from tests.deploy.anvil_scripts import ANVIL, ape_run, started_node
from tests.utils.ape_cli import APE, ROOT, ok

# 7 deployments, setFactory, setBasketFactory, factory.setTracker, 8 grants: one per role,
# GUARDIAN on both factories (test_deploy_embedded counts them from the manifest)
TX_COUNT = 18

pytestmark = pytest.mark.skipif(not ANVIL.exists(), reason="anvil not installed (make setup)")


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    with started_node(tmp_path_factory.mktemp("anvil") / "anvil.log") as started:
        yield started


@dataclass(frozen=True)
class Straight:
    """`deploy --dry-run`, `deploy`, `deploy` again, from the node's first state."""

    start: int
    plan: str
    after_plan: int
    files_after_plan: list[str]
    out: str
    after_run: int
    record: DeploymentRecord
    text: str
    rerun: str
    after_rerun: int
    text_after_rerun: str


@pytest.fixture(scope="module")
def straight(node, tmp_path_factory) -> Straight:
    node.restart()
    directory = tmp_path_factory.mktemp("straight")
    record_file = directory / "ethereum-local.json"
    start = node.block
    plan = ok(ape_run(node, directory, "deploy", "--dry-run"))
    after_plan, files_after_plan = node.block, sorted(p.name for p in directory.iterdir())
    out = ok(ape_run(node, directory, "deploy"))
    after_run, text = node.block, record_file.read_text()
    rerun = ok(ape_run(node, directory, "deploy"))
    return Straight(
        start,
        plan,
        after_plan,
        files_after_plan,
        out,
        after_run,
        load_record(record_file),
        text,
        rerun,
        node.block,
        record_file.read_text(),
    )


def test_deploy__dry_run_then_run_then_rerun__plan_all_then_record_then_nothing(straight):
    assert "dry run: nothing sent, nothing written" in straight.plan
    assert straight.plan.count("│ deploy ") == 7
    assert straight.after_plan == straight.start
    assert straight.files_after_plan == []

    assert f"{TX_COUNT} transaction(s) sent" in straight.out
    assert straight.after_run == straight.start + TX_COUNT
    assert straight.record.chain_id == 31337
    assert len(straight.record.contracts) == 7

    assert "0 transaction(s) sent" in straight.rerun
    assert straight.after_rerun == straight.start + TX_COUNT
    assert straight.text_after_rerun == straight.text


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
    node, straight, tmp_path, crash, recorded_contracts, pending
):
    # "Same" is DeploymentRecord.fingerprint(): equal except times and tx hashes, i.e. the
    # same contracts at the same addresses from the same blocks, with the same code hashes,
    # arguments, grants and calls, and nothing pending.
    node.restart()
    assert node.block == straight.start

    resumed_dir = tmp_path / "resumed"
    killed = ape_run(node, resumed_dir, "deploy", env={CRASH_ENV: crash})
    assert killed.returncode == CRASH_EXIT_CODE, killed.stdout + killed.stderr
    partial = load_record(resumed_dir / "ethereum-local.json")
    assert len(partial.contracts) == recorded_contracts
    assert (partial.pending.step if partial.pending else None) == pending

    out = ok(ape_run(node, resumed_dir, "deploy"))
    assert f"{TX_COUNT - int(crash.split(':')[0])} transaction(s) sent" in out
    resumed = load_record(resumed_dir / "ethereum-local.json")
    assert node.block == straight.start + TX_COUNT
    assert resumed.fingerprint() == straight.record.fingerprint()
    assert resumed.pending is None


def test_deploy__doma_network_without_rpc_variable__one_line_error_naming_it(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOMA_")}
    result = subprocess.run(  # noqa: S603
        [str(APE), "run", "deploy", "--network", "doma:testnet:node"],
        cwd=ROOT,
        env={**env, "DOMACROSS_DEPLOYMENTS_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: DOMA_TESTNET_RPC_URL_PRIMARY is not set")
