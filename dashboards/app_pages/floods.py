"""Thiên tai & ngập lụt: gauges coloured by alarm level with hydrographs, warning areas, SOS points
and flood reports, at a moment chosen on a time slider (replay an event)."""

from __future__ import annotations

import datetime as dt
import json

import altair as alt
import polars as pl
import pydeck as pdk
import streamlit as st

from dashboards import access, fmt, maps, queries
from dashboards import flood_queries as fq
from dashboards.context import empty_state, page_context
from dashboards.strings import t
from dashboards.ui import show_table

ctx = page_context()
lake, f, lang = ctx.lake, ctx.filters, ctx.lang

st.title(t("page_floods"))
if not fq.available():
    empty_state("silver.gauge_readings")
    st.stop()
span = fq.reading_span(lake)
if span is None:
    empty_state("silver.gauge_readings")
    st.stop()

lo, hi = (fmt.to_local(x).replace(tzinfo=None, minute=0, second=0, microsecond=0) for x in span)
hi = max(hi, lo + dt.timedelta(hours=1))
picked = st.slider(t("replay_time"), min_value=lo, max_value=hi, value=st.session_state.get("flood_at", hi),
                   step=dt.timedelta(hours=1), format="DD/MM/YYYY HH:mm", key="flood_at")
at = picked.replace(tzinfo=fmt.VN_TZ).astimezone(dt.UTC) + dt.timedelta(minutes=59, seconds=59)

gauges = fq.gauges_at(lake, at)
warn = fq.warnings_at(lake, at)
sos = fq.sos_at(lake, at, personal=access.may_see_personal_data(ctx.role))
floods = fq.flood_reports_at(lake, at)

k = st.columns(4)
alarmed = gauges.filter(pl.col("alarm_level") >= 1).height if gauges.height else 0
k[0].metric(t("gauges"), fmt.num(alarmed, lang=lang) + " / " + fmt.num(gauges.height, lang=lang), border=True,
            help=t("alarm_1") + "+")
k[1].metric(t("warning_areas"), fmt.num(warn.height, lang=lang), border=True)
k[2].metric(t("sos_points"), fmt.num(sos.height, lang=lang), border=True)
k[3].metric(t("flood_reports"), fmt.num(floods.height, lang=lang), border=True)


def _alarm_text(row: dict) -> str:
    if row.get("water_level_m") is None:
        return fmt.DASH
    level, diff = row.get("ref_level"), row.get("diff_m")
    if level is None or diff is None:
        return t(f"alarm_{row.get('alarm_level') or 0}")
    key = "above_alarm" if diff >= 0 else "below_alarm"
    return t(key, level=level, diff=fmt.num(abs(diff), 2, lang))


layers: list[pdk.Layer | None] = [maps.boundaries_layer(queries.commune_geometries(lake, f))]
if warn.height:
    feats = []
    for row in warn.iter_rows(named=True):
        try:
            fc = json.loads(row["areas_geojson"] or "{}")
        except ValueError:
            continue
        for feat in fc.get("features", []) if isinstance(fc, dict) else []:
            if feat.get("geometry"):
                feat["properties"] = {"headline": row["headline"] or "", "severity": row["severity"] or ""}
                feats.append(feat)
    if feats:
        layers.append(pdk.Layer("GeoJsonLayer", id="warnings", data={"type": "FeatureCollection", "features": feats},
                                stroked=True, filled=True, get_fill_color=[255, 140, 0, 70],
                                get_line_color=[255, 100, 0, 220], line_width_min_pixels=2, pickable=True))
if floods.height:
    layers.append(pdk.Layer("ScatterplotLayer", id="flood_reports",
                            data=floods.select("lat", "lon", pl.col("title").fill_null("")).to_pandas(),
                            get_position=["lon", "lat"], get_fill_color=[31, 119, 180, 170], get_radius=120,
                            radius_min_pixels=3, pickable=True))
if sos.height:
    layers.append(pdk.Layer("ScatterplotLayer", id="sos", data=sos.select(
        "lat", "lon", pl.col("place").fill_null(""), pl.col("people").fill_null(0),
        pl.col("needs").fill_null("")).to_pandas(), get_position=["lon", "lat"], get_fill_color=[148, 0, 211, 220],
        get_radius=200, radius_min_pixels=5, pickable=True))
if gauges.height:
    gpdf = gauges.with_columns(
        *maps.rgba_columns(pl.col("alarm_level").fill_null(0), maps.ALARM_COLOURS, [96, 125, 139, 230]),
        pl.struct(gauges.columns).map_elements(_alarm_text, return_dtype=pl.String).alias("alarm_text"),
        pl.col("water_level_m").map_elements(lambda v: fmt.num(v, 2, lang), return_dtype=pl.String).alias("level"),
    ).select("station_code", "name", "lat", "lon", "r", "g", "b", "a", "alarm_text", "level").to_pandas()
    layers.append(pdk.Layer("ScatterplotLayer", id="gauges", data=gpdf, get_position=["lon", "lat"],
                            get_fill_color=maps.RGBA, get_line_color=[20, 20, 20, 255], stroked=True,
                            line_width_min_pixels=2, get_radius=900, radius_min_pixels=9, radius_max_pixels=22,
                            pickable=True))
st.subheader(t("flood_map"))
st.pydeck_chart(maps.deck(layers, maps.HUE_VIEW, tooltip={
    "html": "<b>{name}</b> {level}<br/>{alarm_text}{headline}{place}{title}"}), height=560, key="flood_deck")
legend = " · ".join(f"<span style='color:rgb({c[0]},{c[1]},{c[2]})'>●</span> {t(f'alarm_{a}')}"
                    for a, c in maps.ALARM_COLOURS.items())
st.markdown(f"{t('legend')}: {legend} · <span style='color:rgb(148,0,211)'>●</span> {t('sos_points')} · "
            f"<span style='color:rgb(31,119,180)'>●</span> {t('flood_reports')}", unsafe_allow_html=True)

st.subheader(t("stations_at", at=fmt.datetime(at)))
if gauges.is_empty():
    empty_state()
else:
    show_table(gauges.with_columns(pl.struct(gauges.columns).map_elements(_alarm_text, return_dtype=pl.String)
                                   .alias("alarm_text")),
               {"name": "col_station", "river": "col_area", "water_level_m": "col_level",
                "alarm_text": "col_diff", "observed_at": "col_time"},
               {"water_level_m": lambda v: fmt.num(v, 2, lang), "observed_at": fmt.datetime}, key="flood_gauges")
    names = dict(zip(gauges["station_code"].to_list(), gauges["name"].to_list(), strict=True))
    with_levels = gauges.filter(pl.col("alarm1_m").is_not_null())["station_code"].to_list() or list(names)
    code = st.selectbox(t("choose_station"), with_levels, key="flood_station", format_func=lambda c: names[c])
    st.markdown(f"**{t('hydrograph')} — {names[code]}**")
    hg = fq.hydrograph(lake, code, span[0], span[1])
    if hg.is_empty():
        empty_state()
    else:
        st_row = gauges.filter(pl.col("station_code") == code).row(0, named=True)
        hpd = hg.with_columns(pl.col("observed_at").dt.convert_time_zone("Asia/Ho_Chi_Minh")
                              .dt.replace_time_zone(None)).to_pandas()
        base = alt.Chart(hpd).mark_line(color="#1f77b4").encode(
            x=alt.X("observed_at:T", title=t("col_time"), axis=alt.Axis(format="%d/%m %Hh")),
            y=alt.Y("water_level_m:Q", title=t("col_level")))
        rules = [alt.Chart(pl.DataFrame({"y": [st_row[f"alarm{i}_m"]]}).to_pandas()).mark_rule(
            color=maps.hex_colour(maps.ALARM_COLOURS[i]), strokeDash=[6, 3]).encode(y="y:Q")
            for i in (1, 2, 3) if st_row.get(f"alarm{i}_m") is not None]
        now = alt.Chart(pl.DataFrame({"x": [picked]}).to_pandas()).mark_rule(color="#555").encode(x="x:T")
        st.altair_chart(alt.layer(base, *rules, now), width="stretch")

c1, c2 = st.columns(2)
with c1:
    st.subheader(t("warning_areas"))
    if warn.is_empty():
        empty_state()
    else:
        show_table(warn, {"sent": "col_time", "headline": "col_headline", "severity": "col_severity",
                          "area_desc": "col_area"}, {"sent": fmt.datetime}, key="flood_warn")
with c2:
    st.subheader(t("sos_points"))
    if sos.is_empty():
        empty_state()
    else:
        cols = {"requested_at": "col_time", "place": "col_area", "people": "col_people", "needs": "col_description",
                "status": "col_status"}
        if access.may_see_personal_data(ctx.role):
            cols |= {"note": "col_event"}
        show_table(sos, cols, {"requested_at": fmt.datetime}, key="flood_sos")
