"""`ape run verify-deployment` as an operator runs it, against an anvil node
(tests/deploy/anvil_scripts.py): a good record exits 0, a tampered one exits 1.

Apart from tests/deploy/test_deploy_anvil.py so that the two spread over two processes:
a verification compiles the sources unless .build/verify-cache holds that compile.
"""

from __future__ import annotations

import pytest

from domacross_sdk.deployments import load_record, save_record
from tests.deploy.anvil_scripts import ANVIL, ape_run, started_node
from tests.utils.ape_cli import ok

pytestmark = pytest.mark.skipif(not ANVIL.exists(), reason="anvil not installed (make setup)")


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    with started_node(tmp_path_factory.mktemp("anvil") / "anvil.log") as started:
        yield started


def test_verify_deployment__good_then_tampered_record__exit_0_then_1(node, tmp_path):
    ok(ape_run(node, tmp_path, "deploy"))
    out = ok(ape_run(node, tmp_path, "verify-deployment"))
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
    result = ape_run(node, tmp_path, "verify-deployment")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "MISMATCH" in result.stdout
    assert "1 did not" in result.stdout
