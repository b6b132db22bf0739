"""Vi phạm: counts by type, camera, hour and day; camera map; review queue; traffic flow."""

from __future__ import annotations

import streamlit as st

from dashboards import fmt
from dashboards import violation_queries as vq
from dashboards.context import empty_state, page_context
from dashboards.strings import t

ctx = page_context()
lake, f, lang = ctx.lake, ctx.filters, ctx.lang
st.title(t("page_violations"))
st.caption(t("period_caption", start=fmt.date(f.start), end=fmt.date(f.end)))
if not vq.available():
    empty_state("silver.violations")
    st.stop()
