"""The headline without filters (answered from per-day totals kept per Delta version) equals plain SQL over
gold.kpi_daily and silver.units for closed, open-ended and empty periods, and follows a new version."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest

from core.kpis import COUNT_KEYS
from lake import Lake
from views.headline import headline

from .conftest import END, START

SUMS = ", ".join(f"coalesce(sum({k}), 0) AS {k}" for k in COUNT_KEYS)


def _by_sql(lake: Lake, start: dt.date | None, end: dt.date | None) -> dict:
    got = lake.sql(f"SELECT {SUMS}, sum(hours_to_resolve_sum) AS hours FROM gold.kpi_daily "
                   "WHERE ($s IS NULL OR date >= $s) AND ($e IS NULL OR date <= $e)",
                   {"s": start, "e": end}).row(0, named=True)
    if end is None:
        units = lake.sql("SELECT count(*) FROM silver.units WHERE valid_to IS NULL").item()
    else:
        units = lake.sql("SELECT count(*) FROM silver.units WHERE joined_on <= $e "
                         "AND (valid_to IS NULL OR valid_to >= $e)", {"e": end}).item()
    mean = None if got["hours"] is None or not got["processed"] else got["hours"] / float(got["processed"])
    return {**{k: int(got[k]) for k in COUNT_KEYS}, "units": units, "mean": mean}


@pytest.mark.parametrize(("start", "end"), [
    (START, END), (dt.date(2022, 2, 3), dt.date(2022, 3, 4)), (dt.date(2022, 4, 30), dt.date(2022, 4, 30)),
    (None, dt.date(2022, 2, 10)), (dt.date(2022, 3, 15), None), (None, None),
    (dt.date(2030, 1, 1), dt.date(2030, 1, 31)), (dt.date(2022, 3, 1), dt.date(2022, 2, 1))])
def test_whole_network_headline_equals_plain_sql(views_lake: Lake, start: dt.date | None,
                                                 end: dt.date | None) -> None:
    head, want = headline(views_lake, start, end), _by_sql(views_lake, start, end)
    assert {k: head[k] for k in (*COUNT_KEYS, "units")} == {k: want[k] for k in (*COUNT_KEYS, "units")}
    if want["mean"] is None:
        assert head["mean_hours_to_resolve"] is None
    else:  # the same sums added in another order (per day first): equal to the last bits of a double
        assert math.isclose(head["mean_hours_to_resolve"], want["mean"], rel_tol=1e-12)


def test_whole_network_headline_follows_a_new_gold_version(tmp_path) -> None:
    lake = Lake.open(tmp_path / "lake", role="service")
    day = dt.date(2022, 1, 5)
    row = {"date": day, "category_code": "c", "channel": "app", "admin_unit_code_2025": "a", "unit_id": "u1",
           **dict.fromkeys(COUNT_KEYS, 1), "hours_to_resolve_sum": 2.0}
    lake.overwrite("silver.units", pl.DataFrame({"unit_id": ["u1"], "joined_on": [dt.date(2020, 1, 1)]}))
    lake.overwrite("gold.kpi_daily", pl.DataFrame([row]))
    assert headline(lake, day, day)["received"] == 1
    lake.overwrite("gold.kpi_daily", pl.DataFrame([row | {"received": 7}]))
    assert headline(lake, day, day)["received"] == 7
    assert headline(lake, day, day)["units"] == 1
