"""The state machine base class of the fast engine.

Its own module, below :mod:`domacross_fuzz.fuzzing`, :mod:`domacross_fuzz.runner` and
:mod:`domacross_fuzz.sequences`, which all name it: the import graph stays acyclic.
"""

from __future__ import annotations

from typing import ClassVar

from hypothesis.stateful import RuleBasedStateMachine

from domacross_fuzz.evm import FastChain, Snapshot


class FastStateMachine(RuleBasedStateMachine):
    """A rule-based state machine on a :class:`FastChain`; every run starts from the state
    the chain had when :func:`~domacross_fuzz.fuzzing.run_machine` was called, and is
    reverted after it."""

    chain: ClassVar[FastChain]

    def __init__(self) -> None:
        super().__init__()
        self._start: Snapshot = self.chain.snapshot()

    def teardown(self) -> None:
        """Reverts the chain to where the run started."""
        self.chain.revert(self._start)
