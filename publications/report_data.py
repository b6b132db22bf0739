"""The data of a leadership report, assembled from the views (no SQL and no KPI formula here).

Every read goes through one lake view pinned to a moment (``as_of``, default: now), so the report states
the table versions it used and building it again with ``--as-of`` that moment gives the same numbers.
The headline is ``views.headline``, the ranking ``views.ranking`` (the same function as the screen and
``hue-ioc kpis --ranking``), the comparisons ``Period.previous()`` and ``Period.same_period_last_year()``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from lake import Lake
from publications.provenance import tables_used, to_moment
from views import breakdowns
from views.headline import headline
from views.newest import data_clock, report_sources
from views.overdue import overdue_reports
from views.period import Period
from views.ranking import by_unit_type, ranking
from views.report_sections import Section, disasters_for, operations_for, violations_for
from views.unit_detail import unit_info

TOP_N = 10
REQUIRED = ("gold.kpi_daily", "gold.unit_performance")


@dataclass
class ReportData:
    period: Period
    moment: dt.datetime  # every read is pinned to this moment (UTC)
    as_of_given: str | None  # what the user asked for with --as-of, None = "now"
    generated_at: dt.datetime
    versions: dict[str, int | None]
    reference_time: dt.datetime  # when "open overdue" was judged (the gold tables' as_of)
    sources: dict[str, int]  # silver.reports rows by source
    unit: dict[str, Any] | None  # the unit of a per-unit report
    headline: dict[str, dict[str, Any]]  # current / previous / year_ago → headline figures
    ranking: pl.DataFrame  # all units: rank, scores and parts, counts and rates (views.ranking)
    best: pl.DataFrame
    worst: pl.DataFrame
    overdue: pl.DataFrame  # overdue reports of the listed units (best + worst, or the unit)
    trend: pl.DataFrame  # per month: counts and rates
    categories: pl.DataFrame
    unit_types: pl.DataFrame
    violations: Section
    disasters: list[Section] = field(default_factory=list)
    operations: list[Section] = field(default_factory=list)  # camera precision, moderation decisions

    @property
    def simulated(self) -> bool:
        return "simulated" in self.sources

    @property
    def kind(self) -> str:
        return "unit" if self.unit else "province"


def _headline(lake: Lake, period: Period, unit_id: str | None) -> dict[str, Any]:
    return headline(lake, start=period.start, end=period.end, unit_ids=[unit_id] if unit_id else None)


def build_report_data(lake: Lake, period: Period | str, unit_id: str | None = None,
                      as_of: str | dt.datetime | dt.date | None = None,
                      now: dt.datetime | None = None) -> ReportData:
    """Assemble a report. All reads are pinned to ``as_of`` (default: now), stated with the versions."""
    if isinstance(period, str):
        period = Period.parse(period)
    generated_at = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    moment = to_moment(as_of, generated_at)
    pinned = lake.reading_consistent().as_of(moment)  # tables that must agree: at the set recorded by then
    versions = pinned.versions(tables_used())
    missing = [t for t in REQUIRED if versions.get(t) is None]
    if missing:
        raise ValueError(f"chưa có bảng {', '.join(missing)} tại thời điểm {moment.isoformat()} / "
                         f"{', '.join(missing)} did not exist at {moment.isoformat()}: build the reports lake first")
    unit = None
    if unit_id is not None:
        unit = unit_info(pinned, unit_id)
        if unit is None:
            raise ValueError(f"không có đơn vị / unknown unit: {unit_id!r}")

    heads = {"current": _headline(pinned, period, unit_id),
             "previous": _headline(pinned, period.previous(), unit_id),
             "year_ago": _headline(pinned, period.same_period_last_year(), unit_id)}
    clock = data_clock(pinned)
    reference = moment if clock is None else (clock if clock.tzinfo else clock.replace(tzinfo=dt.UTC))
    ranked = ranking(pinned, period)
    scored = ranked.filter(pl.col("rank").is_not_null())
    best = scored.head(TOP_N)
    worst = scored.tail(TOP_N).reverse()
    listed = [unit_id] if unit_id else best["unit_id"].to_list() + worst["unit_id"].to_list()
    return ReportData(
        period=period, moment=moment, as_of_given=None if as_of is None else str(as_of),
        generated_at=generated_at, versions=versions, reference_time=reference,
        sources=report_sources(pinned), unit=unit, headline=heads, ranking=ranked, best=best, worst=worst,
        overdue=overdue_reports(pinned, period, listed, reference),
        trend=breakdowns.monthly_trend(pinned, period, unit_id),
        categories=breakdowns.by_category(pinned, period, unit_id),
        unit_types=by_unit_type(ranked),
        violations=violations_for(pinned, period),
        disasters=disasters_for(pinned, period),
        operations=operations_for(pinned, period),
    )

