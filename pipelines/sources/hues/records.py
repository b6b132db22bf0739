"""The report records as a citizen's app sends them: ids in receipt order, a title and description from
the category and a street, the reporter, the place (the commune code of the report's date), the channel."""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.sources.hues.arrivals import Arrivals
from pipelines.sources.hues.places import Places
from pipelines.sources.hues.vocabulary import CATEGORY_CODES, FAMILY, GIVEN, MIDDLE, STREETS, TITLES

SOURCE = "simulated"
CITY_UTC = np.datetime64("2024-12-31T17:00:00", "us")  # 2025-01-01 00:00 in Vietnam: the centrally-run city
REFORM_UTC = np.datetime64("2025-06-30T17:00:00", "us")  # 2025-07-01 00:00 in Vietnam: the 40 new communes


def era_codes(received: np.ndarray, where: Places) -> tuple[np.ndarray, np.ndarray]:
    """(admin unit of the date at its finest known level, district-level unit of the date or None)."""
    before = received < CITY_UTC
    early_2025 = ~before & (received < REFORM_UTC)
    unit = np.where(before, where.district_2019, np.where(early_2025, where.old_code, where.new_code))
    district = np.where(before, where.district_2019, np.where(early_2025, where.district, None))
    return unit, district


def report_ids(received: np.ndarray) -> np.ndarray:
    order = np.argsort(received, kind="stable")
    out = np.empty(len(received), dtype=object)
    out[order] = [f"HUES-{i + 1:07d}" for i in range(len(received))]
    return out


def _text(values) -> pl.Series:
    return pl.Series(values=list(values), dtype=pl.String)


def report_frame(rng: np.random.Generator, *, report_id: np.ndarray, came: Arrivals, where: Places,
                 immediate: np.ndarray, invalid_reason: np.ndarray) -> pl.DataFrame:
    """One row per report, first version (``updated_at`` = ``received_at``)."""
    n = len(report_id)
    street = rng.integers(0, len(STREETS), n)
    tmpl = rng.integers(0, 10, n)
    title = [TITLES[CATEGORY_CODES[c]][k % len(TITLES[CATEGORY_CODES[c]])].format(s=STREETS[s])
             for c, k, s in zip(came.category, tmpl, street, strict=True)]
    names = [f"{FAMILY[a]} {MIDDLE[b]} {GIVEN[c]}" for a, b, c in zip(
        rng.integers(0, len(FAMILY), n), rng.integers(0, len(MIDDLE), n), rng.integers(0, len(GIVEN), n),
        strict=True)]
    phones = [f"09{x:08d}" for x in rng.integers(0, 10**8, n)]
    received = came.received
    return pl.DataFrame({
        "report_id": _text(report_id),
        "source": _text([SOURCE] * n),
        "channel": _text(came.channel),
        "category_code": _text(np.array(CATEGORY_CODES, dtype=object)[came.category]),
        "title": _text(title),
        "description": _text(f"{ti}. Đề nghị cơ quan chức năng kiểm tra, xử lý." for ti in title),
        "lat": np.where(where.missing, np.nan, where.lonlat[:, 1]),
        "lon": np.where(where.missing, np.nan, where.lonlat[:, 0]),
        "admin_unit_code": _text(era_codes(received, where)[0]),
        "district_code": _text(era_codes(received, where)[1]),
        "admin_unit_code_2025": _text(where.new_code),
        "received_at": received,
        "process_type": _text(np.where(immediate, "immediate", "timed")),
        "is_valid": came.valid,
        "invalid_reason": _text(np.where(came.valid, None, invalid_reason)),
        "reporter_name": _text(names),
        "reporter_phone": _text(phones),
        "updated_at": received,
    }).with_columns(
        pl.col("lat").fill_nan(None), pl.col("lon").fill_nan(None),
        pl.col("received_at").dt.replace_time_zone("UTC"), pl.col("updated_at").dt.replace_time_zone("UTC"),
    )
