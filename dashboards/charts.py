"""Charts drawn with the viewer's number separators: Vega formats axis and tooltip numbers with d3's
en-US locale ("1,000") unless the chart's config names another; Vietnamese reads "1.000" and "2,5"."""

from __future__ import annotations

from typing import Any

import altair as alt
import streamlit as st

# d3-format locales, the same separators as core.fmt.num
NUMBER_LOCALES: dict[str, dict[str, Any]] = {
    "vi": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"]},
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", " VND"]},
}


def localised(chart: alt.TopLevelMixin, lang: str) -> alt.TopLevelMixin:
    """``chart`` configured with the number locale of ``lang``."""
    return chart.configure(locale=alt.Locale(number=NUMBER_LOCALES.get(lang, NUMBER_LOCALES["vi"])))


def show(chart: alt.TopLevelMixin, lang: str) -> None:
    """Draw ``chart`` full width with the separators of ``lang``."""
    st.altair_chart(localised(chart, lang), width="stretch")
