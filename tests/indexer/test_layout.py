"""The indexer's module layout: no import cycles, a leaf rows module, one handler table
without name lookups, and the read API independent of the indexer. Read from the sources
(ast), so an import inside a function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

from domacross.indexer.addressbook import ANY_ROLE, Role
from domacross.indexer.apply import REGISTRY
from domacross.indexer.projections import PROJECTIONS
from domacross.indexer.registry import Projection, Registry
from domacross_sdk import events as ev
from domacross_sdk.events_base import ContractEvent

ROOT = Path(__file__).resolve().parents[2]


def _imports(package: str) -> dict[str, set[str]]:
    """Module -> the modules of `package` it imports (anywhere in its source)."""
    base = ROOT / package.replace(".", "/")
    graph: dict[str, set[str]] = {}
    for path in base.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            found |= {n for n in names if n.startswith(package)}
        graph[module] = found
    # Keep edges to modules only (`from pkg import name` names a module or an attribute).
    return {m: {d for d in deps if d in graph and d != m} for m, deps in graph.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                return [*path[path.index(dep) :], dep]
            if dep not in state and (found := visit(dep)) is not None:
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def test_indexer_modules__import_graph__has_no_cycle():
    graph = _imports("domacross.indexer")
    graph.pop("domacross.indexer")  # the package's re-exports import the follower
    for deps in graph.values():
        deps.discard("domacross.indexer")
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_rows_module__imports__nothing_of_the_indexer():
    assert _imports("domacross.indexer")["domacross.indexer.rows"] == set()


def test_api_package__imports__nothing_of_the_indexer():
    graph = _imports("domacross")
    api = {m: deps for m, deps in graph.items() if m.startswith("domacross.api")}
    assert api, "no API modules found"
    offending = {m: d for m, deps in api.items() if (d := {x for x in deps if ".indexer" in x})}
    assert offending == {}


def test_indexer_sources__dispatch__never_by_name():
    for path in (ROOT / "domacross/indexer").rglob("*.py"):
        text = path.read_text()
        assert "N802" not in text, path
        assert 'getattr(self, f"_on_' not in text, path
        assert "NotImplementedError" not in text, path


def test_registry__every_projection__registered_once_by_name():
    assert REGISTRY.projections == PROJECTIONS
    names = [p.name for p in PROJECTIONS]
    assert len(set(names)) == len(names)


def test_registry__handlers__matched_by_role_and_event_class():
    calls: list[str] = []
    one, two = Projection("one"), Projection("two")

    @one.on(ANY_ROLE, ContractEvent)
    def every(r, e, key):
        calls.append("every")

    @two.on(Role.ORACLE, ev.PriceUpdated)
    def price(r, e, key):
        calls.append("price")

    registry = Registry([one, two])
    assert registry.handlers(frozenset({Role.ORACLE}), ev.PriceUpdated) == (every, price)
    assert registry.handlers(frozenset({Role.TRACKER}), ev.PriceUpdated) == (every,)
    assert registry.handlers(frozenset({Role.ORACLE}), ev.Paused) == (every,)
