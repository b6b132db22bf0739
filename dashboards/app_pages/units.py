"""Hiệu quả đơn vị: every unit ranked by score with its parts, drill-down, CSV/XLSX export."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from core import fmt
from dashboards import charts, reads
from dashboards.context import empty_state, page_context
from dashboards.export import to_csv_bytes, to_xlsx_bytes
from dashboards.lang import t
from dashboards.tables import show_sortable
from dashboards.ui import status_label

ctx = page_context()
lake, f, lang = ctx.lake, ctx.filters, ctx.lang

st.title(t("page_units"))
st.caption(t("period_caption", start=fmt.date(f.start), end=fmt.date(f.end)))

types = st.segmented_control(t("unit_type"), ["state", "enterprise"], selection_mode="multi", key="unit_types",
                             format_func=lambda x, lang=lang: t(f"unit_type_{x}", lang))
ranking = reads.ranking(lake, f.period, f.areas, tuple(sorted(types or ())))

# The table shown and the files exported are the same frame: ranked, filtered, these columns.
EXPORT_COLUMNS = {
    "rank": "col_rank", "unit_name": "col_unit", "unit_type": "col_type", "score": "col_score",
    "score_on_time": "col_score_on_time", "score_satisfaction": "col_score_satisfaction",
    "score_processed": "col_score_processed", "score_speed": "col_score_speed",
    "received": "col_received", "processed": "col_processed", "on_time": "col_on_time",
    "late_with_extension": "col_late_ext", "open_overdue": "col_open_overdue",
    "processed_rate": "col_processed_rate", "on_time_rate": "col_on_time_rate",
    "satisfaction_rate": "col_satisfaction_rate", "transfers_in": "col_transfers_in",
    "transfers_out": "col_transfers_out",
}


def export_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """The filtered ranking with localised headers and raw numbers (what CSV/XLSX contain)."""
    frame = frame.with_columns(
        pl.col("unit_type").map_elements(lambda x: t(f"unit_type_{x}") if x in ("state", "enterprise") else x,
                                         return_dtype=pl.String))
    return frame.select([pl.col(c).alias(t(k)) for c, k in EXPORT_COLUMNS.items()])


if ranking.is_empty():
    empty_state()
    st.stop()

st.subheader(t("ranking"))
n_ranked = ranking.filter(pl.col("rank").is_not_null()).height
idle = ranking.height - n_ranked
st.caption(t("n_units", n=fmt.num(n_ranked, lang=lang)) + " · " + t("score_help")
           + (" · " + t("units_idle", n=fmt.num(idle, lang=lang)) if idle else ""))

n1 = lambda v: fmt.num(v, 1, lang)  # noqa: E731
n0 = lambda v: fmt.num(v, lang=lang)  # noqa: E731
pc = lambda v: fmt.pct(v, lang=lang)  # noqa: E731
show_sortable(ranking, {c: k for c, k in EXPORT_COLUMNS.items()},
           {"score": n1, "score_on_time": n1, "score_satisfaction": n1, "score_processed": n1, "score_speed": n1,
            "rank": n0,  # units without reports: unranked (an empty cell)
            "received": n0, "processed": n0, "on_time": n0, "late_with_extension": n0, "open_overdue": n0,
            "transfers_in": n0, "transfers_out": n0, "processed_rate": pc, "on_time_rate": pc,
            "satisfaction_rate": pc,
            "unit_type": lambda x: t(f"unit_type_{x}") if x in ("state", "enterprise") else (x or "")},
           height=420, key="unit_table")

out = export_frame(ranking)
st.session_state["units_export"] = out  # what the buttons export: the table above, same rows and order
stem = f"hieu-qua-don-vi_{f.start:%Y%m%d}-{f.end:%Y%m%d}"
c1, c2, _ = st.columns([1, 1, 4])
rates = [t(k) for c, k in EXPORT_COLUMNS.items() if c.endswith("_rate")]  # fractions: % in both files
c1.download_button(t("export_csv"), to_csv_bytes(out, rates), f"{stem}.csv", "text/csv", key="dl_csv")
c2.download_button(t("export_xlsx"), to_xlsx_bytes(out, "don_vi", rates), f"{stem}.xlsx",
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="dl_xlsx")

# ------------------------------------------------------------------------------------ drill-down
st.divider()
st.subheader(t("drill_unit"))
names = dict(zip(ranking["unit_id"].to_list(), ranking["unit_name"].to_list(), strict=True))
unit_id = st.selectbox(t("choose_unit"), list(names), key="unit_pick",
                       format_func=lambda u: f"{names[u] or u}")
row = ranking.filter(pl.col("unit_id") == unit_id).row(0, named=True)
cols = st.columns(6)
cols[0].metric(t("col_score"), n1(row["score"]), border=True)
cols[1].metric(t("col_received"), n0(row["received"]), border=True)
cols[2].metric(t("col_processed_rate"), pc(row["processed_rate"]), border=True)
cols[3].metric(t("col_on_time_rate"), pc(row["on_time_rate"]), border=True)
cols[4].metric(t("col_satisfaction_rate"), pc(row["satisfaction_rate"]), border=True)
cols[5].metric(t("col_open_overdue"), n0(row["open_overdue"]), border=True)

left, right = st.columns(2)
with left:
    st.markdown(f"**{t('unit_trend')}**")
    trend = reads.unit_trend(lake, unit_id, f)
    if trend.is_empty():
        empty_state()
    else:
        base = alt.Chart(trend.to_pandas()).encode(x=alt.X("month:O", title=t("col_month")))
        bars = base.mark_bar(opacity=0.5).encode(y=alt.Y("received:Q", title=t("col_received")))
        line = base.mark_line(point=True, color="#d62728").encode(
            y=alt.Y("score:Q", title=t("col_score"), scale=alt.Scale(domain=[0, 100])))
        charts.show(alt.layer(bars, line).resolve_scale(y="independent"), lang)
with right:
    st.markdown(f"**{t('unit_categories')}**")
    cats = reads.unit_categories(lake, unit_id, f)
    if cats.is_empty():
        empty_state()
    else:
        show_sortable(cats, {f"name_{lang}": "col_category", "received": "col_received", "processed": "col_processed"},
                   {"received": n0, "processed": n0}, height=280, key="unit_cats")

st.markdown(f"**{t('unit_open')}**")
at = reads.data_clock(lake)
open_reports = reads.unit_open_reports(lake, unit_id, f, at)
if open_reports.is_empty():
    empty_state()
else:
    show_sortable(open_reports, {"report_id": "col_report", "received_at": "col_time", f"category_{lang}": "col_category",
                              "status": "col_status", "deadline_at": "col_deadline", "open_overdue": "col_overdue"},
               {"received_at": fmt.datetime, "deadline_at": fmt.datetime, "status": lambda s: status_label(s, lang),
                "open_overdue": lambda b: "⚠️ " + t("status_overdue") if b else ""}, height=300, key="unit_open")

into, away = reads.unit_transfers(lake, unit_id, f)
c1, c2 = st.columns(2)
with c1:
    st.markdown(f"**{t('transfers_in')}**")
    if into.is_empty():
        empty_state()
    else:
        show_sortable(into, {"other_name": "col_from_unit", "transfers": "col_transfers"}, {"transfers": n0},
                   key="unit_in")
with c2:
    st.markdown(f"**{t('transfers_out')}**")
    if away.is_empty():
        empty_state()
    else:
        show_sortable(away, {"other_name": "col_to_unit", "transfers": "col_transfers"}, {"transfers": n0},
                   key="unit_out")
