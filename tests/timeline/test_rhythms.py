"""The city's rhythms: Tết and holidays dip, hotline calls follow the hours people call, each unit gets the
reports of its sector, and the unprocessed share is withdrawn reports and the tail, not reports left open."""

from __future__ import annotations

import datetime as dt

# Mùng 1 Tết (lunar new year's day), written by hand
TET = [dt.date(2020, 1, 25), dt.date(2021, 2, 12), dt.date(2022, 2, 1), dt.date(2023, 1, 22),
       dt.date(2024, 2, 10), dt.date(2025, 1, 29), dt.date(2026, 2, 17)]
DAY = "CAST(timezone('Asia/Ho_Chi_Minh', received_at) AS DATE)"


def _count(lake, start: dt.date, days: int) -> int:
    return lake.sql(f"SELECT count(*) FROM silver.reports WHERE {DAY} >= $a AND {DAY} < $b",
                    {"a": start, "b": start + dt.timedelta(days=days)}).item()


def test_tet_week_is_under_60_percent_of_the_weeks_around_it(timeline_lake):
    tet = around = 0
    for day in TET:
        week = day - dt.timedelta(days=2)  # from 29 Tết to 5 Tết
        tet += _count(timeline_lake, week, 7)
        around += sum(_count(timeline_lake, week + dt.timedelta(days=7 * k), 7) for k in (-3, -2, 2, 3)) / 4
    assert tet < 0.6 * around, (tet, around)


def test_hotline_calls_follow_the_hours_people_call(timeline_lake):
    hour = "hour(timezone('Asia/Ho_Chi_Minh', started_at))"
    night, morning = timeline_lake.sql(f"""
        SELECT count(*) FILTER (WHERE {hour} >= 2 AND {hour} < 4),
               count(*) FILTER (WHERE {hour} >= 8 AND {hour} < 10) FROM silver.hotline_calls""").row(0)
    assert morning > 100 and night < 0.25 * morning


def test_every_unit_active_in_2022_received_a_report_that_year(timeline_lake):
    missing = timeline_lake.sql("""
        SELECT u.unit_id, u.name FROM silver.units u
        WHERE u.joined_on <= DATE '2022-12-31' AND coalesce(u.valid_from, DATE '1900-01-01') <= DATE '2022-12-31'
          AND coalesce(u.valid_to, DATE '2999-12-31') >= DATE '2022-01-01'
          AND NOT EXISTS (SELECT 1 FROM silver.reports r WHERE r.current_unit_id = u.unit_id AND r.is_valid
                          AND year(timezone('Asia/Ho_Chi_Minh', r.received_at)) = 2022)""")
    assert missing.is_empty(), missing.to_dicts()[:10]
    active = timeline_lake.sql("""SELECT count(*) FROM silver.units WHERE joined_on <= DATE '2022-12-31'
                                  AND valid_from IS NULL""").item()
    assert active == 226


def test_the_department_of_construction_gets_construction_reports(timeline_lake):
    n = timeline_lake.sql("""SELECT count(*) FROM silver.reports r JOIN silver.units u ON u.unit_id = r.current_unit_id
                             WHERE u.name = 'Sở Xây dựng tỉnh Thừa Thiên Huế' AND r.category_code = 'construction'""")
    assert n.item() > 0


def test_unprocessed_reports_are_withdrawn_or_the_recent_tail(timeline_lake):
    lake = timeline_lake
    # nothing received more than 60 days before the end of the timeline is still open
    old_open = lake.sql("""SELECT count(*) FROM silver.reports WHERE status IN ('open', 'pending')
                           AND received_at < TIMESTAMPTZ '2026-01-31 00:00:00+07'""").item()
    assert old_open == 0
    withdrawn = lake.sql("SELECT count(*) FROM silver.reports WHERE status = 'withdrawn'").item()
    assert withdrawn > 0
