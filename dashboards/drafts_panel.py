"""The flood page's drafts panel: IOC warnings drafted from a gauge crossing or a CAP alert for Huế, waiting for
an operator. Operators edit the Vietnamese and English texts, approve (the live service then issues the CAP
message) or discard with a reason; every other role sees the drafts without a control, and the action function
refuses them anyway (``dashboards.actions.warnings``)."""

from __future__ import annotations

import streamlit as st

from core import fmt
from core.labels import value_label
from dashboards import access
from dashboards.actions import warnings as act
from dashboards.lang import t
from lake import Lake
from views import warnings

SHOWN = 10


def _actor() -> access.Actor:
    ss = st.session_state
    return access.Actor(ss.get("role", "leader"), ss.get("actor_name") or access.actor_name())


def _decide(lake: Lake, draft_id: str, decision: str, headline: str) -> None:
    """Button callback: the texts as typed, through the action function (which checks the role)."""
    ss = st.session_state
    texts = {k: ss[f"draft_{k}_{draft_id}"] for k in act.TEXTS if f"draft_{k}_{draft_id}" in ss}
    try:
        if decision == "discarded":
            act.discard(lake, _actor(), draft_id, ss.get(f"draft_reason_{draft_id}") or "")
        else:
            act.decide(lake, _actor(), draft_id, decision, texts=texts)
        ss["drafts_flash"] = ("ok", t("draft_done", decision=t(f"draft_decision_{decision}"), headline=headline))
    except (access.Refused, ValueError) as e:
        ss["drafts_flash"] = ("error", t("draft_failed", error=str(e)))


def show_drafts(lake: Lake, role: str, lang: str) -> None:
    """The drafts awaiting a decision, newest first (read uncached: a decision leaves the list on its rerun)."""
    operator = access.may_act(role)
    st.subheader(t("drafts_title"))
    st.caption(t("drafts_help") if operator else t("drafts_operator_only"))
    flash = st.session_state.pop("drafts_flash", None)
    if flash:
        (st.success if flash[0] == "ok" else st.error)(flash[1])
    drafts = warnings.drafts(lake, limit=SHOWN)
    if drafts.is_empty():
        st.info(t("drafts_empty"))
        return
    for d in drafts.iter_rows(named=True):
        did = d["draft_id"]
        with st.container(border=True, key=f"draft_{did}"):
            level = fmt.num(d["water_level_m"], 2, lang) + " m" if d["water_level_m"] is not None else ""
            st.markdown(f"**{d['headline_vi'] if lang == 'vi' else d['headline_en']}**  \n"
                        f"{t('draft_kind_' + d['kind'])} · {value_label('severity', d['severity'] or '', lang)} · "
                        f"{fmt.datetime(d['observed_at'])} {level}")
            if not operator:
                st.caption(d["description_vi"] if lang == "vi" else d["description_en"])
                continue
            left, right = st.columns(2)
            for col, suffix in ((left, "vi"), (right, "en")):
                col.text_input(t(f"draft_headline_{suffix}"), d[f"headline_{suffix}"] or "",
                               key=f"draft_headline_{suffix}_{did}")
                col.text_area(t(f"draft_description_{suffix}"), d[f"description_{suffix}"] or "",
                              key=f"draft_description_{suffix}_{did}", height=110)
                col.text_area(t(f"draft_instruction_{suffix}"), d[f"instruction_{suffix}"] or "",
                              key=f"draft_instruction_{suffix}_{did}", height=80)
            b1, b2, b3, b4 = st.columns([1, 1, 2, 1])
            b1.button(t("draft_approve"), key=f"approve_{did}", type="primary", on_click=_decide,
                      args=(lake, did, "approved", d["headline_vi"]))
            b2.button(t("draft_save"), key=f"save_{did}", on_click=_decide, args=(lake, did, "edited", d["headline_vi"]))
            b3.text_input(t("draft_reason"), key=f"draft_reason_{did}", label_visibility="collapsed",
                          placeholder=t("draft_reason"))
            b4.button(t("draft_discard"), key=f"discard_{did}", on_click=_decide,
                      args=(lake, did, "discarded", d["headline_vi"]))
