"""The ranking on a hand-made lake of a few units, a few daily rows and a few reports, with every expected
figure worked out by hand below (issue 17: the ranking view is in the mutation run, so its tests must be
small and independent of the code under test).

March 2022. Units: A (state) and B (enterprise) received reports; C, F, G, H (state) and I (enterprise)
received none; D left the network before the period's end, E joined after it.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lake import Lake
from tests.figures.hand_lake import (
    COUNTS,
    D,
    build_hand_lake,
    daily_frame,
    reports_frame,
    transfers_frame,
    units_frame,
)
from views.period import Period
from views.ranking import by_unit_type, ranking, totals

MARCH = Period.month(2022, 3)


@pytest.fixture
def hand_lake(tmp_path: Path) -> Lake:
    return build_hand_lake(tmp_path / "lake")


# By hand, K = 10 reports of prior, weights 0.4 / 0.3 / 0.2 / 0.1 (on time, satisfaction, processed, speed).
# Sums: A received 10, processed 7, on time 5, late 1, overdue 2, open overdue 1, rated 5, satisfied 4;
#       B received 3, processed 3, on time 3, rated 2, satisfied 2. Prior = A + B: strict on time 8/11,
#       satisfaction 6/7, processed 10/13. Medians: A (10, 30, 60 h) 30 h -> speed 1; B (96, 120 h) 108 h ->
#       48/108 = 4/9; all five 60 h -> 0.8.
# A: on time (5 + 80/11)/18 = 135/198, satisfaction (4 + 60/7)/15 = 88/105, processed (7 + 100/13)/20 =
#    191/260, speed (7 + 8)/17 = 15/17.
# B: on time (3 + 80/11)/13 = 113/143, satisfaction (2 + 60/7)/12 = 37/42, processed (3 + 100/13)/13 = 139/169,
#    speed (3 * 4/9 + 8)/13 = 28/39.
A_PARTS = {"score_on_time": 40 * 135 / 198, "score_satisfaction": 30 * 88 / 105,
           "score_processed": 20 * 191 / 260, "score_speed": 10 * 15 / 17}
B_PARTS = {"score_on_time": 40 * 113 / 143, "score_satisfaction": 30 * 37 / 42,
           "score_processed": 20 * 139 / 169, "score_speed": 10 * 28 / 39}


def _rows(frame: pl.DataFrame) -> dict[str, dict]:
    return {r["unit_id"]: r for r in frame.iter_rows(named=True)}


def test_hand_lake_ranking_scores_counts_and_order(hand_lake: Lake) -> None:
    got = ranking(hand_lake, MARCH)
    # B scores about 81.7, A about 75.9: B first; then the units without reports, by id, unranked
    assert got["unit_id"].to_list() == ["U-B", "U-A", "U-C", "U-F", "U-G", "U-H", "U-I"]
    assert got["rank"].to_list() == [1, 2, None, None, None, None, None]
    rows = _rows(got)
    a, b = rows["U-A"], rows["U-B"]
    for unit, parts in (("U-A", A_PARTS), ("U-B", B_PARTS)):
        for col, want in parts.items():
            assert rows[unit][col] == pytest.approx(want, rel=1e-12), (unit, col)
        assert rows[unit]["score"] == pytest.approx(sum(parts.values()), rel=1e-12), unit
    assert [a[c] for c in ("received", "processed", "on_time", "late_with_extension", "overdue", "open_overdue",
                           "rated", "satisfied")] == [10, 7, 5, 1, 2, 1, 5, 4]
    assert [b[c] for c in ("received", "processed", "on_time", "late_with_extension", "overdue", "open_overdue",
                           "rated", "satisfied")] == [3, 3, 3, 0, 0, 0, 2, 2]
    assert a["processed_rate"] == pytest.approx(0.7)
    assert a["on_time_rate"] == pytest.approx(5 / 7)
    assert a["late_with_extension_rate"] == pytest.approx(1 / 7)
    assert a["strict_on_time_rate"] == pytest.approx(5 / 8)
    assert a["satisfaction_rate"] == pytest.approx(4 / 5)
    assert a["participation_rate"] == pytest.approx(5 / 7)
    assert (a["median_hours_to_resolve"], b["median_hours_to_resolve"]) == (30.0, 108.0)
    assert (a["unit_name"], a["unit_type"], b["unit_name"], b["unit_type"]) == (
        "Phuong A", "state", "Cong ty B", "enterprise")
    # transfers by the day of the transfer, in the period only
    assert (a["transfers_in"], a["transfers_out"], b["transfers_in"], b["transfers_out"]) == (1, 2, 2, 1)
    for idle in ("U-C", "U-F", "U-G", "U-H", "U-I"):
        r = rows[idle]
        assert r["score"] is None and r["median_hours_to_resolve"] is None, idle
        assert all(r[c] == 0 for c in COUNTS if c != "invalid"), idle
        assert (r["transfers_in"], r["transfers_out"]) == (0, 0), idle
        assert r["unit_name"] is not None, idle
    assert rows["U-C"]["unit_name"] == "Xa C"
    assert "invalid" not in got.columns


def test_hand_lake_totals_and_unit_types(hand_lake: Lake) -> None:
    got = ranking(hand_lake, MARCH)
    assert totals(got) == {"received": 13, "processed": 10, "on_time": 8, "late_with_extension": 1,
                           "overdue": 2, "open_overdue": 1, "rated": 7, "satisfied": 6}
    types = by_unit_type(got)
    assert types["unit_type"].to_list() == ["enterprise", "state"]
    assert types["units"].to_list() == [1, 1]  # units with reports only (C, F, G, H, I have none)
    assert types["received"].to_list() == [3, 10]
    assert types["processed"].to_list() == [3, 7]
    assert types["processed_rate"].to_list() == pytest.approx([1.0, 0.7])
    assert types["strict_on_time_rate"].to_list() == pytest.approx([1.0, 5 / 8])
    assert types["satisfaction_rate"].to_list() == pytest.approx([1.0, 4 / 5])
    assert types["participation_rate"].to_list() == pytest.approx([2 / 3, 5 / 7])
    assert types.schema["processed_rate"] == pl.Float64


def test_hand_lake_area_filter(hand_lake: Lake) -> None:
    # area X2: A's row of 31 March and its report a2 (30 h) only; A is its own prior, so
    # on time (1 + 10/3)/13 = 1/3, satisfaction (1 + 10)/11 = 1, processed (2 + 5)/14 = 1/2, speed 1:
    # 40/3 + 30 + 10 + 10 points; no unit without reports is listed when an area is picked
    got = ranking(hand_lake, MARCH, areas=["X2"])
    assert got["unit_id"].to_list() == ["U-A"]
    r = got.row(0, named=True)
    assert (r["received"], r["processed"], r["open_overdue"], r["median_hours_to_resolve"]) == (4, 2, 1, 30.0)
    assert r["score"] == pytest.approx(40 / 3 + 50, rel=1e-12)
    assert r["score_on_time"] == pytest.approx(40 / 3, rel=1e-12)
    # transfers carry no area: the period's transfers still show
    assert (r["transfers_in"], r["transfers_out"]) == (1, 2)


def test_hand_lake_unit_type_filter(hand_lake: Lake) -> None:
    # enterprises only: B alone is its own prior, so every part is its rate: 1, 1, 1 and speed 4/9
    got = ranking(hand_lake, MARCH, unit_types=["enterprise"])
    assert got["unit_id"].to_list() == ["U-B", "U-I"]
    assert got["rank"].to_list() == [1, None]
    assert got["score"][0] == pytest.approx(90 + 40 / 9, rel=1e-12)
    assert got["score_speed"][0] == pytest.approx(40 / 9, rel=1e-12)


def test_hand_lake_weights_given(hand_lake: Lake) -> None:
    # the on-time part alone: A's score is its on-time part out of 100; the other parts give no points
    got = _rows(ranking(hand_lake, MARCH, weights={"on_time": 1.0, "satisfaction": 0.0, "processed": 0.0,
                                                      "speed": 0.0}))
    assert got["U-A"]["score"] == pytest.approx(100 * 135 / 198, rel=1e-12)
    assert got["U-B"]["score"] == pytest.approx(100 * 113 / 143, rel=1e-12)
    assert got["U-A"]["score_satisfaction"] is None


def test_ties_break_on_more_reports_then_unit_id(tmp_path: Path) -> None:
    # every unit resolved and rated all its reports as satisfied: every part is 1, every score the same
    lake = Lake.open(tmp_path / "lake")
    lake.overwrite("silver.units", units_frame([(u, u, "state", D(2020, 1, 1), None) for u in ("T-1", "T-2", "T-3")]))
    lake.overwrite("gold.kpi_daily", daily_frame([
        (D(2022, 3, 2), "X1", "T-1", 2, 0, 2, 2, 0, 0, 0, 2, 2),
        (D(2022, 3, 2), "X1", "T-3", 4, 0, 4, 4, 0, 0, 0, 4, 4),
        (D(2022, 3, 2), "X1", "T-2", 4, 0, 4, 4, 0, 0, 0, 4, 4),
    ]))
    lake.overwrite("silver.reports", reports_frame([]))
    lake.overwrite("gold.unit_transfers", transfers_frame([]))
    got = ranking(lake, MARCH)
    assert got["unit_id"].to_list() == ["T-2", "T-3", "T-1"]
    assert got["rank"].to_list() == [1, 2, 3]
    # no resolved report in silver: no speed part, the other weights renormalised to 100 points
    assert got["score"].to_list() == pytest.approx([100.0] * 3, rel=1e-12)
    assert got["median_hours_to_resolve"].null_count() == 3
