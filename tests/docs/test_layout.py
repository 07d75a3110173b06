"""The README's layout table names every folder a reader looks for, and nothing that is gone."""

from __future__ import annotations

import re
import subprocess

from tests.docs.markdown import ROOT

# Folders whose every subfolder the table names (deeper ones are described by their parent).
DESCRIBED_TO_ONE_LEVEL = ("", "contracts/", "scripts/", "domacross/", "tests/")


def layout_paths() -> set[str]:
    text = (ROOT / "README.md").read_text()
    table = text.split("## Layout", 1)[1].split("\n## ", 1)[0]
    first_cells = [line.split("|")[1] for line in table.split("\n") if line.startswith("| `")]
    return {p for cell in first_cells for p in re.findall(r"`([^`]+)`", cell)}


def tracked_folders() -> set[str]:
    files = subprocess.run(
        ["git", "ls-files"],  # noqa: S607 - git from PATH, as every developer runs it
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    folders = set()
    for file in files:
        parts = file.split("/")[:-1]
        for depth in range(len(parts)):
            parent = "/".join(parts[:depth]) + ("/" if depth else "")
            if parent in DESCRIBED_TO_ONE_LEVEL:
                folders.add("/".join(parts[: depth + 1]) + "/")
    return folders


def test_layout__names_every_folder():
    named = layout_paths()
    missing = sorted(f for f in tracked_folders() if not any(p.startswith(f) for p in named))
    assert not missing, f"README's layout table misses {missing}"


def test_layout__every_path_named_exists():
    gone = sorted(p for p in layout_paths() if "*" not in p and not (ROOT / p).exists())
    assert not gone, f"README's layout table names what does not exist: {gone}"
