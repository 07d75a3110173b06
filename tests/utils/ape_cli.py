"""`ape run SCRIPT` as an operator types it: a subprocess from the project root."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).parents[2]
APE = Path(sys.executable).parent / "ape"
LOCAL_NETWORK = "ethereum:local:foundry"
"""Ape's network for a local anvil node (ape-foundry), pointed at it by APE_FOUNDRY_HOST."""


def ape_run(
    *args: str,
    directory: Path,
    node: str | None = None,
    env: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
    timeout: float = 180,
) -> subprocess.CompletedProcess[str]:
    """Runs `ape run ARGS` unattended (stdin closed: no terminal to answer a prompt).

    Args:
        directory: The deployments folder (DOMACROSS_DEPLOYMENTS_DIR).
        node: An anvil URL: Ape is pointed at it and `--network ethereum:local:foundry` appended.
        env: Variables set on top of `environ`.
        environ: The environment to start from (default: this process's).
    """
    extra = {"APE_FOUNDRY_HOST": node} if node is not None else {}
    network = ["--network", LOCAL_NETWORK] if node is not None else []
    return subprocess.run(  # noqa: S603 - this venv's ape, our scripts
        [str(APE), "run", *args, *network],
        cwd=ROOT,
        env={
            **(os.environ if environ is None else environ),
            "DOMACROSS_DEPLOYMENTS_DIR": str(directory),
            **extra,
            **(env or {}),
        },
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    """The output of a run that had to succeed (else the failure shows its stdout and stderr)."""
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout
