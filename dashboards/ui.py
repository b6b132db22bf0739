"""Small display helpers shared by the pages: headline metrics, localised tables, theme CSS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl
import streamlit as st

from core import fmt
from dashboards.lang import t, t_or
from lake import Lake

WALL_CSS = """
<style>
[data-testid="stAppViewContainer"], [data-testid="stHeader"], .stApp {background: #0b1220; color: #e6edf7;}
[data-testid="stSidebar"], [data-testid="stToolbar"], header, footer {display: none !important;}
.block-container {padding-top: 1rem; max-width: 100% !important;}
h1 {font-size: 3.2rem !important;} h2 {font-size: 2.4rem !important;} h3 {font-size: 2rem !important;}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {font-size: 4rem !important; line-height: 1.1 !important;}
[data-testid="stMetricLabel"] p {font-size: 1.6rem !important;}
[data-testid="stMetricDelta"] {font-size: 1.4rem !important;}
p, li, td, th, .stMarkdown {font-size: 1.5rem !important;}
</style>
"""


def status_label(code: str | None, lang: str | None = None) -> str:
    return t_or(f"status_{code}", code or fmt.DASH, lang)


def channel_label(code: str | None, lang: str | None = None) -> str:
    return t_or(f"channel_{code}", code or fmt.DASH, lang)


def rating_label(code: str | None, lang: str | None = None) -> str:
    return t_or(f"rating_{code}", code or "", lang) if code else ""


def show_table(df: pl.DataFrame, columns: dict[str, str],
               formats: dict[str, Callable[[Any], str]] | None = None, height: int | None = None,
               key: str | None = None, static: bool = False) -> None:
    """Show ``df``'s ``columns`` (name → string key) with catalog headers and Vietnamese formats."""
    formats = formats or {}
    out = {}
    for col, label_key in columns.items():
        if col not in df.columns:
            continue
        values = df[col].to_list()
        fn = formats.get(col)
        out[t(label_key)] = [fn(v) for v in values] if fn else values
    frame = pl.DataFrame(out, strict=False) if out else pl.DataFrame()
    if static:  # an HTML table: the wall's CSS makes it large
        st.table(frame.to_pandas().set_index(frame.columns[0]) if frame.width else frame)
        return
    kwargs: dict[str, Any] = {"hide_index": True, "width": "stretch"}
    if height:
        kwargs["height"] = height
    if key:
        kwargs["key"] = key
    st.dataframe(frame.to_pandas() if frame.width else frame, **kwargs)


def lang_name(row: dict[str, Any], lang: str, base: str = "category") -> str:
    return row.get(f"{base}_{lang}") or row.get(f"{base}_vi") or ""


def show_evidence(lake: Lake, uri: str | None) -> None:
    """A violation's evidence crop, or a caption saying there is none (missing or unreadable file)."""
    image = None
    if uri:
        try:
            image = lake.get_artifact(uri)
        except (OSError, ValueError):
            image = None
    if image:
        st.image(image, width="stretch")
    else:
        st.caption(t("no_evidence"))


def show_audit(frame: pl.DataFrame, time_col: str, *columns: pl.Expr, lang: str | None = None) -> None:
    """An audit log (review, moderation, tracing decisions): newest first as the view gives it, its time in
    Vietnamese format first, then ``columns``; a plain "no data" when nothing was decided yet."""
    if frame.is_empty():
        st.info(t("no_data"))
        return
    when = pl.col(time_col).map_elements(lambda v: fmt.datetime(v, lang=lang), return_dtype=pl.String)
    st.dataframe(frame.select(when.alias(t("col_time")), *columns), hide_index=True, width="stretch")
