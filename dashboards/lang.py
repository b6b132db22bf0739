"""The language of the current Streamlit session, and the catalog's texts in it (``core.labels`` holds the words).

The language is ``st.session_state["lang"]`` when the sidebar has set it, else the configured ``language``.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.labels import LANGS, text, text_or
from core.settings import settings


def current_lang() -> str:
    # Outside a Streamlit run (CLI, tests of plain functions) there is no session to ask.
    lang = st.session_state.get("lang") if get_script_run_ctx(suppress_warning=True) else None
    if lang in LANGS:
        return lang
    lang = settings().language
    return lang if lang in LANGS else "vi"


def t(key: str, lang: str | None = None, **fields: Any) -> str:
    """Screen text ``key`` in ``lang`` (default: the session's); unknown key → KeyError."""
    return text(key, lang or current_lang(), **fields)


def t_or(key: str, fallback: str, lang: str | None = None) -> str:
    """The catalog text of ``key`` when it exists (codes from data: channels, statuses), else ``fallback``."""
    return text_or(key, fallback, lang or current_lang())
