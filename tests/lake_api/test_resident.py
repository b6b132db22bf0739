"""SQL answers from tables kept resident per Delta version: fresh within the staleness, equal to a fresh read.

The staleness clock is stepped by hand (``lake.engine._clock``): no test sleeps or times anything."""

import datetime as dt
import threading
from decimal import Decimal

import duckdb
import polars as pl
import pytest
from deltalake import DeltaTable

from lake import Lake, engine


def kpi_rows(days: int, received: int = 1, category: str = "moi_truong") -> pl.DataFrame:
    """``days`` rows of gold.kpi_daily from 2022-01-01, each with ``received`` reports, 1 invalid."""
    n = days
    return pl.DataFrame({
        "date": [dt.date(2022, 1, 1) + dt.timedelta(days=i) for i in range(n)],
        "category_code": [category] * n, "channel": ["app"] * n, "admin_unit_code_2025": ["46001@2025"] * n,
        "unit_id": ["u1"] * n, "received": [received] * n, "invalid": [1] * n, "processed": [received] * n, "on_time": [0] * n,
        "late_with_extension": [0] * n, "overdue": [0] * n, "open_overdue": [0] * n, "rated": [0] * n,
        "satisfied": [0] * n, "hours_to_resolve_sum": [1.5] * n,
    })


def units(n: int, suffix: str = "") -> pl.DataFrame:
    return pl.DataFrame({"unit_id": [f"u{i}" for i in range(n)], "name": [f"Đơn vị {i}{suffix}" for i in range(n)],
                         "unit_type": ["state"] * n, "joined_on": [dt.date(2020, 1, 1)] * n, "source": ["test"] * n})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(engine, "_clock", c)
    return c


def received(lake: Lake) -> int:
    return lake.sql("SELECT coalesce(sum(received), 0)::BIGINT n FROM gold.kpi_daily").item()


def test_a_write_elsewhere_is_seen_after_the_staleness_and_not_before(lake, clock):
    lake.overwrite("gold.kpi_daily", kpi_rows(10))
    reader = Lake.open(lake.root, max_staleness_s=5.0)
    assert received(reader) == 10
    lake.merge("gold.kpi_daily", kpi_rows(3, received=4))  # another process's write: 3 rows now say 4
    clock.now += 4.9
    assert received(reader) == 10  # the picture is 4.9 s old: still allowed, still shown
    clock.now += 0.2
    assert received(reader) == 3 * 4 + 7
    lake.append("gold.kpi_daily", kpi_rows(1, category="giao_thong"))
    clock.now += 5.0
    assert received(reader) == 3 * 4 + 7 + 1


def test_a_write_through_the_same_lake_is_seen_at_once(lake, clock):
    reader = Lake.open(lake.root, max_staleness_s=3600.0)
    reader.overwrite("gold.kpi_daily", kpi_rows(2))
    assert received(reader) == 2
    reader.merge("gold.kpi_daily", kpi_rows(2, received=5))
    assert received(reader) == 10


@pytest.mark.parametrize("fast_bytes", [engine.SqlEngine.FAST_BYTES, 0])  # the one-thread database, the other
def test_the_resident_copy_equals_a_fresh_read_after_merges(lake, clock, monkeypatch, fast_bytes):
    monkeypatch.setattr(engine.SqlEngine, "FAST_BYTES", fast_bytes)
    lake.overwrite("gold.kpi_daily", kpi_rows(400))
    lake.merge("gold.kpi_daily", kpi_rows(30, received=3))  # update 30 rows: a glob would count them twice
    lake.merge("gold.kpi_daily", kpi_rows(5, received=2, category="giao_thong"))  # insert 5
    reader = Lake.open(lake.root, max_staleness_s=60.0)
    resident = reader.sql("SELECT * FROM gold.kpi_daily ORDER BY date, category_code")
    opts = dict(lake.storage_options) or None
    by_polars = pl.read_delta(lake.uri("gold.kpi_daily"), storage_options=opts).sort("date", "category_code")
    assert resident.height == 405
    if lake.is_local:  # DuckDB here reads local files only (no httpfs): the S3 run compares with polars
        files = DeltaTable(lake.uri("gold.kpi_daily")).file_uris()
        fresh = duckdb.connect().sql("SELECT * FROM read_parquet($f) ORDER BY date, category_code",
                                     params={"f": files}).pl()
        assert resident.to_dicts() == fresh.to_dicts()
    assert resident.select(by_polars.columns).to_dicts() == by_polars.to_dicts()
    # the same figures written out by hand: 370 days × 1 + 30 × 3 + 5 × 2
    assert received(reader) == 370 + 90 + 10


def test_small_and_large_results_keep_their_types_from_one_call_to_the_next(lake, clock):
    lake.overwrite("gold.kpi_daily", kpi_rows(400))
    reader = Lake.open(lake.root, max_staleness_s=60.0)
    small = "SELECT date, sum(received) n, avg(hours_to_resolve_sum) h FROM gold.kpi_daily WHERE date <= $d GROUP BY date"
    large = "SELECT date, category_code, received FROM gold.kpi_daily WHERE date >= $d ORDER BY date"
    for query, d, rows in ((small, dt.date(2022, 1, 3), 3), (large, dt.date(2022, 1, 1), 400)):
        first = reader.sql(query, {"d": d}).sort("date")  # the first run learns the result's schema
        second = reader.sql(query, {"d": d}).sort("date")
        assert first.height == second.height == rows
        assert first.schema == second.schema
        assert first.equals(second)
    assert reader.sql(small, {"d": dt.date(2022, 1, 1)}).row(0) == (dt.date(2022, 1, 1), Decimal(1), 1.5)


def test_one_query_answers_right_as_its_result_grows_shrinks_and_changes_type(lake, clock):
    """A query's result is built from rows while it stays small and through a relation once it is large
    (``engine._SMALL``); whichever route a call takes, the answer is the rows asked for, and a result
    of another type answers in that type."""
    lake.overwrite("gold.kpi_daily", kpi_rows(400))
    reader = Lake.open(lake.root, max_staleness_s=0.0)
    query = "SELECT date, received FROM gold.kpi_daily WHERE date < $d ORDER BY date"
    start = dt.date(2022, 1, 1)
    for days in (3, 300, 299, 3, 400, 0, 255, 256, 257):  # small, large, large, small again, around the bound
        got = reader.sql(query, {"d": start + dt.timedelta(days=days)})
        assert got.height == days
        assert got["date"].to_list() == [start + dt.timedelta(days=i) for i in range(days)]
        assert got["received"].sum() == days  # one report a day (kpi_rows)
    # the same text, a result of another type (the parameter's): learnt again, not forced into the old schema
    typed = "SELECT $v AS v, count(*) AS n FROM gold.kpi_daily"
    assert reader.sql(typed, {"v": 7}).row(0) == (7, 400)
    assert reader.sql(typed, {"v": "bảy"}).row(0) == ("bảy", 400)
    assert reader.sql(typed, {"v": 2.5}).row(0) == (2.5, 400)


def test_a_pinned_lake_keeps_its_snapshot_whatever_the_clock(lake, clock):
    lake.overwrite("gold.kpi_daily", kpi_rows(4))
    pinned = Lake.open(lake.root, max_staleness_s=1.0).as_of({"gold.kpi_daily": lake.version("gold.kpi_daily")})
    assert received(pinned) == 4
    lake.overwrite("gold.kpi_daily", kpi_rows(9))
    clock.now += 3600
    assert received(pinned) == 4
    assert received(Lake.open(lake.root)) == 9


def test_a_large_silver_table_is_read_from_its_files_and_joins_resident_gold(lake, clock, monkeypatch):
    monkeypatch.setattr(engine.SqlEngine, "RESIDENT_BYTES", 0)  # every silver table counts as large
    lake.merge("silver.units", units(3))
    lake.merge("silver.units", units(2, suffix=" (mới)"))
    lake.overwrite("gold.kpi_daily", kpi_rows(2))
    reader = Lake.open(lake.root, max_staleness_s=60.0)
    names = reader.sql("SELECT name FROM silver.units ORDER BY unit_id")["name"].to_list()
    assert names == ["Đơn vị 0 (mới)", "Đơn vị 1 (mới)", "Đơn vị 2"]
    joined = reader.sql("SELECT count(*) FROM silver.units u, gold.kpi_daily k WHERE u.unit_id <> 'u2'").item()
    assert joined == 2 * 2


def test_threads_reading_while_a_writer_writes_see_one_version_or_the_next(lake, clock):
    lake.overwrite("gold.kpi_daily", kpi_rows(10))
    reader = Lake.open(lake.root, max_staleness_s=0.0)
    seen: list[int] = []
    errors: list[BaseException] = []

    def read() -> None:
        try:
            for _ in range(15):
                seen.append(received(reader))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for t in threads:
        t.start()
    for k in range(1, 4):
        lake.merge("gold.kpi_daily", kpi_rows(10, received=1 + k))
    for t in threads:
        t.join()
    assert not errors
    assert set(seen) <= {10, 20, 30, 40}
    assert received(reader) == 40


def test_timestamps_come_out_in_utc_labelled_utc(lake, clock):
    lake.merge("silver.units", units(1))
    got = lake.sql("SELECT TIMESTAMPTZ '2022-01-01 20:00:00+00' AS t, "
                   "CAST(timezone('Asia/Ho_Chi_Minh', TIMESTAMPTZ '2022-01-01 20:00:00+00') AS DATE) AS d, "
                   "count(*) AS n FROM silver.units")
    assert got.schema["t"] == pl.Datetime("us", "UTC")
    assert got.row(0) == (dt.datetime(2022, 1, 1, 20, tzinfo=dt.UTC), dt.date(2022, 1, 2), 1)


def test_a_per_version_answer_is_kept_until_the_table_moves(lake, clock):
    """``sql_per_version`` answers from its memo while the version stands, and again once it moves (seen
    after the staleness for another process's write, at once for a write through the lake)."""
    bounds = "SELECT min(date) lo, max(date) hi, count(*) n FROM gold.kpi_daily"
    lake.overwrite("gold.kpi_daily", kpi_rows(10))
    reader = Lake.open(lake.root, max_staleness_s=5.0)
    first = reader.sql_per_version(bounds)
    assert first.row(0) == (dt.date(2022, 1, 1), dt.date(2022, 1, 10), 10)
    assert reader.sql_per_version(bounds) is first  # the same version: the kept frame, not a new run
    lake.append("gold.kpi_daily", kpi_rows(12, category="giao_thong"))  # another process: 2 days later
    clock.now += 4.9
    assert reader.sql_per_version(bounds).row(0) == (dt.date(2022, 1, 1), dt.date(2022, 1, 10), 10)
    clock.now += 0.2
    assert reader.sql_per_version(bounds).row(0) == (dt.date(2022, 1, 1), dt.date(2022, 1, 12), 22)
    reader.overwrite("gold.kpi_daily", kpi_rows(3))  # through the reader: seen at once
    assert reader.sql_per_version(bounds).row(0) == (dt.date(2022, 1, 1), dt.date(2022, 1, 3), 3)


def test_a_derived_answer_is_made_once_per_version_and_only_it_is_held(lake, clock):
    """``derived_per_version`` runs the query and ``make`` once per version of the tables the query names,
    keeps what ``make`` returned (not the answer), tells two kinds over one query apart, and makes again once
    a table moved."""
    query = "SELECT date, received FROM gold.kpi_daily ORDER BY date"
    lake.overwrite("gold.kpi_daily", kpi_rows(10))
    reader = Lake.open(lake.root, max_staleness_s=5.0)
    made: list[int] = []

    def total(frame: pl.DataFrame) -> int:
        made.append(frame.height)
        return int(frame["received"].sum())

    def days(frame: pl.DataFrame) -> int:
        return frame.height

    first = reader.derived_per_version(query, total, "total")
    assert reader.derived_per_version(query, total, "total") == first and made == [10]
    assert reader.derived_per_version(query, days, "days") == 10  # another kind: its own entry
    assert reader.derived_per_version(query, total, "total") == first and made == [10]
    lake.append("gold.kpi_daily", kpi_rows(12, category="giao_thong"))  # another process
    clock.now += 5.1
    assert reader.derived_per_version(query, days, "days") == 22
    assert reader.derived_per_version(query, total, "total") > first and made == [10, 22]
    # what is held is make's result: no frame of the answer among the kept values
    assert not any(isinstance(v[1], pl.DataFrame) for k, v in reader._engine._memo.items() if k[0] == "total")
