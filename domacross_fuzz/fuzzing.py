"""Hypothesis on the fast engine: batched properties and stateful machines.

Hypothesis costs about 0.4 ms per test case on this project's machines before the test
body runs, which caps a plain ``@given`` at ~2,000 examples/s whatever the chain. So
:func:`fast_given` runs a *batch* of examples per Hypothesis test case, each in its own
snapshot; their arguments come from one Hypothesis choice (a seed, see
:mod:`domacross_fuzz.choices`: a Hypothesis choice costs more than an EVM call). A failing
example ends its test case and the engine shrinks it (:func:`_shrink_example`), so the
report shows one minimal example. An example equal to one already run in the same test
case is skipped and not counted.

:class:`FastStateMachine` is a ``RuleBasedStateMachine`` whose every run starts from the
same chain state; :func:`run_machine` runs one with settings sized for the engine (on the
engine's own step loop, :mod:`domacross_fuzz.runner`, unless it uses bundles), and on a
failure deletes whole calls first (see :mod:`domacross_fuzz.sequences`).

Both draw integers and fixed-size bytes partly from the chain's value dictionary
(:mod:`domacross_fuzz.strategies`), and both honour Hypothesis's settings: ``@settings``
above the test (or on the machine class), the active profile, ``--hypothesis-seed``.
"""

from __future__ import annotations

import inspect
import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test

from domacross_fuzz.choices import Choices, Generate, generator
from domacross_fuzz.evm import FastChain
from domacross_fuzz.machine import FastStateMachine
from domacross_fuzz.runner import sequence_test, supports
from domacross_fuzz.sequences import bind_machine, shrink_failure
from domacross_fuzz.strategies import integer_bounds, use_dictionary, with_dictionary

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=FastStateMachine)

CHAIN_FIXTURE = "fast_chain"
_REPEATS_IN_A_ROW = 8
# NOTE: the fixtures are session-scoped and every example runs in its own snapshot, so the
# function-scoped-fixture check has nothing to protect; too_slow counts whole batches.
_SUPPRESSED = (HealthCheck.function_scoped_fixture, HealthCheck.too_slow)


def fast_settings(parent: settings | None = None, **changes: Any) -> settings:
    """Hypothesis settings for the engine: no deadline, the batch-related checks off."""
    suppressed = [*(parent.suppress_health_check if parent else ()), *_SUPPRESSED]
    changes.setdefault("deadline", None)
    changes.setdefault("suppress_health_check", suppressed)
    return settings(parent, **changes)


@dataclass
class FastStats:
    """What a :func:`fast_given` test ran, over every call of it (``test.fast_stats``).

    Attributes:
        examples: Distinct examples run (duplicates within a test case are skipped).
        duplicates: Draws skipped because the same arguments already ran in the test case.
        test_cases: Hypothesis test cases (batches).
    """

    examples: int = 0
    duplicates: int = 0
    test_cases: int = 0


def _key(drawn: dict[str, Any]) -> Any:
    try:
        key = tuple(drawn.values())
        hash(key)
    except TypeError:  # lists, dicts: compare by their text
        return repr(drawn)
    return key


def _user_settings(test: Any) -> settings | None:
    """The settings of an ``@settings(...)`` written above the test, if any."""
    if getattr(test, "_hypothesis_internal_settings_applied", False):
        return cast(settings, test._hypothesis_internal_use_settings)
    return None


def fast_given(
    *,
    examples: int | None = None,
    batch: int = 100,
    base: settings | None = None,
    **strategies: st.SearchStrategy[Any],
) -> Callable[[F], F]:
    """Like ``@given``, for tests on the ``fast_chain`` fixture: examples in Hypothesis
    test cases of ``batch``, each example in its own snapshot.

    Args:
        examples: How many distinct examples to run (rounded up to whole batches). Without
            it, ``max_examples`` of ``@settings`` above the test or of the active profile
            counts examples (not test cases).
        batch: Examples per Hypothesis test case; 1 gives plain ``@given`` behaviour.
        base: Hypothesis settings to start from when no ``@settings`` is written.
        **strategies: One strategy per argument of the test that is not a fixture.

    Raises:
        ValueError: ``examples`` or ``batch`` is not positive.
        TypeError: A strategy names no argument of the test.
    """
    if (examples is not None and examples < 1) or batch < 1:
        raise ValueError("examples and batch must be positive")
    wrapped = {k: with_dictionary(v) for k, v in strategies.items()}
    arguments = st.fixed_dictionaries(wrapped)

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
        stats = FastStats()
        generators: list[tuple[str, Generate]] = []  # compiled on the first test case
        salt = [0]  # tells the search's runs apart (see _salt)
        failing: list[dict[str, Any]] = []  # the last failing example's arguments

        def run_batch(data: Any, **kwargs: Any) -> None:
            chain: FastChain = kwargs[CHAIN_FIXTURE] if wants_chain else kwargs.pop(CHAIN_FIXTURE)
            dictionary = chain.dictionary
            use_dictionary(dictionary)
            if not dictionary.fuzzing:
                dictionary.begin_run()
            stats.test_cases += 1
            seen: set[Any] = set()
            # NOTE: not `data.draw`, which formats a note per draw: the failing example
            # alone is noted, below. With the engine shrinking (batch > 1), the whole
            # batch comes from one seed (see domacross_fuzz.choices).
            cd = data.conjecture_data
            if batch > 1:
                if not generators:
                    generators.extend((k, generator(v)) for k, v in wrapped.items())
                choices = Choices(cd, salt[0])

                def draw(_: Any) -> dict[str, Any]:
                    return {k: generate(choices) for k, generate in generators}

            else:
                draw = cd.draw
            # A repeated example is not run; a test case that keeps repeating (Hypothesis's
            # first, all-simplest one does) ends early. NOTE: this depends on the values,
            # which Hypothesis allows because the dictionary does not change during a run.
            repeats = 0
            for _ in range(batch):
                drawn = draw(arguments)
                key = _key(drawn)
                if key in seen:
                    stats.duplicates += 1
                    repeats += 1
                    if repeats == _REPEATS_IN_A_ROW:
                        break
                    continue
                repeats = 0
                seen.add(key)
                stats.examples += 1
                snap = chain.snapshot()
                dictionary.begin_example()
                try:
                    test(**kwargs, **drawn)
                except BaseException:
                    dictionary.fail()
                    failing[:] = [drawn]
                    note(f"Failing example: {_show(test, drawn, chain)}")
                    raise
                finally:
                    chain.revert(snap)
                dictionary.commit()

        _copy_identity(run_batch, test)
        run_batch.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*fixtures, inspect.Parameter("data", keyword)]
        )
        inner = given(data=st.data())(run_batch)

        def outer(**kwargs: Any) -> Any:
            chosen = _user_settings(outer) or base or settings()
            fixed_seed = getattr(outer, "_hypothesis_internal_use_seed", None)
            if fixed_seed is not None:  # as @seed does for @given: no example database
                chosen = settings(chosen, database=None)
            total = examples if examples is not None else chosen.max_examples
            # The engine shrinks a failing example itself (see _shrink_example): Hypothesis
            # would replay the whole batch before it for every attempt.
            engine_shrinks = batch > 1 and Phase.shrink in chosen.phases
            phases = [p for p in chosen.phases if p is not Phase.shrink or not engine_shrinks]
            chain: FastChain = kwargs[CHAIN_FIXTURE]
            base_seed = _base_seed(fixed_seed, chosen, test.__qualname__)
            failing.clear()
            try:
                for run, size in enumerate(_epochs(total, batch)):
                    inner._hypothesis_internal_use_settings = fast_settings(  # type: ignore[attr-defined]
                        chosen, max_examples=math.ceil(size / batch), phases=phases
                    )
                    seed = _derived(base_seed, run)
                    inner._hypothesis_internal_use_seed = seed  # type: ignore[attr-defined]
                    salt[0] = _salt(seed, run)
                    chain.dictionary.begin_run()
                    inner(**kwargs)
            except Exception:
                if not engine_shrinks or not failing:
                    raise
                fixtures = {k: v for k, v in kwargs.items() if wants_chain or k != CHAIN_FIXTURE}
                raise _shrink_example(test, fixtures, failing[0], strategies, chain) from None
            finally:
                chain.dictionary.end_run()

        _copy_identity(outer, test)
        outer.__signature__ = inspect.signature(inner)  # type: ignore[attr-defined]
        # Hypothesis and its pytest plugin treat `outer` as the @given test it wraps.
        outer.is_hypothesis_test = True  # type: ignore[attr-defined]
        outer.hypothesis = inner.hypothesis  # type: ignore[attr-defined]
        outer._hypothesis_internal_use_seed = None  # type: ignore[attr-defined]
        outer.fast_stats = stats  # type: ignore[attr-defined]
        outer.fast_batch = batch  # type: ignore[attr-defined]
        return cast(F, outer)

    return decorate


def _epochs(total: int, first: int) -> list[int]:
    """A search of ``total`` split into Hypothesis runs of doubling size from ``first``:
    the value dictionary grows between runs, never during one (see ValueDictionary)."""
    sizes, size = [], first
    while total > 0:
        sizes.append(min(size, total))
        total -= sizes[-1]
        size *= 2
    return sizes


def _derived(seed: Any, run: int) -> Any:
    """The seed of run ``run`` of a search seeded with ``seed`` (None stays random)."""
    # NOTE: crc32, not hash(): str hashes change from one process to the next.
    return None if seed is None else zlib.crc32(repr((seed, run)).encode())


def _salt(seed: Any, run: int) -> int:
    """What tells a run's generated inputs apart from other runs' and other searches'
    (see domacross_fuzz.choices): Hypothesis's first test case always chooses 0. A random
    search salts with the run's index, so that a failure the example database saved from
    the first run replays."""
    return seed if seed is not None else run


def _base_seed(fixed: Any, chosen: settings, name: str) -> Any:
    """What a search's runs derive their seeds from: ``@seed``, else ``--hypothesis-seed``,
    else the test's name under ``derandomize`` (each run must differ from the last, or a
    seeded search would repeat its first run), else None (random)."""
    import hypothesis.core  # NOTE: read at call time: the pytest plugin sets it

    if fixed is not None:
        return fixed
    if hypothesis.core.global_force_seed is not None:
        return hypothesis.core.global_force_seed
    return name if chosen.derandomize else None


def _show(test: Callable[..., Any], drawn: dict[str, Any], chain: FastChain) -> str:
    shown = ", ".join(f"{k}={chain.describe(v)}" for k, v in drawn.items())
    return f"{test.__name__}({shown})"


def _shrink_example(
    test: Callable[..., Any],
    fixtures: dict[str, Any],
    drawn: dict[str, Any],
    strategies: dict[str, st.SearchStrategy[Any]],
    chain: FastChain,
) -> BaseException:
    """The failure of the smallest example found from ``drawn``: each bounded integer is
    lowered (its lower bound, else bisection) while the example still fails the same way.
    Returns that failure, noted with the example, for the caller to raise."""

    def run(candidate: dict[str, Any]) -> BaseException | None:
        snap = chain.snapshot()
        try:
            test(**fixtures, **candidate)
        except Exception as exc:
            return exc
        finally:
            chain.revert(snap)
        return None

    first = run(drawn)
    if first is None:  # it passes on its own: leave Hypothesis's report as it is
        return AssertionError(f"flaky: {_show(test, drawn, chain)} failed, then passed")
    kind = type(first)

    def fails(candidate: dict[str, Any]) -> bool:
        return type(run(candidate)) is kind

    for name, strategy in strategies.items():
        bounds = integer_bounds(strategy)
        value = drawn[name]
        if bounds is None or bounds[0] is None or bounds[1] is None:
            continue
        if not isinstance(value, int) or value == bounds[0]:
            continue
        low, high = bounds[0], value  # `high` fails
        if fails({**drawn, name: low}):
            high = low
        low += 1
        while low < high:
            middle = (low + high) // 2
            if fails({**drawn, name: middle}):
                high = middle
            else:
                low = middle + 1
        drawn = {**drawn, name: high}
    failure = run(drawn) or first
    failure.add_note(f"Falsifying example (shrunk by the engine): {_show(test, drawn, chain)}")
    return failure


def _copy_identity(wrapper: Callable[..., Any], test: Callable[..., Any]) -> None:
    """Gives ``wrapper`` the test's name, module, docstring and pytest marks, so that
    reports and failures name the test."""
    wrapper.__name__ = test.__name__
    wrapper.__qualname__ = test.__qualname__
    wrapper.__module__ = test.__module__
    wrapper.__doc__ = test.__doc__
    wrapper.__dict__.update(getattr(test, "__dict__", {}))  # pytest marks


def run_machine(
    machine: type[M],
    chain: FastChain,
    *,
    sequences: int | None = None,
    steps: int | None = None,
    base: settings | None = None,
    shrink_calls: bool = True,
    **changes: Any,
) -> None:
    """Runs ``sequences`` random runs of up to ``steps`` rules of ``machine`` on ``chain``.

    On a failure, the failing run's calls are shrunk by deleting whole calls, then by
    lowering integer arguments, replayed directly on the engine (seconds, where
    Hypothesis's own shrinker can take minutes on long runs); the error lists the
    remaining calls with account labels.

    Args:
        machine: A :class:`FastStateMachine` subclass.
        chain: The chain whose current state every run starts from.
        sequences: Hypothesis's ``max_examples`` (default: from the settings in force).
        steps: Hypothesis's ``stateful_step_count`` (default: from the settings in force).
        base: Settings to start from (default: ``@settings`` on the class, else the
            active profile).
        shrink_calls: Shrink by deleting calls (else Hypothesis's own shrinker runs).
        **changes: Further settings (``derandomize=True``, ``database=None``, ...).

    Raises:
        SequenceFailureError: A run failed; the message lists the shrunk calls.
    """
    bound, recorder = bind_machine(machine, chain)
    chosen = base or getattr(machine.TestCase, "settings", None) or settings()
    if sequences is not None:
        changes["max_examples"] = sequences
    if steps is not None:
        changes["stateful_step_count"] = steps
    if shrink_calls:
        changes.setdefault("phases", [p for p in Phase if p is not Phase.shrink])
        changes.setdefault("print_blob", False)
    total = changes.pop("max_examples", chosen.max_examples)
    fixed_seed = getattr(machine, "_hypothesis_internal_use_seed", None)
    derandomize = changes.get("derandomize", chosen.derandomize)
    base_seed = _base_seed(
        fixed_seed, settings(chosen, derandomize=derandomize), machine.__qualname__
    )
    # Whole calls are deleted on a failure, so Hypothesis's per-step structure is unused:
    # the engine's own step loop runs the steps (bundles still need Hypothesis's).
    own_loop = sequence_test(bound) if shrink_calls and supports(bound) else None
    use_dictionary(chain.dictionary)
    try:
        for run, size in enumerate(_epochs(total, max(total // 100, 1))):
            configured = fast_settings(chosen, max_examples=size, **changes)
            seed = _derived(base_seed, run)
            bound._hypothesis_internal_use_seed = seed
            chain.dictionary.begin_run()
            if own_loop is not None:
                own_loop(configured, seed, _salt(seed, run))
            else:
                run_state_machine_as_test(bound, settings=configured)
    except Exception as failure:
        if not shrink_calls or recorder.last is None:
            raise
        raise shrink_failure(bound, recorder, failure, chain) from failure
    finally:
        chain.dictionary.end_run()
