"""Tables whose numbers stay numbers: sorting a column orders 9 before 92, not after it.

``ui.show_table`` turns every value into its Vietnamese text, so the grid sorts those texts ("92" < "9,5").
Here the frame keeps its values and a pandas Styler only draws them (Streamlit sends both; the grid sorts by
the value and shows the text)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl
import streamlit as st

from dashboards.lang import t


def show_sortable(df: pl.DataFrame, columns: dict[str, str],
                  formats: dict[str, Callable[[Any], str]] | None = None, height: int | None = None,
                  key: str | None = None, column_config: dict[str, Any] | None = None) -> None:
    """Show ``df``'s ``columns`` (name → label key) with catalog headers; ``formats`` draw the values;
    ``column_config`` (by column name) is Streamlit's, e.g. a link column."""
    keep = {c: t(k) for c, k in columns.items() if c in df.columns}
    formats = {c: fn for c, fn in (formats or {}).items() if c in keep}
    # codes and flags become their words here (text sorts as text); numbers and times keep their values
    drawn = {c for c in formats if df.schema[c].is_numeric() or df.schema[c].is_temporal()}
    frame = df.select([
        (pl.col(c).map_elements(formats[c], return_dtype=pl.String, skip_nulls=False)
         if c in formats and c not in drawn else pl.col(c)).alias(label) for c, label in keep.items()]).to_pandas()
    shown = {keep[c]: (lambda v, fn=formats[c]: "" if v is None or v != v else fn(v))  # NaN/None: empty
             for c in drawn}
    kwargs: dict[str, Any] = {"hide_index": True, "width": "stretch"}
    if height:
        kwargs["height"] = height
    if key:
        kwargs["key"] = key
    if column_config:
        kwargs["column_config"] = {keep[c]: cfg for c, cfg in column_config.items() if c in keep}
    st.dataframe(frame.style.format(shown) if shown else frame, **kwargs)
