"""Màn hình lớn: full-screen, dark, large type; rotates between panels, refreshed by
``st.fragment(run_every=…)``. Data is re-read only when a table's Delta version changed (the query
cache is keyed on versions). Never shows personal data: no names, phones, plates or free text."""

from __future__ import annotations

import datetime as dt
import os

import altair as alt
import polars as pl
import pydeck as pdk
import streamlit as st

from core import fmt
from dashboards import charts, maps, reads
from dashboards.context import empty_state, page_context
from dashboards.data import versioned
from dashboards.filters import data_time_caption
from dashboards.freshness import show_banner, show_freshness, ticker_rows
from dashboards.lang import t, t_or
from dashboards.ui import show_table, status_label
from views import floods, violations

replay_bounds = versioned(*floods.GAUGE_TABLES)(floods.replay_bounds)
gauge_status = versioned(*floods.GAUGE_TABLES)(floods.gauge_status)
violation_slices = versioned(*violations.TABLES)(violations.slices)

PANELS = ("kpis", "reports_map", "floods", "violations")
PANEL_TITLES = {"kpis": "page_overview", "reports_map": "page_reports", "floods": "page_floods",
                "violations": "page_violations"}
PANEL_DATA = {"kpis": "reports", "reports_map": "reports", "floods": "floods", "violations": "violations"}


def _config() -> tuple[list[str], int]:
    from core.settings import settings

    dash = settings().extra.get("dashboard") or {}
    raw = os.environ.get("HUE_IOC_WALL_PAGES") or ",".join(dash.get("wall_pages", PANELS))
    panels = [p.strip() for p in raw.split(",") if p.strip() in PANELS] or list(PANELS)
    seconds = int(os.environ.get("HUE_IOC_WALL_SECONDS") or dash.get("wall_seconds", 20))
    return panels, max(5, seconds)


ctx = page_context(freshness=False)  # the marks are drawn in the refreshing fragment below
lake, f, lang = ctx.lake, ctx.filters, ctx.lang
panels, seconds = _config()
if ctx.role != "wall":  # a leader/operator previewing the wall can pick the panels
    c1, c2 = st.columns([3, 1])
    panels = c1.multiselect(t("wall_pages"), PANELS, default=panels, key="wall_panels",
                            format_func=lambda p, lang=lang: t(PANEL_TITLES[p], lang)) or list(PANELS)
    seconds = int(c2.number_input(t("wall_every"), 5, 600, seconds, key="wall_seconds"))


def panel_kpis() -> None:
    h = reads.headline(lake, f.start, f.end, list(f.areas) or None)
    if h is None:
        empty_state(t("data_reports"))
        return
    cols = st.columns(6)
    cols[0].metric(t("kpi_received"), fmt.num(h["received"], lang=lang))
    cols[1].metric(t("kpi_processed"), fmt.pct(h.get("processed_rate"), lang=lang))
    cols[2].metric(t("kpi_on_time"), fmt.pct(h.get("on_time_rate"), lang=lang))
    cols[3].metric(t("kpi_late_ext"), fmt.pct(h.get("late_with_extension_rate"), lang=lang))
    cols[4].metric(t("kpi_satisfaction"), fmt.pct(h.get("satisfaction_rate"), lang=lang))
    cols[5].metric(t("kpi_open_overdue"), fmt.num(h.get("open_overdue"), lang=lang))
    trend = reads.daily_trend(lake, f)
    left, right = st.columns([3, 2])
    if not trend.is_empty():
        long = trend.unpivot(index="date", on=["received", "processed"], variable_name="series", value_name="n")
        long = long.with_columns(pl.col("series").replace({"received": t("series_received"),
                                                           "processed": t("series_processed")}))
        with left:
            charts.show(alt.Chart(long.to_pandas()).mark_line(strokeWidth=4).encode(
                x=alt.X("date:T", title=None, axis=alt.Axis(format="%d/%m", labelFontSize=18)),
                y=alt.Y("n:Q", title=None, axis=alt.Axis(labelFontSize=18)),
                color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top", labelFontSize=20)))
                .properties(height=420), lang)
    news = reads.newest_reports(lake, f.areas, 8)
    with right:
        st.subheader(t("ticker_reports"))
        if news.is_empty():
            empty_state()
        else:
            show_table(news, {"received_at": "col_time", f"category_{lang}": "col_category", "area": "col_area",
                              "status": "col_status"},
                       {"received_at": fmt.datetime, "status": lambda s: status_label(s, lang)}, static=True)


def panel_reports_map() -> None:
    at = reads.data_clock(lake)
    reports = reads.map_reports(lake, f, at=at, limit=20_000)  # codes and places only: no identity
    st.metric(t("n_reports", n=""), fmt.num(reads.map_reports_total(lake, f), lang=lang))
    pts = reports.with_columns(
        pl.when(pl.col("overdue")).then(pl.lit("overdue")).otherwise(pl.col("status")).alias("s"))
    pdf = pts.select("lat", "lon", *maps.rgba_columns(pl.col("s"), maps.STATUS_COLOURS, [120, 120, 120, 200])
                     ).to_pandas()
    layers = [maps.boundaries_layer(reads.commune_geometries(lake, f.areas), dark=True)]
    if len(pdf):
        layers.append(pdk.Layer("HexagonLayer", data=pdf[["lat", "lon"]], get_position=["lon", "lat"], radius=400,
                                extruded=False, opacity=0.5))
        layers.append(pdk.Layer("ScatterplotLayer", data=pdf, get_position=["lon", "lat"], get_fill_color=maps.RGBA,
                                get_radius=60, radius_min_pixels=2))
    st.pydeck_chart(maps.deck(layers, maps.view_for(pts), dark=True), height=760)


def panel_floods() -> None:
    if (bounds := replay_bounds(lake)) is None:
        empty_state(t("data_gauges"))
        return
    last = bounds[1]  # the newest reading: the wall shows the gauges as they stand now
    gauges = gauge_status(lake, last).filter(pl.col("lat").is_not_null()).with_columns(
        # a gauge silent for hours is shown without a level rather than with an old one as if current
        pl.when(~pl.col("stale")).then(pl.col(c)).alias(c) for c in ("latest_level_m", "alarm_level", "bulletin_vi"))
    left, right = st.columns([3, 2])
    if gauges.height:
        gpdf = gauges.select("lat", "lon", *maps.rgba_columns(pl.col("alarm_level"), maps.ALARM_COLOURS,
                                                              maps.rgba(None))).to_pandas()
        layer = pdk.Layer("ScatterplotLayer", data=gpdf, get_position=["lon", "lat"], get_fill_color=maps.RGBA,
                          get_radius=900, radius_min_pixels=12, stroked=True, get_line_color=[255, 255, 255])
        with left:
            st.pydeck_chart(maps.deck([maps.boundaries_layer(reads.commune_geometries(lake, f.areas), dark=True), layer],
                                      maps.HUE_VIEW, dark=True), height=700)
        with right:
            st.subheader(t("stations_at", at=fmt.datetime(last)))
            show_table(gauges, {"name": "col_station", "latest_level_m": "col_level", "bulletin_vi": "col_diff"},
                       {"latest_level_m": lambda v: fmt.num(v, 2, lang)}, static=True)
    else:
        empty_state()


def panel_violations() -> None:
    by_type = violations.by_type_of(violation_slices(lake, f.start, f.end, f.areas))
    if by_type.is_empty():
        empty_state()
        return
    st.metric(t("viol_total"), fmt.num(int(by_type["detected"].sum()), lang=lang))
    labels = by_type.with_columns(pl.col("violation_type").map_elements(
        lambda c: t_or(f"vt_{c}", c or "", lang), return_dtype=pl.String).alias("label"))
    charts.show(alt.Chart(labels.to_pandas()).mark_bar().encode(
        x=alt.X("detected:Q", title=None, axis=alt.Axis(labelFontSize=18)),
        y=alt.Y("label:N", sort="-x", title=None, axis=alt.Axis(labelFontSize=22, labelLimit=400)))
        .properties(height=520), lang)


RENDER = {"kpis": panel_kpis, "reports_map": panel_reports_map, "floods": panel_floods,
          "violations": panel_violations}


@st.fragment(run_every=dt.timedelta(seconds=seconds))
def rotate() -> None:
    i = st.session_state.get("wall_i", -1) + 1
    st.session_state["wall_i"] = i
    name = panels[i % len(panels)]
    show_banner(lake, lang)
    show_freshness(lake, lang)
    st.title(t(PANEL_TITLES[name]))
    # the data's own time ("Dữ liệu đến …"), never the clock: a wall over old data must not look current
    st.caption(" · ".join(x for x in (data_time_caption(lake, PANEL_DATA[name], lang),
                                      t("period_caption", start=fmt.date(f.start), end=fmt.date(f.end))) if x))
    RENDER[name]()
    st.subheader(t("ticker_events"))
    events = ticker_rows(lake, lang)
    if events.is_empty():
        empty_state()
    else:
        show_table(events, {"time": "col_time", "event": "col_event", "detail": "col_detail"}, static=True)


rotate()
