"""The sidebar every page honours: language, period and area (2025 communes and wards).

The period is a ``views.period.Period``: a month, quarter or year (the same periods as the leaders'
report, so "so với kỳ trước" means the previous month/quarter/year on screen as in the PDF) or a range of
days (the last N days, all data, or custom dates; compared with the same number of days just before).
The default is the last complete month of the data (``Period.last_complete_month``): a period ending on the
newest day would compare a still-open tail with a closed month.

The choices live in session state under keys of their own (``KEEP``), copied from the widgets after each
run and put back before the widgets are drawn: a widget drawn again with its label in another language
(or not drawn for a run, like the month picker while a range is chosen) cannot reset the period."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core import fmt
from core.labels import LANGS
from core.tz import VN_TZ
from dashboards import reads
from dashboards.data import versioned
from dashboards.lang import current_lang, t
from lake import Lake
from views import freshness
from views.filters import Filters
from views.period import Period

CALENDAR = ("month", "quarter", "year")
PRESETS = (*CALENDAR, "7", "30", "90", "365", "all", "custom")
DEFAULT_PRESET = "month"  # the last complete month of the data
RANGE_DAYS = "30"  # a range preset's days when none is given
KEEP = ("period_preset", "period_month", "period_quarter", "period_year", "period_custom", "areas")

data_time = versioned(*freshness.DATA_TIME_TABLES)(freshness.data_time)


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
    days = int(preset) if preset.isdigit() else int(RANGE_DAYS)
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


def default_period(bounds: tuple[dt.date, dt.date] | None) -> Period:
    """The last complete month of the data (the current month of the clock when the lake is empty)."""
    if bounds is None:
        today = dt.datetime.now(VN_TZ).date()
        return Period.month(today.year, today.month)
    return Period.last_complete_month(bounds[1], bounds[0])


def default_filters(lake: Lake) -> Filters:
    return Filters(default_period(reads.data_bounds(lake)))


def widget_key(name: str, lang: str) -> str:
    """A widget's key in ``lang``: its label and option texts differ per language, and the browser resets a
    widget whose texts change; a widget of its own per language, filled from the kept choice, cannot."""
    return name if lang == "vi" else f"{name}_{lang}"


def _restore(key: str, allowed: list | None = None, name: str | None = None) -> None:
    """Put the kept choice (of ``name``, default ``key``) back under the widget's key before the widget is
    drawn (see the module doc)."""
    if key in st.session_state:  # the widget's own value (a fresh click included) wins
        return
    kept = st.session_state.get(f"_keep_{name or key}")
    if kept is not None and (allowed is None or kept in allowed):
        st.session_state[key] = kept


def _keep(key: str, name: str | None = None) -> None:
    st.session_state[f"_keep_{name or key}"] = st.session_state.get(key)


def _pick_period(lang: str, bounds: tuple[dt.date, dt.date] | None) -> Period:
    key = widget_key("period_preset", lang)
    _restore(key, list(PRESETS), "period_preset")
    st.session_state.setdefault(key, DEFAULT_PRESET)
    preset = st.selectbox(t("period"), PRESETS, key=key, format_func=lambda p, lang=lang: t(f"preset_{p}", lang))
    _keep(key, "period_preset")
    if preset in CALENDAR:
        options = calendar_periods(preset, bounds)
        labels = {p.label: (p.label_en if lang == "en" else p.label_vi) for p in options}
        name = f"period_{preset}"
        key = widget_key(name, lang)
        _restore(key, list(labels), name)
        if st.session_state.get(key) not in labels:
            default = default_period(bounds)
            st.session_state[key] = next((p.label for p in options if p.start <= default.start <= p.end),
                                         options[0].label)
        picked = st.selectbox(t(f"pick_{preset}"), list(labels), key=key,
                              format_func=lambda code, labels=labels: labels[code])
        _keep(key, name)
        return Period.parse(picked)
    custom = None
    if preset == "custom":
        lo, hi = bounds or period_for(RANGE_DAYS, None)
        key = widget_key("period_custom", lang)
        _restore(key, None, "period_custom")
        kept = st.session_state.get(key)
        if not (isinstance(kept, tuple | list) and all(lo <= d <= hi for d in kept)):
            st.session_state[key] = (max(lo, hi - dt.timedelta(days=29)), hi)
        picked = st.date_input(t("date_range"), min_value=lo, max_value=hi, format="DD/MM/YYYY", key=key)
        _keep(key, "period_custom")
        if isinstance(picked, tuple | list) and len(picked) == 2:
            custom = (picked[0], picked[1])
    return Period.range(*period_for(preset, bounds, custom))


def data_time_caption(lake: Lake, kind: str, lang: str | None = None) -> str | None:
    """"Dữ liệu đến 31/05/2022 23:58": the newest event the page's data reflects (``views.freshness``),
    in Vietnam time; None when the lake holds no such data."""
    at = data_time(lake, kind)
    return None if at is None else t("data_as_of", lang, at=fmt.datetime(at))


def render_sidebar(lake: Lake, role: str) -> Filters:
    """Draw the shared sidebar and return the filters it selects (kept in session state).

    Option labels bind the language at render time (``lang=lang``), so they stay stable."""
    with st.sidebar:
        st.radio(t("language"), LANGS, key="lang", horizontal=True,
                 format_func=lambda code: t(f"lang_{code}", "vi"))
        _keep("lang")
        lang = current_lang()
        period = _pick_period(lang, reads.data_bounds(lake))
        st.caption(t("period_caption", start=fmt.date(period.start), end=fmt.date(period.end)))
        names = reads.communes(lake)
        label = dict(zip(names["admin_unit_code"].to_list(), names["name"].to_list(), strict=True))
        key = widget_key("areas", lang)
        _restore(key, None, "areas")
        st.session_state[key] = [c for c in st.session_state.get(key, []) if c in label]
        areas = st.multiselect(t("area"), list(label), key=key, format_func=lambda c: label.get(c, c),
                               placeholder=t("area_all"))
        _keep(key, "areas")
        st.caption(f"{t('role')}: **{t('role_' + role)}**")
    return Filters(period, tuple(sorted(areas)))


def init_session_defaults() -> None:
    _restore("lang", list(LANGS))
    st.session_state.setdefault("lang", current_lang())
    st.session_state.setdefault("_keep_period_preset", DEFAULT_PRESET)
    st.session_state.setdefault("_keep_areas", [])
