"""Phản ánh: density and points of the period's reports on an offline map, commune boundaries,
filters, and a table of the reports selected on the map."""

from __future__ import annotations

import polars as pl
import pydeck as pdk
import streamlit as st

from core import fmt
from dashboards import access, maps, reads
from dashboards.context import empty_state, page_context
from dashboards.lang import t
from dashboards.tables import show_sortable
from dashboards.ui import channel_label, rating_label, status_label

MAX_POINTS = 20_000
TABLE_ROWS = 200

ctx = page_context()
lake, f, lang = ctx.lake, ctx.filters, ctx.lang

st.title(t("page_reports"))
st.caption(t("period_caption", start=fmt.date(f.start), end=fmt.date(f.end)))

cats = reads.categories(lake)
cat_name = dict(zip(cats["category_code"].to_list(), cats[f"name_{lang}"].to_list(), strict=True))
c1, c2, c3 = st.columns(3)
statuses = c1.multiselect(t("status_filter"), ["pending", "open", "resolved"], key="map_status",
                          format_func=lambda s: status_label(s, lang), placeholder=t("all"))
sel_cats = c2.multiselect(t("category_filter"), list(cat_name), key="map_cats",
                          format_func=lambda c: cat_name.get(c, c), placeholder=t("all"))
chans = c3.multiselect(t("channel_filter"), reads.channels(lake)["channel"].to_list(), key="map_chans",
                       format_func=lambda c: channel_label(c, lang), placeholder=t("all"))
o1, o2, o3, o4 = st.columns(4)
overdue_only = o1.toggle(t("overdue_only"), key="map_overdue")
show_hex = o2.toggle(t("show_density"), value=True, key="map_hex")
show_pts = o3.toggle(t("show_points"), value=True, key="map_pts")
show_geo = o4.toggle(t("show_boundaries"), value=True, key="map_geo")

at = reads.data_clock(lake)
picked = (tuple(sorted(statuses)), tuple(sorted(sel_cats)), tuple(sorted(chans)))
reports = reads.map_reports(lake, f, *picked, overdue_only, at, limit=MAX_POINTS)
if overdue_only:  # the overdue flag is the KPI module's, computed on the rows: all of them were read
    total = reports.height if reports.height < MAX_POINTS else reads.map_reports(lake, f, *picked, True, at).height
else:
    total = reads.map_reports_total(lake, f, *picked)
st.markdown(f"**{t('n_reports', n=fmt.num(total, lang=lang))}**")
unlocated = reads.unlocated_count(lake, f, *picked, overdue_only, at)
if unlocated:  # said, not dropped: these reports count everywhere else
    st.caption(t("reports_unlocated", n=fmt.num(unlocated, lang=lang)))

area_name = dict(zip(*(reads.communes(lake)[c].to_list() for c in ("admin_unit_code", "name")), strict=True))
points = reports.with_columns(
    pl.when(pl.col("overdue")).then(pl.lit("overdue")).otherwise(pl.col("status")).alias("shown_status"),
    pl.col("category_code").replace_strict(cat_name, default=pl.col("category_code"), return_dtype=pl.String)
    .alias("category"),
    pl.col("admin_unit_code_2025").replace_strict(area_name, default="", return_dtype=pl.String).alias("area"))
if total > reports.height:
    st.caption(t("points_capped", shown=fmt.num(reports.height, lang=lang), total=fmt.num(total, lang=lang)))
colour_of = maps.STATUS_COLOURS
pdf = points.select(
    "report_id", "lat", "lon",
    *maps.rgba_columns(pl.col("shown_status"), colour_of, [120, 120, 120, 200]),
    pl.col("shown_status").map_elements(lambda s: status_label(s, lang), return_dtype=pl.String).alias("status"),
    pl.col("category"), pl.col("area"),
    pl.col("received_at").map_elements(fmt.datetime, return_dtype=pl.String).alias("received"),
).to_pandas()

layers: list[pdk.Layer | None] = []
if show_geo:
    layers.append(maps.boundaries_layer(reads.commune_geometries(lake, f.areas)))
if show_hex and len(pdf):
    layers.append(pdk.Layer("HexagonLayer", data=pdf[["lat", "lon"]], id="density", get_position=["lon", "lat"],
                            radius=900, coverage=0.95, extruded=False, opacity=0.8, pickable=False,
                            color_range=[[254, 235, 160, 90], [254, 204, 92, 140], [254, 178, 76, 160],
                                         [253, 141, 60, 190], [240, 59, 32, 215], [189, 0, 38, 235]]))
if show_pts and len(pdf):
    layers.append(pdk.Layer("ScatterplotLayer", data=pdf, id="reports", get_position=["lon", "lat"],
                            get_fill_color=maps.RGBA, get_radius=40, radius_min_pixels=2, radius_max_pixels=6,
                            pickable=True, auto_highlight=True))
deck = maps.deck(layers, maps.view_for(points),
                 tooltip={"html": "<b>{category}</b><br/>{status}<br/>{area}<br/>{received}"})
event = st.pydeck_chart(deck, height=560, on_select="rerun", selection_mode="multi-object", key="reports_deck")
legend = " · ".join(
    f"<span style='color:rgb({c[0]},{c[1]},{c[2]})'>●</span> {status_label(s, lang)}"
    for s, c in colour_of.items() if s != "invalid")
st.markdown(f"{t('legend')}: {legend}", unsafe_allow_html=True)

st.subheader(t("selected_reports"))
selected_ids: list[str] = []
try:
    selected_ids = [o["report_id"] for o in (event.selection.objects or {}).get("reports", [])]
except (AttributeError, KeyError, TypeError):
    selected_ids = []
if selected_ids:
    table = reports.filter(pl.col("report_id").is_in(selected_ids))
else:
    st.caption(t("selected_hint", n=TABLE_ROWS))
    table = reports.head(TABLE_ROWS)
if table.height:
    details = reads.report_details(lake, tuple(table["report_id"].to_list()),
                                     access.may_see_personal_data(ctx.role))
    table = table.join(details, on="report_id", how="left", maintain_order="left")
if table.is_empty():
    empty_state()
else:
    columns = {"report_id": "col_report", "received_at": "col_time", f"category_{lang}": "col_category",
               "title": "col_title", "area": "col_area", "status": "col_status", "overdue": "col_overdue",
               "channel": "col_channel", "deadline_at": "col_deadline", "resolved_at": "col_resolved",
               "rating": "col_rating"}
    if access.may_see_personal_data(ctx.role):
        columns |= {"reporter_name": "col_reporter", "reporter_phone": "col_phone"}
    show_sortable(table, columns,
               {"received_at": fmt.datetime, "deadline_at": fmt.datetime, "resolved_at": fmt.datetime,
                "status": lambda s: status_label(s, lang), "channel": lambda c: channel_label(c, lang),
                "rating": lambda r: rating_label(r, lang), "overdue": lambda b: "⚠️" if b else ""},
               height=420, key="map_table")
