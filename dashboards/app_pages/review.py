"""Duyệt vi phạm: the operators' review queue in the manner of Frigate's review screen.

Pending violations newest first, whatever the period picked: evidence crop, rule, zone and camera; confirm,
dismiss with a reason, or correct the plate or the type (keyboard: A, D, S on the first card; Streamlit keeps C and R for itself). Other roles see
the queue without a control, and the action function refuses them anyway. Precision per camera and type
from the outcomes, and the latest decisions."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from core import fmt
from dashboards import access
from dashboards.actions import review as act
from dashboards.context import page_context
from dashboards.lang import t, t_or
from dashboards.ui import show_audit, show_evidence
from views import review
from views.precision import precision_over_time

QUEUE_SIZE = 12
# Read without the version cache (whose version lookups live a few seconds): a decision made here must
# leave the queue on the very rerun it causes. The queries are small (a dozen rows, a grouped count).
pending, pending_count, precision, decisions = review.pending, review.pending_count, review.precision, review.decisions

ctx = page_context()
lake, f, lang = ctx.lake, ctx.filters, ctx.lang
operator = access.may_act(ctx.role)
st.title(t("page_review"))
st.caption(t("review_help") if operator else t("review_operator_only"))


def vt(code: str | None) -> str:
    return t_or(f"vt_{code}", code or fmt.DASH, lang)


def _act(event_id: str, decision: str) -> None:
    """Button callback: the decision, with the reason, plate and type as typed, through the action function."""
    ss = st.session_state
    actor = access.Actor(ss.get("role", "leader"), ss.get("actor_name") or access.actor_name())
    kwargs: dict[str, str | None] = {}
    if decision == "dismissed":
        code = ss.get(f"reason_{event_id}") or "other"
        note = (ss.get(f"note_{event_id}") or "").strip()
        kwargs["reason"] = code + (f": {note}" if note else "")
    elif decision == "corrected":
        old_plate, old_type = ss.get(f"was_{event_id}", (None, None))
        new_plate, new_type = (ss.get(f"plate_{event_id}") or "").strip().upper(), ss.get(f"type_{event_id}")
        kwargs["plate"] = new_plate if new_plate and new_plate != (old_plate or "") else None
        kwargs["violation_type"] = new_type if new_type and new_type != old_type else None
        kwargs["reason"] = (ss.get(f"note_{event_id}") or "").strip()
    try:
        act.decide(lake, actor, event_id, decision, **kwargs)
        ss["review_flash"] = ("ok", t("review_done", decision=t(f"decision_{decision}"), event=event_id))
    except (access.Refused, ValueError) as e:
        ss["review_flash"] = ("error", t("review_failed", error=str(e)))


flash = st.session_state.pop("review_flash", None)
if flash:
    (st.success if flash[0] == "ok" else st.error)(flash[1])

total = pending_count(lake, f.areas)
queue = pending(lake, f.areas, limit=QUEUE_SIZE)  # every pending detection, whatever the period
if queue.is_empty():
    st.info(t("review_empty"))
else:
    st.caption(t("review_showing", shown=fmt.num(queue.height, lang=lang), total=fmt.num(total, lang=lang)))
for i, row in enumerate(queue.iter_rows(named=True)):
    eid = row["event_id"]
    with st.container(border=True, key=f"card_{eid}"):
        left, right = st.columns([1, 2])
        with left:
            show_evidence(lake, row["evidence_uri"])
            if row.get("evidence_strip_uri"):  # the vehicle over its last frames, oldest left
                show_evidence(lake, row["evidence_strip_uri"])
        with right:
            plate = row["plate_text"] if operator else access.mask_plate(row["plate_text"])
            rule = row["rule"]
            conf = fmt.pct(row["plate_confidence"], lang=lang) if row["plate_confidence"] is not None else fmt.DASH
            st.markdown(f"**{vt(row['violation_type'])}** · {plate or fmt.DASH} ({conf})  \n"
                        f"{row['camera_name']} — {row['location_name'] or fmt.DASH}  \n"
                        f"{t('review_zone')}: {row['zone_id'] or fmt.DASH} · {t('review_rule')}: "
                        f"{t_or(f'rule_{rule}', rule or fmt.DASH, lang)} · "
                        f"{fmt.datetime(row['start_at'], lang=lang)}  \n"
                        f"{t('col_confidence')}: {fmt.pct(row['score'], lang=lang)}")
            if not operator:
                continue
            st.session_state[f"was_{eid}"] = (row["plate_text"], row["violation_type"])
            first = i == 0  # shortcuts on the newest only: one key, one card
            b = st.columns(3)
            b[0].button(t("review_confirm"), key=f"confirm_{eid}", type="primary", on_click=_act,
                        args=(eid, "confirmed"), shortcut="a" if first else None, width="stretch")
            b[1].button(t("review_dismiss"), key=f"dismiss_{eid}", on_click=_act, args=(eid, "dismissed"),
                        shortcut="d" if first else None, width="stretch")
            b[2].button(t("review_correct"), key=f"correct_{eid}", on_click=_act, args=(eid, "corrected"),
                        shortcut="s" if first else None, width="stretch")
            r = st.columns(2)
            r[0].selectbox(t("review_reason"), act.DISMISS_REASONS, key=f"reason_{eid}",
                           format_func=lambda c: t(f"dismiss_{c}"))
            r[1].text_input(t("review_note"), key=f"note_{eid}")
            types = list(act.VIOLATION_TYPES)
            c = st.columns(2)
            c[0].text_input(t("review_plate"), value=row["plate_text"] or "", key=f"plate_{eid}")
            c[1].selectbox(t("review_type"), types, key=f"type_{eid}", format_func=vt,
                           index=types.index(row["violation_type"]) if row["violation_type"] in types else None)

st.subheader(t("review_precision"))
st.caption(t("review_precision_note"))
prec = precision(lake, f.areas)
if prec.is_empty():
    st.info(t("no_data"))
else:
    shown = prec.select(
        pl.col("camera_name").alias(t("col_camera")),
        pl.col("violation_type").map_elements(vt, return_dtype=pl.String).alias(t("col_violation")),
        pl.col("confirmed").alias(t("col_confirmed")), pl.col("dismissed").alias(t("col_dismissed")),
        pl.col("pending").alias(t("col_pending")), (pl.col("precision") * 100).alias(t("col_precision")))
    # numbers stay numbers (they sort as numbers); the column format only draws them
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        t("col_precision"): st.column_config.NumberColumn(format="%.1f %%")})

st.subheader(t("review_precision_time"))
over_time = precision_over_time(lake, f.start_ts, f.end_ts, grain="week", by_type=False)
decided = over_time.filter(pl.col("precision").is_not_null())
if decided.is_empty():
    st.info(t("no_data"))
else:
    st.altair_chart(alt.Chart(decided.with_columns(pl.col("precision") * 100).to_pandas()).mark_line(point=True)
                    .encode(x=alt.X("period:T", title=t("col_week"), axis=alt.Axis(format="%d/%m/%Y")),
                            y=alt.Y("precision:Q", title=t("col_precision"), scale=alt.Scale(domain=[0, 100])),
                            color=alt.Color("camera_name:N", title=t("col_camera"),
                                            legend=alt.Legend(orient="bottom", labelLimit=400)),
                            tooltip=["camera_name", "period:T", "confirmed", "dismissed",
                                     alt.Tooltip("precision:Q", format=".1f")])
                    .properties(height=320), width="stretch")

if operator:
    st.subheader(t("review_history"))
    show_audit(
        decisions(lake), "decided_at",
        pl.col("reviewer").alias(t("col_reviewer")), pl.col("event_id"),
        pl.col("decision").map_elements(lambda d: t(f"decision_{d}"), return_dtype=pl.String)
        .alias(t("col_decision")),
        pl.col("reason").alias(t("review_note")),
        pl.concat_str([pl.col("previous_status"), pl.col("previous_plate").fill_null(fmt.DASH),
                       pl.col("previous_type")], separator=" · ").alias(t("col_before")),
        pl.concat_str([pl.col("new_status"), pl.col("new_plate").fill_null(fmt.DASH),
                       pl.col("new_type")], separator=" · ").alias(t("col_after")), lang=lang)
