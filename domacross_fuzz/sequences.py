"""Call sequences of a state machine: recorded, replayed, and shrunk by deleting calls.

Hypothesis shrinks a failing stateful run through its choice sequence, which on a run of
dozens of steps can take minutes and stop at its time limit with 38 steps left. A failing
run here is shrunk the way forge does it: replay the recorded calls directly on the engine
(no Hypothesis in the loop, ~50 microseconds a call), delete whole calls while it still
fails the same way, then lower each integer argument; what is left is reported.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hypothesis.stateful import (
    INITIALIZE_RULE_MARKER,
    INVARIANT_MARKER,
    RULE_MARKER,
    Invariant,
    Rule,
)
from hypothesis.strategies import SearchStrategy

from domacross_fuzz.strategies import integer_bounds, with_dictionary

if TYPE_CHECKING:
    from domacross_fuzz.evm import FastChain
    from domacross_fuzz.machine import FastStateMachine

# Replays allowed while shrinking one failure (each replays a whole sequence).
MAX_REPLAYS = 5_000

Step = tuple[str, dict[str, Any]]


class SequenceFailureError(AssertionError):
    """A state machine run failed; the message lists the shrunk calls, the cause is the
    failure of their replay."""


@dataclass
class Recorder:
    """The calls of the current run of a bound machine, and those of the last failing one."""

    current: list[Step] = field(default_factory=list)
    last: list[Step] | None = None
    functions: dict[str, Callable[..., Any]] = field(default_factory=dict)
    preconditions: dict[str, tuple[Callable[..., Any], ...]] = field(default_factory=dict)
    arguments: dict[str, dict[str, SearchStrategy[Any]]] = field(default_factory=dict)
    invariants: list[Invariant] = field(default_factory=list)
    initializers: set[str] = field(default_factory=set)
    depth: int = 0


def bind_machine(
    machine: type[FastStateMachine], chain: FastChain
) -> tuple[type[FastStateMachine], Recorder]:
    """A subclass of ``machine`` on ``chain`` whose rules draw from the value dictionary
    and record every call."""
    recorder = Recorder()
    namespace: dict[str, Any] = {"chain": chain}
    for name, member in inspect.getmembers(machine):
        for marker in (RULE_MARKER, INITIALIZE_RULE_MARKER):
            rule: Rule | None = getattr(member, marker, None)
            if rule is None:
                continue
            recorder.functions[name] = rule.function
            recorder.preconditions[name] = tuple(rule.preconditions)
            recorder.arguments[name] = dict(rule.arguments)
            if marker == INITIALIZE_RULE_MARKER:
                recorder.initializers.add(name)
            wrapper = _recording(name, rule.function, recorder, chain)
            arguments = {k: with_dictionary(v) for k, v in rule.arguments.items()}
            setattr(wrapper, marker, Rule(rule.targets, wrapper, arguments, rule.preconditions))
            namespace[name] = wrapper
        invariant: Invariant | None = getattr(member, INVARIANT_MARKER, None)
        if invariant is not None:
            recorder.invariants.append(invariant)
            check = _failing(invariant.function, chain)
            check.__name__ = check.__qualname__ = name
            setattr(
                check,
                INVARIANT_MARKER,
                Invariant(check, invariant.preconditions, invariant.check_during_init),
            )
            namespace[name] = check

    def init(self: Any) -> None:
        machine.__init__(self)
        recorder.current = []
        chain.dictionary.begin_example()

    def teardown(self: Any) -> None:
        # NOTE: a fresh list, so that rules the machine's teardown calls (driving a run to
        # its end) are not taken for steps of the run: a replay runs the teardown itself.
        recorder.last, recorder.current = recorder.current, []
        chain.dictionary.commit()
        machine.teardown(self)

    namespace["__init__"] = init
    namespace["teardown"] = teardown
    return type(machine.__name__, (machine,), namespace), recorder


def _failing(function: Callable[..., Any], chain: FastChain) -> Callable[..., Any]:
    """``function``, telling the value dictionary when it fails (see ValueDictionary)."""

    def checked(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return function(self, *args, **kwargs)
        except BaseException:
            chain.dictionary.fail()
            raise

    return checked


def _recording(
    name: str, function: Callable[..., Any], recorder: Recorder, chain: FastChain
) -> Callable[..., Any]:
    checked = _failing(function, chain)

    def rule(self: Any, *args: Any, **kwargs: Any) -> Any:
        # A rule called by another rule (`self.join(who)`) is part of that call, not a step.
        if recorder.depth == 0:
            recorder.current.append((name, kwargs))
        recorder.depth += 1
        try:
            return checked(self, *args, **kwargs)
        finally:
            recorder.depth -= 1

    rule.__name__ = rule.__qualname__ = name
    return rule


def replay(
    bound: type[FastStateMachine], recorder: Recorder, steps: list[Step]
) -> tuple[BaseException | None, int]:
    """Runs ``steps`` on a fresh machine; the failure and the index of the failing call
    (``len(steps)`` when an invariant failed before the first call or nothing failed)."""
    # NOTE: the user's class (not the recording subclass): a plain instance, no Hypothesis.
    user: Any = bound.__mro__[1]
    machine = object.__new__(bound)
    user.__init__(machine)
    failure: BaseException | None = None
    failed_at = len(steps)
    try:
        _check(machine, recorder, initial=True)
        for index, (name, kwargs) in enumerate(steps):
            if not all(p(machine) for p in recorder.preconditions[name]):
                continue
            try:
                recorder.functions[name](machine, **kwargs)
                _check(machine, recorder, initial=False)
            except Exception as exc:
                failure, failed_at = exc, index
                break
    except Exception as exc:
        failure, failed_at = exc, 0
    # NOTE: a teardown may check too (a machine that drives each run to its end): its
    # failure is the run's when the steps passed, and never masks a failing step.
    try:
        user.teardown(machine)
    except Exception as exc:
        if failure is None:
            failure = exc
    return failure, failed_at


def _check(machine: Any, recorder: Recorder, *, initial: bool) -> None:
    for invariant in recorder.invariants:
        if initial and recorder.initializers and not invariant.check_during_init:
            continue
        if all(p(machine) for p in invariant.preconditions):
            invariant.function(machine)


def _same(failure: BaseException | None, expected: type[BaseException]) -> bool:
    return failure is not None and type(failure) is expected


def shrink(
    bound: type[FastStateMachine], recorder: Recorder, steps: list[Step], expected: type
) -> tuple[list[Step], BaseException | None]:
    """The fewest calls (then the smallest integers) that still fail with ``expected``."""
    budget = [MAX_REPLAYS]

    def fails(candidate: list[Step]) -> tuple[bool, int]:
        budget[0] -= 1
        failure, index = replay(bound, recorder, candidate)
        return _same(failure, expected), index

    ok, index = fails(steps)
    if not ok:
        return steps, None
    steps = steps[: index + 1]
    # Delete chunks, halving their size, then single calls, until nothing more goes.
    size = max(len(steps) // 2, 1)
    while size >= 1 and budget[0] > 0:
        i, removed = 0, False
        while i < len(steps) and budget[0] > 0:
            candidate = steps[:i] + steps[i + size :]
            ok, index = fails(candidate) if candidate else (False, 0)
            if ok:
                steps, removed = candidate[: index + 1], True
            else:
                i += size
        if not removed:
            size //= 2
    steps = _lower_integers(steps, recorder, fails, budget)
    failure, _ = replay(bound, recorder, steps)
    return steps, failure


def _lower_integers(
    steps: list[Step],
    recorder: Recorder,
    fails: Callable[[list[Step]], tuple[bool, int]],
    budget: list[int],
) -> list[Step]:
    """Each integer argument lowered towards its strategy's minimum (0 when unbounded below),
    never outside what the rule's strategy could draw: an argument of any other strategy
    (mapped, filtered, sampled) is left as it is."""
    for position in range(len(steps)):
        name, kwargs = steps[position]
        for key, value in kwargs.items():
            strategy = recorder.arguments.get(name, {}).get(key)
            bounds = None if strategy is None else integer_bounds(strategy)
            if bounds is None or isinstance(value, bool) or not isinstance(value, int):
                continue
            floor = 0 if bounds[0] is None else bounds[0]
            if value <= floor:
                continue
            low, high = floor, value  # `high` fails; find the smallest that does (bisection)
            while low < high and budget[0] > 0:
                middle = (low + high) // 2
                trial = {**steps[position][1], key: middle}
                candidate = [*steps[:position], (name, trial), *steps[position + 1 :]]
                if fails(candidate)[0]:
                    high = middle
                else:
                    low = middle + 1
            lowered = (name, {**steps[position][1], key: high})
            steps = [*steps[:position], lowered, *steps[position + 1 :]]
    return steps


def describe(steps: list[Step], chain: FastChain) -> str:
    """The calls as lines of Python, accounts shown by their labels."""
    lines = []
    for name, kwargs in steps:
        shown = ", ".join(f"{k}={chain.describe(v)}" for k, v in kwargs.items())
        lines.append(f"    state.{name}({shown})")
    return "\n".join(lines)


def shrink_failure(
    bound: type[FastStateMachine], recorder: Recorder, failure: BaseException, chain: FastChain
) -> BaseException:
    """The error to raise for ``failure``: the shrunk calls, caused by their replay."""
    original = list(recorder.last or [])
    steps, replayed = shrink(bound, recorder, original, type(failure))
    if replayed is None:  # the recorded run does not fail again on its own: report as is
        return failure
    error = SequenceFailureError(
        f"{bound.__name__}: {len(steps)} call(s) fail (shrunk from {len(original)}; whole "
        f"calls deleted first, then integers lowered):\n{describe(steps, chain)}\n"
        f"  -> {type(replayed).__name__}: {replayed}"
    )
    error.__cause__ = replayed
    return error
