"""``lake.sql`` with bound parameters only, binding just the ``$names`` a query uses (DuckDB refuses
extra ones), so one parameter dict per filter set serves every query of a view."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import polars as pl

from lake import Lake

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def query(lake: Lake, text: str, params: Mapping[str, Any] | None = None) -> pl.DataFrame:
    used = set(_PARAM.findall(text))
    bound = {k: v for k, v in (params or {}).items() if k in used}
    return lake.sql(text, bound or None)
