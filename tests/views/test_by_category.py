"""The report's breakdown by category equals plain SQL written here (province: answered from per-day totals
kept per Delta version; one unit: a statement)."""

from __future__ import annotations

import datetime as dt

import pytest

from lake import Lake
from views.breakdowns import COUNT_COLS, by_category
from views.period import Period

from .conftest import StatementRoute

PERIODS = [Period.quarter(2022, 1), Period.month(2022, 3), Period.range(dt.date(2022, 2, 14), dt.date(2022, 2, 14)),
           Period.range(dt.date(2030, 1, 1), dt.date(2030, 3, 31))]


def _plain(lake: Lake, period: Period, unit: str | None) -> list[tuple]:
    sums = ", ".join(f"sum({c})" for c in COUNT_COLS)
    rows = lake.sql(f"SELECT category_code, {sums} FROM gold.kpi_daily WHERE date >= $a AND date <= $b "
                    "AND ($u IS NULL OR unit_id = $u) GROUP BY 1",
                    {"a": period.start, "b": period.end, "u": unit}).rows()
    names = {r[0]: r[1:] for r in lake.sql("SELECT category_code, name_vi, name_en, process_type "
                                           "FROM silver.categories").rows()}
    out = [(code, *names.get(code, (None, None, None)), *(int(v or 0) for v in sums_))
           for code, *sums_ in rows if (sums_[0] or 0) > 0]
    return sorted(out, key=lambda r: (-r[4], r[0]))


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: f"{p.start}..{p.end}")
def test_by_category_equals_plain_sql(views_lake: Lake, period: Period) -> None:
    unit = views_lake.sql("SELECT unit_id FROM gold.kpi_daily WHERE unit_id IS NOT NULL GROUP BY 1 "
                          "ORDER BY sum(received) DESC, 1 LIMIT 1").item()
    for who, lake in ((None, views_lake), (unit, views_lake), (None, StatementRoute(views_lake))):
        got = by_category(lake, period, who)  # type: ignore[arg-type]
        cols = ["category_code", "name_vi", "name_en", "process_type", *COUNT_COLS]
        assert list(got.select(cols).iter_rows()) == _plain(views_lake, period, who)
        assert got["received"].sum() == sum(r[4] for r in _plain(views_lake, period, who))
    assert period.start.year == 2030 or by_category(views_lake, period).height > 0
