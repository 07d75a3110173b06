"""Hypothesis strategies that also draw from the engine's value dictionary.

:func:`with_dictionary` rewrites a strategy so that its bounded integers (and, inside them,
addresses as ``uint160``) and its fixed-size byte strings take, part of the time, a value
the contracts mention or produced (see :mod:`domacross_fuzz.dictionary`), or a neighbour of
one (off-by-one bugs sit next to a constant). :func:`~domacross_fuzz.fuzzing.fast_given`
and :func:`~domacross_fuzz.fuzzing.run_machine` apply it to every strategy they are given;
other strategies (``sampled_from``, ``booleans``, mapped or filtered ones) are left as
they are.

The draws are Hypothesis's own, so shrinking still works: the simplest choice is the
plain strategy, and a dictionary value shrinks towards an earlier one.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies._internal.collections import (
    FixedDictStrategy,
    ListStrategy,
    TupleStrategy,
)
from hypothesis.strategies._internal.lazy import LazyStrategy
from hypothesis.strategies._internal.numbers import IntegersStrategy
from hypothesis.strategies._internal.strategies import OneOfStrategy, SearchStrategy
from hypothesis.strategies._internal.strings import BytesStrategy

from domacross_fuzz.dictionary import ValueDictionary

# Out of 10 draws, how many take a dictionary value (forge's default weight is 40%).
DICTIONARY_WEIGHT = 4
_WORD = 32
_UNBOUNDED = 2**256
# Integer ranges narrower than this (account indexes, choices) are left to Hypothesis.
_SMALL_RANGE = 1_024
# One draw says: dictionary or not (mod 10), which tier (4), which neighbour (half the
# time the value itself), which index.
_NUDGES = (0, 0, 1, -1)
_CODE_MAX = 10 * 4 * 4 * 2**16 - 1
_active: ValueDictionary | None = None


def use_dictionary(dictionary: ValueDictionary | None) -> None:
    """Makes ``dictionary`` the one that rewritten strategies draw from (the chain's)."""
    global _active
    _active = dictionary


def active_dictionary() -> ValueDictionary | None:
    """The dictionary rewritten strategies draw from now."""
    return _active


def pick(data: Any, low: int, high: int) -> int | None:
    # NOTE: one draw with fixed bounds, whatever the dictionary holds: Hypothesis requires
    # the same choices to make the same draws when it replays them. Zero (what shrinking
    # aims at) means "no dictionary value".
    code = data.draw_integer(0, _CODE_MAX)
    dictionary = _active
    if code % 10 < 10 - DICTIONARY_WEIGHT or dictionary is None:
        return None
    tier, nudge, index = (code // 10) % 4, _NUDGES[(code // 40) % 4], code // 160
    # Half from the constants of the code under test, a quarter from the values the test
    # met, a quarter from the whole session; each with what the running example produced.
    if tier < 2:
        committed = dictionary.constants.within(low, high)
        extra = dictionary.staged_constants
    else:
        committed = (dictionary.recent if tier == 2 else dictionary.session).within(low, high)
        extra = dictionary.staged
    staged = extra.within(low, high) if extra else ()
    size = len(committed) + len(staged)
    if not size:
        return None
    index %= size
    value: int = committed[index] if index < len(committed) else staged[index - len(committed)]
    return min(max(value + nudge, low), high)


class DictionaryIntegers(SearchStrategy[int]):
    """Integers in ``[low, high]``: ``base``'s, or the dictionary's part of the time."""

    def __init__(self, low: int, high: int, base: SearchStrategy[int]) -> None:
        super().__init__()
        self.low, self.high, self.base = low, high, base

    def do_draw(self, data: Any) -> int:
        value: int = data.draw(self.base)
        picked = pick(data, self.low, self.high)
        return value if picked is None else picked

    def __repr__(self) -> str:
        return f"with_dictionary({self.base!r})"


class DictionaryBytes(SearchStrategy[bytes]):
    """``size`` bytes: ``base``'s, or a dictionary word cut to ``size`` part of the time."""

    def __init__(self, size: int, base: SearchStrategy[bytes]) -> None:
        super().__init__()
        self.size, self.base = size, base

    def do_draw(self, data: Any) -> bytes:
        value: bytes = data.draw(self.base)
        picked = pick(data, 0, 2 ** (8 * self.size) - 1)
        return value if picked is None else picked.to_bytes(self.size, "big")

    def __repr__(self) -> str:
        return f"with_dictionary({self.base!r})"


def dictionary_integers(
    low: int | None, high: int | None, base: SearchStrategy[int]
) -> SearchStrategy[int]:
    """``base`` (integers in ``[low, high]``) mixed with dictionary values in that range."""
    return DictionaryIntegers(
        -_UNBOUNDED if low is None else low, _UNBOUNDED if high is None else high, base
    )


def dictionary_bytes(size: int, base: SearchStrategy[bytes]) -> SearchStrategy[bytes]:
    """``base`` (``size`` bytes) mixed with dictionary words cut to ``size`` bytes."""
    return DictionaryBytes(size, base)


def integer_bounds(strategy: SearchStrategy[Any]) -> tuple[int | None, int | None] | None:
    """``(min, max)`` of a plain ``st.integers`` strategy (``None`` where unbounded); ``None``
    for any other strategy, whose values a shrinker can't list (filtered, mapped, sampled)."""
    inner: Any = strategy
    while isinstance(inner, LazyStrategy):
        inner = inner.wrapped_strategy
    if type(inner) is IntegersStrategy:
        return inner.start, inner.end
    return None


def with_dictionary(strategy: SearchStrategy[Any]) -> SearchStrategy[Any]:
    """``strategy`` with its integers and fixed-size byte strings drawing from the dictionary."""
    inner: Any = strategy  # NOTE: Hypothesis's strategy classes are untyped internals
    while isinstance(inner, LazyStrategy):
        inner = inner.wrapped_strategy
    kind = type(inner)
    if kind is IntegersStrategy:
        bounded = inner.start is not None and inner.end is not None
        if bounded and inner.end - inner.start < _SMALL_RANGE:
            return strategy  # Hypothesis covers a small range well on its own
        return dictionary_integers(inner.start, inner.end, strategy)
    if kind is BytesStrategy and inner.min_size == inner.max_size and 0 < inner.max_size <= _WORD:
        return dictionary_bytes(inner.max_size, strategy)
    if kind is OneOfStrategy:
        return st.one_of([with_dictionary(s) for s in inner.original_strategies])
    if kind is TupleStrategy:
        return st.tuples(*(with_dictionary(s) for s in inner.element_strategies))
    if kind is ListStrategy:
        return st.lists(
            with_dictionary(inner.element_strategy),
            min_size=inner.min_size,
            max_size=None if inner.max_size == float("inf") else inner.max_size,
        )
    if kind is FixedDictStrategy and not inner.optional:
        return st.fixed_dictionaries({k: with_dictionary(v) for k, v in inner.mapping.items()})
    return strategy
