"""Hồ sơ phản ánh: one report's timeline (``/cases?report=HUES-…``, linked from the report map's rows and
points and from the overdue list), and the operators' follow-up: a reminder to the unit, or an escalation,
each an IOC action event on the timeline. Without a report picked: the open overdue reports, most overdue
first, each linking to its case."""

from __future__ import annotations

import polars as pl
import streamlit as st

from core import fmt
from dashboards import access, reads
from dashboards.actions import cases as act
from dashboards.context import empty_state, page_context
from dashboards.lang import t, t_or
from dashboards.ui import rating_label, status_label
from views import cases

ctx = page_context()
lake, lang = ctx.lake, ctx.lang
operator = access.may_act(ctx.role)
st.title(t("page_cases"))
st.caption(t("cases_help"))
ss = st.session_state


def case_url(report_id: str) -> str:
    return f"cases?report={report_id}"


picked = st.query_params.get("report") or ""
typed = st.text_input(t("cases_report_id"), value=picked, key="case_id", placeholder="HUES-0000001")
if typed.strip() and typed.strip() != picked:
    st.query_params["report"] = typed.strip()
    picked = typed.strip()


def _follow(report_id: str, action: str) -> None:
    actor = access.Actor(ss.get("role", "leader"), ss.get("actor_name") or access.actor_name())
    try:
        act.follow_up(lake, actor, report_id, action, note=ss.get("case_note") or "",
                      escalated_to=ss.get("case_to") or "")
        ss["case_flash"] = ("ok", t("cases_done", action=t(f"step_ioc_{action}")))
    except (access.Refused, ValueError) as exc:
        ss["case_flash"] = ("error", t("cases_failed", error=str(exc)))


if picked:
    row = cases.report(lake, picked)
    if row is None:
        st.warning(t("cases_unknown", id=picked))
    else:
        flash = ss.pop("case_flash", None)
        if flash:
            (st.success if flash[0] == "ok" else st.error)(flash[1])
        st.subheader(f"{row['report_id']} · {row['title'] or fmt.DASH}")
        cat = row[f"category_{lang}"] or row["category_code"]
        m = st.columns(5)
        m[0].metric(t("col_category"), cat or fmt.DASH, border=True)
        m[1].metric(t("col_status"), status_label(row["status"], lang), border=True)
        m[2].metric(t("cases_unit"), row["current_unit"] or fmt.DASH, border=True)
        m[3].metric(t("cases_deadline"), fmt.datetime(row["deadline_at"], lang=lang), border=True)
        m[4].metric(t("cases_deadline_ext"), fmt.datetime(row["extended_deadline_at"], lang=lang)
                    if row["extended_deadline_at"] else fmt.DASH, border=True)
        steps = cases.timeline(lake, picked)
        shown = steps.select(
            pl.col("at").map_elements(lambda v: fmt.datetime(v, lang=lang), return_dtype=pl.String)
              .alias(t("col_time")),
            pl.col("step").map_elements(lambda s: t_or(f"step_{s}", s, lang), return_dtype=pl.String)
              .alias(t("col_step")),
            pl.col("unit").fill_null(pl.col("unit_id")).fill_null(fmt.DASH).alias(t("col_unit")),
            pl.col("to_unit").fill_null(pl.col("to_unit_id")).fill_null("").alias(t("col_to_unit")),
            pl.col("deadline_at").map_elements(lambda v: fmt.datetime(v, lang=lang), return_dtype=pl.String,
                                               skip_nulls=False).alias(t("col_deadline")),
            pl.col("rating").map_elements(lambda r: rating_label(r, lang), return_dtype=pl.String, skip_nulls=False)
              .alias(t("col_rating")),
            pl.concat_str([pl.col("note").fill_null(""), pl.col("actor").fill_null("")], separator=" ")
              .str.strip_chars().alias(t("cases_note")))
        st.dataframe(shown, hide_index=True, width="stretch", key="case_timeline")
        if operator and row["is_valid"] and row["resolved_at"] is None and row["status"] != "withdrawn":
            st.subheader(t("cases_follow"))
            c = st.columns([2, 2, 1, 1])
            c[0].text_input(t("cases_note"), key="case_note")
            c[1].text_input(t("cases_escalate_to"), key="case_to")
            c[2].button(t("cases_remind"), key="case_remind", type="primary", on_click=_follow,
                        args=(picked, "reminder"), width="stretch")
            c[3].button(t("cases_escalate"), key="case_escalate", on_click=_follow, args=(picked, "escalation"),
                        width="stretch")
        elif not operator:
            st.caption(t("cases_operator_only"))

st.subheader(t("cases_overdue"))
st.caption(t("cases_overdue_help"))
at = reads.data_clock(lake)
overdue = cases.open_overdue(lake, at) if at is not None else pl.DataFrame()
if overdue.is_empty():
    empty_state()
else:
    table = overdue.select(
        pl.col("report_id").map_elements(case_url, return_dtype=pl.String).alias(t("col_report")),
        pl.col("received_at").map_elements(lambda v: fmt.datetime(v, lang=lang), return_dtype=pl.String)
          .alias(t("col_time")),
        pl.col(f"category_{lang}").alias(t("col_category")), pl.col("title").alias(t("col_title")),
        pl.col("unit").alias(t("col_unit")), pl.col("days_overdue").alias(t("col_days_overdue")),
        pl.col("ioc_actions").alias(t("col_ioc_actions")))
    st.dataframe(table, hide_index=True, width="stretch", height=420, key="overdue_table", column_config={
        t("col_report"): st.column_config.LinkColumn(display_text=r"report=(.*)$"),
        t("col_days_overdue"): st.column_config.NumberColumn(format="%.1f")})
