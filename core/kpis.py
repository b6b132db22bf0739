"""The KPI definitions, written once (DESIGN.md "KPI definitions").

Per report (frozen when it closes):
- on time: resolved by the original deadline (extensions do not move it);
- late with extension: resolved after the original deadline, with an extension granted before it;
- overdue: closed after the original deadline without an extension granted before it, or open overdue;
- open overdue: not yet resolved and past the deadline in force at the reference moment. The deadline in
  force is the extended deadline when an extension was granted before the original deadline, otherwise
  the original deadline (``deadline_in_force`` below is that sentence as code).
Rates:
- processed rate = resolved / received (valid reports; invalid ones are counted apart);
- on-time rate = on time / processed; late-with-extension rate = late with extension / processed;
- strict on-time rate = on time / (processed + open overdue): it hides no open backlog;
- satisfaction = (hài lòng + chấp nhận) / rated; participation = rated / processed.
Unit score: weighted parts (strict on-time, satisfaction, processed rate, speed) in points out of 100;
weights are configuration and the parts add up to the score, so the score explains itself. A unit with
few reports should not top the ranking on luck: each part is computed as if the unit had
``SCORE_PRIOR_REPORTS`` more reports at the city's rate for that month (shrinkage toward the mean);
the raw rates are published beside the score unchanged. ``score_parts`` is that recipe, used by the
monthly gold table and by the ranking of any period alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import polars as pl

SATISFIED_RATINGS = ("hai_long", "chap_nhan")
RATINGS = ("hai_long", "chap_nhan", "khong_hai_long")
# Speed part: 1 when the median time to resolve is within this many hours, reference/median beyond.
SPEED_REFERENCE_HOURS = 48.0
# Weight of the city's rate in a unit's score parts, in reports (see module docstring).
SCORE_PRIOR_REPORTS = 10

COUNT_KEYS = ("received", "invalid", "processed", "on_time", "late_with_extension", "overdue",
              "open_overdue", "rated", "satisfied")


def ratio(num: float | int | None, den: float | int | None) -> float | None:
    """num / den, or None when there is nothing to divide by (shown as "—", never as 0 %)."""
    if num is None or not den:
        return None
    return float(num) / float(den)


def rates(counts: Mapping[str, Any]) -> dict[str, float | None]:
    """All KPI rates from summed counts (keys of COUNT_KEYS)."""
    c = {k: counts.get(k) or 0 for k in COUNT_KEYS}
    return {
        "processed_rate": ratio(c["processed"], c["received"]),
        "on_time_rate": ratio(c["on_time"], c["processed"]),
        "late_with_extension_rate": ratio(c["late_with_extension"], c["processed"]),
        "overdue_rate": ratio(c["overdue"], c["processed"]),
        "strict_on_time_rate": strict_on_time_rate(c["on_time"], c["processed"], c["open_overdue"]),
        "satisfaction_rate": ratio(c["satisfied"], c["rated"]),
        "participation_rate": ratio(c["rated"], c["processed"]),
    }


def strict_on_time_rate(on_time: int, closed: int, open_overdue: int) -> float | None:
    """Closed on time / (closed + open overdue)."""
    return ratio(on_time, closed + open_overdue)


def shrunk(num: float | int | None, den: float | int | None, prior: float | None,
           k: float = SCORE_PRIOR_REPORTS) -> float | None:
    """(num + k·prior) / (den + k): a rate pulled toward ``prior`` as much as ``k`` reports would pull it."""
    if prior is None:
        return ratio(num, den)
    return (float(num or 0) + k * prior) / (float(den or 0) + k)


def speed_part(median_hours: float | None, reference_hours: float = SPEED_REFERENCE_HOURS) -> float | None:
    if median_hours is None:
        return None
    return 1.0 if median_hours <= reference_hours else reference_hours / median_hours


def unit_score(parts: Mapping[str, float | None], weights: Mapping[str, float]) -> tuple[float | None, dict[str, float | None]]:
    """Score out of 100 and the points each part contributes (they add up to the score).

    ``parts`` are 0..1 values keyed like ``weights`` (on_time, satisfaction, processed, speed).
    A missing part (e.g. no ratings yet) drops out and the other weights are renormalised."""
    present = {k: v for k, v in parts.items() if v is not None and weights.get(k, 0) > 0}
    total = sum(weights[k] for k in present)
    if not total:
        return None, {k: None for k in weights}
    points = {k: (100.0 * weights[k] * present[k] / total if k in present else None) for k in weights}
    return sum(p for p in points.values() if p is not None), points


def score_parts(counts: Mapping[str, Any], median_hours: float | None, prior: Mapping[str, Any],
                prior_median_hours: float | None, k: float = SCORE_PRIOR_REPORTS) -> dict[str, float | None]:
    """The 0..1 parts of a unit's score from its summed counts and median hours to resolve, each pulled
    toward the rates of ``prior`` (the counts of every unit ranked with it) as ``k`` reports would pull it."""
    c = {key: counts.get(key) or 0 for key in COUNT_KEYS}
    p = rates(prior)
    sp, prior_sp = speed_part(median_hours), speed_part(prior_median_hours)
    return {
        "on_time": shrunk(c["on_time"], c["processed"] + c["open_overdue"], p["strict_on_time_rate"], k),
        "satisfaction": shrunk(c["satisfied"], c["rated"], p["satisfaction_rate"], k),
        "processed": shrunk(c["processed"], c["received"], p["processed_rate"], k),
        "speed": None if sp is None else
        (sp * c["processed"] + k * (prior_sp if prior_sp is not None else sp)) / (c["processed"] + k),
    }


def extension_granted() -> pl.Expr:
    """An extension counts when it was granted before the original deadline."""
    return pl.col("extension_granted_at").is_not_null() & (pl.col("extension_granted_at") <= pl.col("deadline_at"))


def deadline_in_force() -> pl.Expr:
    """The extended deadline when an extension was granted before the original deadline, else the original."""
    return pl.when(extension_granted()).then(pl.coalesce(pl.col("extended_deadline_at"), pl.col("deadline_at"))) \
        .otherwise(pl.col("deadline_at"))


# ---------------------------------------------------------------- per-report flags (vectorised)
def classify_reports(reports: pl.DataFrame | pl.LazyFrame, as_of: dt.datetime) -> pl.LazyFrame:
    """Add on_time / late_with_extension / overdue_closed (from the close) and open_overdue (at as_of).

    Works on silver.reports columns; flags of closed reports depend only on their own timestamps,
    so a later deadline edit cannot rewrite them."""
    lf = reports.lazy()
    resolved = pl.col("resolved_at").is_not_null()
    ext_ok = extension_granted()
    as_of_lit = pl.lit(as_of).cast(pl.Datetime("us", "UTC"))
    return lf.with_columns(
        on_time=resolved & (pl.col("resolved_at") <= pl.col("deadline_at")),
        late_with_extension=resolved & (pl.col("resolved_at") > pl.col("deadline_at")) & ext_ok,
        overdue_closed=resolved & (pl.col("resolved_at") > pl.col("deadline_at")) & ~ext_ok,
        # a report its citizen withdrew is closed: never open, never overdue
        open_overdue=(~resolved) & pl.col("deadline_at").is_not_null() & (as_of_lit > deadline_in_force())
        & (pl.col("status").fill_null("") != "withdrawn" if "status" in lf.collect_schema().names() else pl.lit(True)),
    ).with_columns(
        pl.col("on_time").fill_null(False),
        pl.col("late_with_extension").fill_null(False),
        pl.col("overdue_closed").fill_null(False),
        pl.col("open_overdue").fill_null(False),
    )
