"""The shipped ABIs and bindings match contracts/; Ape accounts sign through the SDK."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from domacross_sdk import ApeSigner, DomaCross
from tests.utils.constants import ETH

ROOT = Path(__file__).resolve().parents[2]


def test_sdk_artifacts__match_compiled_contracts():
    """Fails when contracts/ changed and `make sdk` was not run (ABIs, bindings, errors, events)."""
    done = subprocess.run(  # noqa: S603 - our own generator
        [sys.executable, str(ROOT / "toolchain" / "gen_sdk.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_ape_signer__test_account_signs_sdk_writes(chain, oracle, reporter):
    dc = DomaCross.from_web3(
        chain.provider.web3,
        deployment={"contracts": {"ValuationOracle": {"address": oracle.address}}},
    )
    result = dc.oracle.set_price("0x" + "c3" * 20, 1, ETH, sender=ApeSigner(reporter))
    assert result.updates[0].reporter == reporter.address
    assert repr(ApeSigner(reporter)) == f"ApeSigner({reporter.address})"
