"""Every code block of the README and docs/ runs as written, and every relative link resolves.

Python blocks of a page run in order in one namespace; shell blocks run in bash from the
repository root. Both run against one anvil node per module with the suite deployed by the
deploy script (`ape run deploy`), the local deployment the pages start from. What a reader
types for their own machine is replaced by this test's own, and only that (SUBSTITUTIONS):
the node's URL, the record's path, the database.
"""

from __future__ import annotations

import doctest
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from domacross.demo.run import deploy
from tests.docs.markdown import OUTPUT, PAGES, ROOT, Block, anchors, blocks, links
from tests.utils.anvil import anvil_node, free_port
from tests.utils.constants import ETH

ALL_BLOCKS = [b for page in PAGES for b in blocks(page)]
# What a reader types for the local deployment; a block naming one runs against ours.
LOCAL = ("http://127.0.0.1:8545", "deployments/ethereum-local.json")
PG_ADMIN_URL = os.environ.get(
    "DOMACROSS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


# -- every block runs or says why not ----------------------------------------------------


def test_every_block__runs_or_is_marked():
    unmarked = [
        f"{b.where} ({b.lang or 'no language'})"
        for b in ALL_BLOCKS
        if b.runs is None and b.marker is None and b.lang not in OUTPUT
    ]
    assert not unmarked, (
        "blocks neither run nor marked: give them a runnable language (python, sh), or put "
        "`<!-- not-run: why -->` on the line before: " + ", ".join(unmarked)
    )


def test_markers__give_a_reason_and_name_real_files():
    for b in ALL_BLOCKS:
        if b.marker is None:
            continue
        kind, what = b.marker
        assert len(what) > 10, f"{b.where}: say why the block is not run"
        for path in (w.strip("`,;()") for w in what.split()):
            if path.startswith("tests/") and path.endswith(".py"):
                assert (ROOT / path).is_file(), f"{b.where}: {path} does not exist"
        if kind == "runs-as":
            body = "\n".join(
                line for line in b.code.split("\n") if not line.startswith(f"# {what}")
            ).strip()
            # Line by line, indentation aside: a test may hold the block inside a function.
            assert _lines(body) in _lines((ROOT / what).read_text()), (
                f"{b.where}: the block is not in {what}"
            )


def _lines(text: str) -> str:
    return "\n".join(line.strip() for line in text.splitlines())


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_links__files_and_anchors_exist(page: Path):
    for target in links(page):
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        assert file.exists(), f"{page_id(page)}: link to {target}: no such file"
        if anchor and file.suffix == ".md":
            assert anchor in anchors(file), f"{page_id(page)}: link to {target}: no such heading"


# -- the blocks, run ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """anvil with the suite deployed by `ape run deploy`: what a reader types -> ours."""
    work = tmp_path_factory.mktemp("docs")
    with anvil_node() as url:
        record = deploy(url, work / "deployments")
        yield {
            "http://127.0.0.1:8545": url,
            "http://127.0.0.1:8546": f"http://127.0.0.1:{free_port()}",  # a dead fallback
            "deployments/ethereum-local.json": record["_path"],
            "sqlite:///domacross.db": f"sqlite:///{work / 'domacross.db'}",
        }


def substituted(code: str, substitutions: dict[str, str]) -> str:
    for theirs, ours in substitutions.items():
        code = code.replace(theirs, ours)
    return code


def run_python(page: Path, substitutions: dict[str, str]) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    for b in (b for b in blocks(page) if b.runs == "python"):
        code = substituted(b.code, substitutions)
        if code.lstrip().startswith(">>>"):
            test = doctest.DocTestParser().get_doctest(code, namespace, b.where, b.where, 0)
            runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
            runner.run(test, out=lambda s: print(s, end=""))
            assert runner.failures == 0, f"{b.where}: the doctest's output differs (above)"
        else:
            exec(compile(code, b.where, "exec"), namespace)  # noqa: S102 - our own docs
    return namespace


def run_sh(b: Block, substitutions: dict[str, str]) -> str:
    done = subprocess.run(  # noqa: S603 - our own docs' commands
        ["/bin/bash", "-euo", "pipefail", "-c", substituted(b.code, substitutions)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"{b.where} exited {done.returncode}:\n{done.stdout}{done.stderr}"
    return done.stdout


def python_pages() -> list[Path]:
    return [p for p in PAGES if any(b.runs == "python" for b in blocks(p))]


def local_if_named(code: str, request: pytest.FixtureRequest) -> dict[str, str]:
    """The local deployment's substitutions when the code names it (pure pages start none)."""
    named = any(name in code for name in LOCAL)
    return dict(request.getfixturevalue("local")) if named else {}


@pytest.mark.parametrize("page", python_pages(), ids=page_id)
def test_python_blocks__run_in_order(page: Path, request: pytest.FixtureRequest):
    code = "".join(b.code for b in blocks(page) if b.runs == "python")
    namespace = run_python(page, local_if_named(code, request))
    if page.name == "sdk.md":  # the session reached its end: prize paid, basket round trip
        assert namespace["paid"].amount > 0
        basket, alice = namespace["basket"], namespace["alice"]
        shares = 4 * ETH - 1_000  # the first deposit locks MIN_LIQUIDITY shares
        assert basket.balance_of(alice.address) == shares - shares // 2
        assert namespace["dc"].ownership_token().owner_of(77) == alice.address
    if page.name == "indexer-api.md":
        assert namespace["follower"].config.factory == namespace["suite"].factory


SH_BLOCKS = [b for b in ALL_BLOCKS if b.runs == "sh"]


@pytest.fixture
def database_name() -> Iterator[str]:
    """A fresh database name on the local PostgreSQL, dropped afterwards."""
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        reason = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {type(exc).__name__}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason} (CI=true: PostgreSQL tests must run)")
        pytest.skip(reason)
    name = f"domacross_docs_{uuid.uuid4().hex[:10]}"
    yield name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.parametrize("block", SH_BLOCKS, ids=lambda b: b.where)
def test_shell_blocks__run(block: Block, request: pytest.FixtureRequest):
    substitutions = local_if_named(block.code, request)
    if "DB=domacross\n" in block.code:
        substitutions["DB=domacross\n"] = f"DB={request.getfixturevalue('database_name')}\n"
    run_sh(block, substitutions)
