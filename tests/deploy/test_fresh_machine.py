"""The build does not depend on the machine: the same sources compile to the committed
SDK bytecode from any checkout path, with an Ape data folder that is empty or that holds
stale entries (an older dependency layout, another checkout's copy)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
APE = Path(sys.executable).parent / "ape"
OZ = ROOT / ".tools" / "openzeppelin-contracts"
OLD_LAYOUT = """dependencies:
  - name: openzeppelin
    local: .tools/openzeppelin-contracts
    version: 5.7.0
"""

pytestmark = pytest.mark.skipif(not OZ.is_dir(), reason="OpenZeppelin not installed (make setup)")


def checkout(at: Path, config: str | None = None) -> Path:
    """A copy of what `ape compile` reads, at another path."""
    at.mkdir(parents=True)
    shutil.copytree(ROOT / "contracts", at / "contracts", ignore=shutil.ignore_patterns(".cache"))
    shutil.copytree(OZ, at / ".tools" / "openzeppelin-contracts")
    text = (ROOT / "ape-config.yaml").read_text()
    if config is not None:  # the older layout: its dependency and its remapping
        start, end = text.index("dependencies:"), text.index("solidity:")
        text = text[:start] + config + "\n" + text[end:]
        text = text.replace('=openzeppelin-contracts"', '=openzeppelin"')
    (at / "ape-config.yaml").write_text(text)
    return at


def compile_in(project: Path, data_folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [str(APE), "compile"],
        cwd=project,
        env={**os.environ, "APE_DATA_FOLDER": str(data_folder)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_compile__stale_data_folder_and_other_path__committed_bytecode(tmp_path):
    data = tmp_path / "ape-data"
    # An entry a machine may already hold: another checkout's, of the old layout (whose
    # compile fails: an extra `contracts/` level under the same dependency name).
    old = compile_in(checkout(tmp_path / "old-clone", OLD_LAYOUT), data)
    assert old.returncode != 0 and "not found" in old.stdout + old.stderr
    assert any((data / "packages").rglob("*.json"))

    project = checkout(tmp_path / "deeper" / "my checkout")
    result = compile_in(project, data)
    assert result.returncode == 0, result.stdout + result.stderr

    built = json.loads((project / ".build" / "__local__.json").read_text())["contractTypes"]
    shipped = sorted((ROOT / "domacross_sdk" / "abi").glob("*.json"))
    assert len(shipped) >= 9
    for path in shipped:
        artifact = json.loads(path.read_text())
        name = artifact["contractName"]
        assert built[name]["deploymentBytecode"]["bytecode"] == artifact["bytecode"], name
