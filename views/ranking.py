"""The ranking of the handling units for any period: one function for the screen, the PDF, the XLSX and
``hue-ioc kpis``.

Counts are sums of the gold.kpi_daily rows the headline sums (same days, same areas), grouped by the
handling unit, so the ranking's totals equal the headline of the same period and areas, also for days
that cut months. The score is ``core.kpis.unit_score`` of ``core.kpis.score_parts`` over the period's
summed counts (never an average of monthly scores), each part pulled toward the rate of all the reports
ranked (the headline's rate); the speed part needs the median hours to resolve, which daily sums cannot
give, so it comes from the same reports in silver.reports (valid, resolved, received in the period).

Policy for units without reports in the period (written once, here): with no area filter every unit in
the network at the period's end (``joined_on`` on or before it, ``valid_to`` not before it) is listed after
the ranked units, with
zero counts and without rank or score ("không có phản ánh trong kỳ"); with an area filter only units that
received reports from those areas appear.

Two routes give the same frame: on a lake (an engine that keeps answers per Delta version) without an area
filter, ``views.ranking_kept`` slices kept answers with numpy and runs no statement; otherwise (areas, or an
engine that keeps nothing, like the PostgreSQL twin of the bench) the two statements below.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from core.kpis import rates, score_parts, unit_score
from core.settings import settings
from lake import Lake
from views import ranking_kept
from views.filters import AREA_SQL, list_filter
from views.period import Period
from views.ranking_kept import RANK_COUNTS
from views.sql import query

SCORE_COLS = ("score", "score_on_time", "score_satisfaction", "score_processed", "score_speed")
RATE_COLS = ("processed_rate", "on_time_rate", "late_with_extension_rate", "strict_on_time_rate",
             "satisfaction_rate", "participation_rate")
_PART_OF = {"score_on_time": "on_time", "score_satisfaction": "satisfaction", "score_processed": "processed",
            "score_speed": "speed"}
COLUMNS = ("rank", "unit_id", "unit_name", "unit_type", *SCORE_COLS, *RANK_COUNTS, *RATE_COLS,
           "median_hours_to_resolve", "transfers_in", "transfers_out")


def _params(period: Period, areas: Sequence[str], unit_types: Sequence[str]) -> tuple[dict[str, Any], str]:
    params: dict[str, Any] = {"start": period.start, "end": period.end, "start_ts": period.start_ts,
                              "end_ts": period.end_ts, "no_area": not areas, "areas": list(areas)}
    types = list_filter("u.unit_type", "types", tuple(unit_types), params)
    return params, types


def _counts_and_medians(lake: Lake, params: dict[str, Any],
                        types: str) -> tuple[pl.DataFrame, dict[str, float], float | None]:
    """The summed counts per unit (units with reports received), and the median hours to resolve per unit
    and over every unit ranked (the prior of the speed part), in one statement (each costs DuckDB a plan)."""
    sums = ", ".join(f"coalesce(sum(k.{c}), 0)::BIGINT AS {c}" for c in RANK_COUNTS)
    got = query(lake, f"""
        WITH c AS (
            SELECT k.unit_id, {sums}
            FROM gold.kpi_daily k LEFT JOIN silver.units u USING (unit_id)
            WHERE k.date BETWEEN $start AND $end AND k.unit_id IS NOT NULL
              AND {AREA_SQL.format(col="k.admin_unit_code_2025")} AND {types}
            GROUP BY k.unit_id HAVING sum(k.received) > 0),
        m AS (
            SELECT r.current_unit_id AS unit_id, grouping(r.current_unit_id) AS overall,
                   median(epoch(r.resolved_at - r.received_at) / 3600.0) AS median_hours
            FROM silver.reports r LEFT JOIN silver.units u ON u.unit_id = r.current_unit_id
            WHERE r.is_valid AND r.status = 'resolved' AND r.current_unit_id IS NOT NULL
              AND r.received_at >= $start_ts AND r.received_at < $end_ts
              AND {AREA_SQL.format(col="r.admin_unit_code_2025")} AND {types}
            GROUP BY GROUPING SETS ((r.current_unit_id), ()))
        SELECT c.*, m.unit_id AS m_unit, m.overall, m.median_hours FROM c FULL JOIN m ON m.unit_id = c.unit_id""",
                params)
    counts = got.filter(pl.col("unit_id").is_not_null()).select("unit_id", *RANK_COUNTS)
    per_unit = {r["m_unit"]: r["median_hours"] for r in got.select("m_unit", "median_hours").iter_rows(named=True)
                if r["m_unit"] is not None}
    overall = got.filter(pl.col("overall") == 1)["median_hours"]
    return counts, per_unit, (overall[0] if overall.len() else None)


def _units_and_transfers(lake: Lake, params: dict[str, Any], types: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The units of the filters (name, type, in the network at the period's end), and transfers in and out
    per unit by the day of the transfer (transfers carry no area), in one statement."""
    # a unit of an earlier era (valid_to before the period's end) has left the network (lakes built before the
    # eras have no valid_to)
    left = "u.valid_to IS NOT NULL AND u.valid_to < $end" if "valid_to" in lake.sql_per_version(
        "SELECT * FROM silver.units LIMIT 0").columns else "FALSE"
    got = query(lake, f"""
        WITH t AS (SELECT unit_id, sum(t_in)::BIGINT AS transfers_in, sum(t_out)::BIGINT AS transfers_out
                   FROM (SELECT to_unit_id AS unit_id, transfers AS t_in, 0 AS t_out FROM gold.unit_transfers
                         WHERE date BETWEEN $start AND $end
                         UNION ALL
                         SELECT from_unit_id, 0, transfers FROM gold.unit_transfers
                         WHERE date BETWEEN $start AND $end) x
                   GROUP BY unit_id),
        n AS (SELECT u.unit_id, u.name AS unit_name, u.unit_type,
                     (u.joined_on IS NULL OR u.joined_on <= $end) AND NOT ({left}) AS in_network
              FROM silver.units u WHERE {types})
        SELECT n.unit_id, n.unit_name, n.unit_type, n.in_network, t.unit_id AS t_unit, t.transfers_in,
               t.transfers_out
        FROM n FULL JOIN t ON t.unit_id = n.unit_id""", params)
    units = got.filter(pl.col("unit_id").is_not_null()).select("unit_id", "unit_name", "unit_type", "in_network")
    transfers = got.filter(pl.col("t_unit").is_not_null()).select(
        pl.col("t_unit").alias("unit_id"), "transfers_in", "transfers_out")
    return units, transfers


def ranking(lake: Lake, period: Period, areas: Sequence[str] = (), unit_types: Sequence[str] = (),
            weights: Mapping[str, float] | None = None) -> pl.DataFrame:
    """Every unit ranked by score for ``period`` (and the 2025 communes ``areas``, the ``unit_types``).

    Columns: ``COLUMNS``. Rank 1 is the best score; ties break on more reports received, then unit id.
    Units without reports follow, unranked (see the module's policy)."""
    weights = dict(weights or settings().score_weights)
    if getattr(lake, "keeps_results", False) and not areas:
        # the kept answers carry no area, so an area filter takes the statements
        counts, medians, prior_median = ranking_kept.counts_and_medians(lake, period, unit_types)
        units, transfers = ranking_kept.units_and_transfers(lake, period, unit_types)
    else:
        params, types = _params(period, areas, unit_types)
        counts, medians, prior_median = _counts_and_medians(lake, params, types)
        units, transfers = _units_and_transfers(lake, params, types)
    prior = {c: int(counts[c].sum()) for c in RANK_COUNTS}
    rows = []
    for r in counts.iter_rows(named=True):
        median = medians.get(r["unit_id"])
        score, points = unit_score(score_parts(r, median, prior, prior_median), weights)
        rows.append({**r, **rates(r), "score": score, "median_hours_to_resolve": median,
                     **{col: points.get(part) for col, part in _PART_OF.items()}})
    schema = {"unit_id": pl.Utf8, **{c: pl.Int64 for c in RANK_COUNTS}, **{c: pl.Float64 for c in SCORE_COLS},
              **{c: pl.Float64 for c in RATE_COLS}, "median_hours_to_resolve": pl.Float64}
    scored = pl.DataFrame([{k: row.get(k) for k in schema} for row in rows], schema=schema)
    scored = scored.sort(["score", "received", "unit_id"], descending=[True, True, False], nulls_last=True)
    scored = scored.with_columns(
        pl.when(pl.col("score").is_not_null()).then(pl.int_range(1, pl.len() + 1)).otherwise(None)
        .cast(pl.Int64).alias("rank"))
    idle = units.filter(pl.col("in_network") & pl.lit(not areas)
                        & ~pl.col("unit_id").is_in(scored["unit_id"].implode())).sort("unit_id").select("unit_id")
    out = pl.concat([scored, idle.with_columns(*[pl.lit(0, pl.Int64).alias(c) for c in RANK_COUNTS])],
                    how="diagonal_relaxed")
    out = (out.join(units.drop("in_network"), on="unit_id", how="left")
           .join(transfers, on="unit_id", how="left")
           .with_columns(pl.col("transfers_in").fill_null(0), pl.col("transfers_out").fill_null(0)))
    return out.select(COLUMNS)


def by_unit_type(frame: pl.DataFrame) -> pl.DataFrame:
    """A ranking's counts summed per unit type (units = those with reports), with their rates."""
    got = (frame.filter(pl.col("received") > 0).group_by("unit_type")
           .agg(pl.len().cast(pl.Int64).alias("units"), *[pl.col(c).sum() for c in RANK_COUNTS]).sort("unit_type"))
    rows = [rates(r) for r in got.iter_rows(named=True)]
    return got.with_columns(*[pl.Series(c, [r[c] for r in rows], dtype=pl.Float64) for c in RATE_COLS])


def totals(frame: pl.DataFrame) -> dict[str, int]:
    """The summed counts of a ranking (they equal the headline of the same period and areas)."""
    return {c: int(frame[c].sum()) for c in RANK_COUNTS}
