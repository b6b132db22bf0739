"""The reports map: located reports of a period with their overdue flag, their count, a few reports'
details, and the 2025 commune boundaries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import polars as pl

from lake import Lake
from views.filters import AREA_SQL, Filters, list_filter
from views.map_index import MAP_COLUMNS, MapIndex, map_index, overdue_rows
from views.overdue import flag_reports
from views.sql import query


def _where(params: dict[str, Any], statuses: tuple[str, ...], categories: tuple[str, ...],
           channels: tuple[str, ...], located: bool = True) -> str:
    return " AND ".join([
        "r.is_valid", "r.received_at >= $start_ts", "r.received_at < $end_ts",
        "r.lat IS NOT NULL AND r.lon IS NOT NULL" if located else "(r.lat IS NULL OR r.lon IS NULL)",
        AREA_SQL.format(col="r.admin_unit_code_2025"),
        list_filter("r.status", "statuses", statuses, params),
        list_filter("r.category_code", "cats", categories, params),
        list_filter("r.channel", "chans", channels, params),
    ])


def map_reports(lake: Lake, f: Filters, statuses: tuple[str, ...] = (), categories: tuple[str, ...] = (),
                channels: tuple[str, ...] = (), overdue_only: bool = False, at: dt.datetime | None = None,
                limit: int | None = None) -> pl.DataFrame:
    """Valid reports of the period with a location, newest first (at most ``limit``), with the overdue
    flag at the data clock ``at``. Narrow on purpose (codes, not names; no free text, no identity): names
    come from the small lookups, details from ``report_details``."""
    if overdue_only:
        rows = _kept_overdue(lake, f, True, statuses, categories, channels, at)
        if rows is not None:
            return rows.head(limit) if limit else rows
    params = f.params() | {"limit": limit if limit and not overdue_only else None}
    where = _where(params, statuses, categories, channels)
    kept = getattr(lake, "keeps_results", False) and not overdue_only and MapIndex.answers(f)
    index = map_index(lake) if kept else None
    if index is not None:
        # the rows the statement will return, from the index: bound the statement to the seconds they were
        # received in, so that it reads only the row groups that hold them (the bounds may take in a few
        # more rows of those seconds, never fewer: the order and the limit pick the same ones)
        lo, mask = index.matches(f, True, statuses, categories, channels)
        hits = np.flatnonzero(mask)
        if hits.size == 0:
            where += " AND false"
        else:
            first = hits[-limit] if limit and hits.size > limit else hits[0]
            where += " AND r.received_at >= $cut AND r.received_at < $top"
            params |= {"cut": index.second(lo + int(first)),
                       "top": index.second(lo + int(hits[-1])) + dt.timedelta(seconds=1)}
    elif params["limit"]:
        # the newest N: find the cut-off time on one column first, so that the wide read below skips
        # every older row group by its statistics (a top-N over all columns of millions of rows does not)
        cut = query(lake, f"SELECT min(received_at) t FROM (SELECT r.received_at FROM silver.reports r "
                          f"WHERE {where} ORDER BY r.received_at DESC LIMIT $limit)", params)["t"][0]
        if cut is not None:
            where += " AND r.received_at >= $cut"
            params["cut"] = cut
    frame = query(lake, f"""
        SELECT {", ".join(f"r.{c}" for c in MAP_COLUMNS)} FROM silver.reports r WHERE {where}
        ORDER BY r.received_at DESC, r.report_id LIMIT $limit""", params)
    frame = flag_reports(frame, at)
    if overdue_only:
        frame = frame.filter(pl.col("overdue"))
        return frame.head(limit) if limit else frame
    return frame


def map_reports_total(lake: Lake, f: Filters, statuses: tuple[str, ...] = (), categories: tuple[str, ...] = (),
                      channels: tuple[str, ...] = ()) -> int:
    """How many reports ``map_reports`` would return without a limit (overdue filter aside)."""
    index = map_index(lake) if getattr(lake, "keeps_results", False) and MapIndex.answers(f) else None
    if index is not None:
        return int(np.count_nonzero(index.matches(f, True, statuses, categories, channels)[1]))
    params = f.params()
    where = _where(params, statuses, categories, channels)
    return int(query(lake, f"SELECT count(*) n FROM silver.reports r WHERE {where}", params)["n"][0])


def unlocated_count(lake: Lake, f: Filters, statuses: tuple[str, ...] = (), categories: tuple[str, ...] = (),
                    channels: tuple[str, ...] = (), overdue_only: bool = False,
                    at: dt.datetime | None = None) -> int:
    """How many reports the map's filters match but the map cannot place (no coordinates)."""
    if overdue_only:
        rows = _kept_overdue(lake, f, False, statuses, categories, channels, at)
        if rows is not None:
            return rows.height
    kept = getattr(lake, "keeps_results", False) and not overdue_only and MapIndex.answers(f)
    index = map_index(lake) if kept else None
    if index is not None:
        return int(np.count_nonzero(index.matches(f, False, statuses, categories, channels)[1]))
    params = f.params()
    where = _where(params, statuses, categories, channels, located=False)
    frame = query(lake, f"""SELECT r.report_id, r.received_at, r.status, r.deadline_at, r.extension_granted_at,
               r.extended_deadline_at, r.resolved_at FROM silver.reports r WHERE {where}""", params)
    if overdue_only:
        frame = flag_reports(frame, at).filter(pl.col("overdue"))
    return frame.height


def _kept_overdue(lake: Lake, f: Filters, located: bool, statuses: tuple[str, ...], categories: tuple[str, ...],
                  channels: tuple[str, ...], at: dt.datetime | None) -> pl.DataFrame | None:
    """The overdue reports the map's filters match, newest first and flagged, from the kept reports that can be
    overdue (None: the statements answer). Flagged here by ``flag_reports`` as the statements' rows are."""
    kept = overdue_rows(lake) if getattr(lake, "keeps_results", False) else None
    if kept is None:
        return None
    at = at or dt.datetime.now(dt.UTC)
    return flag_reports(kept.select(f, located, statuses, categories, channels, at), at).filter(pl.col("overdue"))


def report_details(lake: Lake, report_ids: tuple[str, ...], personal: bool = False) -> pl.DataFrame:
    """The table rows for a few reports: names, subject, unit, rating; reporter identity only when
    ``personal`` (the operator view). The range of the ids lets DuckDB skip the row groups of other ids
    (silver.reports is written sorted by report_id)."""
    personal_cols = ", r.reporter_name, r.reporter_phone" if personal else ""
    return query(lake, f"""
        SELECT r.report_id, r.title, coalesce(c.name_vi, r.category_code) category_vi,
               coalesce(c.name_en, c.name_vi, r.category_code) category_en,
               coalesce(a.name, r.admin_unit_code_2025) area, r.current_unit_id, r.rating{personal_cols}
        FROM silver.reports r LEFT JOIN silver.categories c USING (category_code)
        LEFT JOIN silver.admin_units a ON a.admin_unit_code = r.admin_unit_code_2025
        WHERE r.report_id BETWEEN $lo AND $hi AND list_contains($ids::VARCHAR[], r.report_id)""",
                 {"ids": list(report_ids), "lo": min(report_ids, default=""), "hi": max(report_ids, default="")})


def commune_geometries(lake: Lake, areas: tuple[str, ...] = ()) -> pl.DataFrame:
    """2025 commune and ward boundaries (GeoJSON text) for the areas (all when none)."""
    return query(lake, f"""
        SELECT admin_unit_code, name, geometry_geojson FROM silver.admin_units
        WHERE level = 'commune' AND geometry_geojson IS NOT NULL AND geometry_geojson <> ''
          AND (valid_to IS NULL OR valid_to >= DATE '2025-07-01')
          AND {AREA_SQL.format(col="admin_unit_code")} ORDER BY admin_unit_code""", {"no_area": not areas, "areas": list(areas)})
