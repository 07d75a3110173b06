"""The engine's own step loop for state machines.

Hypothesis's stateful runner spends more time per step than the EVM does: each step opens
spans, draws a stop flag, filters the rule list through swarm-testing flags, draws each
argument as Hypothesis choices and formats timing labels. When a failing run is shrunk by
deleting whole calls (:mod:`domacross_fuzz.sequences`), none of that structure is used, so
:func:`sequence_test` runs the steps itself, one Hypothesis test case per run: the run's
inputs come from one seed (:mod:`domacross_fuzz.choices`), the rules enabled for the run
are picked once (swarm testing, as Hypothesis does), then each step picks a rule among the
enabled ones whose preconditions hold, and its arguments. The seed is itself a Hypothesis
choice, so ``@seed``, ``derandomize`` and the example database replay a failing run exactly.

Machines with bundles (rules that return into a ``Bundle`` or read from one) keep
Hypothesis's runner: :func:`supports` tells them apart.
"""

from __future__ import annotations

from collections.abc import Callable
from random import Random
from typing import TYPE_CHECKING, Any

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidDefinition
from hypothesis.internal.conjecture.engine import BUFFER_SIZE
from hypothesis.internal.reflection import function_digest
from hypothesis.stateful import RuleBasedStateMachine

from domacross_fuzz.choices import Choices, generator

if TYPE_CHECKING:
    from hypothesis.stateful import Rule

    from domacross_fuzz.machine import FastStateMachine

# Hypothesis stops a run early when its choices near the buffer size (an overrun would
# discard the run); the same margin here.
_BUFFER_MARGIN = 0.8 * BUFFER_SIZE


def supports(machine: type[RuleBasedStateMachine]) -> bool:
    """Whether :func:`sequence_test` can run ``machine``: no rule uses a bundle."""
    state = machine.setup_state()
    return not any(r.targets or r.bundles for r in [*state.rules, *state.initializers])


class _Step:
    """A rule ready to run: its function, preconditions and argument draws."""

    __slots__ = ("draws", "function", "preconditions", "rule")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.function = rule.function
        self.preconditions = tuple(rule.preconditions)
        self.draws = tuple((k, generator(v)) for k, v in rule.arguments.items())


def sequence_test(machine: type[FastStateMachine]) -> Callable[[settings, Any, int], None]:
    """A function running ``machine`` as a Hypothesis test: ``max_examples`` runs of up to
    ``stateful_step_count`` steps (see the module's docstring). Its arguments: the
    settings, a random seed (None: draw one) and a salt, so that the runs of one search draw
    different inputs (:class:`~domacross_fuzz.choices.Choices`). Built once per search:
    Hypothesis reads the machine's source for the example database's key."""
    state = machine.setup_state()
    if not state.rules:
        raise InvalidDefinition(f"State machine {machine.__name__} defines no rules")
    # Hypothesis's order, so that the first rule drawn does not depend on definition order.
    rules = [_Step(r) for r in sorted(state.rules, key=lambda r: r.function.__name__)]
    initializers = [_Step(r) for r in state.initializers]
    invariants = state.invariants
    custom_check = machine.check_invariants is not RuleBasedStateMachine.check_invariants
    current: list[Any] = [settings(), 0]  # the settings and salt of the search's run
    runtimes: dict[str, float] = _Runtimes()

    def check(instance: Any) -> None:
        if custom_check:  # a subclass counts or wraps the checks: let it
            instance.check_invariants(current[0], _ignore, runtimes)
            return
        initializing = bool(instance._initialize_rules_to_run)
        for invariant in invariants:
            if initializing and not invariant.check_during_init:
                continue
            if all(p(instance) for p in invariant.preconditions):
                invariant.function(instance)

    def run(data: Any) -> None:
        cd = data.conjecture_data
        choices = Choices(cd, current[1])
        max_steps = current[0].stateful_step_count
        rnd = choices.random
        instance = machine()
        cd.hypothesis_runner = instance
        try:
            check(instance)
            # Swarm testing: some rules sit out the whole run.
            p_disabled = rnd.random()
            enabled = [r for r in rules if rnd.random() >= p_disabled] or rules
            pending = list(initializers)
            steps = 0
            while steps < max_steps and cd.length <= _BUFFER_MARGIN:
                steps += 1
                if pending:
                    step = pending.pop(rnd.randrange(len(pending)))
                    instance._initialize_rules_to_run.remove(step.rule)
                else:
                    step = _choose(rnd, instance, enabled, rules)
                step.function(instance, **{k: draw(choices) for k, draw in step.draws})
                check(instance)
        finally:
            instance.teardown()

    test: Any = given(data=st.data())(run)
    # As Hypothesis does for its runner: the example database keys on the machine.
    test.hypothesis.inner_test._hypothesis_internal_add_digest = function_digest(machine)

    def run_search(chosen: settings, seed: Any, salt: int) -> None:
        current[:] = [chosen, salt]
        test._hypothesis_internal_use_settings = chosen
        test._hypothesis_internal_use_seed = seed
        test()

    return run_search


def _choose(rnd: Random, instance: Any, enabled: list[_Step], rules: list[_Step]) -> _Step:
    """A rule among the enabled ones whose preconditions hold (else among all that hold)."""
    valid = [s for s in enabled if all(p(instance) for p in s.preconditions)]
    if not valid:
        valid = [s for s in rules if all(p(instance) for p in s.preconditions)]
        if not valid:
            names = ", ".join(s.function.__name__ for s in rules)
            raise InvalidDefinition(
                f"No progress can be made from state {instance!r}: no rule has a true "
                f"precondition (rules: {names})"
            )
    return valid[rnd.randrange(len(valid))] if valid[1:] else valid[0]


class _Runtimes(dict[str, float]):
    """What ``check_invariants`` adds its timings to: kept at zero, never read."""

    def __missing__(self, key: str) -> float:
        return 0.0


def _ignore(text: str) -> None:
    """``check_invariants`` reports each check through this in verbose runs."""
