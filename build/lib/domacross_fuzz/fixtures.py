"""pytest plugin: the fast engine inside ``ape test``.

Installing the package registers it (a ``pytest11`` entry point), so any Ape project
whose environment has ``domacross`` installed gets the fixtures in ``ape test``.

Fixtures (session-scoped: deploy once, like the suite's Ape fixtures):

* ``fast_chain``: a :class:`~domacross_fuzz.evm.FastChain` with Ape's test accounts (the
  same addresses, labelled ``accounts[i]`` in reports) funded with Ape's configured test
  balance, at Ape's chain id and time; calls without a sender come from ``accounts[0]``,
  as on Ape's chain.
* ``fast_project``: Ape's ``project`` on it, ``fast_project.Name.deploy(..., sender=...)``.

Isolation, so that tests never see each other's changes: every test that uses
``fast_chain`` runs in a snapshot, taken before its first function-scoped fixture and
reverted after its teardown; and every Hypothesis example (each test case of a ``@given``
test, each example of :func:`~domacross_fuzz.fuzzing.fast_given`) runs in its own.
So a fixture that changes the fast chain is either session-scoped (the shared starting
state, like the deployments) or function-scoped (undone after the test); a module- or
class-scoped one would leak its changes into the rest of the session.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Generator
from typing import Any

import pytest

from domacross_fuzz.evm import FastChain, Snapshot
from domacross_fuzz.fuzzing import fast_settings
from domacross_fuzz.project import FastProject

FIXTURE = "fast_chain"
_CHAIN = pytest.StashKey[FastChain]()
_TEST_SNAPSHOT = pytest.StashKey[Snapshot]()
DEFAULT_TEST_BALANCE = 10_000 * 10**18  # Ape's default for test accounts


@pytest.fixture(scope="session")
def fast_chain(request: pytest.FixtureRequest, accounts: Any, chain: Any) -> FastChain:
    """The session's fast chain, with Ape's test accounts funded as on Ape's chain."""
    from ape import config  # NOTE: imported late: `ape test` configures it first

    balance = int(getattr(config.get_config("test"), "balance", DEFAULT_TEST_BALANCE))
    fast = FastChain(
        chain_id=chain.chain_id,
        timestamp=chain.pending_timestamp,
        gas_limit=chain.blocks.head.gas_limit,  # what `block.gaslimit` reads on Ape's chain
        call_sender=accounts[0].address,
    )
    for index, account in enumerate(accounts):
        fast.deal(account, balance)
        fast.label(account, f"accounts[{index}]")
    request.config.stash[_CHAIN] = fast
    return fast


@pytest.fixture(scope="session")
def fast_project(project: Any, fast_chain: FastChain) -> FastProject:
    """Ape's project on the fast chain: ``fast_project.ValuationOracle.deploy(...)``."""
    return FastProject(project, fast_chain)


def _chain_for(item: pytest.Item) -> FastChain | None:
    if FIXTURE not in getattr(item, "fixturenames", ()):
        return None
    return item.config.stash.get(_CHAIN, None)


def _begin(item: pytest.Item) -> None:
    chain = _chain_for(item)
    if chain is not None and _TEST_SNAPSHOT not in item.stash:
        item.stash[_TEST_SNAPSHOT] = chain.snapshot()
        chain.dictionary.begin_test()


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(
    fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
) -> Generator[None, None, None]:
    # pytest sets up wider scopes first: the first function-scoped fixture of a test marks
    # the point after which everything belongs to the test alone.
    if fixturedef.scope == "function" and isinstance(request.node, pytest.Item):
        _begin(request.node)
    yield


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    _begin(item)
    test = getattr(item, "obj", None)
    if getattr(test, "fast_batch", None) is not None:
        # Hypothesis's plugin checks these settings before the call: the engine's own
        # suppressions (see fuzzing.fast_settings) must be there, whatever @settings says.
        current = getattr(test, "_hypothesis_internal_use_settings", None)
        test._hypothesis_internal_use_settings = fast_settings(current)  # type: ignore[union-attr]
    chain = _chain_for(item)
    handle = getattr(getattr(item, "obj", None), "hypothesis", None)
    if chain is None or handle is None:
        yield
        return
    inner: Callable[..., Any] = handle.inner_test

    @functools.wraps(inner)  # Hypothesis names the test after this function
    def isolated(*args: Any, **kwargs: Any) -> Any:
        with chain.isolate():
            return inner(*args, **kwargs)

    # Hypothesis documents `inner_test` as replaceable to wrap each example.
    handle.inner_test = isolated
    try:
        yield
    finally:
        handle.inner_test = inner


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    yield
    chain = _chain_for(item)
    snap = item.stash.get(_TEST_SNAPSHOT, None)
    if chain is not None and snap is not None:
        chain.revert(snap)
        del item.stash[_TEST_SNAPSHOT]
