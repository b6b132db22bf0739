"""The dashboards' count queries read only the months they need, and give the same figures on every layout:
partitioned by month, unpartitioned with the month column, and a table written before it had one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from deltalake import DeltaTable, write_deltalake

from lake import Lake, engine
from pipelines.sources.counts_generator import generate
from views.freshness import freshness
from views.violations import traffic_flow

VN = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture(autouse=True)
def from_files(monkeypatch):
    """Tables read as views over their files, as the count table is past the resident size."""
    monkeypatch.setattr(engine.SqlEngine, "RESIDENT_BYTES", 0)


def by_hand(frames: list[pl.DataFrame], first: dt.date, last: dt.date) -> list[tuple]:
    """(local hour, camera, vehicles) of the Vietnam days first..last, summed in polars from the rows."""
    rows = pl.concat(frames).with_columns(local=pl.col("minute").dt.convert_time_zone("Asia/Ho_Chi_Minh"))
    rows = rows.filter(pl.col("local").dt.date().is_between(first, last))
    out = rows.group_by(pl.col("local").dt.truncate("1h").dt.replace_time_zone(None).alias("hour"), "camera_id").agg(
        pl.col("count").sum()).sort("hour", "camera_id")
    return out.rows()


def flow_rows(flow: pl.DataFrame) -> list[tuple]:
    hours = flow["hour"].dt.replace_time_zone(None) if flow["hour"].dtype.time_zone else flow["hour"]  # type: ignore[union-attr]
    return flow.with_columns(hours).select("hour", "camera_id", "vehicles").rows()


def test_the_flow_spans_the_month_boundary_and_never_opens_other_months(tmp_path: Path):
    lake = Lake.open(tmp_path / "lake", role="service")
    frames = list(generate(cameras=3, start=dt.date(2025, 1, 27), days=14, seed=5))  # Jan 27 - Feb 9 (UTC)
    for frame in frames:
        lake.append("silver.traffic_counts", frame)
    # Vietnam's 1 February starts at 17:00 UTC on 31 January: January's partition is part of the window
    window = (dt.date(2025, 2, 1), dt.date(2025, 2, 3))
    assert flow_rows(traffic_flow(lake, *window)) == by_hand(frames, *window)
    assert flow_rows(traffic_flow(lake, dt.date(2025, 2, 5), dt.date(2025, 2, 8))) == by_hand(
        frames, dt.date(2025, 2, 5), dt.date(2025, 2, 8))
    # January's files destroyed (the view over the table's files is in place): a February window never
    # opens them, a window touching January does
    for f in DeltaTable(lake.uri("silver.traffic_counts")).file_uris():
        if "month=2025-01-01" in f:
            Path(f.removeprefix("file://")).write_bytes(b"not parquet" * 100)
    assert flow_rows(traffic_flow(lake, dt.date(2025, 2, 5), dt.date(2025, 2, 8))) == by_hand(
        frames, dt.date(2025, 2, 5), dt.date(2025, 2, 8))
    with pytest.raises(Exception):  # noqa: B017 - DuckDB's own error for a file that is not Parquet
        traffic_flow(lake, *window)


def count_rows(minutes: list[dt.datetime], count: int, updated_at: dt.datetime) -> pl.DataFrame:
    n = len(minutes)
    return pl.DataFrame({"camera_id": ["c1"] * n, "minute": minutes, "line_id": ["l1"] * n,
                         "class_name": ["car"] * n, "direction": ["forward"] * n, "count": [count] * n,
                         "source": ["simulated"] * n, "updated_at": [updated_at] * n})


def test_a_table_written_before_the_month_column_keeps_every_row_in_the_flow(tmp_path: Path):
    lake = Lake.open(tmp_path / "lake", role="service")
    # 31 Jan 23:58 UTC .. 1 Feb 00:01 UTC: Vietnam's 1 February 06:58 .. 07:01, January and February in UTC
    jan = [dt.datetime(2025, 1, 31, 23, 58, tzinfo=dt.UTC) + dt.timedelta(minutes=i) for i in range(4)]
    stamp = dt.datetime(2025, 2, 1, 1, tzinfo=dt.UTC)
    write_deltalake(lake.uri("silver.traffic_counts"), count_rows(jan, 1, stamp).to_arrow(), mode="overwrite")
    day = dt.date(2025, 2, 1)
    six, seven = dt.datetime(2025, 2, 1, 6, 0), dt.datetime(2025, 2, 1, 7, 0)
    assert flow_rows(traffic_flow(lake, day, day)) == [(six, "c1", 2), (seven, "c1", 2)]
    # a merge adds the month column to the table and to its new files only; the old file holds none
    lake.merge("silver.traffic_counts", count_rows([jan[-1] + dt.timedelta(minutes=1)], 5, stamp))
    assert "month" in DeltaTable(lake.uri("silver.traffic_counts")).schema().to_arrow().names
    assert flow_rows(traffic_flow(lake, day, day)) == [(six, "c1", 2), (seven, "c1", 2 + 5)]
    assert lake.sql("SELECT count(*) FROM silver.traffic_counts WHERE month = DATE '2025-01-01'").item() == 2


def test_freshness_finds_the_newest_count_write_whether_recent_or_not(tmp_path: Path):
    lake = Lake.open(tmp_path / "lake", role="service")
    now = dt.datetime(2025, 3, 10, 12, tzinfo=dt.UTC)
    minutes = [dt.datetime(2025, 1, 5, 8, tzinfo=dt.UTC)]
    lake.append("silver.traffic_counts", count_rows(minutes, 1, dt.datetime(2025, 1, 5, 9, tzinfo=dt.UTC)))
    lake.append("silver.traffic_counts", count_rows([dt.datetime(2025, 2, 1, tzinfo=dt.UTC)], 1,
                                                    dt.datetime(2025, 2, 20, tzinfo=dt.UTC)))

    def camera() -> dt.datetime:
        return freshness(lake, now).filter(pl.col("source") == "camera")["newest_at"].item()

    assert camera() == dt.datetime(2025, 2, 20, tzinfo=dt.UTC)  # nothing in the last day: the whole table
    # today an old video is processed: its January minute is written now, the newest write of the table
    lake.merge("silver.traffic_counts", count_rows(minutes, 3, now - dt.timedelta(minutes=2)))
    assert camera() == now - dt.timedelta(minutes=2)
