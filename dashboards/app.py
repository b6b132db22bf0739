"""Entry point: ``streamlit run dashboards/app.py`` (or ``hue-ioc dashboard [--wall]``).

Resolves the viewer's role, draws the shared sidebar (language, period, area) and hands over to
``st.navigation`` with the pages in ``app_pages/`` the role may see."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run dashboards/app.py` puts only dashboards/ on the path
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboards import access  # noqa: E402
from dashboards.data import get_lake  # noqa: E402
from dashboards.filters import default_filters, init_session_defaults, render_sidebar  # noqa: E402
from dashboards.lang import t  # noqa: E402
from dashboards.ui import WALL_CSS  # noqa: E402

PAGES = Path(__file__).resolve().parent / "app_pages"

st.set_page_config(page_title="IOC Huế", page_icon="🏙️", layout="wide",
                   initial_sidebar_state="collapsed" if access.wall_mode() else "auto")
init_session_defaults()


def _auth_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all
        return False


def resolve_role() -> str:
    if access.wall_mode():
        return "wall"
    if _auth_configured():
        if not st.user.is_logged_in:
            st.title(t("app_title"))
            st.info(t("login_prompt"))
            st.button(t("login"), on_click=st.login, type="primary")
            st.stop()
        from core.settings import settings

        return access.role_from_claims(st.user.to_dict(), settings().extra)
    return access.configured_role()


def navigate(pages: list, links: bool, before_run=None) -> None:
    """Run the page the URL names. Streamlit serves its default page at "/" only (its own url_path then says
    "Page not found"), so the default is a start page that switches to the first page: every page, the
    first included, opens at its own address. With ``links``, the pages are listed atop the sidebar."""
    first = pages[0]

    def start() -> None:
        st.switch_page(first)

    nav = st.navigation([st.Page(start, title=first.title, url_path="start", default=True), *pages],
                        position="hidden")
    if links:
        with st.sidebar:
            for p in pages:
                st.page_link(p)
    if before_run is not None:
        before_run()
    nav.run()


def _sidebar() -> None:
    st.session_state["filters"] = render_sidebar(lake, role)
    if _auth_configured() and st.user.is_logged_in:
        st.sidebar.button(t("logout"), on_click=st.logout)


role = resolve_role()
st.session_state["role"] = role  # resolved here, on the server, every run: the actions trust nothing else
st.session_state["actor_name"] = access.actor_name(
    st.user.to_dict() if _auth_configured() and st.user.is_logged_in else None)
lake = get_lake()

if role == "wall":
    st.markdown(WALL_CSS, unsafe_allow_html=True)
    st.session_state["filters"] = default_filters(lake)
    pages = [st.Page(PAGES / "wall.py", title=t("page_wall"), icon=":material/tv:", url_path="wall")]
    navigate(pages, links=False)
else:
    pages = [
        st.Page(PAGES / "overview.py", title=t("page_overview"), icon=":material/dashboard:", url_path="overview"),
        st.Page(PAGES / "units.py", title=t("page_units"), icon=":material/leaderboard:", url_path="units"),
        st.Page(PAGES / "reports_map.py", title=t("page_reports"), icon=":material/map:", url_path="reports"),
        st.Page(PAGES / "violations.py", title=t("page_violations"), icon=":material/traffic:", url_path="violations"),
        st.Page(PAGES / "review.py", title=t("page_review"), icon=":material/fact_check:", url_path="review"),
        st.Page(PAGES / "floods.py", title=t("page_floods"), icon=":material/flood:", url_path="floods"),
        st.Page(PAGES / "wall.py", title=t("page_wall"), icon=":material/tv:", url_path="wall"),
    ]
    navigate(pages, links=True, before_run=_sidebar)
