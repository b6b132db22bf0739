"""Hostile identifiers travel as data: no station code, batch, unit, report or camera id can widen a
delete or a query (issue 10 point 4). Each test would delete or count other rows on the old code."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lake import Lake
from pipelines.disasters.replay import replay
from pipelines.reports.bronze import ingest_batch
from pipelines.sources.simulator import SimulatorConfig, simulate

HOSTILE = "Z') OR ('1'='1"
HEADER = ("type,Mã trạm/LakeCode,Trạm/Hồ,Tên sông/Lưu vực,Tên tỉnh,Thời gian (UTC),Mực nước (m),"
          "Dung tích (m3),Q đến (m3/s),Q xả (m3/s)\n")


def _csv(path: Path, rows: list[tuple[str, str, float]]) -> Path:
    path.write_text(HEADER + "".join(f"River,{c},X,Hương,TP. Huế,{t},{v},,,\n" for c, t, v in rows))
    return path


def test_a_replay_with_a_hostile_station_code_deletes_no_other_station(tmp_path):
    from pipelines.disasters import gauges

    lake = Lake.open(tmp_path / "lake")
    gauges.load_stations(lake)
    gauges.load_vndms_file(lake)
    before = dict(lake.sql("SELECT station_code, count(*) FROM silver.gauge_readings GROUP BY 1").iter_rows())
    assert sum(before.values()) > 100
    hostile = [(HOSTILE, f"2025-11-16 {h:02d}:00", 2.0) for h in range(3)]
    replay(lake, path=_csv(tmp_path / "hostile.csv", hostile), start=dt.datetime(2025, 11, 13, tzinfo=dt.UTC),
           speed=1e9, sleep=lambda s: None)
    # the old predicate "station_code IN ('Z') OR ('1'='1') AND ..." deleted the other stations' readings
    after = dict(lake.sql("SELECT station_code, count(*) FROM silver.gauge_readings GROUP BY 1").iter_rows())
    assert after == before
    assert lake.sql("SELECT count(*) FROM silver.rejects WHERE record_ref LIKE 'hostile.csv:%' "
                    "AND reason LIKE 'unknown station%'").item() == 3


def test_a_complete_batch_with_a_hostile_id_replaces_only_itself(tmp_path):
    lake = Lake.open(tmp_path / "lake")
    sim = simulate(SimulatorConfig(seed=4, scale=0.002))
    ingest_batch(lake, sim.batch(batch_id="sim-other"), prefix="sim")
    other = lake.sql("SELECT count(*) FROM bronze.reports_raw WHERE batch_id = 'sim-other'").item()
    hostile = "x' OR '1'='1"
    ingest_batch(lake, sim.batch(batch_id=hostile), prefix="sim")
    ingest_batch(lake, simulate(SimulatorConfig(seed=5, scale=0.002)).batch(batch_id=hostile), prefix="sim")
    assert lake.sql("SELECT count(*) FROM bronze.reports_raw WHERE batch_id = 'sim-other'").item() == other
    again = simulate(SimulatorConfig(seed=5, scale=0.002)).reports.unique().height
    assert lake.sql("SELECT count(*) FROM bronze.reports_raw WHERE batch_id = $b", {"b": hostile}).item() == again
