"""Gas per contract method: the committed snapshot (tests/gas/gas-snapshot.json) beside the
naive alternatives, all measured again in this run by the snapshot's own scenario.

The scenario (tests/gas/test_gas_snapshot.py) runs on Ape's embedded chain at a fixed
chain time, so every figure is deterministic: one run, no spread. A method whose gas in
this run differs from the committed snapshot is reported and fails the bench.
Yardsticks: a full `Competition` deployment for the factory's clone; one storage slot per
winner (contracts/test/NaivePrizeBook.sol, 10 winners) for the Merkle results, and its
claim. Targets (createCompetition < 200,000; first join < 80,000).

    .venv/bin/python -m bench.gas_bench [--json PATH]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import click

from bench.results import Row, Target, report

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "tests" / "gas" / "gas-snapshot.json"
FULL_DEPLOY = "Competition (full deployment, for comparison)"
NAIVE_POST = "NaivePrizeBook.setPrizes (10 winners, for comparison)"
NAIVE_CLAIM = "NaivePrizeBook.claim (for comparison)"
# label -> (yardstick label, target)
COMPARED: dict[str, tuple[str | None, Target | None]] = {
    "CompetitionFactory.createCompetition": (FULL_DEPLOY, Target("<", 200_000, "gas budget")),
    "Competition.join (first)": (None, Target("<", 80_000, "gas budget")),
    "Competition.postResults": (NAIVE_POST, None),
    "Competition.claim (tree of 3 winners)": (NAIVE_CLAIM, None),
}


def _plain(label: str) -> str:
    return label.replace(" (for comparison)", "").replace(", for comparison", "")


def measure() -> dict[str, int]:
    """Runs the snapshot's scenario through `ape test` and returns what it measured."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "gas.json"
        env = {**os.environ, "DOMACROSS_GAS_MEASURED_OUT": str(out)}
        ape = str(Path(sys.executable).with_name("ape"))
        subprocess.run([ape, "compile"], cwd=ROOT, check=True, capture_output=True)
        subprocess.run(
            [ape, "test", "tests/gas", "-q", "-p", "no:cacheprovider"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        measured: dict[str, int] = json.loads(out.read_text())
        return measured


@click.command()
@click.option("--json", "json_path", default=None, help="Write the rows here (bench/run.py).")
def main(json_path: str | None) -> None:
    """Gas per method from the snapshot, against the naive alternatives."""
    committed: dict[str, int] = json.loads(SNAPSHOT.read_text())
    measured = measure()
    drift = sorted(
        k for k in committed.keys() | measured.keys() if committed.get(k) != measured.get(k)
    )
    rows = [
        Row(
            "gas",
            "methods whose gas differs from the committed snapshot",
            "methods",
            [float(len(drift))],
            target=Target("<=", 0, "tests/gas"),
            note=", ".join(drift) or "every figure is deterministic (fixed chain time): one run",
        )
    ]
    for label, gas in sorted(committed.items()):
        if "for comparison" in label:
            continue
        yardstick, target = COMPARED.get(label, (None, None))
        rows.append(
            Row(
                "gas",
                label,
                "gas",
                [float(gas)],
                yardstick=None if yardstick is None else _plain(yardstick),
                yardstick_samples=[] if yardstick is None else [float(measured[yardstick])],
                target=target,
            )
        )
    sys.exit(report(rows, json_path, "Gas per method (committed snapshot) vs naive alternatives"))


if __name__ == "__main__":
    main()
