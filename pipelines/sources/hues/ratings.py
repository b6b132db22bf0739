"""Citizens' ratings of resolved reports (hài lòng, chấp nhận, không hài lòng), calibrated to the
published participation and satisfaction; an unsatisfied citizen sometimes gets the report reopened."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.sources.hues.clock import hours
from pipelines.sources.hues.outcomes import rank_select


@dataclass(frozen=True)
class Ratings:
    rated: np.ndarray  # bool
    rated_at: np.ndarray
    rating: np.ndarray  # hai_long | chap_nhan | khong_hai_long
    reopen: np.ndarray  # bool: reopened, then resolved again
    reopen_at: np.ndarray
    re_resolve: np.ndarray


def ratings(rng: np.random.Generator, *, processed: np.ndarray, resolve: np.ndarray, on_time: np.ndarray,
            horizon: np.datetime64, participation: float, satisfied_share: float, reopen_share: float) -> Ratings:
    n = len(processed)
    rated = rank_select(rng.random(n), processed, participation)
    rated_at = resolve + hours(rng.lognormal(np.log(10.0), 1.0, n).clip(0.1, 240))
    rated &= rated_at <= horizon
    # reports closed on time please more often
    satisfied = rank_select(rng.normal(0, 1, n) + np.where(on_time, 0.8, 0.0), rated, satisfied_share)
    rating = np.where(satisfied, np.where(rng.random(n) < 0.7, "hai_long", "chap_nhan"), "khong_hai_long")
    reopen = rated & ~satisfied & (rng.random(n) < reopen_share / (1 - satisfied_share))
    reopen_at = rated_at + hours(rng.uniform(1, 48, n))
    re_resolve = reopen_at + hours(rng.uniform(4, 72, n))
    return Ratings(rated, rated_at, rating, reopen & (re_resolve <= horizon), reopen_at, re_resolve)


def merge(parts: list[tuple[np.ndarray, Ratings]]) -> Ratings:
    """Ratings computed per segment of the timeline, put together."""
    fields = Ratings.__dataclass_fields__
    out = {f: getattr(parts[0][1], f).copy() for f in fields}
    for mask, r in parts[1:]:
        for f in fields:
            out[f][mask] = getattr(r, f)[mask]
    return Ratings(**out)
