"""The longest test modules first, so that no long module is the tail of `make test`.

`make test` spreads whole modules over 4 processes (`--dist loadfile`), handing the next
module to whichever process is free, in collection order (`--no-loadscope-reorder`;
pytest-xdist's own order puts the modules with the most tests first, which left the
modules of one or two long tests, such as a demo or `ape run` against anvil, for last,
running on after every other process went idle). Started first, they run beside the short
ones. tests/durations.json holds each module's seconds from a recorded run: modules are
collected longest first, tests within a module in their own order, and a module not
recorded yet comes after the recorded ones, in collection order.

`--store-durations` writes a run's seconds into tests/durations.json (merged with what it
holds, so a partial run updates its own modules). The figures only order the modules: a
stale one costs wall time, never a result.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

DURATIONS = Path(__file__).parents[1] / "durations.json"

_seconds: defaultdict[str, float] = defaultdict(float)


def module_of(nodeid: str) -> str:
    """The module part of a test id (`tests/x/test_y.py::test_z[1]` -> `tests/x/test_y.py`)."""
    return nodeid.split("::", 1)[0]


def recorded() -> dict[str, float]:
    try:
        return dict(json.loads(DURATIONS.read_text()))
    except FileNotFoundError:
        return {}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--store-durations",
        action="store_true",
        default=False,
        help="write each test module's seconds to tests/durations.json (orders later runs)",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    seconds = recorded()
    # NOTE: a stable sort: a module's tests keep their order and stay together.
    items.sort(key=lambda item: -seconds.get(module_of(item.nodeid), 0.0))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _seconds[module_of(report.nodeid)] += report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    # Under xdist the controller receives every worker's reports: it alone writes.
    if not config.getoption("store_durations") or hasattr(config, "workerinput"):
        return
    merged = recorded() | {module: round(s, 1) for module, s in _seconds.items()}
    DURATIONS.write_text(json.dumps(dict(sorted(merged.items())), indent=1) + "\n")
