"""The overview's slices (counts per day, category and channel) equal plain SQL written here, with and
without category, channel and area filters (without areas they come from sums kept per Delta version)."""

from __future__ import annotations

import datetime as dt

import pytest

from lake import Lake
from views.filters import Filters
from views.trends import slices

from .conftest import StatementRoute


def _plain(lake: Lake, f: Filters, cats: tuple[str, ...], chans: tuple[str, ...]) -> list[tuple]:
    rows = lake.sql("SELECT date, category_code, channel, received, processed, on_time, admin_unit_code_2025 "
                    "FROM gold.kpi_daily").rows()
    sums: dict[tuple, list[int]] = {}
    for d, c, ch, r, p, o, area in rows:
        if d is None or not f.start <= d <= f.end or (f.areas and area not in f.areas):
            continue
        if (cats and c not in cats) or (chans and ch not in chans):
            continue
        acc = sums.setdefault((d, c, ch), [0, 0, 0])
        for i, v in enumerate((r, p, o)):
            acc[i] += v or 0
    return sorted(((*k, *v) for k, v in sums.items()), key=repr)


@pytest.mark.parametrize(("start", "end"), [(dt.date(2022, 1, 1), dt.date(2022, 5, 27)),
                                            (dt.date(2022, 3, 3), dt.date(2022, 3, 3)),
                                            (dt.date(2030, 1, 1), dt.date(2030, 3, 1))])
def test_slices_equal_plain_sql(views_lake: Lake, start: dt.date, end: dt.date) -> None:
    cat = views_lake.sql("SELECT category_code FROM gold.kpi_daily GROUP BY 1 ORDER BY sum(received) DESC, 1 "
                         "LIMIT 1").item()
    area = views_lake.sql("SELECT admin_unit_code_2025 FROM gold.kpi_daily WHERE admin_unit_code_2025 IS NOT NULL "
                          "GROUP BY 1 ORDER BY sum(received) DESC, 1 LIMIT 1").item()
    for areas, cats, chans in (((), (), ()), ((), (cat,), ()), ((), (), ("app",)), ((area,), (), ())):
        f = Filters.of(start, end, areas)
        # the kept route on the lake, and the filtered statement an engine that keeps nothing is given
        for lake in (views_lake, StatementRoute(views_lake)):
            got = slices(lake, f, cats, chans)  # type: ignore[arg-type]
            assert got.columns == ["date", "category_code", "channel", "received", "processed", "on_time"]
            assert sorted(got.rows(), key=repr) == _plain(views_lake, f, cats, chans)
    assert start.year == 2030 or slices(views_lake, Filters.of(start, end)).height > 0
