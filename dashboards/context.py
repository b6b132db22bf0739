"""What a page needs: the lake, the sidebar filters, the viewer's role and language."""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from dashboards.data import get_lake
from dashboards.filters import Filters, period_for
from dashboards.lang import current_lang, t
from lake import Lake


class Ctx(NamedTuple):
    lake: Lake
    filters: Filters
    role: str
    lang: str

    @property
    def operator(self) -> bool:
        return self.role == "operator"

    @property
    def wall(self) -> bool:
        return self.role == "wall"


def page_context() -> Ctx:
    lake = get_lake()
    f = st.session_state.get("filters")
    if not isinstance(f, Filters):
        from dashboards.filters import data_bounds

        start, end = period_for("30", data_bounds(lake))
        f = Filters(start, end, ())
    return Ctx(lake, f, st.session_state.get("role", "leader"), current_lang())


def empty_state(what: str | None = None) -> None:
    st.info(t("no_data_yet", what=what) if what else t("no_data"), icon="ℹ️")
