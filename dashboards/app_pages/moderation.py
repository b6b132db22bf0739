"""Kiểm duyệt phản ánh (operators): new reports flagged as likely duplicates, spam, inciting or from a blocked
reporter (``views.moderation``); accept, merge into the original, mark invalid with a reason, or block the
reporter. Other roles see the page's purpose only: the queue holds reporters' personal data."""

from __future__ import annotations

import polars as pl
import streamlit as st

from core import fmt
from dashboards import access, reads
from dashboards.actions import moderation as act
from dashboards.context import operators_only, page_context
from dashboards.lang import t
from dashboards.ui import show_audit
from views import moderation

QUEUE_SIZE = 20
ctx = page_context()
lake, lang = ctx.lake, ctx.lang
operators_only(ctx, "page_moderation", "moderation_operator_only", "moderation_help")
ss = st.session_state


def _act(report_id: str, decision: str, original: str | None, flags: list[str]) -> None:
    actor = access.Actor(ss.get("role", "leader"), ss.get("actor_name") or access.actor_name())
    code = ss.get(f"mreason_{report_id}") or "other"
    note = (ss.get(f"mnote_{report_id}") or "").strip()
    reason = (code + (f": {note}" if note else "")) if decision in ("invalid", "blocked") else note
    try:
        act.moderate(lake, actor, report_id, decision, reason=reason, duplicate_of=original, flags=flags)
        ss["mod_flash"] = ("ok", t("moderation_done", decision=t(f"mod_{decision}"), report=report_id))
    except (access.Refused, ValueError) as exc:
        ss["mod_flash"] = ("error", t("moderation_failed", error=str(exc)))


flash = ss.pop("mod_flash", None)
if flash:
    (st.success if flash[0] == "ok" else st.error)(flash[1])

at = reads.data_clock(lake)
queue = moderation.queue(lake, at, limit=QUEUE_SIZE) if at is not None else pl.DataFrame()
if queue.is_empty():
    st.info(t("moderation_empty"))
for row in queue.iter_rows(named=True):
    rid = row["report_id"]
    with st.container(border=True, key=f"mod_{rid}"):
        left, right = st.columns([3, 2])
        flags = row["flags"] or []
        with left:
            badges = " ".join(f":red-badge[{t(f'flag_{f}')}]" for f in flags)
            st.markdown(f"{badges}  \n**{rid}** · {fmt.datetime(row['received_at'], lang=lang)} · "
                        f"{row[f'category_{lang}'] or row['category_code']}  \n{row['title'] or fmt.DASH}  \n"
                        f"{row['reporter_name'] or fmt.DASH} · {row['reporter_phone'] or fmt.DASH}")
            if row["duplicate_of"]:
                dist = (fmt.num(row["distance_m"], lang=lang) + " m") if row["distance_m"] is not None else "—"
                st.caption(f"{t('moderation_original')}: **{row['duplicate_of']}** — {row['original_title']}  \n"
                           + t("moderation_similar", similarity=fmt.num(row["similarity"], lang=lang), distance=dist,
                               hours=fmt.num(row["hours_after"], 1, lang=lang)))
        with right:
            r = st.columns(2)
            r[0].selectbox(t("moderation_reason"), act.INVALID_REASONS, key=f"mreason_{rid}",
                           format_func=lambda c: t(f"invalid_{c}"))
            r[1].text_input(t("cases_note"), key=f"mnote_{rid}")
            b = st.columns(4)
            b[0].button(t("moderation_accept"), key=f"maccept_{rid}", on_click=_act,
                        args=(rid, "accepted", None, flags), width="stretch")
            b[1].button(t("moderation_merge"), key=f"mmerge_{rid}", on_click=_act,
                        args=(rid, "merged", row["duplicate_of"], flags), disabled=not row["duplicate_of"],
                        width="stretch")
            b[2].button(t("moderation_invalid"), key=f"minvalid_{rid}", on_click=_act,
                        args=(rid, "invalid", None, flags), width="stretch")
            b[3].button(t("moderation_block"), key=f"mblock_{rid}", on_click=_act,
                        args=(rid, "blocked", None, flags), width="stretch")

st.subheader(t("moderation_history"))
show_audit(
    moderation.history(lake), "decided_at",
    pl.col("moderator").alias(t("col_by")), pl.col("report_id").alias(t("col_report")),
    pl.col("decision").map_elements(lambda d: t(f"mod_{d}"), return_dtype=pl.String).alias(t("col_decision")),
    pl.col("reason").alias(t("moderation_reason")), pl.col("duplicate_of").alias(t("moderation_original")),
    lang=lang)
