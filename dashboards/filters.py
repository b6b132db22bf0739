"""The sidebar every page honours: language, period and area (2025 communes and wards)."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

import polars as pl
import streamlit as st

from core import fmt
from core.labels import LANGS
from core.tz import VN_TZ, VN_TZ_NAME
from dashboards.data import has_table, sql, versioned
from dashboards.lang import current_lang, t
from lake import Lake

PRESETS = ("7", "30", "90", "365", "all", "custom")
DEFAULT_PRESET = "30"


class Filters(NamedTuple):
    start: dt.date
    end: dt.date  # inclusive
    areas: tuple[str, ...] = ()  # admin_unit_code_2025 values; () = all

    @property
    def start_ts(self) -> dt.datetime:
        """Start of ``start`` in Vietnam time (the lake stores UTC; DuckDB compares instants)."""
        return dt.datetime.combine(self.start, dt.time(0), VN_TZ)

    @property
    def end_ts(self) -> dt.datetime:
        """Exclusive end: midnight after ``end``, Vietnam time."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(0), VN_TZ)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Filters:
        """The period of the same length just before this one."""
        end = self.start - dt.timedelta(days=1)
        return Filters(end - dt.timedelta(days=self.days - 1), end, self.areas)

    def params(self) -> dict[str, Any]:
        """Bound parameters shared by the page queries ($start/$end dates, $start_ts/$end_ts instants,
        $no_area/$areas for ``($no_area OR list_contains($areas::VARCHAR[], code))``)."""
        return {"start": self.start, "end": self.end, "start_ts": self.start_ts, "end_ts": self.end_ts,
                "no_area": not self.areas, "areas": list(self.areas)}


AREA_SQL = "($no_area OR list_contains($areas::VARCHAR[], {col}))"


@versioned("gold.kpi_daily", "silver.reports", "silver.violations")
def data_bounds(lake: Lake) -> tuple[dt.date, dt.date] | None:
    """First and last receipt date (Vietnam time) of the reports, else of the camera violations;
    None for an empty lake."""
    row = sql(lake, "SELECT min(date) lo, max(date) hi FROM gold.kpi_daily WHERE received + invalid > 0")
    if row.height and row["hi"][0] is not None:
        return row["lo"][0], row["hi"][0]
    row = sql(lake, f"SELECT min(CAST(timezone('{VN_TZ_NAME}', received_at) AS DATE)) lo, "
                    f"max(CAST(timezone('{VN_TZ_NAME}', received_at) AS DATE)) hi FROM silver.reports")
    if row.height and row["hi"][0] is not None:
        return row["lo"][0], row["hi"][0]
    if has_table("silver.violations"):
        row = sql(lake, f"SELECT min(CAST(timezone('{VN_TZ_NAME}', start_at) AS DATE)) lo, "
                        f"max(CAST(timezone('{VN_TZ_NAME}', start_at) AS DATE)) hi FROM silver.violations")
        if row.height and row["hi"][0] is not None:
            return row["lo"][0], row["hi"][0]
    return None


@versioned("silver.admin_units")
def communes(lake: Lake) -> pl.DataFrame:
    """The 2025 communes and wards (code, name), the codes reports carry as admin_unit_code_2025."""
    return sql(lake, """
        SELECT code, name FROM silver.admin_units
        WHERE level = 'commune' AND (valid_to IS NULL OR valid_to >= DATE '2025-07-01')
          AND (valid_from IS NULL OR valid_from >= DATE '2025-07-01')
        ORDER BY name""")


def period_for(preset: str, bounds: tuple[dt.date, dt.date] | None,
               custom: tuple[dt.date, dt.date] | None = None) -> tuple[dt.date, dt.date]:
    """Dates of a preset, counted back from the newest data (not the wall clock: the lake may hold
    a past period)."""
    today = dt.datetime.now(VN_TZ).date()
    lo, hi = bounds or (today, today)
    if preset == "custom" and custom:
        return custom
    if preset == "all":
        return lo, hi
    days = int(preset) if preset.isdigit() else int(DEFAULT_PRESET)
    start = hi - dt.timedelta(days=days - 1)
    return (max(lo, start) if bounds else start), hi


def render_sidebar(lake: Lake, role: str) -> Filters:
    """Draw the shared sidebar and return the filters it selects (kept in session state).

    Option labels bind the language at render time (``lang=lang``), so they stay stable."""
    with st.sidebar:
        st.radio(t("language"), LANGS, key="lang", horizontal=True,
                 format_func=lambda code: t(f"lang_{code}", "vi"))
        lang = current_lang()
        bounds = data_bounds(lake)
        preset = st.selectbox(t("period"), PRESETS, key="period_preset",
                              format_func=lambda p, lang=lang: t(f"preset_{p}", lang))
        custom = None
        if preset == "custom":
            lo, hi = bounds or period_for("30", None)
            picked = st.date_input(t("date_range"), value=(max(lo, hi - dt.timedelta(days=29)), hi),
                                   min_value=lo, max_value=hi, format="DD/MM/YYYY", key="period_custom")
            if isinstance(picked, tuple | list) and len(picked) == 2:
                custom = (picked[0], picked[1])
        start, end = period_for(preset, bounds, custom)
        st.caption(t("period_caption", start=fmt.date(start), end=fmt.date(end)))
        names = communes(lake)
        label = dict(zip(names["code"].to_list(), names["name"].to_list(), strict=True))
        areas = st.multiselect(t("area"), list(label), key="areas", format_func=lambda c: label.get(c, c),
                               placeholder=t("area_all"))
        st.caption(f"{t('role')}: **{t('role_' + role)}**")
    return Filters(start, end, tuple(sorted(areas)))


def init_session_defaults() -> None:
    st.session_state.setdefault("lang", current_lang())
    st.session_state.setdefault("period_preset", DEFAULT_PRESET)
    st.session_state.setdefault("areas", [])
