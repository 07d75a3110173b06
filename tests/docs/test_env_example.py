""".env.example names every setting of domacross/settings.py, documented, at its default."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from domacross.settings import Settings
from tests.docs.markdown import ROOT

ENV_EXAMPLE = ROOT / ".env.example"
SETTING = re.compile(r"^(?P<commented># )?(?P<name>DOMACROSS_[A-Z0-9_]+)=(?P<value>.*)$")


def entries() -> list[tuple[int, re.Match[str]]]:
    lines = ENV_EXAMPLE.read_text().split("\n")
    return [(i, m) for i, line in enumerate(lines) if (m := SETTING.match(line))]


def expected() -> set[str]:
    return {f"DOMACROSS_{name.upper()}" for name in Settings.model_fields}


def test_env_example__names_every_setting_once_and_no_other():
    names = [m["name"] for _, m in entries()]
    assert len(names) == len(set(names)), "a setting appears twice"
    assert set(names) - expected() == set(), "settings that no longer exist"
    assert expected() - set(names) == set(), "settings missing from .env.example"


def test_env_example__every_setting_has_its_comment():
    lines = ENV_EXAMPLE.read_text().split("\n")
    for i, m in entries():
        above = lines[i - 1]
        assert above.startswith("# ") and not SETTING.match(above), (
            f"{m['name']}: say above it what it does"
        )


def test_env_example__commented_settings_are_the_unset_ones():
    fields = Settings.model_fields.items()
    unset = {f"DOMACROSS_{n.upper()}" for n, f in fields if f.default is None}
    commented = {m["name"] for _, m in entries() if m["commented"]}
    assert commented == unset


def test_env_example__sourced_by_a_shell__gives_the_defaults(monkeypatch: pytest.MonkeyPatch):
    """What the docs say to do with it (`set -a; . ./.env; set +a`), read by Settings."""
    done = subprocess.run(
        ["/usr/bin/env", "-i", "/bin/bash", "-c", "set -a; . ./.env.example; set +a; env -0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    environ = dict(
        item.split("=", 1) for item in done.stdout.split("\0") if item.startswith("DOMACROSS_")
    )
    assert set(environ) == {m["name"] for _, m in entries() if not m["commented"]}
    for name in [n for n in os.environ if n.startswith("DOMACROSS_")]:
        monkeypatch.delenv(name)
    defaults = Settings().model_dump()
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert Settings().model_dump() == defaults
