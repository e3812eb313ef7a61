"""Sparse linear scorers over feature strings, plus a bias. Pure Python, no numpy.

:class:`LinearScorer` keeps one weight per feature string. :class:`HashedScorer` keeps one weight per
hash bucket (the hashing trick: see :func:`feature_hash`), for models trained out of core, where no
table of feature strings is ever built.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import repeat

_ZEROS = repeat(0.0)  # the default of every weights.get in a map()


def sigmoid(x: float) -> float:
    """The logistic function, safe for large magnitudes."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


@dataclass
class LinearScorer:
    """``bias + sum(weight[f])`` over binary features, or ``sum(weight[f] * value)`` over dense ones."""

    weights: dict[str, float] = field(default_factory=dict)
    bias: float = 0.0

    def decision(self, features: Iterable[str]) -> float:
        return self.bias + sum(map(self.weights.get, features, _ZEROS))

    def decision_dense(self, features: Mapping[str, float]) -> float:
        get = self.weights.get
        return self.bias + sum(get(f, 0.0) * v for f, v in features.items())

    def contributions(self, features: Iterable[str]) -> list[tuple[str, float]]:
        """The non-zero weights of ``features``, largest magnitude first."""
        get = self.weights.get
        found = [(f, get(f, 0.0)) for f in features]
        return sorted((x for x in found if x[1] != 0.0), key=lambda x: -abs(x[1]))

    def to_json(self) -> dict:
        names = sorted(self.weights)
        return {"bias": self.bias, "features": names, "weights": [self.weights[n] for n in names]}

    @classmethod
    def from_json(cls, data: Mapping) -> "LinearScorer":
        """Rebuild from :meth:`to_json` output; raises ``ValueError`` on a malformed table."""
        names, values, bias = data["features"], data["weights"], data["bias"]
        if not isinstance(names, list) or not isinstance(values, list) or len(names) != len(values):
            raise ValueError("features and weights differ in length")
        if not all(isinstance(n, str) for n in names):
            raise ValueError("a feature name is not a string")
        if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in [*values, bias]):
            raise ValueError("a weight is not a finite number")
        return cls(dict(zip(names, map(float, values))), float(bias))


HASH_NAME = "blake2b-64"


def feature_hash(feature: str, n_features: int) -> tuple[int, float]:
    """The bucket of ``feature`` in ``[0, n_features)`` and its sign (+1.0 or -1.0).

    BLAKE2b with an 8-byte digest of the UTF-8 string, read little-endian: stable across Python
    versions, processes and machines (unlike ``hash()``), and the same code at training and at
    scoring time. The top bit gives the sign, so that colliding features cancel out on average.
    """
    h = int.from_bytes(hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest(), "little")
    return h % n_features, (-1.0 if h >> 63 else 1.0)


@dataclass
class HashedScorer:
    """``bias + sum(sign(f) * weight[bucket(f)])`` over binary features; only non-zero buckets are kept."""

    n_features: int
    weights: dict[int, float] = field(default_factory=dict)
    bias: float = 0.0

    def decision(self, features: Iterable[str]) -> float:
        get, n = self.weights.get, self.n_features
        total = self.bias
        for f in features:
            index, sign = feature_hash(f, n)
            total += sign * get(index, 0.0)
        return total

    def contributions(self, features: Iterable[str]) -> list[tuple[str, float]]:
        """The non-zero weights of ``features``, largest magnitude first."""
        found = []
        for f in features:
            index, sign = feature_hash(f, self.n_features)
            found.append((f, sign * self.weights.get(index, 0.0)))
        return sorted((x for x in found if x[1] != 0.0), key=lambda x: -abs(x[1]))

    def to_json(self) -> dict:
        indices = sorted(self.weights)
        return {"kind": "hashed", "hash": HASH_NAME, "n_features": self.n_features, "bias": self.bias,
                "indices": indices, "weights": [self.weights[i] for i in indices]}

    @classmethod
    def from_json(cls, data: Mapping) -> "HashedScorer":
        """Rebuild from :meth:`to_json` output; raises ``ValueError`` on a malformed table."""
        if data.get("hash") != HASH_NAME:
            raise ValueError(f"hashed weights use hash {data.get('hash')!r}; this hedge knows {HASH_NAME!r}")
        n, indices, values, bias = data["n_features"], data["indices"], data["weights"], data["bias"]
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise ValueError("n_features is not a positive integer")
        if not isinstance(indices, list) or not isinstance(values, list) or len(indices) != len(values):
            raise ValueError("indices and weights differ in length")
        if not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < n for i in indices):
            raise ValueError("a hashed index is not an integer in [0, n_features)")
        if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in [*values, bias]):
            raise ValueError("a weight is not a finite number")
        return cls(n, dict(zip(indices, map(float, values))), float(bias))


def scorer_from_json(data: Mapping) -> LinearScorer | HashedScorer:
    """A scorer from its JSON form: ``"kind": "hashed"`` selects :class:`HashedScorer`, else a table."""
    if not isinstance(data, Mapping):
        raise ValueError("a scorer is not a JSON object")
    kind = data.get("kind", "table")
    if kind == "hashed":
        return HashedScorer.from_json(data)
    if kind != "table":
        raise ValueError(f"unknown scorer kind {kind!r}")
    return LinearScorer.from_json(data)
