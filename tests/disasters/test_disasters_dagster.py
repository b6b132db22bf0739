"""The disasters Dagster domain: definitions load, assets materialise into a real lake, replay runs."""

from __future__ import annotations

import dagster as dg
import polars as pl
import pytest

from hue_ioc.defs.resources import LakeResource
from pipelines.disasters.replay import replay


def test_defs_load() -> None:
    from hue_ioc.definitions import defs
    from hue_ioc.defs import disasters

    repo = defs.get_repository_def()
    assert repo.get_job("replay") and repo.get_job("disasters_update")
    assert repo.get_sensor_def("disasters_inbox_sensor").minimum_interval_seconds == 60
    keys = {k.to_user_string() for a in disasters.defs.assets for k in a.keys}
    assert {"silver/warnings", "silver/gauge_stations", "silver/gauge_readings", "silver/sos_requests",
            "silver/hotline_calls", "gold/flood_status", "bronze/cap_alerts_raw"} <= keys


def test_materialize_and_checks(tmp_path) -> None:
    from hue_ioc.defs import disasters

    res = dg.materialize(
        [*disasters.defs.assets, *disasters.defs.asset_checks],
        resources={"lake": LakeResource(root=str(tmp_path / "lake"))},
        run_config={"ops": {"cap_warnings": {"config": {"simulated_history": False}},
                            "gauge_readings": {"config": {"central": False}}}})
    assert res.success
    assert all(e.passed for e in res.get_asset_check_evaluations())
    lake = LakeResource(root=str(tmp_path / "lake")).lake()
    counts = dict(lake.sql("select direction, count(*) from silver.warnings group by 1").iter_rows())
    # the three CAP specification examples are samples, not received warnings
    assert counts["sample"] == 3 and "received" not in counts and counts["issued"] >= 10
    assert lake.read("gold.flood_status").height == 2


def test_replay_plays_the_flood_in(lake) -> None:
    import datetime as dt

    from pipelines.disasters import gauges
    from pipelines.disasters.warnings_issuer import issue_flood_warnings

    gauges.load_stations(lake)
    gauges.load_vndms_file(lake)
    issue_flood_warnings(lake)
    readings = lake.read("silver.gauge_readings").sort(["station_code", "observed_at"])
    warnings = lake.read("silver.warnings").select("identifier", "msg_type", "alarm_level").sort("identifier")
    vn = dt.timezone(dt.timedelta(hours=7))
    start, end = dt.datetime(2025, 11, 16, 0, tzinfo=vn), dt.datetime(2025, 11, 17, 12, tzinfo=vn)
    in_window = readings.filter(pl.col("observed_at").is_between(start, end)).height
    sleeps: list[float] = []
    seen: list[int] = []
    res = replay(lake, speed=7200, start=start, end=end, sleep=sleeps.append,
                 on_step=lambda t, n: seen.append(lake.read("silver.gauge_readings").height))
    assert res.readings == in_window and res.warnings >= 3
    assert sleeps and all(s == 0.5 for s in sleeps)  # one hour of river per half second at speed 7200
    assert seen == sorted(seen) and seen[0] < seen[-1]  # the lake fills step by step
    # the end state equals loading the file: same readings, same warnings (ids derive from the crossings)
    after = lake.read("silver.gauge_readings").sort(["station_code", "observed_at"])
    assert after.select("station_code", "observed_at", "water_level_m").equals(
        readings.select("station_code", "observed_at", "water_level_m"))
    assert set(after.filter(pl.col("observed_at").is_between(start, end))["source"]) == {"replay"}
    assert lake.read("silver.warnings").select("identifier", "msg_type", "alarm_level").sort("identifier") \
        .equals(warnings)


@pytest.mark.slow
def test_build_demo_disasters_is_idempotent(lake) -> None:
    from pipelines.disasters.demo import build_demo_disasters

    first = build_demo_disasters(lake)
    assert first["readings_hue"]["written"] == 957 + 220 and first["issued_flood_warnings"] >= 10
    assert first["simulated"] == {"sos_requests": 703, "hotline_calls": 2407}
    assert first["simulated_warnings"] == 1808 and first["cap_samples"]["inserted"] == 3
    versions = lake.versions()
    second = build_demo_disasters(lake)
    assert second["readings_hue"]["written"] == 0 and second["issued_flood_warnings"] == 0
    assert second["simulated_warnings"] == 0 and second["cap_samples"]["inserted"] == 0
    changed = {k for k, v in lake.versions().items() if v != versions[k]}
    assert changed == {"gold.flood_status"}  # gold is rebuilt; nothing else is written
    # reconciliation of the real file: rows read = rows in silver + rejects
    r = second["readings_central"]
    assert r["read"] == r["valid"] + r["rejected"] + r["duplicates"]
