"""The IOC's check of each report: how long it takes (hotline calls are typed in at once) and, for the
invalid ones, why (spam, duplicate, out of scope, inciting content)."""

from __future__ import annotations

import numpy as np

from pipelines.sources.hues.clock import hours
from pipelines.sources.hues.vocabulary import INVALID_REASONS


def validated_at(rng: np.random.Generator, received: np.ndarray, hotline: np.ndarray) -> np.ndarray:
    n = len(received)
    return received + hours(rng.lognormal(np.log(np.where(hotline, 0.3, 1.0)), 0.8, n).clip(0.02, 20))


def invalid_reasons(rng: np.random.Generator, n: int) -> np.ndarray:
    """A reason per report (only the invalid ones keep theirs)."""
    names = list(INVALID_REASONS)
    return np.array(names, dtype=object)[rng.choice(len(names), size=n, p=np.array(list(INVALID_REASONS.values())))]
