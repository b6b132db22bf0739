"""The ranking of a 7-day range that cuts a month, against an independent route: counts and medians in
plain SQL over silver.reports, and the score recipe of DESIGN.md ("KPI definitions") written out here."""

from __future__ import annotations

import datetime as dt

import pytest

from core.settings import settings
from lake import Lake
from views.headline import headline
from views.period import Period
from views.ranking import ranking

WEEK = Period.parse("2022-03-29..2022-04-04")  # Tuesday to Monday, across 31 March
K = 10  # reports of prior (core.kpis.SCORE_PRIOR_REPORTS, restated: the test does not read it)

SILVER = """
WITH r AS (
  SELECT *, CAST(timezone('Asia/Ho_Chi_Minh', received_at) AS DATE) AS day,
         (SELECT max(greatest(updated_at, received_at)) FROM silver.reports) AS as_of
  FROM silver.reports WHERE is_valid)
SELECT current_unit_id AS unit_id,
       count(*) AS received,
       count(*) FILTER (WHERE status = 'resolved') AS processed,
       count(*) FILTER (WHERE on_time) AS on_time,
       count(*) FILTER (WHERE resolved_at IS NULL AND deadline_at IS NOT NULL AND as_of >
           CASE WHEN extension_granted_at <= deadline_at THEN coalesce(extended_deadline_at, deadline_at)
                ELSE deadline_at END) AS open_overdue,
       count(rating) AS rated,
       count(*) FILTER (WHERE rating IN ('hai_long', 'chap_nhan')) AS satisfied,
       median(epoch(resolved_at - received_at) / 3600) FILTER (WHERE status = 'resolved') AS median_hours
FROM r WHERE day BETWEEN $start AND $end
GROUP BY GROUPING SETS ((current_unit_id), ())
"""


def _speed(hours: float | None) -> float | None:
    return None if hours is None else min(1.0, 48.0 / hours)


def _expected_scores(rows: list[dict], total: dict) -> dict[str, float]:
    w = settings().score_weights
    p_strict = total["on_time"] / (total["processed"] + total["open_overdue"])
    p_sat = total["satisfied"] / total["rated"]
    p_proc = total["processed"] / total["received"]
    p_speed = _speed(total["median_hours"])
    out = {}
    for r in rows:
        sp = _speed(r["median_hours"])
        parts = {"on_time": (r["on_time"] + K * p_strict) / (r["processed"] + r["open_overdue"] + K),
                 "satisfaction": (r["satisfied"] + K * p_sat) / (r["rated"] + K),
                 "processed": (r["processed"] + K * p_proc) / (r["received"] + K),
                 "speed": None if sp is None else (sp * r["processed"] + K * p_speed) / (r["processed"] + K)}
        present = {k: v for k, v in parts.items() if v is not None}
        out[r["unit_id"]] = 100 * sum(w[k] * v for k, v in present.items()) / sum(w[k] for k in present)
    return out


def test_week_cutting_a_month_matches_silver(views_lake: Lake) -> None:
    got = views_lake.sql(SILVER, {"start": WEEK.start, "end": WEEK.end})
    total = got.filter(got["unit_id"].is_null()).row(0, named=True)
    rows = got.filter(got["unit_id"].is_not_null()).to_dicts()
    assert WEEK.start.month != WEEK.end.month and total["received"] > 20

    ranked = ranking(views_lake, WEEK)
    mine = {r["unit_id"]: r for r in ranked.iter_rows(named=True) if r["received"]}
    assert set(mine) == {r["unit_id"] for r in rows}
    for r in rows:
        for key in ("received", "processed", "on_time", "open_overdue", "rated", "satisfied"):
            assert mine[r["unit_id"]][key] == r[key], (r["unit_id"], key)
    for unit, score in _expected_scores(rows, total).items():
        assert mine[unit]["score"] == pytest.approx(score, rel=1e-9), unit
    # best first, ranks 1..n, then units without reports (no rank, no score)
    scored = [r for r in ranked.iter_rows(named=True) if r["rank"] is not None]
    assert [r["rank"] for r in scored] == list(range(1, len(scored) + 1))
    assert all(a["score"] >= b["score"] for a, b in zip(scored, scored[1:], strict=False))
    idle = ranked.filter(ranked["rank"].is_null())
    assert idle["received"].sum() == 0 and idle["score"].null_count() == idle.height

    # the ranking's totals are the headline's, not whole months'
    head = headline(views_lake, WEEK.start, WEEK.end)
    assert int(ranked["received"].sum()) == head["received"] == total["received"]
    month_sum = views_lake.sql("SELECT sum(received)::BIGINT FROM gold.unit_performance "
                               "WHERE month IN ('2022-03', '2022-04')").item()
    assert month_sum > head["received"]


def test_area_filter_keeps_the_totals_of_the_area(views_lake: Lake) -> None:
    area = views_lake.sql("SELECT admin_unit_code_2025 a FROM silver.reports WHERE is_valid "
                          "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")["a"][0]
    want = views_lake.sql("""SELECT count(*) n FROM silver.reports WHERE is_valid AND admin_unit_code_2025 = $a
        AND CAST(timezone('Asia/Ho_Chi_Minh', received_at) AS DATE) BETWEEN $s AND $e""",
                          {"a": area, "s": WEEK.start, "e": WEEK.end})["n"][0]
    ranked = ranking(views_lake, WEEK, areas=[area])
    assert ranked["received"].sum() == want > 0
    assert ranked["rank"].null_count() == 0  # with an area, only units that handled it are listed


def test_previous_of_a_range_is_the_same_length_before(views_lake: Lake) -> None:
    prev = WEEK.previous()
    assert (prev.start, prev.end) == (dt.date(2022, 3, 22), dt.date(2022, 3, 28))
