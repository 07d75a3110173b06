"""`make bench`: every benchmark in bench/, one after the other, into bench/RESULTS.md.

Each benchmark runs in its own process (`python -m bench.<name> --json FILE`), prints its
table as it goes and hands back its rows: samples, the yardstick measured in the same run,
the target. This script adds the machine (cores, memory, versions, load) and the date,
writes bench/RESULTS.md (the one place figures are published: docs/benchmarks.md points to
it, so no copy goes stale) and exits 1 when a benchmark failed or a target was missed, after
writing everything.

    .venv/bin/python -m bench.run [--only api --only gas] [--repeat 3]
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click

from bench.results import Row, fmt, spread, verdict

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
PACKAGES = ("eth-ape", "ape-solidity", "web3", "pyrevm", "hypothesis", "fastapi", "uvicorn",
            "sqlalchemy", "psycopg")  # fmt: skip


@dataclass(frozen=True)
class Bench:
    name: str
    title: str
    args: tuple[str, ...] = ()
    repeats: bool = True


BENCHES = (
    Bench("gas", "Gas per method (committed snapshot) against the naive alternatives", (), False),
    Bench("compile", "Compile: `ape compile` against `forge build`, same sources and solc"),
    Bench("fuzz", "Fuzzing: the fast engine against forge, same bytecode"),
    Bench("indexer", "Indexer: backfill and lag against the raw `eth_getLogs` ceiling"),
    Bench("api", "Read API: the leaderboard at 10,000 entrants against its targets and SLO"),
    Bench("auth", "Sign-in: /auth/verify under 4 KB messages against GET /health"),
    Bench("sse", "Live leaderboards: 1,000 open streams against none (SQLite, PostgreSQL)"),
    Bench("workers", "serve --workers: 2 processes against 1 (PostgreSQL, Redis counters)"),
    Bench(
        "score", "Scores from logs against escrowed competition accounts (gas, settling)", (), False
    ),
    Bench("suite", "`make test`, warm"),
)


def _version(command: list[str]) -> str:
    """The line of a tool's `--version` output that names its version."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unavailable ({type(exc).__name__})"
    lines = [line.strip() for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    named = [line for line in lines if "version" in line.lower()]
    return (named or lines or ["?"])[0]


def _postgres_version() -> str:
    try:
        from sqlalchemy import create_engine, text

        url = os.environ.get(
            "DOMACROSS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        )
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            version = str(connection.execute(text("SHOW server_version")).scalar())
        engine.dispose()
        return version
    except Exception as exc:
        return f"unavailable ({type(exc).__name__})"


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor() or "?",
    )  # fmt: skip
    mem_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    tools = ROOT / ".tools" / "bin"
    autocannon = json.loads((ROOT / "node_modules" / "autocannon" / "package.json").read_text())
    info = {
        "cores": f"{os.cpu_count()} ({cpu})",
        "memory": f"{mem_kib / 1024 / 1024:.1f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "solc": _version([str(tools / "solc"), "--version"]),
        "forge": _version([str(tools / "forge"), "--version"]),
        "anvil": _version([str(tools / "anvil"), "--version"]),
        "node": _version([shutil.which("node") or "node", "--version"]),
        "autocannon": autocannon["version"],
        "postgresql": _postgres_version(),
        "sqlite": sqlite3.sqlite_version,
    }
    for package in PACKAGES:
        info[package] = importlib.metadata.version(package)
    return info


def git_commit() -> str:
    executable = shutil.which("git")

    def git(*args: str) -> str:
        if executable is None:
            return ""
        return subprocess.run([executable, *args], cwd=ROOT, capture_output=True, text=True).stdout

    commit = git("rev-parse", "--short", "HEAD").strip() or "?"
    return commit + (" (with uncommitted changes)" if git("status", "--porcelain").strip() else "")


def run_bench(bench: Bench, repeat: int, extra: tuple[str, ...]) -> tuple[int, list[Row], float]:
    """Runs one benchmark process; its exit code, rows and wall time."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rows.json"
        command = [sys.executable, "-m", f"bench.{bench.name}_bench", "--json", str(out)]
        command += [*bench.args, *(("--repeat", str(repeat)) if bench.repeats else ()), *extra]
        click.secho(f"\n== {bench.title}\n$ {' '.join(command[2:])}", bold=True)
        started = time.perf_counter()
        code = subprocess.run(command, cwd=ROOT).returncode
        elapsed = time.perf_counter() - started
        rows = [Row.from_json(r) for r in json.loads(out.read_text())] if out.exists() else []
        return code, rows, elapsed


def table(rows: list[Row]) -> list[str]:
    lines = [
        "| measure | median | spread (min-max) | n | yardstick, same run | ratio | target | |",
        "|---|--:|--:|--:|---|--:|---|---|",
    ]
    for row in rows:
        y = row.yardstick_median
        yardstick = (
            "" if row.yardstick is None else f"{row.yardstick}: {fmt(y) if y else '-'} {row.unit}"
        )
        lines.append(
            f"| {row.measure} | {fmt(row.median)} {row.unit} | {spread(row.samples)} | "
            f"{len(row.samples)} | {yardstick} | "
            f"{'' if row.ratio is None else f'{row.ratio:.2f}'} | "
            f"{'' if row.target is None else row.target} | {verdict(row)} |"
        )
    return lines


def render(
    results: list[tuple[Bench, int, list[Row], float]], info: dict[str, str], started: datetime
) -> str:
    missed = [r for _, _, rows, _ in results for r in rows if r.met is False]
    failed = [b.name for b, code, rows, _ in results if code != 0 and not any(
        r.met is False for r in rows)]  # fmt: skip
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (bench/run.py); do not edit by hand. Every figure is the",
        "median of its samples; the yardstick beside it was measured in the same run.",
        "",
        f"- date: {started:%Y-%m-%d %H:%M} UTC, commit {git_commit()}",
        f"- load average (1/5/15 min) at start: {info['load_start']}, at end: {info['load_end']}",
        *(f"- {k}: {v}" for k, v in info.items() if not k.startswith("load")),
        f"- verdict: {'every target met' if not missed and not failed else 'TARGETS MISSED'}"
        + (f" ({len(missed)} missed" if missed else "")
        + (f"; failed: {', '.join(failed)}" if failed else "")
        + (")" if missed else ""),
        "",
    ]
    for bench, code, rows, elapsed in results:
        lines += [f"## {bench.title}", "", f"`python -m bench.{bench.name}_bench`, {elapsed:.0f} s"]
        if code != 0 and not rows:
            lines += ["", f"**FAILED** (exit {code}) before reporting any figure.", ""]
            continue
        lines += ["", *table(rows), ""]
        notes = [f"- {r.measure}: {r.note}" for r in rows if r.note]
        lines += [*notes, ""] if notes else []
    return "\n".join(lines).rstrip() + "\n"


@click.command()
@click.option("--only", multiple=True, type=click.Choice([b.name for b in BENCHES]),
              help="Run only these benchmarks (repeatable).")  # fmt: skip
@click.option("--repeat", default=3, show_default=True, help="Runs per figure (median).")
@click.option("--out", type=click.Path(path_type=Path), default=RESULTS, show_default=True)
def main(only: tuple[str, ...], repeat: int, out: Path) -> None:
    """Runs the benchmarks and writes bench/RESULTS.md; exits 1 on a miss."""
    started = datetime.now(UTC)
    load_start = "/".join(f"{x:.1f}" for x in os.getloadavg())
    info = machine()
    results = []
    for bench in BENCHES:
        if only and bench.name not in only:
            continue
        code, rows, elapsed = run_bench(bench, repeat, ())
        results.append((bench, code, rows, elapsed))
    info = {
        "load_start": load_start,
        "load_end": "/".join(f"{x:.1f}" for x in os.getloadavg()),
        **info,
    }
    out.write_text(render(results, info, started))
    bad = [b.name for b, code, _, _ in results if code != 0]
    click.secho(f"\nwrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}", bold=True)
    if bad:
        click.secho(f"targets missed or benchmarks failed: {', '.join(bad)}", fg="red", err=True)
        sys.exit(1)
    click.secho("every target met", fg="green")


if __name__ == "__main__":
    main()
