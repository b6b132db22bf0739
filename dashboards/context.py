"""What a page needs: the lake, the sidebar filters, the viewer's role and language."""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from dashboards import access
from dashboards.data import get_lake
from dashboards.filters import default_filters
from dashboards.freshness import show_freshness_live
from dashboards.lang import current_lang, t
from lake import Lake
from views.filters import Filters


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


def page_context(freshness: bool = True) -> Ctx:
    """The page's context; with ``freshness`` the line of per-source freshness marks goes on top of the page,
    drawn again every few seconds (the wall draws its own, inside its refreshing fragment)."""
    lake = get_lake()
    f = st.session_state.get("filters")
    if not isinstance(f, Filters):
        f = default_filters(lake)
    ctx = Ctx(lake, f, st.session_state.get("role", "leader"), current_lang())
    if freshness:
        show_freshness_live(lake, ctx.lang)
    return ctx


def empty_state(what: str | None = None) -> None:
    st.info(t("no_data_yet", what=what) if what else t("no_data"), icon="ℹ️")


def operators_only(ctx: Ctx, title: str, refused: str, help_text: str) -> None:
    """The heading of a page only operators use: without the role the page says so and stops (the actions
    refuse on their own too, in dashboards.actions)."""
    st.title(t(title))
    if not access.may_act(ctx.role):
        st.info(t(refused))
        st.stop()
    st.caption(t(help_text))
