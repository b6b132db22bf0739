"""Truy vết phương tiện (operators): find a vehicle by plate, colour, type, camera and time window; a timeline
across cameras with each sighting's best crop; a PDF evidence sheet; the log of requests. Other roles see no
form, and the action function refuses them anyway."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from core import fmt
from core.tz import VN_TZ
from dashboards import access
from dashboards.actions import tracing as act
from dashboards.context import operators_only, page_context
from dashboards.lang import t
from dashboards.ui import show_audit, show_evidence
from views import vehicle_tracing as tracing

ctx = page_context()
lake, lang = ctx.lake, ctx.lang
operators_only(ctx, "page_tracing", "tracing_operator_only", "tracing_help")
ss = st.session_state
actor = access.Actor(ss.get("role", "leader"), ss.get("actor_name") or access.actor_name())
options = tracing.choices(lake)

with st.form("tracing_form", border=True):
    a, b, c, d = st.columns([1.2, 1.2, 1, 1])
    case_ref = a.text_input(t("tracing_case"), key="tr_case", placeholder="CV-2025/123")
    plate = b.text_input(t("tracing_plate"), key="tr_plate", placeholder="75A-123")
    colour = c.selectbox(t("tracing_colour"), [None, *options["vehicle_color"]], key="tr_colour",
                         format_func=lambda v: t("tracing_any") if v is None else act.colour_label(v, lang))
    vtype = d.selectbox(t("tracing_type"), [None, *options["vehicle_type"]], key="tr_type",
                        format_func=lambda v: t("tracing_any") if v is None else act.type_label(v, lang))
    e, g, h = st.columns([2, 1, 1])
    cams = e.multiselect(t("tracing_cameras"), options["camera_id"], key="tr_cams", placeholder=t("tracing_any"))
    day0 = g.date_input(t("tracing_from"), value=None, key="tr_from", format="DD/MM/YYYY")
    day1 = h.date_input(t("tracing_to"), value=None, key="tr_to", format="DD/MM/YYYY")
    submitted = st.form_submit_button(t("tracing_search"), type="primary")


def _local(day: dt.date | None, plus: int = 0) -> dt.datetime | None:
    return dt.datetime.combine(day + dt.timedelta(days=plus), dt.time(), VN_TZ) if day else None


if submitted:
    try:
        ss["tr_result"] = act.trace(lake, actor, case_ref, plate=plate, colour=colour, vehicle_type=vtype,
                                    cameras=cams, start=_local(day0), end=_local(day1, 1))
    except (access.Refused, ValueError) as exc:
        ss.pop("tr_result", None)
        st.error(t("tracing_failed", error=str(exc)))

result = ss.get("tr_result")
if result is not None:
    request, found = result
    if found.is_empty():
        st.info(t("tracing_none"))
    else:
        st.success(t("tracing_found", n=fmt.num(found.height, lang=lang),
                     cams=fmt.num(found["camera_id"].n_unique(), lang=lang)))
        st.download_button(t("tracing_pdf"), data=act.evidence_pdf(lake, actor, request, found),
                           file_name=f"truy-vet-{request['case_ref']}.pdf".replace("/", "-"),
                           mime="application/pdf", key="tr_pdf")
        per_row = 6
        rows = list(found.iter_rows(named=True))
        for start in range(0, len(rows), per_row):
            cols = st.columns(per_row)
            for col, r in zip(cols, rows[start:start + per_row], strict=False):
                with col.container(border=True, key=f"sighting_{r['sighting_id']}"):
                    show_evidence(lake, r["crop_uri"])
                    st.markdown(
                        f"**{r['camera_name']}**  \n"
                        f"{t('tracing_seen', first=fmt.datetime(r['first_seen'], lang=lang), last=fmt.datetime(r['last_seen'], lang=lang))}  \n"
                        f"{act.type_label(r['vehicle_type'], lang)} · {act.colour_label(r['vehicle_color'], lang)} · "
                        f"{r['plate_text'] or fmt.DASH}")

st.subheader(t("tracing_log"))
show_audit(
    tracing.requests(lake), "requested_at",
    pl.col("requested_by").alias(t("col_by")), pl.col("case_ref").alias(t("col_case")),
    pl.col("criteria_json").alias(t("col_criteria")), pl.col("results").alias(t("col_results")), lang=lang)
