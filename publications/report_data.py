"""The data of a leadership report, assembled from the lake (no rendering here).

Every read goes through one lake view pinned to a moment (``as_of``, default: now), so the report states
the table versions it used and building it again with ``--as-of`` that moment gives the same numbers.
KPI formulas are not written here: headline figures come from ``views.headline.headline`` and
rates of summed counts from ``kpis.rates``; the ranking comes from gold.unit_performance.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from core import kpis
from core.tz import VN_TZ, parse_moment
from lake import Lake
from lake.catalog import catalog
from publications.period import Period
from views.headline import headline

# Tables every report reads; the violations and disaster tables are added when the catalog has them.
CORE_TABLES = ("gold.kpi_daily", "gold.unit_performance", "silver.units", "silver.categories", "silver.reports")
VIOLATIONS_TABLE = "gold.violations_daily"
DISASTER_TABLES = ("silver.warnings", "silver.gauge_readings", "silver.gauge_stations", "silver.sos_requests",
                   "silver.hotline_calls")

COUNT_COLS = ("received", "processed", "on_time", "late_with_extension", "overdue", "open_overdue",
              "rated", "satisfied")
RATE_COLS = ("processed_rate", "on_time_rate", "late_with_extension_rate", "strict_on_time_rate",
             "satisfaction_rate", "participation_rate")
SCORE_COLS = ("score", "score_on_time", "score_satisfaction", "score_processed", "score_speed")
TOP_N = 10
TREND_MONTHS = 12


@dataclass
class Section:
    """A block of another domain's data: a table when it was loaded, otherwise a plain statement."""

    key: str
    title_vi: str
    title_en: str
    table: str  # the lake table it comes from
    available: bool  # the table exists in this lake (at the report's moment)
    frame: pl.DataFrame | None = None
    note_vi: str = ""
    note_en: str = ""


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
    ranking: pl.DataFrame  # all units: rank, scores and parts, counts and rates
    best: pl.DataFrame
    worst: pl.DataFrame
    overdue: pl.DataFrame  # overdue reports of the listed units (best + worst, or the unit)
    trend: pl.DataFrame  # per month: counts and rates
    categories: pl.DataFrame
    unit_types: pl.DataFrame
    violations: Section
    disasters: list[Section] = field(default_factory=list)

    @property
    def simulated(self) -> bool:
        return "simulated" in self.sources

    @property
    def kind(self) -> str:
        return "unit" if self.unit else "province"


# ---------------------------------------------------------------- small helpers
def _start_utc(d: dt.date) -> dt.datetime:
    """Midnight of a Vietnam date, in UTC."""
    return dt.datetime.combine(d, dt.time(0), VN_TZ).astimezone(dt.UTC)


def _to_moment(value: str | dt.datetime | dt.date | None, now: dt.datetime | None = None) -> dt.datetime:
    """The moment every read is pinned to, read exactly as ``lake.as_of`` reads it (so ``hue-ioc kpis
    --as-of X`` and ``hue-ioc report --as-of X`` see the same snapshot); None = now."""
    if value is None:
        return (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return parse_moment(value).astimezone(dt.UTC)


def stamp(t: dt.datetime) -> str:
    """A moment as exact ISO text (microseconds kept: --as-of with it reproduces the reads)."""
    return t.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def tables_used() -> list[str]:
    known = catalog()
    names = [t for t in CORE_TABLES if t in known]
    names += [t for t in (VIOLATIONS_TABLE, *DISASTER_TABLES) if t in known]
    return names


def with_rates(frame: pl.DataFrame) -> pl.DataFrame:
    """Add the KPI rates (kpis.rates) of each row's summed counts."""
    if frame.is_empty():
        return frame.with_columns([pl.lit(None, dtype=pl.Float64).alias(c) for c in RATE_COLS])
    counts = frame.select([c for c in COUNT_COLS if c in frame.columns]).iter_rows(named=True)
    rows = [{c: r[c] for c in RATE_COLS} for r in map(kpis.rates, counts)]
    rates = pl.DataFrame(rows, schema={c: pl.Float64 for c in RATE_COLS})
    return pl.concat([frame.drop([c for c in RATE_COLS if c in frame.columns]), rates.select(RATE_COLS)],
                     how="horizontal")


def _months_back(period: Period, n: int) -> list[str]:
    y, m = period.end.year, period.end.month
    out = []
    for k in range(n - 1, -1, -1):
        total = y * 12 + (m - 1) - k
        out.append(f"{total // 12}-{total % 12 + 1:02d}")
    return out


# ---------------------------------------------------------------- the figures
def headline_for(lake: Lake, period: Period, unit_id: str | None) -> dict[str, Any]:
    """Headline figures of a period: the province from gold.kpi_daily (views.headline), or one unit from
    its gold.unit_performance rows (summed counts, rates by kpis.rates)."""
    if unit_id is None:
        return headline(lake, start=period.start, end=period.end)
    sums = ", ".join(f"coalesce(sum({c}), 0)::BIGINT AS {c}" for c in COUNT_COLS)
    row = lake.sql(
        f"SELECT {sums} FROM gold.unit_performance WHERE unit_id = $u AND list_contains($months, month)",
        {"u": unit_id, "months": period.months},
    ).row(0, named=True)
    counts = {c: int(row[c]) for c in COUNT_COLS}
    return {**counts, "invalid": None, **kpis.rates(counts), "units": None}


def ranking_for(lake: Lake, period: Period) -> pl.DataFrame:
    """Every handling unit of the period, ranked by score (gold.unit_performance).

    A month is the table's rows as they are. A quarter sums the counts (rates again by kpis.rates) and
    takes the received-weighted mean of the monthly scores and parts (so the parts still add up to the
    score) and of the monthly median hours."""
    up = utc(lake.sql("SELECT * FROM gold.unit_performance WHERE list_contains($months, month)",
                      {"months": period.months}))
    if period.n_months > 1 and not up.is_empty():
        w = pl.when(pl.col("received") > 0).then(pl.col("received")).otherwise(0)

        def wmean(c: str) -> pl.Expr:
            # a score part that is missing in a month gave no points that month (the score's other
            # weights were renormalised): count it as 0 over the scored months, so parts add up to the score
            is_part = c.startswith("score")
            ok = pl.col("score").is_not_null() if is_part else pl.col(c).is_not_null()
            x = pl.col(c).fill_null(0.0) if is_part else pl.col(c)
            num = (x * w).filter(ok).sum()
            den = w.filter(ok).sum()
            plain = x.filter(ok).mean()
            out = pl.when(den > 0).then(num / den).otherwise(plain)
            return pl.when(pl.col(c).is_not_null().any()).then(out).otherwise(None).alias(c)

        up = up.group_by("unit_id").agg(
            pl.col("unit_name").last(), pl.col("unit_type").last(),
            *[pl.col(c).sum() for c in (*COUNT_COLS, "open", "transfers_in", "transfers_out")],
            *[wmean(c) for c in (*SCORE_COLS, "median_hours_to_resolve", "p90_hours_to_resolve",
                                 "median_hours_to_assign")],
            pl.col("as_of").max(),
        )
        up = with_rates(up)
    units = lake.sql("SELECT unit_id, name AS unit_name, unit_type, joined_on FROM silver.units "
                     "WHERE joined_on IS NULL OR joined_on <= $end", {"end": period.end})
    missing = units.filter(~pl.col("unit_id").is_in(up["unit_id"].to_list() if not up.is_empty() else []))
    ranked = up.sort(["score", "received", "unit_id"], descending=[True, True, False], nulls_last=True)
    n_scored = ranked.filter(pl.col("score").is_not_null()).height
    ranked = ranked.with_columns(
        pl.when(pl.col("score").is_not_null()).then(pl.int_range(1, pl.len() + 1)).otherwise(None)
        .cast(pl.Int64).alias("rank"))
    if not missing.is_empty():
        extra = missing.select("unit_id", "unit_name", "unit_type").with_columns(
            *[pl.lit(0, dtype=pl.Int64).alias(c) for c in COUNT_COLS])
        ranked = pl.concat([ranked, extra.sort("unit_id")], how="diagonal_relaxed")
    ranked = ranked.with_columns(pl.lit(period.label).alias("period"), pl.lit(n_scored).alias("ranked_units"))
    front = ["rank", "unit_id", "unit_name", "unit_type", *SCORE_COLS]
    return ranked.select([c for c in front if c in ranked.columns]
                         + [c for c in ranked.columns if c not in front])


def reference_time_for(lake: Lake, period: Period, moment: dt.datetime) -> dt.datetime:
    """When gold judged "open overdue": its as_of stamp (the moment if none)."""
    got = lake.sql("SELECT max(as_of) AS t FROM gold.unit_performance WHERE list_contains($months, month)",
                   {"months": period.months}).item()
    if got is None:
        return moment
    return got if got.tzinfo else got.replace(tzinfo=dt.UTC)


def utc(frame: pl.DataFrame) -> pl.DataFrame:
    """DuckDB hands time zones back as 'Etc/UTC': make every timestamp column plain 'UTC'."""
    return frame.with_columns([pl.col(c).dt.convert_time_zone("UTC") for c, t in frame.schema.items()
                               if isinstance(t, pl.Datetime) and t.time_zone is not None])


def reports_of_units(lake: Lake, period: Period, unit_ids: list[str]) -> pl.DataFrame:
    if not unit_ids:
        return utc(lake.sql("SELECT * FROM silver.reports WHERE false"))
    return utc(lake.sql(
        "SELECT * FROM silver.reports WHERE is_valid AND list_contains($units, current_unit_id) "
        "AND received_at >= $t0 AND received_at < $t1",
        {"units": unit_ids, "t0": _start_utc(period.start), "t1": _start_utc(period.end + dt.timedelta(days=1))},
    ))


def overdue_reports(lake: Lake, period: Period, unit_ids: list[str], reference: dt.datetime) -> pl.DataFrame:
    """The overdue reports (closed late without extension, or open past the deadline at ``reference``)
    received in the period by the given units, flags from kpis.classify_reports."""
    reports = reports_of_units(lake, period, unit_ids)
    cats = lake.sql("SELECT category_code, name_vi AS category_vi, name_en AS category_en FROM silver.categories")
    cols = ["unit_id", "report_id", "category_code", "category_vi", "category_en", "title", "received_at",
            "deadline_at", "extended_deadline_at", "resolved_at", "status", "overdue_kind", "days_overdue"]
    if reports.is_empty():
        return pl.DataFrame(schema={c: (pl.Float64 if c == "days_overdue" else pl.Utf8) for c in cols})
    ref = pl.lit(reference).cast(pl.Datetime("us", "UTC"))
    flagged = kpis.classify_reports(reports, reference).filter(
        pl.col("overdue_closed") | pl.col("open_overdue")).collect()
    out = flagged.join(cats, on="category_code", how="left").with_columns(
        pl.col("current_unit_id").alias("unit_id"),
        pl.when(pl.col("open_overdue")).then(pl.lit("open")).otherwise(pl.lit("closed_late")).alias("overdue_kind"),
        ((pl.coalesce(pl.col("resolved_at"), ref) - pl.col("deadline_at")).dt.total_seconds() / 86400.0)
        .alias("days_overdue"),
    )
    return out.select(cols).sort(["unit_id", "days_overdue"], descending=[False, True])


def trend_for(lake: Lake, period: Period, unit_id: str | None) -> pl.DataFrame:
    """Counts and rates per month over the twelve months that end with the period."""
    months = _months_back(period, TREND_MONTHS)
    if unit_id is None:
        sums = ", ".join(f"coalesce(sum({c}), 0)::BIGINT AS {c}" for c in COUNT_COLS)
        got = lake.sql(
            f"SELECT strftime(date, '%Y-%m') AS month, {sums} FROM gold.kpi_daily "
            "WHERE date >= $d0 AND date <= $d1 GROUP BY 1",
            {"d0": dt.date.fromisoformat(months[0] + "-01"), "d1": period.end},
        )
    else:
        got = lake.sql(
            f"SELECT month, {', '.join(COUNT_COLS)} FROM gold.unit_performance "
            "WHERE unit_id = $u AND list_contains($months, month)", {"u": unit_id, "months": months})
    frame = pl.DataFrame({"month": months}).join(got, on="month", how="left").with_columns(
        [pl.col(c).fill_null(0).cast(pl.Int64) for c in COUNT_COLS])
    return with_rates(frame.sort("month"))


def categories_for(lake: Lake, period: Period, unit_id: str | None, reference: dt.datetime) -> pl.DataFrame:
    """Counts and rates by category: the province from gold.kpi_daily, a unit from its reports."""
    cats = lake.sql("SELECT category_code, name_vi, name_en, process_type FROM silver.categories")
    if unit_id is None:
        sums = ", ".join(f"coalesce(sum({c}), 0)::BIGINT AS {c}" for c in COUNT_COLS)
        got = lake.sql(f"SELECT category_code, {sums} FROM gold.kpi_daily WHERE date >= $d0 AND date <= $d1 "
                       "GROUP BY 1", {"d0": period.start, "d1": period.end})
    else:
        reports = reports_of_units(lake, period, [unit_id])
        if reports.is_empty():
            got = pl.DataFrame(schema={"category_code": pl.Utf8, **{c: pl.Int64 for c in COUNT_COLS}})
        else:
            flagged = kpis.classify_reports(reports, reference).collect()
            got = flagged.group_by("category_code").agg(
                pl.len().cast(pl.Int64).alias("received"),
                pl.col("resolved_at").is_not_null().sum().cast(pl.Int64).alias("processed"),
                pl.col("on_time").sum().cast(pl.Int64).alias("on_time"),
                pl.col("late_with_extension").sum().cast(pl.Int64).alias("late_with_extension"),
                (pl.col("overdue_closed") | pl.col("open_overdue")).sum().cast(pl.Int64).alias("overdue"),
                pl.col("open_overdue").sum().cast(pl.Int64).alias("open_overdue"),
                pl.col("rating").is_not_null().sum().cast(pl.Int64).alias("rated"),
                pl.col("rating").is_in(list(kpis.SATISFIED_RATINGS)).sum().cast(pl.Int64).alias("satisfied"),
            )
    frame = got.join(cats, on="category_code", how="left").filter(pl.col("received") > 0)
    return with_rates(frame).sort(["received", "category_code"], descending=[True, False])


def unit_types_for(lake: Lake, period: Period) -> pl.DataFrame:
    sums = ", ".join(f"coalesce(sum({c}), 0)::BIGINT AS {c}" for c in COUNT_COLS)
    got = lake.sql(f"SELECT unit_type, count(DISTINCT unit_id) AS units, {sums} FROM gold.unit_performance "
                   "WHERE list_contains($months, month) GROUP BY 1 ORDER BY 1", {"months": period.months})
    return with_rates(got)


# ---------------------------------------------------------------- other domains
def _exists(lake: Lake, name: str) -> bool:
    return name in catalog() and lake.exists(name)


def violations_for(lake: Lake, period: Period) -> Section:
    sec = Section("violations", "Vi phạm giao thông ghi nhận qua camera", "Traffic violations recorded by cameras",
                  VIOLATIONS_TABLE, available=_exists(lake, VIOLATIONS_TABLE))
    if not sec.available:
        sec.note_vi = "Chưa nạp dữ liệu vi phạm từ camera (bảng gold.violations_daily chưa có trong kho dữ liệu)."
        sec.note_en = "No camera violation data was loaded (gold.violations_daily is not in the lake)."
        return sec
    day = "day" if "day" in catalog()[VIOLATIONS_TABLE].schema.names else "date"
    frame = lake.sql(f"SELECT * FROM gold.violations_daily WHERE {day} >= $d0 AND {day} <= $d1",
                     {"d0": period.start, "d1": period.end})
    sec.frame = summarise_violations(frame)
    sec.note_vi = f"{frame.height} dòng của gold.violations_daily trong kỳ, tổng hợp theo loại vi phạm."
    sec.note_en = f"{frame.height} rows of gold.violations_daily in the period, summed by violation type."
    return sec


def summarise_violations(frame: pl.DataFrame) -> pl.DataFrame:
    """Sum the daily violation rows of the period by their descriptive columns.

    gold.violations_daily belongs to the cameras domain; this takes its type-like text columns as the
    groups and its whole-number columns as the counts, so a new column there needs no change here."""
    keys = [c for c in ("violation_type", "rule", "type") if c in frame.columns][:1]
    counts = [c for c, t in frame.schema.items() if (t.is_integer() or (t.is_float() and "fine" in c))
              and c not in keys]
    extra = [pl.col("camera_id").n_unique().cast(pl.Int64).alias("cameras")] if "camera_id" in frame.columns else []
    if not keys:
        return frame.select([pl.col(c).sum() for c in counts] + extra)
    return frame.group_by(keys).agg([pl.col(c).sum() for c in counts] + extra).sort(
        [counts[0] if counts else keys[0], keys[0]], descending=[bool(counts), False])


def disasters_for(lake: Lake, period: Period) -> list[Section]:
    t0, t1 = _start_utc(period.start), _start_utc(period.end + dt.timedelta(days=1))
    p = {"t0": t0, "t1": t1}
    out: list[Section] = []

    sec = Section("warnings", "Cảnh báo (CAP) nhận và phát", "Warnings (CAP) received and issued",
                  "silver.warnings", _exists(lake, "silver.warnings"))
    if sec.available:
        sec.frame = lake.sql(
            "SELECT direction, coalesce(event, '') AS event, coalesce(severity, '') AS severity, "
            "count(*) AS warnings, count(*) FILTER (WHERE cancelled) AS cancelled "
            "FROM silver.warnings WHERE sent >= $t0 AND sent < $t1 GROUP BY ALL ORDER BY warnings DESC, 1, 2, 3", p)
    out.append(sec)

    sec = Section("gauges", "Mực nước cao nhất tại các trạm", "Highest water level at each gauge",
                  "silver.gauge_readings", _exists(lake, "silver.gauge_readings"))
    if sec.available:
        join = _exists(lake, "silver.gauge_stations")
        name = "coalesce(s.name, r.station_code)" if join else "r.station_code"
        src = ("silver.gauge_readings r LEFT JOIN silver.gauge_stations s USING (station_code)" if join
               else "silver.gauge_readings r")
        sec.frame = lake.sql(
            f"SELECT r.station_code, any_value({name}) AS name, count(*) AS readings, "
            "max(r.water_level_m) AS peak_level_m, arg_max(r.observed_at, r.water_level_m) AS peak_at, "
            "max(r.alarm_level) AS max_alarm_level, arg_max(r.bulletin_vi, r.water_level_m) AS bulletin_vi "
            f"FROM {src} WHERE r.observed_at >= $t0 AND r.observed_at < $t1 "
            "GROUP BY 1 ORDER BY max_alarm_level DESC NULLS LAST, peak_level_m DESC", p)
    out.append(sec)

    sec = Section("sos", "Yêu cầu cứu hộ (SOS)", "SOS requests", "silver.sos_requests",
                  _exists(lake, "silver.sos_requests"))
    if sec.available:
        sec.frame = lake.sql(
            "SELECT status, count(*) AS requests, coalesce(sum(people), 0)::BIGINT AS people "
            "FROM silver.sos_requests WHERE requested_at >= $t0 AND requested_at < $t1 GROUP BY 1 ORDER BY 2 DESC", p)
    out.append(sec)

    sec = Section("hotline", "Cuộc gọi đường dây nóng", "Hotline calls", "silver.hotline_calls",
                  _exists(lake, "silver.hotline_calls"))
    if sec.available:
        sec.frame = lake.sql(
            "SELECT direction, count(*) AS calls, coalesce(sum(duration_s), 0)::BIGINT AS seconds "
            "FROM silver.hotline_calls WHERE started_at >= $t0 AND started_at < $t1 GROUP BY 1 ORDER BY 1", p)
    out.append(sec)

    for s in out:
        if s.frame is not None:
            s.frame = utc(s.frame)
        if not s.available:
            s.note_vi = f"Chưa nạp dữ liệu ({s.table} chưa có trong kho dữ liệu)."
            s.note_en = f"No data was loaded ({s.table} is not in the lake)."
        elif s.frame is not None and s.frame.is_empty():
            s.note_vi = f"Không có bản ghi nào trong kỳ ({s.table})."
            s.note_en = f"No records in the period ({s.table})."
    return out


# ---------------------------------------------------------------- the whole report
def build_report_data(lake: Lake, period: Period | str, unit_id: str | None = None,
                      as_of: str | dt.datetime | dt.date | None = None,
                      now: dt.datetime | None = None) -> ReportData:
    """Assemble a report. All reads are pinned to ``as_of`` (default: now), stated with the versions."""
    if isinstance(period, str):
        period = Period.parse(period)
    generated_at = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    moment = _to_moment(as_of, generated_at)
    pinned = lake.as_of(moment)
    names = tables_used()
    versions = pinned.versions(names)
    missing = [t for t in ("gold.kpi_daily", "gold.unit_performance") if versions.get(t) is None]
    if missing:
        raise ValueError(f"chưa có bảng {', '.join(missing)} tại thời điểm {moment.isoformat()} / "
                         f"{', '.join(missing)} did not exist at {moment.isoformat()}: build the reports lake first")

    unit = None
    if unit_id is not None:
        got = pinned.sql("SELECT unit_id, name, unit_type, sector, admin_unit_code, joined_on FROM silver.units "
                         "WHERE unit_id = $u", {"u": unit_id})
        if got.is_empty():
            raise ValueError(f"không có đơn vị / unknown unit: {unit_id!r}")
        unit = got.row(0, named=True)

    headline = {
        "current": headline_for(pinned, period, unit_id),
        "previous": headline_for(pinned, period.previous(), unit_id),
        "year_ago": headline_for(pinned, period.year_ago(), unit_id),
    }
    reference = reference_time_for(pinned, period, moment)
    ranking = ranking_for(pinned, period)
    scored = ranking.filter(pl.col("rank").is_not_null())
    best = scored.head(TOP_N)
    worst = scored.tail(TOP_N).reverse()
    listed = [unit_id] if unit_id else best["unit_id"].to_list() + worst["unit_id"].to_list()
    sources = pinned.sql("SELECT source, count(*) AS n FROM silver.reports GROUP BY 1 ORDER BY 1")
    return ReportData(
        period=period,
        moment=moment,
        as_of_given=None if as_of is None else str(as_of),
        generated_at=generated_at,
        versions=versions,
        reference_time=reference,
        sources={r["source"]: int(r["n"]) for r in sources.iter_rows(named=True)},
        unit=unit,
        headline=headline,
        ranking=ranking,
        best=best,
        worst=worst,
        overdue=overdue_reports(pinned, period, listed, reference),
        trend=trend_for(pinned, period, unit_id),
        categories=categories_for(pinned, period, unit_id, reference),
        unit_types=unit_types_for(pinned, period),
        violations=violations_for(pinned, period),
        disasters=disasters_for(pinned, period),
    )


def headline_figures(data: ReportData) -> dict[str, Any]:
    """The current headline figures (what the Dagster asset shows as metadata)."""
    return dict(data.headline["current"])
