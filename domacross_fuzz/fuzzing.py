"""Hypothesis on the fast engine: batched properties and stateful machines.

Hypothesis costs about 0.4 ms per test case on this project's machines before the test
body runs, which caps a plain ``@given`` at ~2,000 examples/s whatever the chain. So
:func:`fast_given` runs a *batch* of examples per Hypothesis test case: each example draws
its own arguments through Hypothesis (``data.draw``) and runs in its own snapshot. A
failing example ends its test case, and Hypothesis's shrinker then deletes the passing
draws before it and shrinks the failing one, so the report shows one minimal example.

:class:`FastStateMachine` is a ``RuleBasedStateMachine`` whose every run starts from the
same chain state; :func:`run_machine` runs one with settings sized for the engine.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar, cast

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from domacross_fuzz.evm import FastChain, Snapshot

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound="FastStateMachine")

CHAIN_FIXTURE = "fast_chain"
# NOTE: the fixtures are session-scoped and every example runs in its own snapshot, so the
# function-scoped-fixture check has nothing to protect; too_slow counts whole batches.
_SUPPRESSED = (HealthCheck.function_scoped_fixture, HealthCheck.too_slow)


def fast_settings(parent: settings | None = None, **changes: Any) -> settings:
    """Hypothesis settings for the engine: no deadline, the batch-related checks off."""
    suppressed = [*(parent.suppress_health_check if parent else ()), *_SUPPRESSED]
    changes.setdefault("deadline", None)
    changes.setdefault("suppress_health_check", suppressed)
    return settings(parent, **changes)


def fast_given(
    *,
    examples: int = 1_000,
    batch: int = 100,
    base: settings | None = None,
    **strategies: st.SearchStrategy[Any],
) -> Callable[[F], F]:
    """Like ``@given``, for tests on the ``fast_chain`` fixture: ``examples`` examples in
    Hypothesis test cases of ``batch``, each example in its own snapshot.

    Args:
        examples: How many examples to run (rounded up to whole batches).
        batch: Examples per Hypothesis test case; 1 gives plain ``@given`` behaviour.
        base: Hypothesis settings to start from (``max_examples`` is set from the above).
        **strategies: One strategy per argument of the test that is not a fixture.
    """
    if examples < 1 or batch < 1:
        raise ValueError("examples and batch must be positive")
    arguments = st.fixed_dictionaries(strategies)
    test_cases = math.ceil(examples / batch)

    def decorate(test: F) -> F:
        signature = inspect.signature(test)
        missing = set(strategies) - set(signature.parameters)
        if missing:
            raise TypeError(f"{test.__name__} has no argument {sorted(missing)}")
        wants_chain = CHAIN_FIXTURE in signature.parameters
        keyword = inspect.Parameter.KEYWORD_ONLY
        fixtures = [
            p.replace(kind=keyword)
            for name, p in signature.parameters.items()
            if name not in strategies
        ]
        if not wants_chain:
            fixtures.append(inspect.Parameter(CHAIN_FIXTURE, keyword))

        def run_batch(data: Any, **kwargs: Any) -> None:
            chain: FastChain = kwargs[CHAIN_FIXTURE] if wants_chain else kwargs.pop(CHAIN_FIXTURE)
            for _ in range(batch):
                drawn = data.draw(arguments, label="example")
                snap = chain.snapshot()
                try:
                    test(**kwargs, **drawn)
                finally:
                    chain.revert(snap)

        run_batch.__name__ = test.__name__
        run_batch.__qualname__ = test.__qualname__
        run_batch.__module__ = test.__module__
        run_batch.__doc__ = test.__doc__
        run_batch.__dict__.update(getattr(test, "__dict__", {}))  # pytest marks
        run_batch.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*fixtures, inspect.Parameter("data", keyword)]
        )
        configured = fast_settings(base, max_examples=test_cases)
        return cast(F, configured(given(data=st.data())(run_batch)))

    return decorate


class FastStateMachine(RuleBasedStateMachine):
    """A rule-based state machine on a :class:`FastChain`; every run starts from the state
    the chain had when :func:`run_machine` was called, and is reverted after it."""

    chain: ClassVar[FastChain]

    def __init__(self) -> None:
        super().__init__()
        self._start: Snapshot = self.chain.snapshot()

    def teardown(self) -> None:
        """Reverts the chain to where the run started."""
        self.chain.revert(self._start)


def run_machine(
    machine: type[M],
    chain: FastChain,
    *,
    sequences: int,
    steps: int,
    base: settings | None = None,
    **changes: Any,
) -> None:
    """Runs ``sequences`` random runs of up to ``steps`` rules of ``machine`` on ``chain``.

    Args:
        machine: A :class:`FastStateMachine` subclass.
        chain: The chain whose current state every run starts from.
        sequences: Hypothesis's ``max_examples``.
        steps: Hypothesis's ``stateful_step_count``.
        base: Settings to start from.
        **changes: Further settings (``derandomize=True``, ``database=None``, ...).
    """
    bound = type(machine.__name__, (machine,), {"chain": chain})
    configured = fast_settings(base, max_examples=sequences, stateful_step_count=steps, **changes)
    run_state_machine_as_test(bound, settings=configured)
