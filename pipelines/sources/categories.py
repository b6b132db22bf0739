"""The category table (deadline rules as data, from categories.yaml)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import polars as pl
import yaml

CATEGORIES_FILE = Path(__file__).with_name("categories.yaml")


@lru_cache(maxsize=1)
def categories_frame() -> pl.DataFrame:
    rows = yaml.safe_load(CATEGORIES_FILE.read_text(encoding="utf-8"))
    return pl.DataFrame(
        [
            {
                "category_code": r["code"],
                "name_vi": r["vi"],
                "name_en": r["en"],
                "process_type": r["process"],
                "deadline_hours": r.get("hours"),
                "deadline_working_days": r.get("days"),
                "source": "configuration",
            }
            for r in rows
        ],
        schema={"category_code": pl.String, "name_vi": pl.String, "name_en": pl.String,
                "process_type": pl.String, "deadline_hours": pl.Int32, "deadline_working_days": pl.Int32,
                "source": pl.String},
    )
