"""One unit's drill-down for a period: its monthly trend, categories, open reports and transfers."""

from __future__ import annotations

import datetime as dt

import polars as pl

from lake import Lake
from views.filters import AREA_SQL, Filters
from views.overdue import flag_reports
from views.sql import query


def unit_trend(lake: Lake, unit_id: str, f: Filters) -> pl.DataFrame:
    """The unit's months touched by the period, as gold.unit_performance scored them (whole months)."""
    # the months are consecutive YYYY-MM keys: a range on the table's sort key (unit_id, month) prunes by
    # its statistics, a list membership does not
    months = f.period.months
    return query(lake, """
        SELECT month, received, processed, on_time, open_overdue, score, on_time_rate, satisfaction_rate
        FROM gold.unit_performance WHERE unit_id = $unit AND month BETWEEN $m0 AND $m1
        ORDER BY month""", {"unit": unit_id, "m0": months[0], "m1": months[-1]})


def unit_categories(lake: Lake, unit_id: str, f: Filters) -> pl.DataFrame:
    """The unit's reports of the period and areas by category (from gold.kpi_daily, like the ranking)."""
    params = f.params() | {"unit": unit_id}
    return query(lake, f"""
        SELECT coalesce(c.name_vi, k.category_code) name_vi, coalesce(c.name_en, c.name_vi, k.category_code) name_en,
               sum(k.received)::BIGINT received, sum(k.processed)::BIGINT processed
        FROM gold.kpi_daily k LEFT JOIN silver.categories c USING (category_code)
        WHERE k.unit_id = $unit AND k.date BETWEEN $start AND $end
          AND {AREA_SQL.format(col="k.admin_unit_code_2025")}
        GROUP BY ALL HAVING sum(k.received) > 0 ORDER BY received DESC, name_vi""", params)


def unit_open_reports(lake: Lake, unit_id: str, f: Filters, at: dt.datetime | None,
                      limit: int = 500) -> pl.DataFrame:
    """Reports the unit still holds (received in the period), open overdue first (judged at ``at``)."""
    params = f.params() | {"unit": unit_id}
    frame = query(lake, f"""
        SELECT r.report_id, r.received_at, coalesce(c.name_vi, r.category_code) category_vi,
               coalesce(c.name_en, c.name_vi, r.category_code) category_en, r.status, r.deadline_at,
               r.extension_granted_at, r.extended_deadline_at, r.resolved_at
        FROM silver.reports r LEFT JOIN silver.categories c USING (category_code)
        WHERE r.current_unit_id = $unit AND r.is_valid AND r.resolved_at IS NULL
          AND r.received_at >= $start_ts AND r.received_at < $end_ts
          AND {AREA_SQL.format(col="r.admin_unit_code_2025")}""", params)
    return flag_reports(frame, at).sort(["open_overdue", "deadline_at", "report_id"],
                                        descending=[True, False, False], nulls_last=True).head(limit)


def unit_transfers(lake: Lake, unit_id: str, f: Filters) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Transfers in the period: (into the unit by sender, out of the unit by receiver), from
    gold.unit_transfers (per day) rather than the events table."""
    params = {"unit": unit_id, "start": f.start, "end": f.end}
    # both sides in one statement (each statement costs DuckDB a plan): ``inward`` tells them apart
    got = query(lake, """
        WITH e AS (SELECT true AS inward, from_unit_id AS other_id, transfers FROM gold.unit_transfers
                   WHERE to_unit_id = $unit AND date >= $start AND date <= $end
                   UNION ALL
                   SELECT false, to_unit_id, transfers FROM gold.unit_transfers
                   WHERE from_unit_id = $unit AND date >= $start AND date <= $end)
        SELECT e.inward, e.other_id, coalesce(any_value(u.name), e.other_id) other_name,
               sum(e.transfers)::BIGINT transfers
        FROM e LEFT JOIN silver.units u ON u.unit_id = e.other_id
        GROUP BY e.inward, e.other_id""", params)

    def side(inward: bool) -> pl.DataFrame:
        return (got.filter(pl.col("inward") == inward).drop("inward")
                .sort(["transfers", "other_id"], descending=[True, False], nulls_last=True))

    return side(True), side(False)


def unit_info(lake: Lake, unit_id: str) -> dict | None:
    """The unit's row of silver.units, None when unknown."""
    got = query(lake, "SELECT unit_id, name, unit_type, sector, admin_unit_code, joined_on FROM silver.units "
                      "WHERE unit_id = $u", {"u": unit_id})
    return None if got.is_empty() else got.row(0, named=True)
