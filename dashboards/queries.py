"""Report queries behind the pages: DuckDB over the lake with bound parameters only.

Each function is ``fn(lake, filters, ...) -> polars.DataFrame`` and cached on the Delta versions of
the tables it reads (``@versioned``); ``fn.raw`` is the uncached function (bench, tests)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from dashboards.data import sql, versioned
from dashboards.filters import AREA_SQL, Filters
from lake import Lake


def _list_filter(col: str, name: str, values: tuple[str, ...], params: dict[str, Any]) -> str:
    params[f"no_{name}"] = not values
    params[name] = list(values)
    return f"($no_{name} OR list_contains(${name}::VARCHAR[], {col}))"


def _kpi_where(f: Filters, categories: tuple[str, ...], channels: tuple[str, ...]) -> tuple[str, dict]:
    params = f.params()
    where = ["date BETWEEN $start AND $end", AREA_SQL.format(col="admin_unit_code_2025"),
             _list_filter("category_code", "cats", categories, params),
             _list_filter("channel", "chans", channels, params)]
    params.pop("start_ts")
    params.pop("end_ts")
    return " AND ".join(where), params


# ---------------------------------------------------------------------------------------- overview
@versioned("gold.kpi_daily")
def kpi_slices(lake: Lake, f: Filters, categories: tuple[str, ...] = (),
               channels: tuple[str, ...] = ()) -> pl.DataFrame:
    """One read of gold.kpi_daily for the overview: counts per (date, category, channel); the trend,
    category and channel views are sums of it (``trend_of``, ``categories_of``, ``channels_of``)."""
    where, params = _kpi_where(f, categories, channels)
    return sql(lake, f"""
        SELECT date, category_code, channel, sum(received)::BIGINT received,
               sum(processed)::BIGINT processed, sum(on_time)::BIGINT on_time
        FROM gold.kpi_daily WHERE {where} GROUP BY ALL""", params)


_COUNTS = [pl.col("received").sum(), pl.col("processed").sum(), pl.col("on_time").sum()]


def trend_of(slices: pl.DataFrame) -> pl.DataFrame:
    """Per day: received, processed, on_time (by receipt date)."""
    return slices.group_by("date").agg(_COUNTS).sort("date")


def channels_of(slices: pl.DataFrame) -> pl.DataFrame:
    return (slices.group_by("channel").agg(_COUNTS[:2]).filter(pl.col("received") > 0)
            .sort(["received", "channel"], descending=[True, False]))


def categories_of(slices: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    """Per category with its Vietnamese and English names (``names`` = ``categories(lake)``)."""
    out = (slices.group_by("category_code").agg(_COUNTS).filter(pl.col("received") > 0)
           .join(names, on="category_code", how="left")
           .with_columns(pl.coalesce("name_vi", "category_code").alias("name_vi"),
                         pl.coalesce("name_en", "name_vi", "category_code").alias("name_en")))
    return out.sort(["received", "category_code"], descending=[True, False])


def daily_trend(lake: Lake, f: Filters, categories: tuple[str, ...] = (),
                channels: tuple[str, ...] = ()) -> pl.DataFrame:
    return trend_of(kpi_slices(lake, f, categories, channels))


def by_channel(lake: Lake, f: Filters, categories: tuple[str, ...] = (),
               channels: tuple[str, ...] = ()) -> pl.DataFrame:
    return channels_of(kpi_slices(lake, f, categories, channels))


def by_category(lake: Lake, f: Filters, categories: tuple[str, ...] = (),
                channels: tuple[str, ...] = ()) -> pl.DataFrame:
    return categories_of(kpi_slices(lake, f, categories, channels), category_names(lake))


@versioned("gold.kpi_daily")
def category_options(lake: Lake) -> pl.DataFrame:
    return sql(lake, "SELECT DISTINCT category_code FROM gold.kpi_daily ORDER BY 1")


@versioned("silver.categories")
def categories(lake: Lake) -> pl.DataFrame:
    return sql(lake, "SELECT category_code, name_vi, coalesce(name_en, name_vi) name_en "
                     "FROM silver.categories ORDER BY name_vi")


category_names = categories  # for functions whose ``categories`` parameter shadows it


@versioned("gold.kpi_daily")
def channels(lake: Lake) -> pl.DataFrame:
    """Channels that received reports (from the daily figures: smaller than silver.reports)."""
    return sql(lake, "SELECT DISTINCT channel FROM gold.kpi_daily WHERE channel IS NOT NULL ORDER BY 1")


@versioned("silver.reports", "silver.categories", "silver.admin_units")
def newest_reports(lake: Lake, f: Filters, limit: int = 10) -> pl.DataFrame:
    """The newest valid reports of the area (a live ticker: not limited to the period)."""
    params = f.params() | {"limit": limit}
    return sql(lake, f"""
        WITH r AS (SELECT report_id, received_at, category_code, admin_unit_code_2025, status, channel
                   FROM silver.reports
                   WHERE is_valid AND {AREA_SQL.format(col="admin_unit_code_2025")}
                   ORDER BY received_at DESC, report_id LIMIT $limit)
        SELECT r.report_id, r.received_at, r.category_code,
               coalesce(c.name_vi, r.category_code) category_vi,
               coalesce(c.name_en, c.name_vi, r.category_code) category_en,
               coalesce(a.name, r.admin_unit_code_2025) area, r.status, r.channel
        FROM r LEFT JOIN silver.categories c USING (category_code)
        LEFT JOIN silver.admin_units a ON a.code = r.admin_unit_code_2025
        ORDER BY r.received_at DESC, r.report_id""", params)


@versioned("gold.unit_performance", "silver.reports")
def data_clock(lake: Lake) -> dt.datetime | None:
    """The moment the lake's figures describe: the gold as_of stamp, else the newest report update."""
    row = sql(lake, "SELECT max(as_of) t FROM gold.unit_performance")
    if row.height and row["t"][0] is not None:
        return row["t"][0]
    row = sql(lake, "SELECT max(updated_at) t FROM silver.reports")
    return row["t"][0] if row.height else None


# ----------------------------------------------------------------------------------- unit ranking
def _months(f: Filters) -> dict[str, str]:
    return {"m_start": f.start.strftime("%Y-%m"), "m_end": f.end.strftime("%Y-%m")}


@versioned("gold.unit_performance", "silver.units", "silver.admin_units")
def unit_ranking(lake: Lake, f: Filters, unit_types: tuple[str, ...] = ()) -> pl.DataFrame:
    """Every unit with reports in the months of the period, ranked by score.

    Counts are summed over the months; the score and its parts are the months' values weighted by
    reports received (the gold table's own per-month score, not a new formula); rates come from the
    KPI module applied to the summed counts."""
    params: dict[str, Any] = _months(f) | {"no_area": not f.areas, "areas": list(f.areas)}
    types = _list_filter("coalesce(p.unit_type, u.unit_type)", "types", unit_types, params)
    frame = sql(lake, f"""
        WITH unit_area AS (  -- the 2025 communes a unit serves: its own commune's successor, or every
                             -- successor of the communes of its (pre-2025) district
            SELECT u.unit_id, CASE WHEN a.valid_to IS NULL THEN u.admin_unit_code
                                   ELSE a.successor_code || '@2025' END AS code
            FROM silver.units u JOIN silver.admin_units a ON a.code = u.admin_unit_code AND a.level = 'commune'
            UNION
            SELECT u.unit_id, c.successor_code || '@2025'
            FROM silver.units u JOIN silver.admin_units c ON c.parent_code = u.admin_unit_code
            WHERE c.level = 'commune' AND c.successor_code IS NOT NULL),
        p AS (
            SELECT p.*, u.admin_unit_code FROM gold.unit_performance p
            LEFT JOIN silver.units u USING (unit_id)
            WHERE p.month BETWEEN $m_start AND $m_end AND {types}
              AND ($no_area OR p.unit_id IN (SELECT unit_id FROM unit_area
                                            WHERE list_contains($areas::VARCHAR[], code)))),
        agg AS (
        SELECT unit_id, any_value(unit_name) unit_name, any_value(unit_type) unit_type,
               any_value(admin_unit_code) admin_unit_code,
               coalesce(sum(score * received) / nullif(sum(received), 0), avg(score)) score,
               coalesce(sum(score_on_time * received) / nullif(sum(received), 0), avg(score_on_time)) score_on_time,
               coalesce(sum(score_satisfaction * received) / nullif(sum(received), 0), avg(score_satisfaction)) score_satisfaction,
               coalesce(sum(score_processed * received) / nullif(sum(received), 0), avg(score_processed)) score_processed,
               coalesce(sum(score_speed * received) / nullif(sum(received), 0), avg(score_speed)) score_speed,
               sum(received)::BIGINT received, sum(processed)::BIGINT processed, sum(on_time)::BIGINT on_time,
               sum(late_with_extension)::BIGINT late_with_extension, sum(overdue)::BIGINT overdue,
               sum(open_overdue)::BIGINT open_overdue, sum(rated)::BIGINT rated, sum(satisfied)::BIGINT satisfied,
               sum(transfers_in)::BIGINT transfers_in, sum(transfers_out)::BIGINT transfers_out
        FROM p GROUP BY unit_id)
        SELECT * FROM agg ORDER BY round(score, 6) DESC NULLS LAST, received DESC, unit_id""", params)
    return _with_rates(frame)


def _with_rates(frame: pl.DataFrame) -> pl.DataFrame:
    """Rates of the summed counts, by the KPI module's own ``rates`` (no formula written here)."""
    from core.kpis import rates

    keys = ("processed_rate", "on_time_rate", "strict_on_time_rate", "satisfaction_rate")
    rows = [rates(r) for r in frame.iter_rows(named=True)]
    return frame.with_columns(*[pl.Series(k, [r[k] for r in rows], dtype=pl.Float64) for k in keys])


@versioned("gold.unit_performance")
def unit_trend(lake: Lake, unit_id: str, f: Filters) -> pl.DataFrame:
    params = _months(f) | {"unit": unit_id}
    return sql(lake, """
        SELECT month, received, processed, on_time, open_overdue, score, on_time_rate, satisfaction_rate
        FROM gold.unit_performance WHERE unit_id = $unit AND month BETWEEN $m_start AND $m_end
        ORDER BY month""", params)


@versioned("silver.reports", "silver.categories")
def unit_categories(lake: Lake, unit_id: str, f: Filters) -> pl.DataFrame:
    params = f.params() | {"unit": unit_id}
    return sql(lake, f"""
        SELECT coalesce(c.name_vi, r.category_code) name_vi, coalesce(c.name_en, c.name_vi, r.category_code) name_en,
               count(*)::BIGINT received, count(r.resolved_at)::BIGINT processed
        FROM silver.reports r LEFT JOIN silver.categories c USING (category_code)
        WHERE r.current_unit_id = $unit AND r.is_valid AND r.received_at >= $start_ts AND r.received_at < $end_ts
          AND {AREA_SQL.format(col="r.admin_unit_code_2025")}
        GROUP BY ALL ORDER BY received DESC""", params)


def _classify(frame: pl.DataFrame, at: dt.datetime | None) -> pl.DataFrame:
    """Add the KPI module's per-report flags (on_time, late_with_extension, overdue_closed,
    open_overdue) and ``overdue`` = closed late without extension or open past its deadline."""
    from core.kpis import classify_reports

    # DuckDB hands back 'Etc/UTC' timestamps; the KPI module compares against 'UTC'
    frame = frame.with_columns(pl.col(pl.Datetime("us", "Etc/UTC")).dt.convert_time_zone("UTC"))
    flagged = classify_reports(frame, at or dt.datetime.now(dt.UTC)).collect()
    return flagged.with_columns(overdue=pl.col("overdue_closed") | pl.col("open_overdue"))


@versioned("silver.reports", "silver.categories")
def unit_open_reports(lake: Lake, unit_id: str, f: Filters, at: dt.datetime | None,
                      limit: int = 500) -> pl.DataFrame:
    """Reports the unit still holds (received in the period), overdue first (overdue as the KPI
    module defines it, at the data clock ``at``)."""
    params = f.params() | {"unit": unit_id}
    frame = sql(lake, f"""
        SELECT r.report_id, r.received_at, coalesce(c.name_vi, r.category_code) category_vi,
               coalesce(c.name_en, c.name_vi, r.category_code) category_en, r.status, r.deadline_at,
               r.extension_granted_at, r.extended_deadline_at, r.resolved_at
        FROM silver.reports r LEFT JOIN silver.categories c USING (category_code)
        WHERE r.current_unit_id = $unit AND r.is_valid AND r.resolved_at IS NULL
          AND r.received_at >= $start_ts AND r.received_at < $end_ts
          AND {AREA_SQL.format(col="r.admin_unit_code_2025")}""", params)
    return _classify(frame, at).sort(["open_overdue", "deadline_at", "report_id"],
                                     descending=[True, False, False], nulls_last=True).head(limit)


@versioned("gold.unit_transfers", "silver.units")
def unit_transfers(lake: Lake, unit_id: str, f: Filters) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Transfer chains in the period: (into the unit by sender, out of the unit by receiver), from
    gold.unit_transfers (per day) rather than the events table."""
    params = {"unit": unit_id, "start": f.start, "end": f.end}
    base = """FROM gold.unit_transfers e LEFT JOIN silver.units u ON u.unit_id = e.{other}
              WHERE e.{me} = $unit AND e.date >= $start AND e.date <= $end"""
    into = sql(lake, "SELECT e.from_unit_id other_id, coalesce(any_value(u.name), e.from_unit_id) other_name, "
                     "sum(e.transfers)::BIGINT transfers " + base.format(me="to_unit_id", other="from_unit_id")
               + " GROUP BY e.from_unit_id ORDER BY transfers DESC, other_id", params)
    out = sql(lake, "SELECT e.to_unit_id other_id, coalesce(any_value(u.name), e.to_unit_id) other_name, "
                    "sum(e.transfers)::BIGINT transfers " + base.format(me="from_unit_id", other="to_unit_id")
              + " GROUP BY e.to_unit_id ORDER BY transfers DESC, other_id", params)
    return into, out


# ------------------------------------------------------------------------------------ reports map
@versioned("silver.reports")
def map_reports(lake: Lake, f: Filters, statuses: tuple[str, ...] = (), categories: tuple[str, ...] = (),
                channels: tuple[str, ...] = (), overdue_only: bool = False, at: dt.datetime | None = None,
                limit: int | None = None) -> pl.DataFrame:
    """Valid reports of the period with a location, newest first (at most ``limit``), with the KPI
    module's overdue flag at the data clock ``at``. Narrow on purpose (codes, not names; no free
    text, no identity): names come from the small lookups, details from ``report_details``."""
    params = f.params() | {"limit": limit if limit and not overdue_only else None}
    where = _map_where(params, statuses, categories, channels)
    if params["limit"]:
        # the newest N: find the cut-off time on one column first, so that the wide read below skips
        # every older row group by its statistics (a top-N over all columns of millions of rows does not)
        cut = sql(lake, f"SELECT min(received_at) t FROM (SELECT r.received_at FROM silver.reports r "
                        f"WHERE {where} ORDER BY r.received_at DESC LIMIT $limit)", params)["t"][0]
        if cut is not None:
            where += " AND r.received_at >= $cut"
            params["cut"] = cut
    frame = sql(lake, f"""
        SELECT r.report_id, r.received_at, r.lat, r.lon, r.status, r.category_code, r.channel,
               r.admin_unit_code_2025, r.deadline_at, r.extension_granted_at, r.extended_deadline_at,
               r.resolved_at
        FROM silver.reports r WHERE {where}
        ORDER BY r.received_at DESC, r.report_id LIMIT $limit""", params)
    frame = _classify(frame, at)
    if overdue_only:
        frame = frame.filter(pl.col("overdue"))
        return frame.head(limit) if limit else frame
    return frame


@versioned("silver.reports", "silver.categories", "silver.admin_units")
def report_details(lake: Lake, report_ids: tuple[str, ...], personal: bool = False) -> pl.DataFrame:
    """The table rows for a few reports: names, subject, unit, rating; reporter identity only when
    ``personal`` (the operator view)."""
    personal_cols = ", r.reporter_name, r.reporter_phone" if personal else ""
    return sql(lake, f"""
        SELECT r.report_id, r.title, coalesce(c.name_vi, r.category_code) category_vi,
               coalesce(c.name_en, c.name_vi, r.category_code) category_en,
               coalesce(a.name, r.admin_unit_code_2025) area, r.current_unit_id, r.rating{personal_cols}
        FROM silver.reports r LEFT JOIN silver.categories c USING (category_code)
        LEFT JOIN silver.admin_units a ON a.code = r.admin_unit_code_2025
        WHERE list_contains($ids::VARCHAR[], r.report_id)""", {"ids": list(report_ids)})


@versioned("silver.reports", "silver.categories", "silver.admin_units")
def map_reports_total(lake: Lake, f: Filters, statuses: tuple[str, ...] = (), categories: tuple[str, ...] = (),
                      channels: tuple[str, ...] = ()) -> int:
    """How many reports ``map_reports`` would return without a limit (overdue filter aside)."""
    params = f.params()
    where = _map_where(params, statuses, categories, channels)
    return int(sql(lake, f"SELECT count(*) n FROM silver.reports r WHERE {where}", params)["n"][0])


def _map_where(params: dict[str, Any], statuses: tuple[str, ...], categories: tuple[str, ...],
               channels: tuple[str, ...]) -> str:
    return " AND ".join([
        "r.is_valid", "r.received_at >= $start_ts", "r.received_at < $end_ts", "r.lat IS NOT NULL",
        "r.lon IS NOT NULL", AREA_SQL.format(col="r.admin_unit_code_2025"),
        _list_filter("r.status", "statuses", statuses, params),
        _list_filter("r.category_code", "cats", categories, params),
        _list_filter("r.channel", "chans", channels, params),
    ])


@versioned("silver.admin_units")
def commune_geometries(lake: Lake, f: Filters) -> pl.DataFrame:
    """2025 commune and ward boundaries (GeoJSON text) for the selected areas (all when none)."""
    params = {"no_area": not f.areas, "areas": list(f.areas)}
    return sql(lake, f"""
        SELECT code, name, geometry_geojson FROM silver.admin_units
        WHERE level = 'commune' AND geometry_geojson IS NOT NULL AND geometry_geojson <> ''
          AND (valid_to IS NULL OR valid_to >= DATE '2025-07-01')
          AND {AREA_SQL.format(col="code")} ORDER BY code""", params)
