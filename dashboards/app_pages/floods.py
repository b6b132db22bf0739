"""Thiên tai & ngập lụt: gauges coloured by alarm level with hydrographs, warning areas, SOS points
and flood reports, at a moment chosen on a time slider (replay an event), or live: while readings arrive the page
follows them by itself (a fragment re-checks the tables' versions every few seconds and reruns the page when they
moved). The layers come from ``views.floods_layers.map_layers(lake, at)``. Operators approve the IOC's warning
drafts here (``dashboards.drafts_panel``)."""

from __future__ import annotations

import datetime as dt

import altair as alt
import polars as pl
import pydeck as pdk
import streamlit as st

from core import fmt
from core.tz import VN_TZ, VN_TZ_NAME
from dashboards import access, charts, maps, reads
from dashboards.context import empty_state, page_context
from dashboards.data import table_versions, versioned
from dashboards.drafts_panel import show_drafts
from dashboards.filters import data_time_caption
from dashboards.lang import t, t_or
from dashboards.tables import show_sortable
from dashboards.ui import status_label
from views import floods, floods_layers, warnings

replay_bounds = versioned(*floods.GAUGE_TABLES)(floods.replay_bounds)
map_layers = versioned(*floods_layers.LAYER_TABLES)(floods_layers.map_layers)
hydrograph = versioned(*floods.GAUGE_TABLES)(floods.hydrograph)
# Live: the newest reading is this recent; the page then shows the gauges as they stand and follows new data.
LIVE_WITHIN = dt.timedelta(hours=6)
FOLLOW_SECONDS = 3
FOLLOWED = (*floods_layers.LAYER_TABLES, *warnings.DRAFT_TABLES)

ctx = page_context()
lake, f, lang = ctx.lake, ctx.filters, ctx.lang

st.title(t("page_floods"))
if (bounds := replay_bounds(lake)) is None:
    empty_state(t("data_gauges"))
    st.stop()
if caption := data_time_caption(lake, "floods", lang):
    st.caption(caption)


def _moments(df: pl.DataFrame, *cols: str) -> pl.DataFrame:
    """ISO texts of the map layers → instants, so a time column sorts as time (drawn in Vietnam time)."""
    return df.with_columns(pl.col(c).map_elements(lambda v: dt.datetime.fromisoformat(v) if v else None,
                                                  return_dtype=pl.Datetime("us", "UTC")) for c in cols
                           if c in df.columns and df.schema[c] == pl.String)
span, peak = bounds[:2], bounds[2]
st.session_state["flood_seen"] = table_versions(lake, FOLLOWED)  # what this run shows (the follower compares)
live = st.toggle(t("flood_live"), value=span[1] >= dt.datetime.now(dt.UTC) - LIVE_WITHIN, key="flood_live",
                 help=t("flood_live_help"))

lo, hi = (fmt.to_local(x).replace(tzinfo=None, minute=0, second=0, microsecond=0) for x in span)
hi = max(hi, lo + dt.timedelta(hours=1))
if "flood_at" not in st.session_state or not lo <= st.session_state["flood_at"] <= hi:
    st.session_state["flood_at"] = (fmt.to_local(peak).replace(tzinfo=None, minute=0, second=0, microsecond=0)
                                    if peak is not None else hi)
if live:  # the gauges as they stand: up to the newest reading, to the minute
    at = span[1]
    picked = fmt.to_local(at).replace(tzinfo=None)
else:
    picked = st.slider(t("replay_time"), min_value=lo, max_value=hi, step=dt.timedelta(hours=1),
                       format="DD/MM/YYYY HH:mm", key="flood_at")
    at = picked.replace(tzinfo=VN_TZ).astimezone(dt.UTC)


@st.fragment(run_every=dt.timedelta(seconds=FOLLOW_SECONDS))
def _follow() -> None:
    """While live, rerun the page as soon as a followed table moved (a new reading, a draft, a decision)."""
    if st.session_state.get("flood_live") and table_versions(lake, FOLLOWED) != st.session_state.get("flood_seen"):
        st.rerun(scope="app")


_follow()

layers_data = map_layers(lake, at)
gauges = pl.DataFrame(layers_data["gauges"], infer_schema_length=None) if layers_data["gauges"] else pl.DataFrame()
areas = layers_data["warning_areas"]
sos_rows = [r for r in layers_data["sos"] if r.get("open_at")]
reports = layers_data["flood_reports"]
counts = floods_layers.headline_of(layers_data)

k = st.columns(4)
k[0].metric(t("gauges"), f"{fmt.num(counts['alarmed'], lang=lang)} / {fmt.num(counts['gauges'], lang=lang)}",
            border=True, help=t("alarm_1") + "+")
k[1].metric(t("warning_areas"), fmt.num(counts["warnings"], lang=lang), border=True)
k[2].metric(t("sos_points"), fmt.num(counts["sos_open"], lang=lang), border=True)
k[3].metric(t("flood_reports"), fmt.num(counts["flood_reports"], lang=lang), border=True)
show_drafts(lake, ctx.role, lang)


def _level_text(row: dict) -> str:
    if row.get("latest_level_m") is None:
        return fmt.DASH
    if lang == "vi" and row.get("bulletin_vi"):
        return row["bulletin_vi"]
    level, diff = row.get("alarm_level"), row.get("diff_m")
    if level is None or diff is None:
        return row.get(f"level_name_{lang}") or fmt.DASH
    ref = level if level >= 1 else 1
    return t("above_alarm" if diff >= 0 else "below_alarm", level=ref, diff=fmt.num(abs(diff), 2, lang))


layers: list[pdk.Layer | None] = [maps.boundaries_layer(reads.commune_geometries(lake, f.areas))]
if areas["features"]:
    for ft in areas["features"]:
        ft["properties"]["fill"] = maps.rgba(ft["properties"].get("colour"), 60)
        ft["properties"]["line"] = maps.rgba(ft["properties"].get("colour"), 220)
    layers.append(pdk.Layer("GeoJsonLayer", id="warnings", data=areas, stroked=True, filled=True,
                            get_fill_color="properties.fill", get_line_color="properties.line",
                            line_width_min_pixels=2, pickable=True))
if reports:
    layers.append(pdk.Layer("ScatterplotLayer", id="flood_reports", data=[
        {"lat": r["lat"], "lon": r["lon"], "title": r.get("title") or ""} for r in reports],
        get_position=["lon", "lat"], get_fill_color=[31, 119, 180, 190], get_radius=120, radius_min_pixels=4,
        pickable=True))
if sos_rows:
    layers.append(pdk.Layer("ScatterplotLayer", id="sos", data=[
        {"lat": r["lat"], "lon": r["lon"], "place": r.get("place") or "", "people": r.get("people") or 0}
        for r in sos_rows if r.get("lat") is not None], get_position=["lon", "lat"],
        get_fill_color=[148, 0, 211, 220], get_radius=200, radius_min_pixels=6, pickable=True))
if gauges.height:
    gpdf = [{"name": r["name"], "lat": r["lat"], "lon": r["lon"], "fill": maps.rgba(r.get("colour")),
             "level": fmt.num(r.get("latest_level_m"), 2, lang) + " m", "alarm_text": _level_text(r)}
            for r in gauges.iter_rows(named=True) if r.get("lat") is not None]
    layers.append(pdk.Layer("ScatterplotLayer", id="gauges", data=gpdf, get_position=["lon", "lat"],
                            get_fill_color="fill", get_line_color=[20, 20, 20, 255], stroked=True,
                            line_width_min_pixels=2, get_radius=900, radius_min_pixels=9, radius_max_pixels=22,
                            pickable=True))
st.subheader(t("flood_map"))
st.pydeck_chart(maps.deck(layers, maps.HUE_VIEW, tooltip={
    "html": "<b>{name}</b> {level}<br/>{alarm_text}{headline}{place}{title}"}), height=600, key="flood_deck")
legend = " · ".join(f"<span style='color:rgb({c[0]},{c[1]},{c[2]})'>●</span> {t(f'alarm_{a}')}"
                    for a, c in maps.ALARM_COLOURS.items())
st.markdown(f"{t('legend')}: {legend} · <span style='color:rgb(148,0,211)'>●</span> {t('sos_points')} · "
            f"<span style='color:rgb(31,119,180)'>●</span> {t('flood_reports')}", unsafe_allow_html=True)

st.subheader(t("stations_at", at=fmt.datetime(at)))
if gauges.is_empty():
    empty_state()
else:
    shown = gauges.with_columns(pl.struct(gauges.columns).map_elements(_level_text, return_dtype=pl.String)
                                .alias("alarm_text"))
    show_sortable(_moments(shown, "latest_at"),
                  {"name": "col_station", "river": "col_river", "latest_level_m": "col_level",
                   "alarm_text": "col_diff", "latest_at": "col_time"},
                  {"latest_level_m": lambda v: fmt.num(v, 2, lang), "latest_at": fmt.datetime}, key="flood_gauges")
    names = dict(zip(gauges["station_code"].to_list(), gauges["name"].to_list(), strict=True))
    code = st.selectbox(t("choose_station"), list(names), key="flood_station", format_func=lambda c: names[c])
    st.markdown(f"**{t('hydrograph')} — {names[code]}**")
    hg = hydrograph(lake, code, span[0], span[1])
    if hg.is_empty():
        empty_state()
    else:
        lv_row = gauges.filter(pl.col("station_code") == code).row(0, named=True)  # its alarm levels
        hpd = hg.with_columns(pl.col("observed_at").dt.convert_time_zone(VN_TZ_NAME)
                              .dt.replace_time_zone(None)).to_pandas()
        base = alt.Chart(hpd).mark_line(color="#1f77b4").encode(
            x=alt.X("observed_at:T", title=t("col_time"), axis=alt.Axis(format="%d/%m %Hh")),
            y=alt.Y("water_level_m:Q", title=t("col_level")),
            tooltip=[alt.Tooltip("observed_at:T", format="%d/%m/%Y %H:%M", title=t("col_time")),
                     alt.Tooltip("water_level_m:Q", format=".2f", title=t("col_level"))])
        rules = [alt.Chart(pl.DataFrame({"y": [lv_row[f"alarm{i}_m"]]}).to_pandas()).mark_rule(
            color=maps.hex_colour(maps.ALARM_COLOURS[i]), strokeDash=[6, 3]).encode(y="y:Q")
            for i in (1, 2, 3) if lv_row.get(f"alarm{i}_m") is not None]
        now = alt.Chart(pl.DataFrame({"x": [picked]}).to_pandas()).mark_rule(color="#555").encode(x="x:T")
        charts.show(alt.layer(base, *rules, now), lang)

c1, c2 = st.columns(2)
with c1:
    st.subheader(t("warning_areas"))
    seen: dict[str, dict] = {}  # one row per warning in force (a warning may cover several areas)
    for ft in areas["features"]:
        props = ft["properties"]
        seen.setdefault(props.get("warning_id"), props)
    if not seen:
        empty_state()
    else:
        warn = pl.DataFrame([{k: p.get(k) for k in ("sent", "headline", "severity", "areaDesc")}
                             for p in seen.values()], infer_schema_length=None).sort("sent", descending=True)
        show_sortable(_moments(warn, "sent"), {"sent": "col_time", "headline": "col_headline",
                                               "severity": "col_severity", "areaDesc": "col_area"},
                      {"sent": fmt.datetime, "severity": lambda c: t_or(f"severity_{c}", c or fmt.DASH, lang)},
                      key="flood_warn")
with c2:
    st.subheader(t("sos_points"))
    if not sos_rows:
        empty_state()
    else:
        sos = pl.DataFrame(sos_rows, infer_schema_length=None)
        cols = {"requested_at": "col_time", "place": "col_area", "people": "col_people", "needs": "col_description",
                "status": "col_status"}
        if access.may_see_personal_data(ctx.role):
            cols |= {"handler": "col_unit"}
        show_sortable(_moments(sos, "requested_at"), cols,
                      {"requested_at": fmt.datetime, "people": lambda v: fmt.num(v, lang=lang),
                       "status": lambda s: status_label(s, lang)}, key="flood_sos")
