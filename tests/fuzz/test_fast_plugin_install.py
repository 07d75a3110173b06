"""Another Ape project gets the fast engine's fixtures by installing this package.

A throwaway Ape project (its own config, one contract, one test file and no conftest.py)
is created under tmp_path and tested with `ape test` from this environment, where the
package is installed: the `pytest11` entry point must bring `fast_chain` and
`fast_project`, and a failing `fast_given` property must be reported under its own name.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.fuzz

APE = Path(sys.executable).with_name("ape")
CONFIG = """\
name: throwaway
solidity:
  version: 0.8.28
  evm_version: cancun
"""
CONTRACT = """\
// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

contract Counter {
    uint256 public count;

    function add(uint256 amount) external {
        if (amount == 0x5eed) return; // the planted bug: this amount is lost
        count += amount;
    }
}
"""
TESTS = """\
from hypothesis import strategies as st

from domacross_fuzz import fast_given


def test_fixtures__from_the_entry_point__deploy(fast_project, accounts):
    counter = fast_project.Counter.deploy(sender=accounts[0])
    counter.add(3, sender=accounts[1])
    assert counter.count() == 3


@fast_given(examples=20_000, amount=st.integers(1, 2**64))
def test_add__any_amount__counted(fast_chain, fast_project, accounts, amount):
    counter = fast_project.Counter.deploy(sender=accounts[0])
    counter.add(amount, sender=accounts[1])
    assert counter.count() == amount
"""


def test_installed_package__throwaway_ape_project__gets_fixtures_and_finds_the_bug(tmp_path):
    (tmp_path / "ape-config.yaml").write_text(CONFIG)
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "Counter.sol").write_text(CONTRACT)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_counter.py").write_text(TESTS)
    run = subprocess.run(  # noqa: S603 - this environment's own ape, fixed arguments
        [str(APE), "test", "tests", "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    out = run.stdout + run.stderr
    assert "1 failed, 1 passed" in out, out
    assert "FAILED tests/test_counter.py::test_add__any_amount__counted" in out
    assert f"test_add__any_amount__counted(amount={0x5EED})" in out
