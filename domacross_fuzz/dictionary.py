"""The value dictionary: numbers the contracts themselves mention, fed back into inputs.

Random 256-bit integers almost never hit ``x == 0xdeadbeef``, a time window at 1.8e9 or a
balance held in storage. Like forge's fuzz dictionary, the engine collects the constants of
the code under test (PUSH operands) and the words that go by at run time (calldata, return
data, event topics and data, the first storage slots of the contracts called), and the
strategies of :mod:`domacross_fuzz.strategies` draw from it part of the time.

Two tiers: values met during the current test come first (the contracts it deploys and
calls), then whatever the session has seen. Both lists only grow during a test, so a value's
index never changes and Hypothesis replays a failing example exactly.
"""

from __future__ import annotations

from collections.abc import Iterable

# The first storage slots of a called contract are read into the dictionary: plain state
# variables live there (mappings and arrays are hashed elsewhere and are not found).
STORAGE_SLOTS = 8
# Bounds the memory and keeps each draw's index small; forge's default is 10,000 too.
MAX_VALUES = 10_000
_PUSH1, _PUSH32, _JUMPDEST = 0x60, 0x7F, 0x5B
_WORD = 32


def code_length(code: bytes) -> int:
    """The length of EVM ``code`` without Solidity's CBOR metadata at its end (data, not
    code: its length is in the last two bytes)."""
    n = len(code)
    if n > 2:
        metadata = int.from_bytes(code[-2:], "big") + 2
        if metadata < n and code[n - metadata] in (0xA1, 0xA2, 0xA3):  # a CBOR map
            n -= metadata
    return n


def push_constants(code: bytes) -> list[int]:
    """The PUSH1-PUSH32 operands of EVM ``code`` that may be data.

    Left out: zero and one (everywhere, and reached anyway), jump targets (solc pushes
    the offset of a JUMPDEST of the same code before jumping there; they are most of a
    contract's small constants and never an interesting input) and Solidity's CBOR
    metadata at the end (data, not code; its length is in the last two bytes).
    """
    n = code_length(code)
    pushed: list[tuple[int, int]] = []  # (operand size, value)
    jumpdests: set[int] = set()
    i = 0
    while i < n:
        op = code[i]
        if _PUSH1 <= op <= _PUSH32:
            size = op - _PUSH1 + 1
            pushed.append((size, int.from_bytes(code[i + 1 : i + 1 + size], "big")))
            i += size + 1
        else:
            if op == _JUMPDEST:
                jumpdests.add(i)
            i += 1
    return [v for size, v in pushed if v > 1 and not (size <= 2 and v in jumpdests)]


def words(data: bytes) -> Iterable[int]:
    """``data`` read as 32-byte big-endian words (a short tail is left-aligned)."""
    for start in range(0, len(data), _WORD):
        yield int.from_bytes(data[start : start + _WORD].ljust(_WORD, b"\0"), "big")


class ValueList:
    """An append-only list of distinct values, with per-range views kept up to date."""

    def __init__(self) -> None:
        self.values: list[int] = []
        self._seen: set[int] = set()
        # (low, high) -> (values within it, how far into `values` it has looked)
        self._ranges: dict[tuple[int, int], tuple[list[int], int]] = {}

    def add(self, value: int) -> None:
        """Adds ``value`` (and nothing when seen already, or when the list is full)."""
        if value not in self._seen and len(self.values) < MAX_VALUES:
            self._seen.add(value)
            self.values.append(value)

    def add_many(self, values: list[int]) -> None:
        """Adds each of ``values`` as :meth:`add` does."""
        seen = self._seen
        for value in values:
            if value not in seen and len(self.values) < MAX_VALUES:
                seen.add(value)
                self.values.append(value)

    def within(self, low: int, high: int) -> list[int]:
        """The values in ``[low, high]``, in the order they were added."""
        key = (low, high)
        found, scanned = self._ranges.get(key, ([], 0))
        if scanned < len(self.values):
            found = found + [v for v in self.values[scanned:] if low <= v <= high]
            self._ranges[key] = (found, len(self.values))
        return found

    def clear(self) -> None:
        """Forgets every value."""
        if self.values:  # NOTE: cleared before and after every example, mostly empty
            self.values, self._seen, self._ranges = [], set(), {}

    def __len__(self) -> int:
        return len(self.values)


class ValueDictionary:
    """What a :class:`~domacross_fuzz.evm.FastChain` has seen, for the strategies to draw.

    Three tiers: ``constants`` (PUSH operands of the code the current test deployed or
    called), ``recent`` (values that went by during the current test: return data, event
    topics and data, storage, and calldata outside fuzzing runs) and ``session`` (all of
    it, since the chain started). A fuzzing run's own inputs are not collected as
    calldata: they are Hypothesis's random draws, and would drown the values that matter.

    While fuzzing, values seen by an example (or a state machine run) are *staged*: the
    example itself can draw them (a code emitted by one call, redeemed by the next). When it
    passes they are kept *pending*, and join the dictionary at the start of the next
    Hypothesis run (:meth:`begin_run`): during one run the dictionary does not change, as
    Hypothesis requires (it replays choices and expects the same draws). The engine splits
    a search into runs of growing size for this reason.
    """

    def __init__(self) -> None:
        self.constants = ValueList()
        self.recent = ValueList()
        self.session = ValueList()
        self.staged = ValueList()
        self.staged_constants = ValueList()
        self._pending: list[int] = []
        self._pending_constants: list[int] = []
        self.fuzzing = False
        self.frozen = False
        self._code_seen: set[str] = set()
        self._code_staged: list[str] = []

    def add(self, value: int) -> None:
        """A value seen now."""
        if self.fuzzing:
            self.staged.add(value)
        else:
            self.recent.add(value)
            self.session.add(value)

    def add_all(self, values: Iterable[int]) -> None:
        """Several values seen now."""
        listed = values if isinstance(values, list) else list(values)
        if self.fuzzing:
            self.staged.add_many(listed)
        else:
            self.recent.add_many(listed)
            self.session.add_many(listed)

    def add_words(self, data: bytes) -> None:
        """Return data or event data, word by word."""
        # NOTE: on every call's output: a list comprehension, not the words() generator.
        size = len(data)
        if not size:
            return
        if size % _WORD:
            data = data.ljust(size + _WORD - size % _WORD, b"\0")
        from_bytes = int.from_bytes
        values = [from_bytes(data[i : i + _WORD], "big") for i in range(0, len(data), _WORD)]
        if self.fuzzing:
            self.staged.add_many(values)
        else:
            self.recent.add_many(values)
            self.session.add_many(values)

    def add_calldata(self, data: bytes) -> None:
        """Arguments of a call (after the selector): only outside fuzzing runs."""
        if not self.fuzzing:
            self.add_words(data)

    def has_code(self, address: str) -> bool:
        """Whether the constants of the code at ``address`` are in already."""
        return address in self._code_seen

    def forget_code(self, address: str) -> None:
        """New code at ``address``: its constants go in again on the next call."""
        self._code_seen.discard(address)

    def add_code(self, address: str, constants: list[int]) -> None:
        """The constants of the code at ``address``, once per test."""
        if address in self._code_seen:
            return
        self._code_seen.add(address)
        if self.fuzzing:
            self._code_staged.append(address)
            for value in constants:
                self.staged_constants.add(value)
            return
        for value in constants:
            self.constants.add(value)
            self.session.add(value)

    def begin_test(self) -> None:
        """A new test starts: its own values come first from now on."""
        self.constants.clear()
        self.recent.clear()
        self._code_seen.clear()
        self._pending.clear()
        self._pending_constants.clear()
        self.end_run()

    def begin_example(self) -> None:
        """An example (or a state machine run) starts: nothing staged yet."""
        self._drop_staged()

    def commit(self) -> None:
        """The example passed: what it saw joins the dictionary with the next run."""
        if self.frozen:
            self._drop_staged()
            return
        self._pending.extend(self.staged.values)
        self._pending_constants.extend(self.staged_constants.values)
        self.staged.clear()
        self.staged_constants.clear()
        self._code_staged.clear()

    def fail(self) -> None:
        """The example failed: the dictionary stays as it is until :meth:`end_run`."""
        self.frozen = True

    def begin_run(self) -> None:
        """A Hypothesis run starts: what passing examples saw so far joins the dictionary;
        examples' values are staged from now on."""
        self.fuzzing, self.frozen = True, False
        self._drop_staged()
        for value in self._pending:
            self.recent.add(value)
            self.session.add(value)
        for value in self._pending_constants:
            self.constants.add(value)
            self.session.add(value)
        self._pending.clear()
        self._pending_constants.clear()

    def end_run(self) -> None:
        """The fuzzing is over: values go straight in again."""
        self.begin_run()
        self.fuzzing = False

    def _drop_staged(self) -> None:
        self.staged.clear()
        self.staged_constants.clear()
        # Code first met by a dropped example is met again by the next one.
        if self._code_staged:
            self._code_seen.difference_update(self._code_staged)
            self._code_staged.clear()
