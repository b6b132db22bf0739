"""The unit drill-down's trend and transfers equal plain SQL written here over the same gold tables."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from lake import Lake
from views.filters import Filters
from views.unit_detail import unit_transfers, unit_trend


def _busiest(views_lake: Lake, column: str) -> list[str]:
    return views_lake.sql(f"SELECT {column} u FROM gold.unit_transfers WHERE {column} IS NOT NULL "
                          "GROUP BY 1 ORDER BY sum(transfers) DESC, 1 LIMIT 3")["u"].to_list()


@pytest.mark.parametrize(("start", "end"), [(dt.date(2022, 1, 10), dt.date(2022, 3, 5)),
                                            (dt.date(2022, 2, 1), dt.date(2022, 2, 28)),
                                            (dt.date(2022, 5, 20), dt.date(2022, 7, 1))])
def test_unit_trend_is_the_units_rows_of_the_months_touched(views_lake: Lake, start, end) -> None:
    months = sorted({f"{d.year:04d}-{d.month:02d}" for d in
                     (start + dt.timedelta(days=i) for i in range((end - start).days + 1))})
    for unit in _busiest(views_lake, "to_unit_id"):
        want = views_lake.sql(
            "SELECT month, received, processed, on_time, open_overdue, score, on_time_rate, satisfaction_rate "
            "FROM gold.unit_performance WHERE unit_id = $u AND month IN (SELECT unnest($m::VARCHAR[])) "
            "ORDER BY month", {"u": unit, "m": months})
        got = unit_trend(views_lake, unit, Filters.of(start, end))
        assert want.height > 0 or start.month == 5
        assert got.equals(want)


@pytest.mark.parametrize(("start", "end"), [(dt.date(2022, 1, 1), dt.date(2022, 5, 27)),
                                            (dt.date(2022, 3, 3), dt.date(2022, 3, 30))])
def test_unit_transfers_in_and_out_by_the_other_unit(views_lake: Lake, start, end) -> None:
    units = _busiest(views_lake, "to_unit_id") + _busiest(views_lake, "from_unit_id")
    for unit in units:
        got_in, got_out = unit_transfers(views_lake, unit, Filters.of(start, end))
        for got, me, other in ((got_in, "to_unit_id", "from_unit_id"), (got_out, "from_unit_id", "to_unit_id")):
            rows = views_lake.sql(f"SELECT {other} o, transfers FROM gold.unit_transfers "
                                  f"WHERE {me} = $u AND date BETWEEN $a AND $b", {"u": unit, "a": start, "b": end})
            names = dict(views_lake.sql("SELECT unit_id, name FROM silver.units").iter_rows())
            sums: dict[str | None, int] = {}
            for o, n in rows.iter_rows():
                sums[o] = sums.get(o, 0) + n
            want = sorted(((o, names.get(o) or o, n) for o, n in sums.items()),
                          key=lambda r: (-r[2], r[0] is None, r[0] or ""))
            assert got.columns == ["other_id", "other_name", "transfers"]
            assert got.schema["transfers"] == pl.Int64
            assert list(got.iter_rows()) == want
        assert got_in.height + got_out.height > 0 or start.month == 3


def test_unit_trend_of_an_unknown_unit_or_a_period_without_months_is_empty(views_lake: Lake) -> None:
    want = views_lake.sql(
        "SELECT month, received, processed, on_time, open_overdue, score, on_time_rate, satisfaction_rate "
        "FROM gold.unit_performance WHERE false")
    assert unit_trend(views_lake, "no-such-unit", Filters.of(dt.date(2022, 1, 1), dt.date(2022, 3, 1))).equals(want)
    unit = _busiest(views_lake, "to_unit_id")[0]
    assert unit_trend(views_lake, unit, Filters.of(dt.date(2030, 1, 1), dt.date(2030, 2, 1))).equals(want)
