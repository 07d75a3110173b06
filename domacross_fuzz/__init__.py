"""Fast fuzz and invariant testing for this Ape project: an in-process EVM (pyrevm) that
runs the contracts Ape compiled, driven by Hypothesis. See docs/fuzzing.md.

Needs the dev extras (hypothesis, pytest) besides pyrevm: it is a testing library.
"""

from domacross_fuzz.abi import ContractAbi
from domacross_fuzz.contract import ContractFunction, Event, FastContract, Receipt, reverts
from domacross_fuzz.errors import (
    ContractRevertError,
    ExecutionError,
    ExecutionHaltedError,
    InvalidTransactionError,
)
from domacross_fuzz.evm import (
    DEFAULT_HARDFORK,
    HARDFORKS,
    ZERO_ADDRESS,
    FastChain,
    Snapshot,
    mapping_slot,
)
from domacross_fuzz.fuzzing import FastStats, fast_given, fast_settings, run_machine
from domacross_fuzz.machine import FastStateMachine
from domacross_fuzz.project import CompiledContract, FastContainer, FastProject
from domacross_fuzz.sequences import SequenceFailureError
from domacross_fuzz.strategies import with_dictionary

__all__ = [
    "DEFAULT_HARDFORK",
    "HARDFORKS",
    "ZERO_ADDRESS",
    "CompiledContract",
    "ContractAbi",
    "ContractFunction",
    "ContractRevertError",
    "Event",
    "ExecutionError",
    "ExecutionHaltedError",
    "FastChain",
    "FastContainer",
    "FastContract",
    "FastProject",
    "FastStateMachine",
    "FastStats",
    "InvalidTransactionError",
    "Receipt",
    "SequenceFailureError",
    "Snapshot",
    "fast_given",
    "fast_settings",
    "mapping_slot",
    "reverts",
    "run_machine",
    "with_dictionary",
]
