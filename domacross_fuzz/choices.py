"""Many inputs from one Hypothesis choice: the engine's generator for its hot loops.

Hypothesis spends 20-60 microseconds on each choice it makes (spans, its choice tree, its
pool of constants), more than the EVM spends on a call. Where the engine shrinks failures
itself (batched properties, call sequences), the structure behind those choices is never
used, so a test case makes one choice, a 64-bit seed, and :class:`Choices` derives every
input of the test case from it with Python's PRNG. Replaying the test case (Hypothesis's
final run, ``@seed``, ``derandomize``) gives the same seed, hence the same inputs.

:func:`generator` compiles a strategy into a function of :class:`Choices` with the shapes
Hypothesis and forge favour: bounded integers hit their bounds and their neighbours, take
values of 8 to 256 bits, or any value of the range; the dictionary strategies
(:mod:`domacross_fuzz.strategies`) pick the chain's values as they do under Hypothesis.
Strategies it does not know are drawn by Hypothesis, choice by choice.
"""

from __future__ import annotations

from collections.abc import Callable
from random import Random
from typing import TYPE_CHECKING, Any

from hypothesis.strategies._internal.collections import TupleStrategy
from hypothesis.strategies._internal.lazy import LazyStrategy
from hypothesis.strategies._internal.misc import BooleansStrategy, JustStrategy
from hypothesis.strategies._internal.numbers import IntegersStrategy
from hypothesis.strategies._internal.strategies import SampledFromStrategy, SearchStrategy
from hypothesis.strategies._internal.strings import BytesStrategy

from domacross_fuzz.strategies import DictionaryBytes, DictionaryIntegers, pick

if TYPE_CHECKING:
    from hypothesis.internal.conjecture.data import ConjectureData

_SEED_MAX = 2**64 - 1
# Out of 128 draws of a bounded integer, 6 take a bound or its neighbour (as Hypothesis's
# own integers do: 2 each for the bounds, 1 each for the neighbours).
_EDGE_ROLL = 6 / 128
_EDGES = (0, 0, 1, 2, 3, 3)  # low, low, low + 1, high - 1, high, high
_WIDTHS = (8, 16, 32, 64, 128, 256)
_SMALL_RANGE = 1_024


class Choices:
    """The inputs of one test case: a PRNG seeded from one Hypothesis choice.

    Args:
        data: The test case's ``ConjectureData`` (strategies the generator does not know
            still draw from it).
        salt: Told apart the runs of one search, whose first test cases all choose 0.
    """

    __slots__ = ("data", "random")

    def __init__(self, data: ConjectureData, salt: int) -> None:
        self.data = data
        # NOTE: a test input generator, not cryptography.
        self.random = Random((salt << 64) | data.draw_integer(0, _SEED_MAX))  # noqa: S311

    def draw_integer(self, low: int, high: int) -> int:
        """An integer in ``[low, high]``, uniformly (what the dictionary's pick draws)."""
        return low + self.random.randrange(high - low + 1)


Generate = Callable[[Choices], Any]


def generator(strategy: SearchStrategy[Any]) -> Generate:
    """A function producing values of ``strategy`` from :class:`Choices`."""
    strategy.validate()
    inner: Any = strategy  # NOTE: Hypothesis's strategy classes are untyped internals
    while isinstance(inner, LazyStrategy):
        inner = inner.wrapped_strategy
    kind = type(inner)
    if kind is IntegersStrategy and inner.start is not None and inner.end is not None:
        return _integers(inner.start, inner.end)
    if kind is BooleansStrategy:
        return lambda c: c.random.random() < 0.5
    if (kind is SampledFromStrategy or kind is JustStrategy) and not inner._transformations:
        return _sampler(tuple(inner.elements))
    if kind is BytesStrategy and inner.min_size == inner.max_size:
        size = inner.min_size
        return lambda c: c.random.randbytes(size)
    if kind is TupleStrategy:
        parts = tuple(generator(s) for s in inner.element_strategies)
        return lambda c: tuple(part(c) for part in parts)
    if kind is DictionaryIntegers:
        return _with_dictionary(generator(inner.base), inner.low, inner.high, None)
    if kind is DictionaryBytes:
        return _with_dictionary(generator(inner.base), 0, 2 ** (8 * inner.size) - 1, inner.size)
    return lambda c: c.data.draw(strategy)


def _integers(low: int, high: int) -> Generate:
    span = high - low
    edges = tuple(min(max(e, low), high) for e in (low, low + 1, high - 1, high))
    if span < _SMALL_RANGE:

        def small(c: Choices) -> int:
            rnd = c.random
            if rnd.random() < _EDGE_ROLL:
                return edges[_EDGES[rnd.randrange(6)]]
            return low + rnd.randrange(span + 1)

        return small
    bits = span.bit_length()
    widths = (*(w for w in _WIDTHS if w < bits), bits)
    count = len(widths)

    def wide(c: Choices) -> int:
        rnd = c.random
        if rnd.random() < _EDGE_ROLL:
            return edges[_EDGES[rnd.randrange(6)]]
        value = rnd.getrandbits(widths[rnd.randrange(count)])
        return low + (value if value <= span else rnd.randrange(span + 1))

    return wide


def _sampler(elements: tuple[Any, ...]) -> Generate:
    count = len(elements)
    if count == 1:
        only = elements[0]
        return lambda c: only
    return lambda c: elements[c.random.randrange(count)]


def _with_dictionary(base: Generate, low: int, high: int, size: int | None) -> Generate:
    """``base``, or part of the time a dictionary value in range (as under Hypothesis)."""

    def draw(c: Choices) -> Any:
        value = base(c)
        picked = pick(c, low, high)
        if picked is None:
            return value
        return picked if size is None else picked.to_bytes(size, "big")

    return draw
