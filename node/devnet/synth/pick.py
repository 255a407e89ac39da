"""Small random helpers shared by the record builders: the generator's random source,
weighted choice and money."""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


class SynthRandom(random.Random):
    """``random.Random`` with integer draws made from one ``random()`` call each.

    The standard ``randint``/``choice`` reject-sample through several Python calls; at
    a few dozen draws per record that dominated the generator's time. Scaling a float
    has a bias below 2**-40 for the small ranges used here, irrelevant for test data.
    """

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def below(self, n: int) -> int:
        """An integer in ``[0, n)``; precondition ``n > 0``."""
        return int(self.random() * n)

    def pick(self, seq: Sequence[T]) -> T:
        """One item of the non-empty ``seq``."""
        return seq[int(self.random() * len(seq))]


class Weighted(Generic[T]):
    """A fixed weighted choice, precomputed so a pick costs one ``random()`` and a bisect.

    Precondition: at least one item and a positive total weight.
    """

    __slots__ = ("_cum", "_items", "_last", "_total")

    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        items: list[T] = []
        weights: list[float] = []
        for item, weight in pairs:
            if weight > 0:
                items.append(item)
                weights.append(weight)
        if not items:
            raise ValueError("weighted choice needs at least one item with a positive weight")
        self._items = tuple(items)
        self._cum = tuple(accumulate(weights))
        self._total = self._cum[-1]
        self._last = len(items) - 1

    def pick(self, rng: SynthRandom) -> T:
        i = bisect_right(self._cum, rng.random() * self._total)
        return self._items[i if i <= self._last else self._last]

    @property
    def items(self) -> tuple[T, ...]:
        return self._items


def yuan_between(rng: SynthRandom, low: int, high: int) -> int:
    """A round amount of yuan in ``[low, high]``: whole thousands for larger ranges, whole
    hundreds below, as fines are decided. Precondition: ``0 < low <= high``."""
    step = 1000 if high >= 50000 and high - low >= 1000 else 100
    first = -(-low // step)
    last = high // step
    if last < first:
        return low
    return rng.randint(first, last) * step


def wan(yuan: int) -> str:
    """Whole yuan as a 万元 decimal string without trailing zeros: 52300 -> "5.23"."""
    whole, rest = divmod(yuan, 10000)
    if not rest:
        return str(whole)
    return f"{whole}.{rest:04d}".rstrip("0")
