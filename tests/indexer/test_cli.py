"""`domacross index` and `domacross db upgrade` run as docs/indexer-api.md shows them: every bad
input is one line naming what is wrong and what to do, a non-zero exit, no traceback; the
progress bar works at a terminal and stays off when output is piped."""

from __future__ import annotations

import json
import logging
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text

from domacross.cli import main
from tests.indexer.check import assert_db_matches_chain
from tests.utils.scenario import Suite, deploy_suite, run_competition

DOMACROSS = str(Path(sys.executable).with_name("domacross"))


def _run(args: list[str], database_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own CLI
        [DOMACROSS, *args],
        env={**os.environ, "DOMACROSS_DATABASE_URL": database_url, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _invoke(args: list[str], database_url: str) -> Result:
    """The command in this process (a fresh interpreter costs seconds per bad input); the
    JSON logging it configures is undone afterwards, for the tests that follow."""
    loggers = [logging.getLogger(name) for name in ("domacross", "domacross_sdk")]
    saved = [(lg.handlers[:], lg.level, lg.propagate) for lg in loggers]
    try:
        return CliRunner().invoke(main, args, env={"DOMACROSS_DATABASE_URL": database_url})
    finally:
        for lg, (handlers, level, propagate) in zip(loggers, saved, strict=True):
            lg.handlers[:], lg.level, lg.propagate = handlers, level, propagate


def _one_line_error(result: Result, *words: str) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # no traceback
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.output
    for word in words:
        assert word in errors[0], errors[0]


@pytest.fixture
def suite(anvil_url) -> Suite:
    return deploy_suite(anvil_url)


@pytest.fixture
def record(suite, tmp_path) -> Path:
    path = tmp_path / "record.json"
    path.write_text(json.dumps(suite.record))
    return path


def test_index_as_the_readme_shows__piped_output_and_a_terminal(
    suite, record, anvil_url, database_url, sessions
):
    run_competition(suite, finish=False)
    piped = _run(["index", "--chain", f"{record}={anvil_url}", "--once"], database_url)
    assert piped.returncode == 0, piped.stderr
    assert "━" not in piped.stdout  # no bar drawn into a pipe
    # At a terminal the bar is drawn (its target is unknown until the first range).
    leader, follower_fd = pty.openpty()
    proc = subprocess.Popen(  # noqa: S603 - our own CLI
        [DOMACROSS, "index", "--chain", f"{record}={anvil_url}", "--once"],
        env={**os.environ, "DOMACROSS_DATABASE_URL": database_url, "COLUMNS": "120"},
        stdout=follower_fd,
        stderr=subprocess.PIPE,
    )
    os.close(follower_fd)
    screen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
    assert proc.wait(timeout=120) == 0, proc.stderr.read().decode() if proc.stderr else ""
    os.close(leader)
    assert b"block" in screen and b"events" in screen
    # A local node (chain id 31337): no confirmations by default, so up to the head.
    assert_db_matches_chain(sessions, suite.dc, suite.dc.w3.eth.block_number)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{not json", ("not valid JSON", "record")),
        (
            json.dumps({"contracts": {"CompetitionFactory": {"address": "0x1234"}}}),
            ("invalid address", "0x1234"),
        ),
    ],
)
def test_index_bad_record__one_line(anvil_url, tmp_path, content, words):
    path = tmp_path / "record.json"
    path.write_text(content)
    db = f"sqlite:///{tmp_path / 'x.db'}"
    _one_line_error(_invoke(["index", "--chain", f"{path}={anvil_url}", "--once"], db), *words)
    assert not (tmp_path / "x.db").exists()  # nothing written


def test_index_bad_rpc_and_chain__one_line(suite, record, anvil_url, tmp_path):
    db = f"sqlite:///{tmp_path / 'x.db'}"
    _one_line_error(
        _invoke(["index", "--chain", f"{record}=not-a-url", "--once"], db),
        "not-a-url",
        "http",
    )
    other_chain = dict(suite.record, chain_id=4242)
    path = tmp_path / "other.json"
    path.write_text(json.dumps(other_chain))
    _one_line_error(
        _invoke(["index", "--chain", f"{path}={anvil_url}", "--once"], db),
        "chain id 31337",
        "4242",
    )
    eoa = json.loads(json.dumps(suite.record))
    eoa["contracts"]["CompetitionFactory"]["address"] = suite.admin.address
    path.write_text(json.dumps(eoa))
    _one_line_error(
        _invoke(["index", "--chain", f"{path}={anvil_url}", "--once"], db),
        "no contract code",
        "CompetitionFactory",
    )
    _one_line_error(
        _invoke(["index", "--chain", f"{record}=http://127.0.0.1:9", "--once"], db),
        "RPC",
    )
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("mysql://root@127.0.0.1/x", ("mysql", "not supported")),
        ("sqlite:////nonexistent-folder-23/x.db", ("folder", "does not exist")),
        ("postgresql+psycopg://postgres@127.0.0.1:9/x", ("cannot open the database",)),
        ("not a url", ("not a URL",)),
    ],
)
def test_bad_database_url__one_line_for_index_and_db_upgrade(record, anvil_url, url, words):
    _one_line_error(_invoke(["index", "--chain", f"{record}={anvil_url}", "--once"], url), *words)
    _one_line_error(_invoke(["db", "upgrade"], url), *words)


def test_database_at_a_newer_migration__one_line_and_untouched(record, anvil_url, database_url):
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))
    for args in (["db", "upgrade"], ["index", "--chain", f"{record}={anvil_url}", "--once"]):
        _one_line_error(_invoke(args, database_url), "0099_future", "newer")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            "0099_future"
        )
        assert conn.execute(text("SELECT count(*) FROM raw_events")).scalar() == 0
    engine.dispose()
