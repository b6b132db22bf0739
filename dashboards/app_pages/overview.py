"""Tổng quan: headline KPIs against the previous period, daily trend, categories, channels, ticker."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from core import fmt
from dashboards import charts, reads
from dashboards.context import empty_state, page_context
from dashboards.data import versioned
from dashboards.filters import data_time_caption
from dashboards.lang import t, t_or
from dashboards.tables import show_sortable
from dashboards.ui import channel_label, status_label
from views import adoption, environment, intake, processing_time, tracing, trends, warnings
from views.period import Period

ctx = page_context()
lake, f, lang = ctx.lake, ctx.filters, ctx.lang

st.title(t("page_overview"))
st.caption(" · ".join(x for x in (t("period_caption", start=fmt.date(f.start), end=fmt.date(f.end)),
                                  data_time_caption(lake, "reports", lang)) if x))

cat_codes = reads.categories(lake)
cat_name = dict(zip(cat_codes["category_code"].to_list(),
                    cat_codes["name_en" if lang == "en" else "name_vi"].to_list(), strict=True))
c1, c2 = st.columns(2)
sel_cats = tuple(sorted(c1.multiselect(t("category_filter"), list(cat_name), key="ov_cats",
                                       format_func=lambda c: cat_name.get(c, c), placeholder=t("all"))))
chan_opts = reads.channels(lake)["channel"].to_list()
sel_chans = tuple(sorted(c2.multiselect(t("channel_filter"), chan_opts, key="ov_chans",
                                        format_func=lambda c: channel_label(c, lang), placeholder=t("all"))))


def _metric(col, label: str, value: str, delta: str | None, help_text: str | None = None,
            inverse: bool = False) -> None:
    col.metric(label, value, delta=delta if delta and delta != fmt.DASH else None,
               delta_color="inverse" if inverse else "normal", help=help_text, border=True)


def _rel(cur: float | None, prev: float | None) -> str | None:
    if cur is None or not prev:
        return None
    return fmt.signed_pct((cur - prev) / prev, lang)


def _pts(cur: float | None, prev: float | None) -> str | None:
    if cur is None or prev is None:
        return None
    return fmt.signed_points(cur - prev, lang)


def _headline(period: Period) -> dict:
    return reads.headline(lake, period.start, period.end, list(f.areas) or None, list(sel_cats) or None,
                          list(sel_chans) or None)


# "so với kỳ trước": Period.previous(), the same comparison as the leaders' report
h = _headline(f.period)
p = _headline(f.period.previous())
if h is None:
    empty_state(t("data_reports"))
else:
    prev = p or {}
    cols = st.columns(6)
    _metric(cols[0], t("kpi_received"), fmt.num(h["received"], lang=lang),
            _rel(h["received"], prev.get("received")),
            f"{t('kpi_invalid')}: {fmt.num(h.get('invalid'), lang=lang)}")
    _metric(cols[1], t("kpi_processed"), fmt.num(h["processed"], lang=lang),
            _pts(h.get("processed_rate"), prev.get("processed_rate")),
            t("of_received", rate=fmt.pct(h.get("processed_rate"), lang=lang)))
    _metric(cols[2], t("kpi_on_time"), fmt.pct(h.get("on_time_rate"), lang=lang),
            _pts(h.get("on_time_rate"), prev.get("on_time_rate")),
            f"{fmt.num(h.get('on_time'), lang=lang)} — " + t("of_processed", rate=fmt.pct(h.get("on_time_rate"), lang=lang)))
    _metric(cols[3], t("kpi_late_ext"), fmt.pct(h.get("late_with_extension_rate"), lang=lang),
            _pts(h.get("late_with_extension_rate"), prev.get("late_with_extension_rate")),
            f"{fmt.num(h.get('late_with_extension'), lang=lang)}", inverse=True)
    _metric(cols[4], t("kpi_satisfaction"), fmt.pct(h.get("satisfaction_rate"), lang=lang),
            _pts(h.get("satisfaction_rate"), prev.get("satisfaction_rate")),
            t("of_rated", n=fmt.num(h.get("rated"), lang=lang)))
    _metric(cols[5], t("kpi_open_overdue"), fmt.num(h.get("open_overdue"), lang=lang),
            _rel(h.get("open_overdue"), prev.get("open_overdue")), inverse=True)
    pf = f.previous()
    st.caption(t("vs_previous", start=fmt.date(pf.start), end=fmt.date(pf.end)))

# The seed's other facts: app adoption, environment fines, police tracing; the processing time for leaders
if not ctx.wall:
    st.subheader(t("seed_facts_title"))
    st.caption(t("seed_facts_caption"))
    installs = versioned("silver.app_adoption")(adoption.installs_to)(lake, f.end)
    visits = versioned("silver.app_adoption")(adoption.visits_in)(lake, f.start, f.end)
    env = versioned("silver.reports", "silver.environment_fines")(environment.environment_fines)(lake, f.start, f.end)
    traced = versioned("silver.tracing_requests")(tracing.tracing_cases)(lake, f.start, f.end)
    m = st.columns(5 if ctx.role in ("leader", "operator") else 4)
    _metric(m[0], t("app_installs"), fmt.num(installs, lang=lang), None)
    _metric(m[1], t("app_visits"), fmt.num(visits, lang=lang), None)
    _metric(m[2], t("env_reports"), fmt.num(env["reports"], lang=lang), None,
            t("env_fines", n=fmt.num(env["fined"], lang=lang), amount=fmt.num(env["fines_vnd"], lang=lang) + " ₫"))
    if traced is not None:
        _metric(m[3], t("tracing_cases"), fmt.num(traced["answered_with_footage"], lang=lang), None,
                t("tracing_help", n=fmt.num(traced["requests"], lang=lang),
                  found=fmt.num(traced["answered_with_footage"], lang=lang)))
    if ctx.role in ("leader", "operator"):
        cut = versioned("silver.reports")(processing_time.processing_time_cut)(lake, f.end)
        recent = cut.get("recent_median_hours")
        _metric(m[4], t("processing_time_title"),
                fmt.num(recent, 1, lang=lang) if recent is None else t("hours_short", h=fmt.num(recent, 1, lang=lang)),
                None if cut.get("cut") is None else fmt.pct(-cut["cut"], lang=lang),
                None if cut.get("cut") is None else t(
                    "processing_time_cut", cut=fmt.pct(cut["cut"], lang=lang),
                    first=t("hours_short", h=fmt.num(cut["launch_median_hours"], 1, lang=lang)),
                    recent=t("hours_short", h=fmt.num(recent, 1, lang=lang))), inverse=True)

sl = reads.slices(lake, f, sel_cats, sel_chans)  # one read, summed three ways below
trend = trends.trend_of(sl)
left, right = st.columns([3, 2])
with left:
    st.subheader(t("trend"))
    if trend.is_empty():
        empty_state()
    else:
        long = trend.unpivot(index="date", on=["received", "processed"], variable_name="series",
                             value_name="n").with_columns(
            pl.col("series").replace({"received": t("series_received"), "processed": t("series_processed")}))
        chart = alt.Chart(long.to_pandas()).mark_line(point=trend.height <= 62).encode(
            x=alt.X("date:T", title=t("day"), axis=alt.Axis(format="%d/%m/%Y")),
            y=alt.Y("n:Q", title=t("count")),
            color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top")),
            tooltip=[alt.Tooltip("date:T", format="%d/%m/%Y", title=t("day")),
                     alt.Tooltip("series:N", title=""), alt.Tooltip("n:Q", title=t("count"), format=",d")])
        charts.show(chart, lang)
with right:
    st.subheader(t("by_channel"))
    chans = trends.channels_of(sl)
    if chans.is_empty():
        empty_state()
    else:
        chans = chans.with_columns(pl.col("channel").map_elements(lambda c: channel_label(c, lang),
                                                                  return_dtype=pl.String).alias("label"))
        charts.show(alt.Chart(chans.to_pandas()).mark_bar().encode(
            x=alt.X("received:Q", title=t("kpi_received")),
            y=alt.Y("label:N", sort="-x", title=None, axis=alt.Axis(labelLimit=320)),
            tooltip=[alt.Tooltip("label:N", title=t("col_channel")),
                     alt.Tooltip("received:Q", title=t("kpi_received"), format=",d")]), lang)

st.subheader(t("by_category"))
cats = trends.categories_of(sl, cat_codes)
if cats.is_empty():
    empty_state()
else:
    name_col = "name_en" if lang == "en" else "name_vi"
    c1, c2 = st.columns([3, 2])
    with c1:
        charts.show(alt.Chart(cats.head(15).to_pandas()).mark_bar().encode(
            x=alt.X("received:Q", title=t("kpi_received")),
            y=alt.Y(f"{name_col}:N", sort="-x", title=None, axis=alt.Axis(labelLimit=420)),
            tooltip=[alt.Tooltip(f"{name_col}:N", title=t("col_category")),
                     alt.Tooltip("received:Q", title=t("kpi_received"), format=",d")]), lang)
    with c2:
        show_sortable(cats.with_columns((pl.col("processed") / pl.col("received")).alias("rate")),
                      {name_col: "col_category", "received": "col_received", "processed": "col_processed",
                       "rate": "col_processed_rate"},
                      {"received": lambda v: fmt.num(v, lang=lang), "processed": lambda v: fmt.num(v, lang=lang),
                       "rate": lambda v: fmt.pct(v, lang=lang)}, key="ov_cat_table")

st.divider()


@st.fragment(run_every="10s")  # live: a new report shows within seconds (make demo's acceptance: 30 s)
def _ticker() -> None:
    t1, t2 = st.columns(2)
    with t1:
        st.subheader(t("ticker_reports"))
        news = reads.newest_reports(lake, f.areas, 10)
        if news.is_empty():
            empty_state()
        else:
            show_sortable(news, {"received_at": "col_time", f"category_{lang}": "col_category", "area": "col_area",
                                 "status": "col_status", "channel": "col_channel"},
                          {"received_at": fmt.datetime, "status": lambda s: status_label(s, lang),
                           "channel": lambda c: channel_label(c, lang)}, key="ov_ticker")
    with t2:
        st.subheader(t("ticker_warnings"))
        warns = versioned(*warnings.TABLES)(warnings.newest)(lake, 10)
        if warns.is_empty():
            empty_state()
        else:
            show_sortable(warns, {"sent": "col_time", "headline": "col_headline", "severity": "col_severity",
                                  "sender": "col_sender"},
                          {"sent": fmt.datetime, "severity": lambda c: t_or(f"severity_{c}", c or fmt.DASH, lang)},
                          key="warn_10")


_ticker()


# Open311 requests from other systems: the unmapped bucket is counted here, so a user sees what to map next.
counts = versioned(intake.REQUESTS, "silver.rejects", "silver.open311_services")(intake.intake_counts)(lake)
if not counts.is_empty():
    st.divider()
    st.subheader(t("intake_title"))
    st.caption(t("intake_caption"))
    totals = counts.select("mapped", "unmapped", "rejected", "outside_hue").sum().row(0, named=True)
    m = st.columns(4)
    for col, key, label in zip(m, ("mapped", "unmapped", "rejected", "outside_hue"),
                               ("intake_mapped", "intake_unmapped", "intake_rejected", "intake_outside"), strict=True):
        col.metric(t(label), fmt.num(totals[key], lang=lang), border=True)
    todo = versioned(intake.REQUESTS)(intake.unmapped_bucket)(lake)
    if not todo.is_empty():
        show_sortable(todo, {"jurisdiction": "col_jurisdiction", "service_name": "col_service",
                             "agency": "col_agency", "requests": "col_requests"},
                      {"requests": lambda v: fmt.num(v, lang=lang)}, key="ov_intake")
