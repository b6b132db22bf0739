"""The sidebar every page honours: language, period and area (2025 communes and wards).

The period is a ``views.period.Period``: a month, quarter or year (the same periods as the leaders'
report, so "so với kỳ trước" means the previous month/quarter/year on screen as in the PDF) or a range of
days (the last N days, all data, or custom dates; compared with the same number of days just before)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core import fmt
from core.labels import LANGS
from core.tz import VN_TZ
from dashboards import reads
from dashboards.lang import current_lang, t
from lake import Lake
from views.filters import Filters
from views.period import Period

CALENDAR = ("month", "quarter", "year")
PRESETS = (*CALENDAR, "7", "30", "90", "365", "all", "custom")
DEFAULT_PRESET = "30"


def period_for(preset: str, bounds: tuple[dt.date, dt.date] | None,
               custom: tuple[dt.date, dt.date] | None = None) -> tuple[dt.date, dt.date]:
    """Dates of a range preset, counted back from the newest data (not the wall clock: the lake may hold
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


def calendar_periods(kind: str, bounds: tuple[dt.date, dt.date] | None) -> list[Period]:
    """The months, quarters or years the data touches, newest first (the current one when no data)."""
    today = dt.datetime.now(VN_TZ).date()
    lo, hi = bounds or (today, today)
    make = {"month": lambda d: Period.month(d.year, d.month),
            "quarter": lambda d: Period.quarter(d.year, (d.month - 1) // 3 + 1),
            "year": lambda d: Period.year(d.year)}[kind]
    out = [make(hi)]
    while out[-1].start > lo:
        out.append(out[-1].previous())
    return out


def default_filters(lake: Lake) -> Filters:
    start, end = period_for(DEFAULT_PRESET, reads.data_bounds(lake))
    return Filters.of(start, end)


def _pick_period(lang: str, bounds: tuple[dt.date, dt.date] | None) -> Period:
    preset = st.selectbox(t("period"), PRESETS, key="period_preset",
                          format_func=lambda p, lang=lang: t(f"preset_{p}", lang))
    if preset in CALENDAR:
        options = calendar_periods(preset, bounds)
        labels = {p.label: (p.label_en if lang == "en" else p.label_vi) for p in options}
        picked = st.selectbox(t(f"pick_{preset}"), list(labels), key=f"period_{preset}",
                              format_func=lambda code, labels=labels: labels[code])
        return Period.parse(picked)
    custom = None
    if preset == "custom":
        lo, hi = bounds or period_for(DEFAULT_PRESET, None)
        picked = st.date_input(t("date_range"), value=(max(lo, hi - dt.timedelta(days=29)), hi),
                               min_value=lo, max_value=hi, format="DD/MM/YYYY", key="period_custom")
        if isinstance(picked, tuple | list) and len(picked) == 2:
            custom = (picked[0], picked[1])
    return Period.range(*period_for(preset, bounds, custom))


def render_sidebar(lake: Lake, role: str) -> Filters:
    """Draw the shared sidebar and return the filters it selects (kept in session state).

    Option labels bind the language at render time (``lang=lang``), so they stay stable."""
    with st.sidebar:
        st.radio(t("language"), LANGS, key="lang", horizontal=True,
                 format_func=lambda code: t(f"lang_{code}", "vi"))
        lang = current_lang()
        period = _pick_period(lang, reads.data_bounds(lake))
        st.caption(t("period_caption", start=fmt.date(period.start), end=fmt.date(period.end)))
        names = reads.communes(lake)
        label = dict(zip(names["admin_unit_code"].to_list(), names["name"].to_list(), strict=True))
        areas = st.multiselect(t("area"), list(label), key="areas", format_func=lambda c: label.get(c, c),
                               placeholder=t("area_all"))
        st.caption(f"{t('role')}: **{t('role_' + role)}**")
    return Filters(period, tuple(sorted(areas)))


def init_session_defaults() -> None:
    st.session_state.setdefault("lang", current_lang())
    st.session_state.setdefault("period_preset", DEFAULT_PRESET)
    st.session_state.setdefault("areas", [])
