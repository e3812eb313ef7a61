"""A sparse linear scorer: one weight per feature string, plus a bias. Pure Python, no numpy."""

from __future__ import annotations

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
