"""Newest CAP warnings (silver.warnings, from the disasters domain) for the overview ticker and wall."""

from __future__ import annotations

import polars as pl
import streamlit as st

from core import fmt
from dashboards.context import empty_state
from dashboards.data import has_table, sql, versioned
from dashboards.lang import t
from dashboards.ui import show_table
from lake import Lake


@versioned("silver.warnings")
def newest_warnings(lake: Lake, limit: int = 10) -> pl.DataFrame:
    """Newest actual warnings (received or issued), not cancelled."""
    if not has_table("silver.warnings"):
        return pl.DataFrame()
    return sql(lake, """
        SELECT warning_id, sent, direction, coalesce(sender_name, sender) sender, event, headline,
               severity, area_desc, alarm_level, expires
        FROM silver.warnings
        WHERE coalesce(status, 'Actual') = 'Actual' AND coalesce(msg_type, 'Alert') <> 'Cancel'
          AND NOT coalesce(cancelled, false)
        ORDER BY sent DESC NULLS LAST, warning_id LIMIT $limit""", {"limit": limit})


def show_newest(lake: Lake, lang: str, limit: int = 10) -> None:
    if not has_table("silver.warnings"):
        empty_state("silver.warnings")
        return
    frame = newest_warnings(lake, limit)
    if frame.is_empty():
        empty_state()
        return
    show_table(frame, {"sent": "col_time", "headline": "col_headline", "severity": "col_severity",
                       "sender": "col_sender"}, {"sent": fmt.datetime}, key=f"warn_{limit}")
    st.caption(t("ticker_warnings"))
