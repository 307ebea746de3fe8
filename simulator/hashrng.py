"""Counter-based random numbers: every draw is a pure function of (seed, stream name, id).

There is no generator state. Drawing the values of ids 5..9 gives the same numbers whether
they are drawn alone, in a chunk of 250k ids or in a scattered selection, which is what lets
the simulator produce the full load, each CDC batch and the ground truth in independent
streaming passes over id ranges and still agree on every value.

The mixing function is splitmix64 (the output stage of Java's SplittableRandom).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np

from simulator.types import F64, I64, U64, BoolArray

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 2.0**-53


def _mix(x: U64) -> U64:
    x = x ^ (x >> np.uint64(30))
    x = x * _MIX1
    x = x ^ (x >> np.uint64(27))
    x = x * _MIX2
    result: U64 = x ^ (x >> np.uint64(31))
    return result


@lru_cache(maxsize=4096)
def _stream_key(seed: int, name: str) -> int:
    digest = hashlib.blake2b(f"{seed}\x1f{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


class Rng:
    """Named, stateless random streams for one seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def bits(self, name: str, ids: I64) -> U64:
        """64 random bits per id for stream `name`."""
        key = np.uint64(_stream_key(self.seed, name))
        return _mix(ids.astype(np.uint64) * _GOLDEN + key)

    def uniform(self, name: str, ids: I64) -> F64:
        """Uniform floats in [0, 1)."""
        values: F64 = (self.bits(name, ids) >> np.uint64(11)).astype(np.float64) * _TO_UNIT
        return values

    def below(self, name: str, ids: I64, bound: int | I64) -> I64:
        """Uniform integers in [0, bound); `bound` may be an array (each >= 1)."""
        drawn: I64 = (self.uniform(name, ids) * bound).astype(np.int64)
        return drawn

    def chance(self, name: str, ids: I64, probability: float | F64) -> BoolArray:
        """True with the given probability."""
        hit: BoolArray = self.uniform(name, ids) < probability
        return hit

    def choice(self, name: str, ids: I64, weights: tuple[float, ...]) -> I64:
        """Index into `weights`, drawn with those (unnormalised) weights."""
        cumulative = np.cumsum(np.asarray(weights, dtype=np.float64))
        target = self.uniform(name, ids) * cumulative[-1]
        picked: I64 = np.searchsorted(cumulative, target, side="right").astype(np.int64)
        return np.minimum(picked, len(weights) - 1)

    def normal(self, name: str, ids: I64) -> F64:
        """Standard normal values (Box-Muller on two independent streams)."""
        u1 = 1.0 - self.uniform(name + "#1", ids)
        u2 = self.uniform(name + "#2", ids)
        values: F64 = np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)
        return values

    def lognormal(self, name: str, ids: I64, median: float | F64, sigma: float) -> F64:
        """Log-normal values with the given median."""
        values: F64 = median * np.exp(sigma * self.normal(name, ids))
        return values

    def exponential(self, name: str, ids: I64, mean: float) -> F64:
        """Exponential values with the given mean."""
        values: F64 = -mean * np.log(1.0 - self.uniform(name, ids))
        return values
