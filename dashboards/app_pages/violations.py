"""Vi phạm: counts by type, camera, hour and day; camera map; review queue with evidence crops and
plates (full plates for operators only); traffic flow per camera."""

from __future__ import annotations

import altair as alt
import polars as pl
import pydeck as pdk
import streamlit as st

from core import fmt
from dashboards import access, charts, maps
from dashboards.context import empty_state, page_context
from dashboards.data import versioned
from dashboards.lang import t, t_or
from dashboards.ui import show_evidence
from views import review, violations

slices = versioned(*violations.TABLES)(violations.slices)
cameras = versioned(*violations.CAMERA_TABLES)(violations.cameras)
pending = versioned(*review.TABLES)(review.pending)
pending_count = versioned(*review.TABLES)(review.pending_count)
traffic_flow = versioned(*violations.TRAFFIC_TABLES)(violations.traffic_flow)

ctx = page_context()
lake, f, lang = ctx.lake, ctx.filters, ctx.lang
st.title(t("page_violations"))
st.caption(t("period_caption", start=fmt.date(f.start), end=fmt.date(f.end)))
if not lake.exists("silver.violations"):
    empty_state(t("data_violations"))
    st.stop()


def vt(code: str | None) -> str:
    return t_or(f"vt_{code}", code or fmt.DASH, lang)


sl = slices(lake, f.start, f.end, f.areas)
s = violations.summary_of(sl)
cams = cameras(lake)
k = st.columns(4)
k[0].metric(t("viol_total"), fmt.num(s["total"], lang=lang), border=True)
k[1].metric(t("viol_fines"), fmt.num(s["fines"], lang=lang), border=True)
k[2].metric(t("viol_cameras"), fmt.num(int(cams["enabled"].fill_null(False).sum()) if cams.height else 0, lang=lang),
            border=True)
# the queue below, whatever the period: a detection waits until someone decides
k[3].metric(t("viol_to_review"), fmt.num(pending_count(lake, f.areas), lang=lang), border=True)
if s["total"] == 0:
    empty_state()


def bar(frame: pl.DataFrame, x: str, y: str, x_title: str, y_title: str, horizontal: bool = True) -> None:
    if frame.is_empty():
        empty_state()
        return
    pdf = frame.to_pandas()
    enc = (dict(x=alt.X(f"{y}:Q", title=y_title), y=alt.Y(f"{x}:N", sort="-x", title=None)) if horizontal
           else dict(x=alt.X(f"{x}:O", title=x_title), y=alt.Y(f"{y}:Q", title=y_title)))
    charts.show(alt.Chart(pdf).mark_bar().encode(**enc, tooltip=[alt.Tooltip(f"{x}:N", title=x_title),
                                                                alt.Tooltip(f"{y}:Q", title=y_title)]), lang)


c1, c2 = st.columns(2)
with c1:
    st.subheader(t("viol_by_type"))
    types = violations.by_type_of(sl)
    bar(types.with_columns(pl.col("violation_type").map_elements(vt, return_dtype=pl.String).alias("label")),
        "label", "detected", t("col_violation"), t("count"))
with c2:
    st.subheader(t("viol_by_camera"))
    per_cam = violations.by_camera_of(sl, cams)
    bar(per_cam, "name", "detected", t("col_camera"), t("count"))
c3, c4 = st.columns(2)
with c3:
    st.subheader(t("viol_by_hour"))
    bar(violations.by_hour_of(sl), "hour", "detected", t("col_hour"), t("count"), horizontal=False)
with c4:
    st.subheader(t("viol_by_day"))
    days = violations.by_day_of(sl)
    if days.is_empty():
        empty_state()
    else:
        daily = days.group_by("day").agg(pl.col("detected").sum()).sort("day").to_pandas()
        charts.show(alt.Chart(daily).mark_line(point=len(daily) <= 62).encode(
            x=alt.X("day:T", title=t("day"), axis=alt.Axis(format="%d/%m/%Y")), y=alt.Y("detected:Q", title=t("count")),
            tooltip=[alt.Tooltip("day:T", format="%d/%m/%Y", title=t("day")), alt.Tooltip("detected:Q", title=t("count"))]),
            lang)

st.subheader(t("camera_map"))
if cams.is_empty() or cams["lat"].drop_nulls().is_empty():
    empty_state(t("data_cameras"))
else:
    counts = dict(zip(per_cam["camera_id"].to_list(), per_cam["detected"].to_list(), strict=True))
    top = max(counts.values(), default=1)
    cpdf = cams.filter(pl.col("lat").is_not_null()).with_columns(
        pl.col("camera_id").replace_strict(counts, default=0, return_dtype=pl.Int64).alias("n")).with_columns(
        (40 + 260 * pl.col("n") / top).alias("radius"),
        pl.col("n").map_elements(lambda v: fmt.num(v, lang=lang), return_dtype=pl.String).alias("n_text"))
    layer = pdk.Layer("ScatterplotLayer", id="cameras", data=cpdf.select("camera_id", "name", "location_name", "lat",
                                                                        "lon", "radius", "n_text").to_pandas(),
                      get_position=["lon", "lat"], get_radius="radius", radius_min_pixels=6,
                      get_fill_color=[214, 39, 40, 190], get_line_color=[255, 255, 255], stroked=True,
                      line_width_min_pixels=1, pickable=True)
    st.pydeck_chart(maps.deck([layer], maps.view_for(cpdf, zoom=13.2),
                              tooltip={"html": "<b>{name}</b><br/>{location_name}<br/>{n_text}"}),
                    height=440, key="camera_deck")

st.subheader(t("review_queue"))
operator = access.may_see_personal_data(ctx.role)
if not operator:
    st.caption(t("plate_masked_note"))
queue = pending(lake, f.areas)  # every pending detection, whatever the period
if queue.is_empty():
    st.info(t("review_empty"))
else:
    cols = st.columns(4)
    for i, row in enumerate(queue.iter_rows(named=True)):
        with cols[i % 4].container(border=True):
            show_evidence(lake, row["evidence_uri"])
            plate = row["plate_text"] if operator else access.mask_plate(row["plate_text"])
            st.markdown(f"**{vt(row['violation_type'])}** · {plate or fmt.DASH}  \n"
                        f"{row['camera_name']} · {fmt.datetime(row['start_at'])}  \n"
                        f"{t('col_confidence')}: {fmt.pct(row['score'], lang=lang)}")

st.subheader(t("traffic_flow"))
flow = traffic_flow(lake, f.start, f.end, f.areas)
if flow.is_empty():
    empty_state(t("data_traffic"))
else:
    charts.show(alt.Chart(flow.to_pandas()).mark_line().encode(
        x=alt.X("hour:T", title=t("col_time"), axis=alt.Axis(format="%d/%m %Hh")),
        y=alt.Y("vehicles:Q", title=t("col_vehicles")), color=alt.Color("name:N", title=t("col_camera"))), lang)
