"""How each valid report ends, calibrated to the published shares by exact rank selection: on time,
late with a granted extension, or (rarely) closed overdue; withdrawn by the citizen before it was
resolved; or still open at the end of the timeline (the tail of its last days).
Units differ in quality and things improve over the years, so better reports are picked first."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.sources.hues.clock import hours
from pipelines.sources.hues.lifecycle import Deadlines


@dataclass(frozen=True)
class Outcomes:
    processed: np.ndarray  # bool: resolved by the end of the window
    on_time: np.ndarray  # bool, among processed
    resolve: np.ndarray  # resolution time (the horizon where open)
    has_ext: np.ndarray  # bool: an extension was requested and granted
    ext_req: np.ndarray
    ext_grant: np.ndarray
    ext_deadline: np.ndarray
    withdrawn: np.ndarray  # bool: the citizen withdrew it before it was resolved (closed, not processed)
    withdraw_at: np.ndarray


def rank_select(score: np.ndarray, mask: np.ndarray, share: float) -> np.ndarray:
    """Exactly round(share × mask.sum()) of the masked items with the highest score."""
    idx = np.flatnonzero(mask)
    k = round(share * len(idx))
    out = np.zeros(len(score), dtype=bool)
    if k > 0:
        out[idx[np.argsort(-score[idx], kind="stable")[:k]]] = True
    return out


def outcomes(rng: np.random.Generator, *, unit_ids: np.ndarray, final_unit: np.ndarray, progress: np.ndarray,
             valid: np.ndarray, last_assign: np.ndarray, due: Deadlines, horizon: np.datetime64,
             processed_rate: float, on_time_share: float, overdue_closed_share: float) -> Outcomes:
    n = len(valid)
    unit_quality = dict(zip(unit_ids, rng.normal(0, 0.8, len(unit_ids)), strict=True))
    # units learn: later reports are handled better and faster (the published cut of the median
    # processing time since launch is 60-70 %)
    quality = np.array([unit_quality[u] for u in final_unit]) + 2.0 * progress + rng.normal(0, 1.0, n)
    speed = np.clip(1.0 - 0.75 * progress, 0.25, 1.0)
    # Draws first, selections after: the same random numbers serve every calibration round.
    window_h, deadline = due.window_h, due.deadline
    ext_req = last_assign + hours(window_h * rng.uniform(0.5, 0.85, n))
    ext_grant = ext_req + hours(np.minimum(window_h * 0.1, rng.lognormal(np.log(2.0), 0.6, n)).clip(0.01))
    ext_extra_h = np.where(due.immediate, rng.uniform(24, 72, n), rng.uniform(2, 10, n) * 24)
    on_time_at = last_assign + hours(window_h * (rng.beta(2.0, 2.5, n) * speed).clip(0.03, 0.98))
    late_ext_at = deadline + hours(ext_extra_h * rng.uniform(0.05, 0.95, n))
    overdue_at = deadline + hours(rng.lognormal(np.log(30.0), 0.7, n))
    stuck_score = rng.random(n) - 0.5 * quality
    open_ext = rng.random(n) < 0.3

    # Not processed: what would naturally be resolved after the end of the timeline (still open), plus
    # reports withdrawn by their citizen anywhere in the period (at weak units more often) up to the
    # published share. The on-time share is then re-calibrated among what was processed, since the
    # natural tail is mostly the slow cases.
    n_open_target = round((1 - processed_rate) * valid.sum())
    share = on_time_share
    for _ in range(4):
        on_time = rank_select(quality, valid, share)
        rest = valid & ~on_time
        overdue_closed = rank_select(-quality, rest, overdue_closed_share / (1 - share))
        late_ext = rest & ~overdue_closed
        resolve = np.where(on_time, on_time_at, np.where(late_ext, late_ext_at, overdue_at))
        natural_open = valid & (resolve > horizon)
        extra = max(0, n_open_target - int(natural_open.sum()))
        eligible = valid & ~natural_open
        stuck = rank_select(stuck_score, eligible, extra / max(1, int(eligible.sum())))
        processed = valid & ~(natural_open | stuck)
        realised = (on_time & processed).sum() / max(1, processed.sum())
        share = min(0.99, max(0.01, share + (on_time_share - realised)))
    # a report still open because it runs late asked for (and got) more time; a withdrawn one may have
    has_ext = (late_ext & processed) | (natural_open & rest) | (stuck & open_ext & (ext_grant < deadline))
    withdraw_at = np.maximum(last_assign + hours(window_h * rng.uniform(0.1, 0.95, n)), ext_grant + np.timedelta64(30, "m"))
    return Outcomes(processed=processed, on_time=on_time & processed,
                    resolve=np.where(processed, resolve, horizon), has_ext=has_ext, ext_req=ext_req,
                    ext_grant=ext_grant, ext_deadline=deadline + hours(ext_extra_h), withdrawn=stuck,
                    withdraw_at=np.where(stuck & open_ext, withdraw_at,
                                         last_assign + hours(window_h * rng.uniform(0.1, 0.95, n))))


def merge(parts: list[tuple[np.ndarray, Outcomes]]) -> Outcomes:
    """Outcomes computed per segment of the timeline (each calibrated on its own), put together."""
    fields = Outcomes.__dataclass_fields__
    first = parts[0][1]
    out = {f: getattr(first, f).copy() for f in fields}
    for mask, o in parts[1:]:
        for f in fields:
            out[f][mask] = getattr(o, f)[mask]
    return Outcomes(**out)
