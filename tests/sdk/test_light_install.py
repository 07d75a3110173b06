"""The base install is the SDK alone: what it imports comes with its base dependencies.

`pip install domacross` must give a backend a working `domacross_sdk` without Ape,
FastAPI, matplotlib or psycopg; the services, the deploy scripts and the fuzz engine come
with extras. Two checks, cheap enough for every run instead of building a virtualenv:

1. every import of each package resolves to a distribution that its extras (and the base
   dependencies) install, following the installed distributions' own requirements;
2. in a subprocess where Ape, FastAPI, matplotlib, psycopg and the other extras' packages
   cannot be imported, the whole SDK imports and works, the pytest plugin registers
   nothing, and the `domacross` command names the extra to install.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
import tomllib
from functools import cache
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
SELF = canonicalize_name(PYPROJECT["name"])
OURS = {"domacross", "domacross_sdk", "domacross_fuzz", "domacross_deploy"}

# Which extras each part of the code may rely on at import time (module-level imports).
# A function-level import may use any extra: the command that reaches it needs that extra.
PARTS: dict[str, tuple[str, ...]] = {
    "domacross_sdk": (),
    "domacross_deploy": ("deploy",),
    "domacross_fuzz": ("fuzz",),
    # The console script: the standard library only, so that it can name a missing extra.
    "domacross/entry.py": (),
    "domacross/__init__.py": (),
    # The pytest11 entry point: registered in every pytest run, light install included.
    "domacross/fuzz_plugin.py": (),
    "domacross/cli.py": ("indexer",),
    "domacross/settings.py": ("indexer",),
    "domacross/pnl.py": ("indexer",),
    "domacross/db": ("indexer",),
    "domacross/indexer": ("indexer",),
    "domacross/api": ("api",),
    "domacross/web": ("api",),
    "domacross/demo": ("demo",),
}
# Imported only where the tool that loads them already runs: pytest loads the fixtures,
# the page tests and `make screenshots` drive Chromium (dev tools, not runtime).
TOOL_IMPORTS = {
    "domacross_fuzz/fixtures.py": {"pytest"},
    "domacross/web/browser.py": {"playwright"},
    "domacross/demo/screenshots.py": {"playwright"},
}
BLOCKED = (
    "ape",
    "fastapi",
    "matplotlib",
    "psycopg",
    "sqlalchemy",
    "alembic",
    "uvicorn",
    "click",
    "rich",
    "pyrevm",
    "hypothesis",
    "solcx",
)
"""Packages of the extras, none of which the SDK may need."""


def _requires(name: str, extras: frozenset[str]) -> set[str]:
    """The distributions ``name[extras]`` requires directly (with markers evaluated)."""
    if canonicalize_name(name) == SELF:
        raw = list(PYPROJECT["dependencies"])
        for extra in extras:
            raw += PYPROJECT["optional-dependencies"][extra]
        reqs = [Requirement(r) for r in raw]
        return {_key(r) for r in reqs if r.marker is None or r.marker.evaluate()}
    out = set()
    for text in metadata.requires(name) or []:
        req = Requirement(text)
        if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in (extras or {""})):
            out.add(_key(req))
    return out


def _key(req: Requirement) -> str:
    extras = ",".join(sorted(req.extras))
    return f"{canonicalize_name(req.name)}[{extras}]"


@cache
def installed_with(extras: tuple[str, ...]) -> frozenset[str]:
    """Every distribution that `pip install domacross[extras]` installs (by this env)."""
    seen: set[str] = set()
    todo = [f"{SELF}[{','.join(extras)}]"]
    names: set[str] = set()
    while todo:
        key = todo.pop()
        if key in seen:
            continue
        seen.add(key)
        name, _, rest = key.partition("[")
        wanted = frozenset(e for e in rest.rstrip("]").split(",") if e)
        names.add(name)
        todo.extend(_requires(name, wanted))
    return frozenset(names)


@cache
def _module_distributions() -> dict[str, list[str]]:
    return metadata.packages_distributions()


def distributions_of(module: str) -> frozenset[str]:
    """The installed distributions that provide the top-level module ``module``."""
    return frozenset(canonicalize_name(d) for d in _module_distributions().get(module, []))


def imports_of(path: Path) -> tuple[set[str], set[str]]:
    """Top-level modules imported at module level and inside functions (runtime only:
    ``if TYPE_CHECKING:`` blocks are skipped)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module_level: set[str] = set()
    lazy: set[str] = set()

    def visit(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child, in_function)
            return
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            top = name.split(".")[0]
            if top not in sys.stdlib_module_names and top not in OURS and top != "__future__":
                (lazy if in_function else module_level).add(top)
        inside = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for child in ast.iter_child_nodes(node):
            visit(child, inside)

    visit(tree, False)
    return module_level, lazy


def _files(part: str) -> list[Path]:
    path = ROOT / part
    return [path] if path.suffix == ".py" else sorted(path.rglob("*.py"))


def _part_of(path: Path) -> str:
    rel = path.relative_to(ROOT).as_posix()
    return max((p for p in PARTS if rel == p or rel.startswith(p + "/")), key=len, default="")


def test_every_module_of_the_packages_has_its_part():
    for package in OURS:
        for path in (ROOT / package).rglob("*.py"):
            assert _part_of(path), f"{path}: add it to PARTS with the extras it needs"


@pytest.mark.parametrize("part", sorted(PARTS))
def test_imports_come_with_the_part_s_extras(part):
    everything = installed_with(("all",))
    own = installed_with(PARTS[part])
    problems = []
    for path in _files(part):
        rel = path.relative_to(ROOT).as_posix()
        module_level, lazy = imports_of(path)
        allowed_tools = TOOL_IMPORTS.get(rel, set())
        for module, pool, what in [
            *((m, own, f"[{','.join(PARTS[part]) or 'base'}]") for m in module_level),
            *((m, everything, "[all]") for m in lazy),
        ]:
            if module in allowed_tools:
                continue
            if not distributions_of(module) & pool:
                problems.append(f"{rel} imports {module}, not installed by domacross{what}")
    assert problems == []


def test_the_sdk_never_imports_the_services_deploy_or_fuzz_packages():
    for path in (ROOT / "domacross_sdk").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.split(".")[0] not in OURS - {"domacross_sdk"}, path
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name.split(".")[0] not in OURS - {"domacross_sdk"}, path


def test_the_base_dependencies_leave_out_the_heavy_packages():
    base = installed_with(())
    for heavy in ("eth-ape", "fastapi", "matplotlib", "psycopg", "sqlalchemy", "pyrevm"):
        assert heavy not in base
    assert {"web3", "eth-abi", "pydantic"} <= base
    assert installed_with(("dev",)) >= installed_with(("all",)) > base


# The subprocess: a finder first on sys.meta_path refuses the extras' packages.
BLOCKER = textwrap.dedent(
    """
    import importlib.abc, sys
    BLOCKED = set(sys.argv[1].split(","))
    already = BLOCKED & {m.split(".")[0] for m in sys.modules}
    assert not already, f"imported before the blocker: {already}"

    class Blocker(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {name!r} (blocked)", name=name)
            return None

    sys.meta_path.insert(0, Blocker())
    """
)


def run_blocked(code: str, blocked: tuple[str, ...] = BLOCKED) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - this interpreter, our code
        [sys.executable, "-c", BLOCKER + textwrap.dedent(code), ",".join(blocked)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_the_blocker_blocks():
    done = run_blocked("import fastapi")
    assert done.returncode != 0
    assert "No module named 'fastapi' (blocked)" in done.stderr


def test_the_whole_sdk_imports_and_works_without_the_extras():
    done = run_blocked(
        """
        import pkgutil, importlib
        import domacross_sdk
        from domacross_sdk import Addresses, DomaCross, DomainMarketplace, suite
        from domacross_sdk.abis import abi
        from web3 import Web3

        for info in pkgutil.walk_packages(domacross_sdk.__path__, "domacross_sdk."):
            importlib.import_module(info.name)
        record = {"chain_id": 1, "contracts": {
            c.name: {"address": "0x" + f"{i + 1:040x}"} for i, c in enumerate(suite.CONTRACTS)
        }}
        addresses = Addresses.from_record(record)
        dc = DomaCross(Web3(), addresses=Addresses(**{
            **{f: getattr(addresses, f) for f in Addresses.NAMES.values()}}))
        market = dc.contract("marketplace")
        assert isinstance(market, DomainMarketplace), market
        assert market.address == addresses.marketplace
        assert {i["name"] for i in abi("DomainMarketplace") if i["type"] == "function"} >= {"buy"}
        heavy = {"ape", "fastapi", "matplotlib", "psycopg"} & {m.split(".")[0] for m in sys.modules}
        assert not heavy, heavy
        print("sdk ok", len(suite.CONTRACTS))
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "sdk ok 9"


def test_the_pytest_plugin_registers_nothing_without_the_fuzz_extra():
    done = run_blocked(
        """
        from importlib.metadata import entry_points
        (plugin,) = [e for e in entry_points(group="pytest11") if e.value.startswith("domacross")]
        module = plugin.load()
        assert module.MISSING == "pyrevm", module.MISSING
        assert not hasattr(module, "fast_chain")
        print("plugin ok")
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "plugin ok"


def test_the_pytest_plugin_has_the_fixtures_with_the_fuzz_extra():
    from importlib.metadata import entry_points

    (plugin,) = [e for e in entry_points(group="pytest11") if e.value.startswith("domacross")]
    assert plugin.name == "domacross_fuzz.fixtures"
    module = plugin.load()
    assert module.MISSING is None
    assert callable(module.fast_chain) and callable(module.pytest_runtest_call)


def test_the_command_names_the_extra_it_lacks():
    done = run_blocked(
        """
        sys.argv = ["domacross", "index", "--help"]
        from domacross.entry import main
        main()
        """
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "domacross: this command needs click, which is not installed; it comes with the "
        "[indexer] extra: pip install 'domacross[indexer]'"
    )


def test_the_serve_command_names_the_api_extra():
    done = run_blocked(
        """
        sys.argv = ["domacross", "serve", "--port", "0"]
        from domacross.entry import main
        main()
        """,
        blocked=("uvicorn", "fastapi"),
    )
    assert done.returncode == 1
    assert "pip install 'domacross[api]'" in done.stderr
