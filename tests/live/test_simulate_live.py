"""`hue-ioc simulate live` in process, bounded: the simulator's traffic goes through the live ingest into
silver, stamped within the last minute and labelled simulated."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from hue_ioc.cli import main
from lake import Lake
from tests.live.conftest import wait_for

RUN_S = 45  # the command's own bound (--for): it stops by itself


def _recent(lake: Lake, table: str, sql: str, since: dt.datetime) -> bool:
    if not lake.exists(table):
        return False
    t = lake.sql(sql).item()
    return t is not None and t >= since


def test_simulate_live_writes_rows_of_now(gauge_lake: Lake, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUE_IOC_LAKE", gauge_lake.root)
    monkeypatch.delenv("HUE_IOC_MQTT_URL", raising=False)
    started = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    # the command runs in a thread with its own bound (--for); the test waits on the lake's state
    rc: list[int] = []
    t = threading.Thread(target=lambda: rc.append(main(["simulate", "live", "--for", str(RUN_S),
                                                        "--scenario", "flood-2025", "--speed", "3600"])),
                         daemon=True)
    t.start()
    checks = {
        "simulated report in silver": ("silver.reports", "SELECT max(updated_at) FROM silver.reports "
                                                         "WHERE source = 'simulated'"),
        "simulated detector violation": ("silver.violations", "SELECT max(detected_at) FROM silver.violations "
                                                              "WHERE source = 'simulated' AND model_name <> 'frigate'"),
        "simulated Frigate violation": ("silver.violations", "SELECT max(detected_at) FROM silver.violations "
                                                             "WHERE source = 'simulated' AND model_name = 'frigate'"),
        "simulated count from a Frigate object": ("silver.traffic_counts", "SELECT max(updated_at) FROM "
                                                  "silver.traffic_counts WHERE source = 'simulated'"),
        "simulated gauge reading of now": ("silver.gauge_readings", "SELECT max(observed_at) FROM "
                                           "silver.gauge_readings WHERE source = 'simulated'"),
    }
    for what, (table, sql) in checks.items():
        wait_for(lambda table=table, sql=sql: _recent(gauge_lake, table, sql, started), what, deadline_s=RUN_S)
    # a reading of now on a Huế river gauge, at a level of the November 2025 file
    row = gauge_lake.sql("SELECT station_code, observed_at FROM silver.gauge_readings WHERE observed_at >= $t "
                         "ORDER BY observed_at DESC LIMIT 1", {"t": started}).row(0)
    assert row[0] in {"71520", "71518"}
    assert dt.datetime.now(dt.UTC) - row[1] < dt.timedelta(minutes=1)
    # a report's lifecycle advances (speed 3600: validated after 2 min / 3600 of wall time)
    wait_for(lambda: gauge_lake.sql("SELECT count(*) FROM silver.report_events WHERE source = 'simulated' "
                                    "AND event_type = 'validated'").item() > 0, "a validated event", RUN_S)
    t.join(timeout=RUN_S + 120)
    assert not t.is_alive() and rc == [0]
