"""Silver → gold for reports: unit_performance (per unit and month) and kpi_daily (per day, category,
channel, commune and handling unit). Pure functions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

from core.kpis import SATISFIED_RATINGS, classify_reports, score_parts, unit_score
from core.kpis import rates as kpi_rates
from core.tz import VN_TZ_NAME


def data_as_of(reports: pl.DataFrame) -> dt.datetime:
    """The moment the data speaks for: its latest timestamp (open backlog is judged at that moment).

    Using the data's own clock, not the wall clock, keeps rebuilds of the same data identical."""
    if reports.is_empty():
        return dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return reports.select(pl.max_horizontal(pl.col("updated_at").max(), pl.col("received_at").max())).item()


def _report_facts(reports: pl.DataFrame, as_of: dt.datetime) -> pl.DataFrame:
    lf = classify_reports(reports.drop("on_time", "late_with_extension", "overdue_closed"), as_of)
    frozen = reports.select("on_time", "late_with_extension", "overdue_closed")
    df = lf.collect().drop("on_time", "late_with_extension", "overdue_closed")
    df = pl.concat([df, frozen], how="horizontal")
    valid = pl.col("is_valid")
    return df.with_columns(
        month=pl.col("received_at").dt.convert_time_zone(VN_TZ_NAME).dt.strftime("%Y-%m"),
        date=pl.col("received_at").dt.convert_time_zone(VN_TZ_NAME).dt.date(),
        v_received=valid.cast(pl.Int64),
        v_invalid=(~valid).cast(pl.Int64),
        v_processed=(valid & (pl.col("status") == "resolved")).cast(pl.Int64),
        v_on_time=(valid & pl.col("on_time").fill_null(False)).cast(pl.Int64),
        v_lwe=(valid & pl.col("late_with_extension").fill_null(False)).cast(pl.Int64),
        v_open_overdue=(valid & pl.col("open_overdue")).cast(pl.Int64),
        v_rated=(valid & pl.col("rating").is_not_null()).cast(pl.Int64),
        v_satisfied=(valid & pl.col("rating").is_in(list(SATISFIED_RATINGS))).cast(pl.Int64),
        hours_to_resolve=pl.when(pl.col("status") == "resolved").then(
            (pl.col("resolved_at") - pl.col("received_at")).dt.total_microseconds() / 3.6e9),
        hours_to_assign=(pl.col("first_assigned_at") - pl.col("received_at")).dt.total_microseconds() / 3.6e9,
    ).with_columns(
        v_overdue=(valid & (pl.col("overdue_closed").fill_null(False) | pl.col("open_overdue"))).cast(pl.Int64),
        v_open=(valid & (pl.col("status").is_in(["open", "pending"]))).cast(pl.Int64),
    )


def kpi_daily(reports: pl.DataFrame, as_of: dt.datetime | None = None) -> pl.DataFrame:
    as_of = as_of or data_as_of(reports)
    df = _report_facts(reports, as_of)
    # the handling unit is part of the grain, so the ranking of any days sums the rows the headline sums
    return df.group_by("date", "category_code", "channel", "admin_unit_code_2025",
                       pl.col("current_unit_id").alias("unit_id")).agg(
        received=pl.col("v_received").sum(),
        invalid=pl.col("v_invalid").sum(),
        processed=pl.col("v_processed").sum(),
        on_time=pl.col("v_on_time").sum(),
        late_with_extension=pl.col("v_lwe").sum(),
        overdue=pl.col("v_overdue").sum(),
        open_overdue=pl.col("v_open_overdue").sum(),
        rated=pl.col("v_rated").sum(),
        satisfied=pl.col("v_satisfied").sum(),
        hours_to_resolve_sum=pl.col("hours_to_resolve").sum(),
    ).sort("date", "category_code", "channel", "admin_unit_code_2025", "unit_id")


def unit_transfers(events: pl.DataFrame) -> pl.DataFrame:
    """Transfers between units per day (Vietnam time)."""
    return (events.filter(pl.col("event_type") == "transferred", pl.col("to_unit_id").is_not_null())
            .group_by(pl.col("at").dt.convert_time_zone(VN_TZ_NAME).dt.date().alias("date"),
                      pl.col("unit_id").alias("from_unit_id"), "to_unit_id")
            .agg(transfers=pl.len().cast(pl.Int64))
            .sort("date", "from_unit_id", "to_unit_id"))


def unit_performance(reports: pl.DataFrame, events: pl.DataFrame, units: pl.DataFrame,
                     weights: Mapping[str, float], as_of: dt.datetime | None = None) -> pl.DataFrame:
    """Per handling unit (the one that holds or resolved the report) and month of receipt."""
    as_of = as_of or data_as_of(reports)
    df = _report_facts(reports, as_of).filter(pl.col("is_valid") & pl.col("current_unit_id").is_not_null())
    months = df.select("report_id", "month")
    moves = events.filter(pl.col("event_type") == "transferred").join(months, on="report_id", how="inner")
    t_in = moves.group_by(pl.col("to_unit_id").alias("unit_id"), "month").agg(transfers_in=pl.len())
    t_out = moves.group_by("unit_id", "month").agg(transfers_out=pl.len())
    g = df.group_by(pl.col("current_unit_id").alias("unit_id"), "month").agg(
        received=pl.col("v_received").sum(),
        processed=pl.col("v_processed").sum(),
        on_time=pl.col("v_on_time").sum(),
        late_with_extension=pl.col("v_lwe").sum(),
        overdue=pl.col("v_overdue").sum(),
        open_overdue=pl.col("v_open_overdue").sum(),
        open=pl.col("v_open").sum(),
        rated=pl.col("v_rated").sum(),
        satisfied=pl.col("v_satisfied").sum(),
        median_hours_to_resolve=pl.col("hours_to_resolve").median(),
        p90_hours_to_resolve=pl.col("hours_to_resolve").quantile(0.9, interpolation="linear"),
        median_hours_to_assign=pl.col("hours_to_assign").median(),
    )
    g = (g.join(t_in, on=["unit_id", "month"], how="left").join(t_out, on=["unit_id", "month"], how="left")
         .with_columns(pl.col("transfers_in").fill_null(0).cast(pl.Int64),
                       pl.col("transfers_out").fill_null(0).cast(pl.Int64))
         .join(units.select("unit_id", pl.col("name").alias("unit_name"), "unit_type"), on="unit_id", how="left"))
    # the city's figures per month: what a unit with few reports is pulled toward
    city = {m["month"]: m for m in g.group_by("month").agg(
        pl.col("received", "processed", "on_time", "open_overdue", "rated", "satisfied").sum()).iter_rows(named=True)}
    city_median = dict(df.group_by("month").agg(pl.col("hours_to_resolve").median()).iter_rows())
    rows = []
    for r in g.iter_rows(named=True):
        rt = kpi_rates(r)
        parts = score_parts(r, r["median_hours_to_resolve"], city[r["month"]], city_median.get(r["month"]))
        score, points = unit_score(parts, weights)
        rows.append({**r, "processed_rate": rt["processed_rate"], "on_time_rate": rt["on_time_rate"],
                     "strict_on_time_rate": rt["strict_on_time_rate"], "satisfaction_rate": rt["satisfaction_rate"],
                     "participation_rate": rt["participation_rate"], "score": score,
                     "score_on_time": points.get("on_time"), "score_satisfaction": points.get("satisfaction"),
                     "score_processed": points.get("processed"), "score_speed": points.get("speed"),
                     "as_of": as_of})
    from lake.tables.reports import UNIT_PERFORMANCE

    if not rows:
        out = pl.from_arrow(UNIT_PERFORMANCE.schema.empty_table())
        assert isinstance(out, pl.DataFrame)
        return out
    return pl.DataFrame(rows, infer_schema_length=None).select(UNIT_PERFORMANCE.schema.names).sort(
        "month", "unit_id")
