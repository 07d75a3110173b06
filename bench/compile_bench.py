"""`ape compile` cold and no-op, beside `forge build` of the same sources with the same
solc (solcjs from npm, through .tools/solcx), measured in one run.

Cold: Ape's .build and contracts/.cache removed (forge: `--force`). No-op: nothing changed
since the previous build. Each figure is the median of `--repeat` runs. Target:
a no-op build costs at most "a second or two": < 2 s.

    .venv/bin/python -m bench.compile_bench [--repeat 3] [--json PATH]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import click

from bench.results import Row, Target, report

ROOT = Path(__file__).resolve().parent.parent
APE = str(Path(sys.executable).with_name("ape"))
FORGE = str(ROOT / ".tools" / "bin" / "forge")


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def ape_cold() -> float:
    shutil.rmtree(ROOT / ".build", ignore_errors=True)
    shutil.rmtree(ROOT / "contracts" / ".cache", ignore_errors=True)
    return timed([APE, "compile"])


def forge_build(force: bool) -> float:
    # NOTE: sources only (not bench/forge): what Ape compiles.
    command = [FORGE, "build", "--offline", "--skip", "test", "--skip", "script"]
    return timed(command + (["--force"] if force else []))


@click.command()
@click.option("--repeat", default=3, show_default=True)
@click.option("--json", "json_path", default=None, help="Write the rows here (bench/run.py).")
def main(repeat: int, json_path: str | None) -> None:
    """Cold and no-op compile times, Ape against forge."""
    ape_cold_s, ape_noop_s, forge_cold_s, forge_noop_s = [], [], [], []
    for _ in range(repeat):
        ape_cold_s.append(ape_cold())
        ape_noop_s.append(timed([APE, "compile"]))
        forge_cold_s.append(forge_build(force=True))
        forge_noop_s.append(forge_build(force=False))
    # Leave the build as `make test` expects it (a forced, complete Ape build).
    subprocess.run([APE, "compile", "--force"], cwd=ROOT, check=True, capture_output=True)
    rows = [
        Row("compile", "ape compile, cold", "s", ape_cold_s, "forge build --force", forge_cold_s),
        Row(
            "compile",
            "ape compile, no-op",
            "s",
            ape_noop_s,
            "forge build (no-op)",
            forge_noop_s,
            Target("<", 2.0, "no-op compile budget"),
        ),
    ]
    sys.exit(report(rows, json_path, "Compile: Ape vs forge, same sources and solc"))


if __name__ == "__main__":
    main()
