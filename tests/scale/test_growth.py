"""Growth: the simulated fleet counts, the monthly partitions of silver.traffic_counts, the upgrade of a lake
written before them, and the upkeep that compacts and vacuums without ending ``as_of``."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from deltalake import DeltaTable, write_deltalake

from lake import Lake
from pipelines.sources.counts_generator import generate, load_counts

KEYS = "camera_id, minute, line_id, class_name, direction"


def test_generated_counts_are_simulated_sorted_and_the_same_from_any_chunk():
    days = list(generate(cameras=4, start=dt.date(2025, 1, 30), days=3, seed=7))
    again = list(generate(cameras=4, start=dt.date(2025, 1, 30), days=3, seed=7, first_chunk=2))
    assert again[0].equals(days[2])  # chunk 2 does not depend on where the stream started
    for k, frame in enumerate(days):
        assert frame["source"].unique().to_list() == ["simulated"]
        assert frame["count"].min() >= 1  # a row only where something crossed
        assert frame["minute"].min().date() == dt.date(2025, 1, 30) + dt.timedelta(days=k)
        assert frame.equals(frame.sort("minute", "camera_id", maintain_order=True))  # written in sort order
        assert frame.select(KEYS.split(", ")).is_duplicated().sum() == 0
    # nights are quieter than the morning rush (Vietnam time = UTC+7): 01:00-02:00 vs 07:00-08:00 local
    day = days[0]
    local_hour = (day["minute"].dt.hour() + 7) % 24
    night = day.filter(local_hour == 1)["count"].sum()
    rush = day.filter(local_hour == 7)["count"].sum()
    assert rush > 10 * night


def test_loading_is_exactly_once_per_chunk_and_partitioned_by_month(tmp_path):
    lake = Lake.open(tmp_path / "lake")
    first = load_counts(lake, cameras=3, start=dt.date(2025, 1, 31), days=2, seed=1, log=None)
    assert first["chunks"] == 2
    rerun = load_counts(lake, cameras=3, start=dt.date(2025, 1, 31), days=3, seed=1, log=None)
    assert rerun == {"chunks": 1, "rows": rerun["rows"], "skipped_chunks": 2}
    expected = sum(f.height for f in generate(cameras=3, start=dt.date(2025, 1, 31), days=3, seed=1))
    got = lake.sql(f"SELECT count(*) n, count(DISTINCT ({KEYS})) d FROM silver.traffic_counts").row(0, named=True)
    assert got == {"n": expected, "d": expected}
    table = DeltaTable(lake.uri("silver.traffic_counts"))
    assert table.metadata().partition_columns == ["month"]
    assert sorted({f.split("month=")[1].split("/")[0] for f in table.file_uris()}) == ["2025-01-01", "2025-02-01"]
    by_month = lake.sql("""SELECT month, min(minute) lo, max(minute) hi FROM silver.traffic_counts
                           GROUP BY month ORDER BY month""")
    assert by_month["month"].to_list() == [dt.date(2025, 1, 1), dt.date(2025, 2, 1)]
    assert by_month["hi"][0] < dt.datetime(2025, 2, 1, tzinfo=dt.UTC) <= by_month["lo"][1]


def rows(minutes: list[dt.datetime], count: int) -> pl.DataFrame:
    n = len(minutes)
    return pl.DataFrame({"camera_id": ["c1"] * n, "minute": minutes, "line_id": ["l1"] * n,
                         "class_name": ["car"] * n, "direction": ["forward"] * n, "count": [count] * n,
                         "source": ["simulated"] * n, "updated_at": [dt.datetime(2025, 3, 1, tzinfo=dt.UTC)] * n})


def test_an_older_unpartitioned_lake_reads_writes_and_upgrades(tmp_path):
    lake = Lake.open(tmp_path / "lake")
    jan = [dt.datetime(2025, 1, 31, 23, 58, tzinfo=dt.UTC) + dt.timedelta(minutes=i) for i in range(4)]
    # the table as the catalog wrote it before: no month column, no partitions
    write_deltalake(lake.uri("silver.traffic_counts"), rows(jan, 1).to_arrow(), mode="overwrite")
    old_version = lake.version("silver.traffic_counts")
    lake.merge("silver.traffic_counts", rows(jan[2:] + [jan[-1] + dt.timedelta(minutes=1)], 5))  # 2 updated, 1 new
    assert DeltaTable(lake.uri("silver.traffic_counts")).metadata().partition_columns == []
    totals = "SELECT count(*) n, sum(count)::BIGINT s FROM silver.traffic_counts"
    assert lake.sql(totals).row(0) == (5, 1 + 1 + 5 + 5 + 5)
    out = lake.upkeep(["silver.traffic_counts"])
    assert out["silver.traffic_counts"]["repartitioned"] is True
    table = DeltaTable(lake.uri("silver.traffic_counts"))
    assert table.metadata().partition_columns == ["month"]
    assert lake.sql(totals).row(0) == (5, 17)
    assert lake.sql("SELECT count(*) FROM silver.traffic_counts WHERE month IS NULL").item() == 0
    # the merge now goes partition by partition and still updates, never duplicates
    lake.merge("silver.traffic_counts", rows(jan, 2))
    assert lake.sql(totals).row(0) == (5, 2 * 4 + 5)
    # time travel reaches the version written before the upgrade
    assert lake.as_of({"silver.traffic_counts": old_version}).sql(totals).row(0) == (4, 4)
    assert lake.upkeep(["silver.traffic_counts"])["silver.traffic_counts"]["repartitioned"] is False


def test_upkeep_keeps_as_of_for_the_retention_and_vacuums_beyond_it(tmp_path):
    lake = Lake.open(tmp_path / "lake")
    for day in range(3):
        lake.append("silver.traffic_counts", rows([dt.datetime(2025, 1, 1 + day, tzinfo=dt.UTC)], day + 1))
    assert len(DeltaTable(lake.uri("silver.traffic_counts")).file_uris()) == 3
    out = lake.upkeep(["silver.traffic_counts"])["silver.traffic_counts"]
    assert (out["files_before"], out["files_after"], out["vacuumed"]) == (3, 1, 0)
    props = DeltaTable(lake.uri("silver.traffic_counts")).metadata().configuration
    assert props["delta.logRetentionDuration"] == "interval 400 days"
    first = lake.as_of({"silver.traffic_counts": 1})
    assert first.sql("SELECT sum(count)::BIGINT FROM silver.traffic_counts").item() == 1
    # with no retention the compacted-away files go, and the versions that needed them cannot be read
    out = lake.upkeep(["silver.traffic_counts"], retention_days=0)["silver.traffic_counts"]
    assert out["vacuumed"] == 3
    assert lake.sql("SELECT sum(count)::BIGINT FROM silver.traffic_counts").item() == 6
    with pytest.raises(Exception):  # noqa: B017 - delta-rs / DuckDB raise their own kinds for a missing file
        lake.as_of({"silver.traffic_counts": 1}).sql("SELECT sum(count)::BIGINT FROM silver.traffic_counts")


def test_the_maintenance_schedule_is_weekly_at_night_in_vietnam():
    from hue_ioc.defs.maintenance import lake_maintenance_schedule

    assert lake_maintenance_schedule.cron_schedule == "0 2 * * 0"
    assert lake_maintenance_schedule.execution_timezone == "Asia/Ho_Chi_Minh"
