"""`make bench-fuzz`: the fast engine (domacross_fuzz) against forge, measured in one run.

1. Single-call property (tests/utils/fast_oracle.py `single_update_within_cap`): a
   reporter's `setPrice` of a fixed previous price is stored iff within the change cap,
   else reverts with OraclePriceChangeTooLarge carrying the exact values. Forge runs the
   same property (bench/forge/OracleCapBench.t.sol) on the same bytecode: the init code
   Ape compiled is handed to it through DOMACROSS_ORACLE_INITCODE.
   Target: >= 5,000 examples/s on the engine.
2. Stateful: the competition money machine (tests/utils/fast_competition.py), N sequences
   of up to M steps. Target: 1,000 x 50 in under 30 s.

Prints both tools' figures and their ratio; exits 1 when a target is missed.
Run it from the repository root: `.venv/bin/python -m bench.fuzz_bench` (or make bench-fuzz).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import click
from hypothesis import strategies as st

from domacross_fuzz import FastChain, fast_given, run_machine
from domacross_fuzz.fixtures import DEFAULT_TEST_BALANCE
from domacross_fuzz.project import FastProject
from tests.utils.fast_competition import competition_machine, prepare_competition
from tests.utils.fast_oracle import MAX_PRICE, prepare_single_update, single_update_within_cap
from tests.utils.fast_suite import deploy_fast_suite

ROOT = Path(__file__).resolve().parent.parent
FORGE = ROOT / ".tools" / "bin" / "forge"
FORGE_TEST = "testFuzz_setPrice_acceptedIffWithinCap(uint256)"
TARGET_EXAMPLES_PER_S = 5_000
TARGET_STATEFUL_S = 30.0
_UNITS = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float:
    """Forge's humantime durations ("124ms 451µs 40ns") in seconds."""
    parts = re.findall(r"([\d.]+)\s*(ns|µs|us|ms|s|m|h)\b", text)
    if not parts:
        raise ValueError(f"not a duration: {text!r}")
    return sum(float(n) * _UNITS[u] for n, u in parts)


def forge_rate(init_code: str, runs: int, repeats: int) -> tuple[float, float]:
    """Best of `repeats` forge runs of the property: (examples/s, seconds)."""
    env = {**os.environ, "DOMACROSS_ORACLE_INITCODE": init_code}
    base = [str(FORGE), "test", "--offline", "--match-contract", "OracleCapBench"]
    build = subprocess.run(
        [str(FORGE), "build", "--offline"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if build.returncode != 0:
        raise click.ClickException(f"forge build failed:\n{build.stdout}{build.stderr}")
    best = float("inf")
    for _ in range(repeats):
        out = subprocess.run(
            [*base, "--fuzz-runs", str(runs), "--json"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        suite = next(iter(json.loads(out[out.index("{") :]).values()))
        result = suite["test_results"][FORGE_TEST]
        if result["status"] != "Success":
            raise click.ClickException(f"forge property failed: {result['reason']}")
        if result["kind"]["Fuzz"]["runs"] != runs:
            raise click.ClickException(f"forge ran {result['kind']}, not {runs} runs")
        best = min(best, parse_duration(result["duration"]))
    return runs / best, best


def forge_version() -> str:
    """ "forge 1.7.1" (what `forge --version` reports first)."""
    out = subprocess.run([str(FORGE), "--version"], capture_output=True, text=True, check=True)
    match = re.search(r"forge Version: (\S+)", out.stdout) or re.search(
        r"(\d+\.\d+\.\d+)", out.stdout
    )
    return f"forge {match.group(1) if match else '?'}"


def new_suite(project, accounts):
    """A fresh fast chain with Ape's test accounts and the suite of tests/conftest.py."""
    chain = FastChain()
    for account in accounts:
        chain.deal(account, DEFAULT_TEST_BALANCE)
    fast_project = FastProject(project, chain)
    suite = deploy_fast_suite(
        fast_project,
        owner=accounts[0],
        reporter=accounts[1],
        registrar=accounts[2],
        resolver=accounts[6],
        guardian=accounts[7],
        updater=accounts[10],
        treasury=accounts[8],
    )
    return chain, suite


def engine_rate(project, accounts, examples: int, batch: int, repeats: int) -> tuple[float, float]:
    """Best of `repeats` engine runs of the property: (examples/s, seconds)."""
    chain, suite = new_suite(project, accounts)
    prepare_single_update(suite.oracle, accounts[0])
    count = [0]

    @fast_given(examples=examples, batch=batch, price=st.integers(1, MAX_PRICE))
    def prop(fast_chain, oracle, reporter, price):
        count[0] += 1
        single_update_within_cap(oracle, reporter, price)

    best = float("inf")
    for _ in range(repeats):
        count[0] = 0
        start = time.perf_counter()
        prop(fast_chain=chain, oracle=suite.oracle, reporter=accounts[1])
        elapsed = time.perf_counter() - start
        if count[0] < examples:
            raise click.ClickException(f"only {count[0]} of {examples} examples ran")
        best = min(best, elapsed / count[0] * examples)
    return examples / best, best


def stateful_time(project, accounts, sequences: int, steps: int) -> tuple[float, int, Counter]:
    """Seconds for `sequences` runs of the competition machine, and the steps it took."""
    chain, suite = new_suite(project, accounts)
    entrants = [accounts[i] for i in (3, 4, 5, 9)]
    competition = prepare_competition(
        suite, owner=accounts[0], registrar=accounts[2], entrants=entrants
    )
    reached: Counter[str] = Counter()
    machine = competition_machine(
        suite,
        competition,
        owner=accounts[0],
        guardian=accounts[7],
        resolver=accounts[6],
        updater=accounts[10],
        entrants=entrants,
        reached=reached,
    )
    steps_taken = [0]

    class Counted(machine):  # type: ignore[misc,valid-type]
        def check_invariants(self, *args, **kwargs):
            steps_taken[0] += 1  # once after the initial rule and once after each step
            return super().check_invariants(*args, **kwargs)

    start = time.perf_counter()
    run_machine(Counted, chain, sequences=sequences, steps=steps, derandomize=True, database=None)
    return time.perf_counter() - start, steps_taken[0] - sequences, reached


@click.command()
@click.option("--examples", default=20_000, show_default=True, help="Engine examples.")
@click.option("--batch", default=100, show_default=True, help="Engine examples per test case.")
@click.option("--forge-runs", default=20_000, show_default=True, help="Forge fuzz runs.")
@click.option("--repeats", default=3, show_default=True, help="Best of this many timings.")
@click.option("--sequences", default=1_000, show_default=True, help="Stateful sequences.")
@click.option("--steps", default=50, show_default=True, help="Steps per sequence.")
def main(examples, batch, forge_runs, repeats, sequences, steps):
    import ape  # NOTE: late, so that --help does not load Ape

    project = ape.project
    accounts = [a.address for a in ape.accounts.test_accounts]
    init_code = project.ValuationOracle.contract_type.deployment_bytecode.bytecode

    click.echo("single-call property: oracle setPrice within cap (tests/utils/fast_oracle.py)")
    forge_per_s, forge_s = forge_rate(init_code, forge_runs, repeats)
    forge = f"{forge_version():<16} {forge_per_s:>10,.0f} examples/s"
    click.echo(f"  {forge} ({forge_runs:,} in {forge_s:.3f} s)")
    engine_per_s, engine_s = engine_rate(project, accounts, examples, batch, repeats)
    click.echo(
        f"  domacross_fuzz   {engine_per_s:>10,.0f} examples/s ({examples:,} in {engine_s:.3f} s,"
        f" {batch} per Hypothesis test case)"
    )
    plain_n = max(examples // 10, 100)
    plain_per_s, plain_s = engine_rate(project, accounts, plain_n, 1, 1)
    click.echo(
        f"  (plain @given: {plain_per_s:,.0f} examples/s, {plain_n:,} in {plain_s:.2f} s,"
        " one example per Hypothesis test case)"
    )
    click.echo(f"  forge / engine   {forge_per_s / engine_per_s:>10.1f}x")

    click.echo(f"stateful: competition machine, {sequences:,} sequences x {steps} steps")
    seconds, steps_taken, reached = stateful_time(project, accounts, sequences, steps)
    click.echo(
        f"  domacross_fuzz   {seconds:.2f} s ({steps_taken:,} steps, {steps_taken / seconds:,.0f}"
        f" steps/s); paths reached: {dict(reached)}"
    )

    missed = []
    if engine_per_s < TARGET_EXAMPLES_PER_S:
        missed.append(f"single-call {engine_per_s:,.0f} < {TARGET_EXAMPLES_PER_S:,} examples/s")
    if seconds >= TARGET_STATEFUL_S:
        missed.append(f"stateful {seconds:.1f} s >= {TARGET_STATEFUL_S:.0f} s")
    if missed:
        click.echo("MISSED: " + "; ".join(missed), err=True)
        sys.exit(1)
    click.echo(f"targets met: >= {TARGET_EXAMPLES_PER_S:,} examples/s, stateful < 30 s")


if __name__ == "__main__":
    main()
