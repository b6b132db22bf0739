"""The ranking's two routes on hand-made lakes, every expected figure worked out by hand below (issue 17: the
survivors of the mutation run over ``views/ranking.py`` and ``views/ranking_kept.py``).

The kept route (``views.ranking_kept``, a lake that keeps answers, no area) is called through its helpers
where the figure is theirs (the medians, the shapes) and through ``ranking`` otherwise; the statement route
through ``ranking`` on the lake seen as an engine that keeps nothing (``StatementRoute``) or with an area.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from lake import Lake
from tests.figures.hand_lake import (
    END,
    START,
    D,
    build_hand_lake,
    daily_frame,
    reports_frame,
    transfers_frame,
    units_frame,
)
from tests.routes import PlainEngine, StatementRoute
from views import ranking_kept
from views.period import Period
from views.ranking import ranking

MARCH = Period.month(2022, 3)
US = dt.timedelta(microseconds=1)


def _lake(root: Path, units: list[tuple], daily: list[tuple], reports: list[tuple],
          transfers: list[tuple]) -> Lake:
    lake = Lake.open(root)
    lake.overwrite("silver.units", units_frame(units))
    lake.overwrite("gold.kpi_daily", daily_frame(daily))
    lake.overwrite("silver.reports", reports_frame(reports))
    lake.overwrite("gold.unit_transfers", transfers_frame(transfers))
    return lake


def _daily(day: dt.date, unit: str, received: int) -> tuple:
    # every report processed on time, none rated: the counts play no part in these tests but ranking
    return (day, "X1", unit, received, 0, received, received, 0, 0, 0, 0, 0)


def _resolved(rid: str, unit: str, at: dt.datetime, hours: float) -> tuple:
    return (rid, unit, "X1", at, hours, True, "resolved")


def _medians(lake: Lake, period: Period, types: tuple[str, ...] = ()) -> tuple[dict, float | None]:
    _, per_unit, overall = ranking_kept.counts_and_medians(lake, period, types)
    return per_unit, overall


# ---------------------------------------------------------------- medians of even and odd counts
# Two state units P and Q, each day their own reports (noon in Vietnam, 05:00 UTC). The overall median is
# taken over every report of the period, which reach it sorted per unit, the units in hash order; these
# hours are spread so that the two middle values are out of place in either order of P and Q.
_DAY_HOURS = {
    D(2022, 3, 1): ([3, 5, 6], [1, 2, 4]),
    D(2022, 3, 2): ([1, 6], [2, 3, 4, 5]),
    D(2022, 3, 3): ([1, 2, 3, 4, 6, 10, 12, 14, 15, 16, 17, 18, 20, 22, 23, 24, 25, 26, 27, 30, 31, 32, 33, 34],
                    [5, 7, 8, 9, 11, 13, 19, 21, 28, 29]),
}


@pytest.fixture(scope="module")
def medians_lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    daily, reports = [], []
    for day, per_unit in _DAY_HOURS.items():
        for unit, hours in zip(("U-P", "U-Q"), per_unit, strict=True):
            daily.append(_daily(day, unit, len(hours)))
            noon = dt.datetime(day.year, day.month, day.day, 5, tzinfo=dt.UTC)
            reports += [_resolved(f"{unit}-{day}-{i}", unit, noon + i * dt.timedelta(seconds=1), h)
                        for i, h in enumerate(hours)]
    return _lake(tmp_path_factory.mktemp("medians") / "lake",
                 [("U-P", "Phuong P", "state", D(2020, 1, 1), None), ("U-Q", "Phuong Q", "state", D(2020, 1, 1), None)],
                 daily, reports, [])


@pytest.mark.parametrize(("day", "want_p", "want_q", "want_all"), [
    # P 3 5 6 -> 5; Q 1 2 4 -> 2; all six 1..6 -> (3 + 4) / 2
    (D(2022, 3, 1), 5.0, 2.0, 3.5),
    # P 1 6 -> 3.5; Q 2 3 4 5 -> 3.5; all six 1..6 -> 3.5
    (D(2022, 3, 2), 3.5, 3.5, 3.5),
    # P 24 values, 12th 18 and 13th 20 -> 19; Q 10 values, 5th 11 and 6th 13 -> 12; all 1..34 -> (17 + 18) / 2
    (D(2022, 3, 3), 19.0, 12.0, 17.5),
], ids=["odd-counts-six-in-all", "even-counts-six-in-all", "even-counts-34-in-all"])
def test_kept_medians_of_even_and_odd_counts(medians_lake: Lake, day: dt.date, want_p: float, want_q: float,
                                             want_all: float) -> None:
    per_unit, overall = _medians(medians_lake, Period.range(day, day))
    assert per_unit == {"U-P": want_p, "U-Q": want_q}
    assert overall == want_all


@pytest.mark.parametrize("types", [(), ("state",)], ids=["every-row-no-type", "every-row-state-units"])
@pytest.mark.parametrize("period", [Period.range(D(2022, 3, 1), D(2022, 3, 3)), Period.range(D(2021, 1, 1),
                                                                                             D(2023, 12, 31))],
                         ids=["the-three-days", "years-around-them"])
def test_kept_medians_of_a_period_holding_every_row(medians_lake: Lake, period: Period,
                                                    types: tuple[str, ...]) -> None:
    # all time: every resolved report of the lake is in the period (the table itself, no mask)
    # P 3 5 6 | 1 6 | 24 values: 29 sorted 1 1 2 3 3 4 5 6 6 6 10 12 14 15 16 ... -> the 15th, 16
    # Q 1 2 4 | 2 3 4 5 | 10 values: 17 sorted 1 2 2 3 4 4 5 5 7 ... -> the 9th, 7
    # all 46: the 23rd and 24th of the sorted values are 11 and 12 -> 11.5
    # a lake object of its own: its kept arrays are made in this test (its median with them)
    per_unit, overall = _medians(Lake.open(medians_lake.root), period, types)
    assert per_unit == {"U-P": 16.0, "U-Q": 7.0}
    assert overall == 11.5


@pytest.mark.parametrize(("types", "medians", "overall"), [
    # A 1 2 3 -> 2; B 100 200 -> 150; all five 1 2 3 100 200 -> 3
    ((), {"U-A": 2.0, "U-B": 150.0}, 3.0),
    # the state unit A only: 1 2 3 -> 2 (not the 3 of every row)
    (("state",), {"U-A": 2.0}, 2.0),
    (("enterprise",), {"U-B": 150.0}, 150.0),
], ids=["no-type", "state", "enterprise"])
def test_kept_medians_of_every_row_of_some_types(tmp_path: Path, types: tuple[str, ...], medians: dict,
                                                 overall: float) -> None:
    day = D(2022, 3, 1)
    noon = dt.datetime(2022, 3, 1, 5, tzinfo=dt.UTC)
    hours = {"U-A": [1, 2, 3], "U-B": [100, 200]}
    lake = _lake(tmp_path / "lake", [("U-A", "Phuong A", "state", D(2020, 1, 1), None),
                                     ("U-B", "Cong ty B", "enterprise", D(2020, 1, 1), None)],
                 [_daily(day, u, len(h)) for u, h in hours.items()],
                 [_resolved(f"{u}-{i}", u, noon + i * dt.timedelta(seconds=1), x)
                  for u, h in hours.items() for i, x in enumerate(h)], [])
    assert _medians(lake, Period.range(D(2021, 1, 1), D(2023, 12, 31)), types) == (medians, overall)


# ---------------------------------------------------------------- a short period in a long table
# 100 reports of January (1000 h each, P Q R S in turn) and 7 of March: the period's 6 rows are fewer than
# 1/16 of the 107, so the kept medians take their sort branch. U-Y ranks (2 received) but is missing from
# silver.units; U-S resolved reports in January only; U-Z (the last id) has a daily row in January only.
_LONG_UNITS = [("U-P", "Phuong P", "state", D(2020, 1, 1), None), ("U-Q", "Cong ty Q", "enterprise", D(2020, 1, 1), None),
               ("U-R", "Xa R", "state", D(2020, 1, 1), None), ("U-S", "Xa S", "state", D(2020, 1, 1), None),
               ("U-Z", "Xa Z", "state", D(2020, 1, 1), None)]


@pytest.fixture(scope="module")
def long_lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    january = dt.datetime(2022, 1, 10, tzinfo=dt.UTC)
    reports = [_resolved(f"j{i}", "PQRS"[i % 4].join(("U-", "")), january + i * dt.timedelta(minutes=1), 1000)
               for i in range(100)]
    reports += [
        _resolved("p1", "U-P", START, 10),  # at the period's first microsecond: in
        _resolved("p2", "U-P", END - US, 20),  # at its last microsecond: in
        _resolved("p3", "U-P", END, 5000),  # at the exclusive end: out
        _resolved("q1", "U-Q", START + dt.timedelta(days=1), 50),
        _resolved("r1", "U-R", START + dt.timedelta(days=2), 90),
        _resolved("r2", "U-R", START + dt.timedelta(days=3), 30),
        _resolved("r3", "U-R", START + dt.timedelta(days=4), 40),
    ]
    daily = [_daily(D(2022, 3, 1), "U-P", 2), _daily(D(2022, 3, 2), "U-Q", 1), _daily(D(2022, 3, 3), "U-R", 3),
             _daily(D(2022, 3, 4), "U-Y", 2), _daily(D(2022, 1, 5), "U-S", 4), _daily(D(2022, 1, 5), "U-Z", 5)]
    transfers = [
        (D(2022, 3, 5), None, "U-P", 3),  # from no unit: P's 3 in
        (D(2022, 3, 6), "U-P", None, 4),  # to no unit: P's 4 out
        (D(2022, 3, 7), "X-GONE", "U-Q", 2),  # from a unit missing from silver.units
        (D(2022, 3, 8), "U-R", "U-P", None),  # a NULL count: 0
        (D(2022, 1, 7), "U-P", "U-Q", 9),  # before the period
        (D(2022, 1, 8), "U-P", "Z-OLD", 6),  # the last id of the transfers, none of them in the period
    ]
    return _lake(tmp_path_factory.mktemp("long") / "lake", _LONG_UNITS, daily, reports, transfers)


@pytest.mark.parametrize(("types", "ids", "medians", "overall"), [
    # P 10 20 -> 15 (20 at the last microsecond in, 5000 at the end out); Q 50; R 30 40 90 -> 40; Y no
    # resolved report; all six 10 20 30 40 50 90 -> 35
    ((), ["U-P", "U-Q", "U-R", "U-Y"], {"U-P": 15.0, "U-Q": 50.0, "U-R": 40.0, "U-Y": None}, 35.0),
    # P and R only (Y has no type): 10 20 30 40 90 -> 30
    (("state",), ["U-P", "U-R"], {"U-P": 15.0, "U-R": 40.0}, 30.0),
    (("enterprise",), ["U-Q"], {"U-Q": 50.0}, 50.0),
    (("enterprise", "state"), ["U-P", "U-Q", "U-R"], {"U-P": 15.0, "U-Q": 50.0, "U-R": 40.0}, 35.0),
    (("nobody",), [], {}, None),
], ids=["no-type", "state", "enterprise", "both-types", "unknown-type"])
def test_kept_short_period_in_a_long_table(long_lake: Lake, types: tuple[str, ...], ids: list[str],
                                           medians: dict, overall: float | None) -> None:
    counts, per_unit, got_overall = ranking_kept.counts_and_medians(long_lake, MARCH, types)
    assert counts["unit_id"].to_list() == ids
    assert counts["received"].to_list() == [{"U-P": 2, "U-Q": 1, "U-R": 3, "U-Y": 2}[u] for u in ids]
    assert per_unit == medians
    assert got_overall == overall


def test_kept_ranking_lists_units_without_reports_and_transfers_without_units(long_lake: Lake) -> None:
    got = ranking(long_lake, MARCH)
    rows = {r["unit_id"]: r for r in got.iter_rows(named=True)}
    # the four units with reports ranked, U-Y without a name or type; then S and Z (no report in March), by id;
    # X-GONE, which only sent a transfer, is no unit of the ranking
    assert sorted(got["unit_id"].to_list()[:4]) == ["U-P", "U-Q", "U-R", "U-Y"]
    assert got["unit_id"].to_list()[4:] == ["U-S", "U-Z"]
    assert got["rank"].to_list() == [1, 2, 3, 4, None, None]
    assert (rows["U-Y"]["unit_name"], rows["U-Y"]["unit_type"]) == (None, None)
    assert (rows["U-S"]["received"], rows["U-Z"]["received"], rows["U-Z"]["unit_name"]) == (0, 0, "Xa Z")
    assert [(rows[u]["transfers_in"], rows[u]["transfers_out"]) for u in ("U-P", "U-Q", "U-R", "U-S")] == [
        (3, 4), (2, 0), (0, 0), (0, 0)]


def test_kept_transfers_of_the_period(long_lake: Lake) -> None:
    # every unit named by a transfer of March, by id; NULL units drop, a NULL count is 0; Z-OLD (January) is out
    _, transfers = ranking_kept.units_and_transfers(long_lake, MARCH, ())
    assert transfers.to_dicts() == [
        {"unit_id": "U-P", "transfers_in": 3, "transfers_out": 4},
        {"unit_id": "U-Q", "transfers_in": 2, "transfers_out": 0},
        {"unit_id": "U-R", "transfers_in": 0, "transfers_out": 0},
        {"unit_id": "X-GONE", "transfers_in": 0, "transfers_out": 2},
    ]
    assert transfers.schema == pl.Schema({"unit_id": pl.Utf8, "transfers_in": pl.Int64, "transfers_out": pl.Int64})


# ---------------------------------------------------------------- the hand lake of test_ranking_hand_lake.py
@pytest.fixture(scope="module")
def hand_lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    return build_hand_lake(tmp_path_factory.mktemp("hand") / "lake")


def test_kept_state_units_of_march(hand_lake: Lake) -> None:
    # March's 5 resolved rows of 7 take the mask branch. State units: A only (C received no valid report);
    # A's March reports 10 30 60 h -> 30 (a4 before the period and a5 at its end, 1000 h, stay out)
    counts, per_unit, overall = ranking_kept.counts_and_medians(hand_lake, MARCH, ("state",))
    assert counts["unit_id"].to_list() == ["U-A"]
    assert per_unit == {"U-A": 30.0}
    assert overall == 30.0


def test_kept_shapes_of_a_period_without_data(hand_lake: Lake) -> None:
    # the shapes of the statement's answer, also when no unit is ranked
    empty = Period.month(2023, 1)
    counts, per_unit, overall = ranking_kept.counts_and_medians(hand_lake, empty, ())
    assert counts.schema == pl.Schema({"unit_id": pl.Utf8, **dict.fromkeys(ranking_kept.RANK_COUNTS, pl.Int64)})
    assert (counts.height, per_unit, overall) == (0, {}, None)
    _, transfers = ranking_kept.units_and_transfers(hand_lake, empty, ())
    assert transfers.schema == pl.Schema({"unit_id": pl.Utf8, "transfers_in": pl.Int64, "transfers_out": pl.Int64})
    assert transfers.height == 0
    counts, _, _ = ranking_kept.counts_and_medians(hand_lake, MARCH, ())
    assert counts.schema == pl.Schema({"unit_id": pl.Utf8, **dict.fromkeys(ranking_kept.RANK_COUNTS, pl.Int64)})
    assert counts["received"].to_list() == [10, 3]


def test_statement_route_without_areas(hand_lake: Lake) -> None:
    # as the kept route: D left the network before the period's end, E joined after it
    got = ranking(StatementRoute(hand_lake), MARCH)
    assert got["unit_id"].to_list() == ["U-B", "U-A", "U-C", "U-F", "U-G", "U-H", "U-I"]
    assert got["rank"].to_list() == [1, 2, None, None, None, None, None]
    assert got["median_hours_to_resolve"].to_list()[:2] == [108.0, 30.0]


def test_statement_route_on_a_lake_without_valid_to(tmp_path: Path) -> None:
    # lakes written before the eras have no valid_to: nobody has left, D is listed (the units table is
    # written past the catalog, as such a lake left it; an overwrite would add the column back)
    from deltalake import write_deltalake

    lake = build_hand_lake(tmp_path / "lake")
    units = lake.read("silver.units").drop("valid_to")
    write_deltalake(lake.uri("silver.units"), units.to_arrow(), mode="overwrite", schema_mode="overwrite")
    got = ranking(StatementRoute(Lake.open(lake.root)), MARCH)
    assert got["unit_id"].to_list() == ["U-B", "U-A", "U-C", "U-D", "U-F", "U-G", "U-H", "U-I"]


def test_statement_route_prior_median_of_two_units(hand_lake: Lake) -> None:
    # area X1: A's reports a1 10 h and a3 60 h -> 35 (speed 1), B's 96 and 120 h -> 108 (speed 48/108 = 4/9);
    # the four together -> (60 + 96) / 2 = 78, prior speed 48/78 = 8/13. Processed: A 5, B 3; k = 10:
    # A (5 + 80/13) / 15 = 29/39, B (3 * 4/9 + 80/13) / 13 = 292/507; 10 points of speed
    got = {r["unit_id"]: r for r in ranking(hand_lake, MARCH, areas=["X1"]).iter_rows(named=True)}
    assert sorted(got) == ["U-A", "U-B"]
    assert (got["U-A"]["median_hours_to_resolve"], got["U-B"]["median_hours_to_resolve"]) == (35.0, 108.0)
    assert got["U-A"]["score_speed"] == pytest.approx(10 * 29 / 39, rel=1e-12)
    assert got["U-B"]["score_speed"] == pytest.approx(10 * 292 / 507, rel=1e-12)


# ---------------------------------------------------------------- units the kept medians find in no run
def _id_hashing_after(prefix: str, others: list[str]) -> str:
    """The first id ``prefix0``, ``prefix1``, ... whose DuckDB hash is above those of ``others``: the kept
    medians find a unit by its hash among the hashes of the units with resolved reports, in ascending order."""
    con = duckdb.connect()
    top = max(con.execute("SELECT hash($u)", {"u": u}).fetchone()[0] for u in others)
    for i in range(1000):
        if con.execute("SELECT hash($u)", {"u": f"{prefix}{i}"}).fetchone()[0] > top:
            return f"{prefix}{i}"
    raise AssertionError("no id hashes above")


@pytest.fixture(scope="module")
def runs_lake(tmp_path_factory: pytest.TempPathFactory) -> tuple[Lake, str, str]:
    # V: one resolved report in March (5 h). W (hashing after V): 20 resolved in January (7 h), none in March,
    # so March's one row of 21 takes the sort branch and W's run, the last, has no row in March. X (hashing
    # after both): received reports in March, never resolved one. W also received reports in April.
    w = _id_hashing_after("U-W", ["U-V"])
    x = _id_hashing_after("U-X", ["U-V", w])
    january = dt.datetime(2022, 1, 10, tzinfo=dt.UTC)
    reports = [_resolved("v1", "U-V", START + dt.timedelta(days=1), 5)]
    reports += [_resolved(f"w{i}", w, january + i * dt.timedelta(hours=1), 7) for i in range(20)]
    daily = [_daily(D(2022, 3, 2), "U-V", 1), _daily(D(2022, 3, 2), w, 2), _daily(D(2022, 3, 2), x, 3),
             _daily(D(2022, 4, 2), w, 1)]
    units = [(u, u, "state", D(2020, 1, 1), None) for u in ("U-V", w, x)]
    return _lake(tmp_path_factory.mktemp("runs") / "lake", units, daily, reports, []), w, x


def test_kept_medians_of_units_without_rows_in_the_period(runs_lake: tuple[Lake, str, str]) -> None:
    lake, w, x = runs_lake
    # March: V 5 h; W (reports of January only) and X (none) have no median; all of March: 5 h
    assert _medians(lake, MARCH) == ({"U-V": 5.0, w: None, x: None}, 5.0)
    assert _medians(lake, MARCH, ("state",)) == ({"U-V": 5.0, w: None, x: None}, 5.0)
    # April: W alone ranked, no resolved report received in the period at all
    assert _medians(lake, Period.month(2022, 4)) == ({w: None}, None)
    # January: W's twenty 7 h reports are the whole period (mask branch); W received nothing then
    assert _medians(lake, Period.month(2022, 1)) == ({}, 7.0)


# ---------------------------------------------------------------- which route a lake takes
class _KeptOnly:
    """A lake that keeps answers and refuses any statement of a call: the kept route must need none."""

    keeps_results = True

    def __init__(self, lake: Lake) -> None:
        self._lake = lake

    def sql(self, query: str, params: Any = None) -> pl.DataFrame:
        raise AssertionError(f"a statement on the kept route: {query[:60]}")

    def sql_per_version(self, query: str) -> pl.DataFrame:
        return self._lake.sql_per_version(query)

    def derived_per_version(self, query: str, make: Any, kind: str) -> Any:
        return self._lake.derived_per_version(query, make, kind)


@pytest.mark.parametrize("engine", [_KeptOnly, PlainEngine], ids=["keeps-answers-no-statement", "says-nothing"])
def test_the_route_a_lake_takes(hand_lake: Lake, engine: type) -> None:
    got = ranking(engine(hand_lake), MARCH)
    assert got["unit_id"].to_list() == ["U-B", "U-A", "U-C", "U-F", "U-G", "U-H", "U-I"]
    assert got["median_hours_to_resolve"].to_list()[:2] == [108.0, 30.0]


# ---------------------------------------------------------------- scores without a value, periods without units
def test_units_without_a_score_follow_the_scored_ones(long_lake: Lake) -> None:
    # the speed part alone: U-Y resolved no report, so it has no score and no rank, after the scored units.
    # Prior median 35 h -> prior speed 1. P 15 h and R 40 h: speed 1, 100 points, R first on more received
    # (3 to 2); Q 50 h: (48/50 * 1 + 10) / 11 = 10.96/11. Then S and Z, without reports.
    got = ranking(long_lake, MARCH, weights={"on_time": 0.0, "satisfaction": 0.0, "processed": 0.0, "speed": 1.0})
    assert got["unit_id"].to_list() == ["U-R", "U-P", "U-Q", "U-Y", "U-S", "U-Z"]
    assert got["rank"].to_list() == [1, 2, 3, None, None, None]
    assert got["score"].to_list()[:3] == pytest.approx([100.0, 100.0, 100 * 10.96 / 11], rel=1e-12)
    assert got["score"].to_list()[3:] == [None, None, None]


def test_a_period_without_reports_lists_the_network(hand_lake: Lake) -> None:
    # January 2023: nobody received a report; the units in the network on 31 January 2023 (D and F had left,
    # E had joined in April 2022) follow by id, with zero counts, without rank or score
    got = ranking(hand_lake, Period.month(2023, 1))
    assert got["unit_id"].to_list() == ["U-A", "U-B", "U-C", "U-E", "U-G", "U-H", "U-I"]
    assert got["rank"].null_count() == 7 and got["score"].null_count() == 7
    assert got["received"].to_list() == [0] * 7
    assert (got.schema["rank"], got.schema["received"], got.schema["score"]) == (pl.Int64, pl.Int64, pl.Float64)
