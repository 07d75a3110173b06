"""What a deployer meets first when something is off: one line with the fix, a non-zero exit,
no traceback; and unattended signing with an Ape keyfile account."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.utils.anvil import anvil_node, free_port
from tests.utils.ape_cli import ape_run

PYTHON = Path(sys.executable)
ALIAS = "deployer"
PASSPHRASE = "correct horse battery staple"  # noqa: S105 (a throwaway test keyfile)
# A key no test funds: its address starts with no ether on anvil.
KEY = "0x" + "7e" * 32


@pytest.fixture(scope="module")
def node():
    with anvil_node() as url:
        yield url


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory) -> Path:
    """An Ape data folder holding one keyfile account, as `ape accounts import` makes it."""
    folder = tmp_path_factory.mktemp("ape-data")
    code = (
        "from ape_accounts import import_account_from_private_key as i;"
        f"print(i({ALIAS!r}, {PASSPHRASE!r}, {KEY!r}).address)"
    )
    env = {**os.environ, "APE_DATA_FOLDER": str(folder)}
    out = subprocess.run(  # noqa: S603
        [str(PYTHON), "-c", code], env=env, capture_output=True, text=True, check=True
    )
    (folder / "address").write_text(out.stdout.strip().splitlines()[-1])
    return folder


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and 'File "' not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def rpc(url: str, method: str, *params: object) -> object:
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
    return requests.post(url, json=body, timeout=10).json()["result"]


def test_deploy__unreachable_rpc__one_line_naming_the_url_variable(tmp_path):
    dead = f"http://127.0.0.1:{free_port()}"
    env = {"DOMA_TESTNET_RPC_URL_PRIMARY": dead}
    line = one_error_line(
        ape_run("deploy", "--network", "doma:testnet:node", env=env, directory=tmp_path)
    )
    assert "127.0.0.1" in line and "DOMA_*_RPC_URL_PRIMARY" in line


def test_deploy__doma_network_on_another_chain__one_line_naming_both_ids(node, tmp_path):
    env = {"DOMA_TESTNET_RPC_URL_PRIMARY": node}
    line = one_error_line(
        ape_run("deploy", "--network", "doma:testnet:node", env=env, directory=tmp_path)
    )
    assert "31337" in line and "97476" in line


def test_deploy__record_not_json__one_line_naming_the_file(node, tmp_path):
    (tmp_path / "ethereum-local.json").write_text("{not json")
    env = {"APE_FOUNDRY_HOST": node}
    line = one_error_line(
        ape_run("deploy", "--network", "ethereum:local:foundry", env=env, directory=tmp_path)
    )
    assert "ethereum-local.json is not a valid deployment record" in line


def test_deploy__keyfile_account_without_passphrase__refused_before_sending(
    node, data_folder, tmp_path
):
    env = {"APE_FOUNDRY_HOST": node, "APE_DATA_FOLDER": str(data_folder)}
    args = ("deploy", "--network", "ethereum:local:foundry", "--account", ALIAS)
    line = one_error_line(ape_run(*args, env=env, directory=tmp_path))
    assert f"APE_ACCOUNTS_{ALIAS}_PASSPHRASE" in line
    assert not (tmp_path / "ethereum-local.json").exists()


def test_deploy__unfunded_account__one_line_saying_fund_it(node, data_folder, tmp_path):
    env = {
        "APE_FOUNDRY_HOST": node,
        "APE_DATA_FOLDER": str(data_folder),
        f"APE_ACCOUNTS_{ALIAS}_PASSPHRASE": PASSPHRASE,
    }
    args = ("deploy", "--network", "ethereum:local:foundry", "--account", ALIAS)
    line = one_error_line(ape_run(*args, env=env, directory=tmp_path))
    assert "Fund it" in line


def test_deploy__passphrase_in_environment__signs_unattended(node, data_folder, tmp_path):
    address = (data_folder / "address").read_text()
    rpc(node, "anvil_setBalance", address, hex(10**20))
    env = {
        "APE_FOUNDRY_HOST": node,
        "APE_DATA_FOLDER": str(data_folder),
        f"APE_ACCOUNTS_{ALIAS}_PASSPHRASE": PASSPHRASE,
    }
    args = ("deploy", "--network", "ethereum:local:foundry", "--account", ALIAS)
    result = ape_run(*args, env=env, directory=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Sign:" not in result.stdout + result.stderr
    assert f'"deployer": "{address}"' in (tmp_path / "ethereum-local.json").read_text()
