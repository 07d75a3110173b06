"""`make bench-fuzz`: the fast engine (domacross_fuzz) against forge, measured in one run.

1. Single-call property (tests/utils/fast_oracle.py `single_update_within_cap`): a
   reporter's `setPrice` of a fixed previous price is stored iff within the change cap,
   else reverts with OraclePriceChangeTooLarge carrying the exact values. Forge runs the
   same property (bench/forge/OracleCapBench.t.sol) on the same bytecode: the init code
   Ape compiled is handed to it through DOMACROSS_ORACLE_INITCODE.
   Target: >= 5,000 distinct examples/s on the engine.
2. Stateful, against forge's invariant fuzzer: the oracle machine (tests/utils/fast_oracle.py
   `oracle_machine`; forge: bench/forge/OracleInvariantBench.t.sol, same three rules and
   invariant, same bytecode), N sequences of M steps: sequences/s and steps/s, forge's and
   the engine's runs taken in turn. Target: the median over pairs of engine steps/s over
   forge's calls/s >= 1.
3. Stateful: the competition money machine (tests/utils/fast_competition.py), N sequences
   of up to M steps. Target: 1,000 x 50 in under 30 s.

4. The planted-bug suite (tests/fuzz/planted.py; forge: bench/forge/PlantedBench.t.sol on
   the same contracts/test/planted/ sources), seeds 1-3 on both: time to the first failing
   example (forge: its test's duration, shrinking included, so the engine's figure with
   shrinking is shown too). Targets: every bug found with every seed, and the median of
   the per-bug ratios engine/forge within 10x.

Each figure is the median of `--repeat` runs; exits 1 when a target is missed.
Run it from the repository root: `.venv/bin/python -m bench.fuzz_bench` (or make bench-fuzz).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import click
from hypothesis import strategies as st

from bench.results import Row, Target, report
from domacross_fuzz import FastChain, fast_given, run_machine
from domacross_fuzz.fixtures import DEFAULT_TEST_BALANCE
from domacross_fuzz.project import FastProject
from tests.fuzz import planted
from tests.utils.fast_competition import competition_machine, prepare_competition
from tests.utils.fast_oracle import (
    MAX_PRICE,
    oracle_machine,
    prepare_machine,
    prepare_single_update,
    single_update_within_cap,
)
from tests.utils.fast_suite import deploy_fast_suite

ROOT = Path(__file__).resolve().parent.parent
FORGE = ROOT / ".tools" / "bin" / "forge"
FORGE_TEST = "testFuzz_setPrice_acceptedIffWithinCap(uint256)"
FORGE_INVARIANT = "invariant_pricesMatchModel()"
TARGET_EXAMPLES_PER_S = 5_000
TARGET_STATEFUL_S = 30.0
TARGET_TIME_TO_BUG_RATIO = 10.0
TARGET_STEPS_RATIO = 1.0
PLANTED_SEEDS = (1, 2, 3)
PLANTED_RUNS = 100_000
# (engine search, forge test or None, forge contract): the same bug on both.
PLANTED = (
    ("magic constant", planted.find_magic_constant, "testFuzz_magicConstant(uint256)"),
    (
        "magic constant in a 1-hour window",
        planted.find_magic_in_time_window,
        "testFuzz_magicInTimeWindow(uint256,uint256)",
    ),
    (
        "self-transfer doubles",
        planted.find_self_transfer,
        "testFuzz_selfTransfer(uint8,uint8,uint256)",
    ),
    ("off-by-one at the cap", planted.find_boundary, "testFuzz_offByOne(uint256)"),
    (
        "value first seen in an event",
        planted.find_value_from_event,
        "testFuzz_valueFromEvent(uint256)",
    ),
    (
        "self-transfer, stateful",
        planted.find_self_transfer_stateful,
        "invariant_supplyIsSumOfBalances()",
    ),
    (
        "vault share inflation, stateful",
        planted.find_vault_inflation,
        "invariant_everyDepositMintsShares()",
    ),
)
_UNITS = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float:
    """Forge's humantime durations ("124ms 451µs 40ns") in seconds."""
    parts = re.findall(r"([\d.]+)\s*(ns|µs|us|ms|s|m|h)\b", text)
    if not parts:
        raise ValueError(f"not a duration: {text!r}")
    return sum(float(n) * _UNITS[u] for n, u in parts)


def forge_json(env: dict[str, str], contract: str, test: str, extra: list[str]) -> dict:
    """One `forge test` of `contract`; the named test's JSON result (it must pass)."""
    out = subprocess.run(
        [str(FORGE), "test", "--offline", "--match-contract", contract, *extra, "--json"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    suite = next(iter(json.loads(out[out.index("{") :]).values()))
    result = suite["test_results"][test]
    if result["status"] != "Success":
        raise click.ClickException(f"forge {test} failed: {result['reason']}")
    return result


def forge_build(env: dict[str, str]) -> None:
    build = subprocess.run(
        [str(FORGE), "build", "--offline"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if build.returncode != 0:
        raise click.ClickException(f"forge build failed:\n{build.stdout}{build.stderr}")


def forge_rates(env: dict[str, str], runs: int, repeats: int) -> list[float]:
    """Forge's examples/s for the single-call property, one sample per run."""
    rates = []
    for _ in range(repeats):
        result = forge_json(env, "OracleCapBench", FORGE_TEST, ["--fuzz-runs", str(runs)])
        if result["kind"]["Fuzz"]["runs"] != runs:
            raise click.ClickException(f"forge ran {result['kind']}, not {runs} runs")
        rates.append(runs / parse_duration(result["duration"]))
    return rates


def forge_invariant(
    env: dict[str, str], sequences: int, steps: int, repeats: int
) -> tuple[list[float], list[float]]:
    """Forge's invariant fuzzer on the oracle machine: (sequences/s, calls/s) per run."""
    env = {
        **env,
        "FOUNDRY_INVARIANT_RUNS": str(sequences),
        "FOUNDRY_INVARIANT_DEPTH": str(steps),
    }
    per_sequence, per_call = [], []
    for _ in range(repeats):
        result = forge_json(env, "OracleInvariantBench", FORGE_INVARIANT, [])
        kind = result["kind"]["Invariant"]
        if kind["runs"] != sequences:
            raise click.ClickException(f"forge invariant ran {kind}")
        # Reverted calls ran too (OracleHandler does not model the cap window, which the
        # engine's machine does and expects the same reverts): they count as calls.
        click.echo(f"forge invariant: {kind['calls']:,} calls, {kind['reverts']:,} reverted")
        seconds = parse_duration(result["duration"])
        per_sequence.append(sequences / seconds)
        per_call.append(kind["calls"] / seconds)
    return per_sequence, per_call


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


def engine_rates(project, accounts, examples: int, batch: int, repeats: int) -> list[float]:
    """The engine's distinct examples/s for the single-call property, one sample per run."""
    chain, suite = new_suite(project, accounts)
    prepare_single_update(suite.oracle, accounts[0])
    count = [0]

    @fast_given(examples=examples, batch=batch, price=st.integers(1, MAX_PRICE))
    def prop(fast_chain, oracle, reporter, price):
        count[0] += 1
        single_update_within_cap(oracle, reporter, price)

    rates = []
    for _ in range(repeats):
        count[0] = 0
        start = time.perf_counter()
        prop(fast_chain=chain, oracle=suite.oracle, reporter=accounts[1])
        elapsed = time.perf_counter() - start
        # Only distinct examples run (repeats within a test case are skipped): they count.
        click.echo(f"engine: {count[0]:,} distinct examples of {examples:,} drawn budget")
        rates.append(count[0] / elapsed)
    return rates


def engine_invariant(
    project, accounts, sequences: int, steps: int, repeats: int
) -> tuple[list[float], list[float]]:
    """The engine on the oracle machine: (sequences/s, steps/s) per run."""
    chain, suite = new_suite(project, accounts)
    prepare_machine(suite.oracle, accounts[0])
    per_sequence, per_step = [], []
    for _ in range(repeats):
        taken = [0]
        machine = oracle_machine(suite.oracle, owner=accounts[0], reporter=accounts[1], steps=taken)
        start = time.perf_counter()
        run_machine(machine, chain, sequences=sequences, steps=steps, database=None)
        seconds = time.perf_counter() - start
        per_sequence.append(sequences / seconds)
        per_step.append(taken[0] / seconds)
    return per_sequence, per_step


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


def forge_planted(env: dict[str, str], seed: int) -> dict[str, float | None]:
    """Forge on the planted suite with `seed`: each test's seconds to its failure (None when
    it found nothing in the budget)."""
    env = {**env, "FOUNDRY_INVARIANT_RUNS": "1000", "FOUNDRY_INVARIANT_DEPTH": "50"}
    out = subprocess.run(
        [
            str(FORGE),
            "test",
            "--offline",
            "--match-contract",
            "^Planted",
            "--json",
            "--fuzz-seed",
            str(seed),
            "--fuzz-runs",
            str(PLANTED_RUNS),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,  # the tests fail: that is the point
    ).stdout
    seconds: dict[str, float | None] = {}
    for suite in json.loads(out[out.index("{") :]).values():
        for name, result in suite["test_results"].items():
            found = result["status"] == "Failure"
            seconds[name] = parse_duration(result["duration"]) if found else None
    return seconds


def engine_planted(project, accounts, search, seed: int) -> planted.Found:
    """One planted-bug search on a fresh chain, as the test suite runs it."""
    chain = FastChain()
    for index, account in enumerate(accounts):
        chain.deal(account, DEFAULT_TEST_BALANCE)
        chain.label(account, f"accounts[{index}]")
    chain.dictionary.begin_test()
    start = time.perf_counter()
    found = search(chain, FastProject(project, chain), accounts, seed)
    found.total = time.perf_counter() - start  # type: ignore[attr-defined]
    return found


def planted_rows(project, accounts, env: dict[str, str]) -> list[Row]:
    """The planted-bug race: engine and forge, seeds 1-3, same run."""
    forge = {seed: forge_planted(env, seed) for seed in PLANTED_SEEDS}
    rows, ratios, missed = [], [], 0
    for label, search, forge_test in PLANTED:
        engine, totals, speeds = [], [], []
        for seed in PLANTED_SEEDS:
            found = engine_planted(project, accounts, search, seed)
            if found.seconds is None:
                missed += 1
                click.echo(f"engine MISSED {label} with seed {seed}")
                continue
            engine.append(found.seconds)
            totals.append(found.total)  # type: ignore[attr-defined]
            speeds.append(found.examples / found.seconds)
            click.echo(
                f"{label}, seed {seed}: first failure {found.seconds:.3f} s after "
                f"{found.examples:,} examples; {found.total:.2f} s with shrinking; "  # type: ignore[attr-defined]
                f"{found.inputs if found.inputs is not None else found.calls}"
            )
        forge_seconds = [forge[seed][forge_test] for seed in PLANTED_SEEDS]
        forge_found = [s for s in forge_seconds if s is not None]
        note = f"forge found it with {len(forge_found)}/3 seeds in {PLANTED_RUNS:,} runs"
        if engine and forge_found:
            ratios.append(statistics.median(engine) / statistics.median(forge_found))
        rows.append(
            Row(
                "fuzz",
                f"planted: {label}, time to first failure",
                "s",
                engine or [float("inf")],
                "forge 1.7.1 (incl. its shrinking)",
                forge_found,
                note=f"{note}; engine with shrinking {statistics.median(totals or [0]):.2f} s, "
                f"{statistics.median(speeds or [0]):,.0f} distinct examples/s to the bug",
            )
        )
    found_all = len(PLANTED) * len(PLANTED_SEEDS) - missed
    rows.append(
        Row(
            "fuzz",
            "planted: bugs found by the engine (bug x seed)",
            "found",
            [found_all],
            target=Target(">=", len(PLANTED) * len(PLANTED_SEEDS), "every planted bug, every seed"),
        )
    )
    rows.append(
        Row(
            "fuzz",
            "planted: median over bugs of time-to-bug engine/forge",
            "x",
            [statistics.median(ratios)] if ratios else [float("inf")],
            target=Target("<=", TARGET_TIME_TO_BUG_RATIO, "within 10x of forge"),
            note="bugs forge missed are left out of the ratio",
        )
    )
    return rows


@click.command()
@click.option("--examples", default=20_000, show_default=True, help="Engine examples.")
@click.option("--batch", default=100, show_default=True, help="Engine examples per test case.")
@click.option("--forge-runs", default=20_000, show_default=True, help="Forge fuzz runs.")
@click.option("--repeat", default=3, show_default=True, help="Runs per figure (median).")
@click.option("--sequences", default=1_000, show_default=True, help="Stateful sequences.")
@click.option("--steps", default=50, show_default=True, help="Steps per sequence.")
@click.option("--json", "json_path", default=None, help="Write the rows here (bench/run.py).")
@click.option("--planted-only", is_flag=True, help="Only the planted-bug race.")
@click.option("--no-planted", is_flag=True, help="Only the speed figures, no planted race.")
@click.option("--no-competition", is_flag=True, help="Leave out the competition machine.")
def main(
    examples,
    batch,
    forge_runs,
    repeat,
    sequences,
    steps,
    json_path,
    planted_only,
    no_planted,
    no_competition,
):
    import ape  # NOTE: late, so that --help does not load Ape

    project = ape.project
    accounts = [a.address for a in ape.accounts.test_accounts]
    init_code = project.ValuationOracle.contract_type.deployment_bytecode.bytecode
    env = {**os.environ, "DOMACROSS_ORACLE_INITCODE": init_code}
    forge_build(env)
    forge = forge_version()
    race = [] if no_planted else planted_rows(project, accounts, env)
    if planted_only:
        sys.exit(report(race, json_path, "Fuzzing: planted bugs, the fast engine against forge"))

    forge_single = forge_rates(env, forge_runs, repeat)
    engine_single = engine_rates(project, accounts, examples, batch, repeat)
    plain = engine_rates(project, accounts, max(examples // 10, 100), 1, repeat)
    # Forge and the engine take turns, so that each pair of runs meets the same load on a
    # shared machine: the ratio of each pair is a sample of the stateful target.
    forge_seq, forge_calls, engine_seq, engine_steps = [], [], [], []
    for _ in range(repeat):
        forge_run = forge_invariant(env, sequences, steps, 1)
        engine_run = engine_invariant(project, accounts, sequences, steps, 1)
        forge_seq += forge_run[0]
        forge_calls += forge_run[1]
        engine_seq += engine_run[0]
        engine_steps += engine_run[1]
    step_ratios = [e / f for e, f in zip(engine_steps, forge_calls, strict=True)]
    competition = []
    for _ in range(0 if no_competition else repeat):
        seconds, taken, reached = stateful_time(project, accounts, sequences, steps)
        competition.append(seconds)
        click.echo(f"competition machine: {seconds:.2f} s, {taken:,} steps, paths {dict(reached)}")

    shape = f"{sequences:,} x {steps}"
    rows = [
        Row(
            "fuzz",
            f"single-call property, engine, {batch} examples per test case (distinct)",
            "examples/s",
            engine_single,
            forge,
            forge_single,
            Target(">=", TARGET_EXAMPLES_PER_S, "fuzz engine target"),
        ),
        Row(
            "fuzz",
            "single-call property, engine, plain @given (1 per test case)",
            "examples/s",
            plain,
            forge,
            forge_single,
            note="Hypothesis's own overhead per test case caps this",
        ),
        Row(
            "fuzz",
            f"stateful oracle machine, {shape}: sequences",
            "sequences/s",
            engine_seq,
            f"{forge} invariant",
            forge_seq,
        ),
        Row(
            "fuzz",
            f"stateful oracle machine, {shape}: steps",
            "steps/s",
            engine_steps,
            f"{forge} invariant (calls)",
            forge_calls,
            note="Hypothesis may end a sequence before the last step; forge never does",
        ),
        Row(
            "fuzz",
            f"stateful oracle machine, {shape}: engine steps/s over forge calls/s",
            "x",
            step_ratios,
            target=Target(">=", TARGET_STEPS_RATIO, "as fast as forge's invariant fuzzer"),
            note="one sample per pair of runs, forge's and the engine's taken in turn",
        ),
    ]
    if competition:
        rows.append(
            Row(
                "fuzz",
                f"stateful competition machine, {shape}",
                "s",
                competition,
                target=Target("<", TARGET_STATEFUL_S, "fuzz engine target"),
            )
        )
    rows += race
    sys.exit(report(rows, json_path, "Fuzzing: the fast engine against forge, same bytecode"))


if __name__ == "__main__":
    main()
