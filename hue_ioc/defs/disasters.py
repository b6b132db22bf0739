"""Dagster: the disasters domain (group "disasters").

Assets per table (gauge stations, readings, warnings, SOS/hotline, flood status), checks on them,
a sensor that polls the CAP and gauge inbox folders and the CAP feed URLs every minute, and the
``replay`` job that plays the real November 2025 hydrograph into the lake at a chosen speed.

Inboxes and feeds come from the environment: ``HUE_IOC_CAP_INBOX`` and ``HUE_IOC_GAUGE_INBOX``
(folders, separated by ``os.pathsep``), ``HUE_IOC_CAP_FEEDS`` (URLs, comma separated).
"""


import hashlib
import json
import os
from pathlib import Path

import dagster as dg

from core.settings import data_path
from hue_ioc.defs.catalog import SOURCE_RETRY, lake_asset, lake_spec, materialized, table_metadata
from hue_ioc.defs.resources import LakeResource
from pipelines.disasters import gauges, sos, warnings_history
from pipelines.disasters.cap.write import validate_cap
from pipelines.disasters.cap_ingest import SAMPLE_SOURCE, ingest_documents
from pipelines.disasters.common import local_moment
from pipelines.disasters.demo import shared_cap_samples, timeline_end
from pipelines.disasters.feeds import feed_documents, file_documents
from pipelines.disasters.flood_status import build_flood_status
from pipelines.disasters.replay import DEFAULT_START, replay
from pipelines.disasters.warnings_issuer import issue_flood_warnings, relay_received_for_hue
from pipelines.disasters.watch import scan_sources

GROUP = "disasters"
K = dg.AssetKey


def _env_list(name: str, sep: str) -> list[str]:
    return [x.strip() for x in os.environ.get(name, "").split(sep) if x.strip()]


def cap_inboxes() -> list[str]:
    return _env_list("HUE_IOC_CAP_INBOX", os.pathsep)


def gauge_inboxes() -> list[str]:
    return _env_list("HUE_IOC_GAUGE_INBOX", os.pathsep)


def cap_feeds() -> list[str]:
    return _env_list("HUE_IOC_CAP_FEEDS", ",")


# ---------------------------------------------------------------------------------------------- assets
class GaugeReadingsConfig(dg.Config):
    files: list[str] = []  # extra VNDMS or generic CSV/JSON files (the sensor fills this from inboxes)
    include_reference: bool = True  # the real Nov-2025 files from the reference data
    central: bool = True  # also the central-Vietnam file (the other gauges)


class CapConfig(dg.Config):
    files: list[str] = []  # CAP files (the sensor fills this from inboxes)
    feeds: list[str] = []  # Atom/RSS index URLs
    include_samples: bool = True  # the shared CAP 1.2 spec examples
    simulated_history: bool = True  # the simulated 2019-2022 warnings history


@dg.asset(**lake_asset("silver.gauge_stations", GROUP, retry_policy=SOURCE_RETRY))
def gauge_stations(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    lk = lake.lake()
    n = gauges.load_stations(lk)
    return dg.MaterializeResult(metadata=table_metadata(lk, "silver.gauge_stations", {"written": n}))


@dg.multi_asset(
    specs=[lake_spec("bronze.gauge_readings_raw", GROUP, deps=["silver.gauge_stations"],
                     description="River gauge and reservoir readings as the files gave them (VNDMS CSV, generic "
                                 "CSV/JSON), append-only, one row per distinct record."),
           lake_spec("silver.gauge_readings", GROUP, deps=["silver.gauge_stations"])],
    name="gauge_readings", retry_policy=SOURCE_RETRY)
def gauge_readings_asset(context: dg.AssetExecutionContext, config: GaugeReadingsConfig,
                         lake: LakeResource):
    lk = lake.lake()
    totals: dict[str, int] = {"read": 0, "valid": 0, "rejected": 0, "duplicates": 0, "written": 0}
    paths: list[Path] = []
    if config.include_reference:
        paths.append(data_path(gauges.HUE_FILE))
        if config.central:
            paths.append(data_path(gauges.CENTRAL_FILE))
    paths += [Path(f) for f in config.files]
    for p in paths:
        r = gauges.load_file(lk, p).as_dict()
        context.log.info(f"{p.name}: {r}")
        for k in totals:
            totals[k] += r[k]
    yield materialized(lk, "bronze.gauge_readings_raw", {"files": len(paths)})
    yield materialized(lk, "silver.gauge_readings", totals)


@dg.multi_asset(
    specs=[lake_spec("bronze.cap_alerts_raw", GROUP,
                     description="CAP 1.2 documents exactly as received (files, inbox, feeds): one alert, a "
                                 "container of alerts or an EDXL-DE distribution, append-only."),
           lake_spec("silver.warnings", GROUP, deps=["silver.gauge_readings"])],
    name="cap_warnings", retry_policy=SOURCE_RETRY)
def cap_warnings_asset(context: dg.AssetExecutionContext, config: CapConfig, lake: LakeResource):
    lk = lake.lake()
    docs = list(file_documents([Path(f) for f in config.files]))
    if config.include_samples:  # the specification's examples: samples, not Huế's warnings
        docs += list(file_documents(shared_cap_samples(), source=SAMPLE_SOURCE))
    for url in config.feeds:
        docs += list(feed_documents(url))
    res = ingest_documents(lk, docs)
    issued = issue_flood_warnings(lk)
    relayed = relay_received_for_hue(lk)
    simulated = warnings_history.load_simulated_warnings(lk) if config.simulated_history else 0
    yield materialized(lk, "bronze.cap_alerts_raw", {"documents": res.read})
    yield materialized(lk, "silver.warnings", {**res.as_dict(), "issued": issued, "relayed": relayed,
                                               "simulated": simulated})


@dg.multi_asset(
    specs=[lake_spec("silver.sos_requests", GROUP,
                     description="SOS requests (yêu cầu cứu hộ) with place, people, needs and handling: simulated, "
                                 "calibrated on 703 requests over 2019-05..2022-05."),
           lake_spec("silver.hotline_calls", GROUP,
                     description="Flood-season hotline calls (1900 1075), in and out: simulated on the 2020 season "
                                 "(1,919 calls in, 488 out).")],
    name="sos_and_hotline")
def sos_asset(context: dg.AssetExecutionContext, lake: LakeResource):
    lk = lake.lake()
    r = sos.load_simulated(lk, until=timeline_end(lk))  # the SOS timeline runs as far as the reports' one
    yield materialized(lk, "silver.sos_requests", {"written": r["sos_requests"]})
    yield materialized(lk, "silver.hotline_calls", {"written": r["hotline_calls"]})


@dg.asset(**lake_asset("gold.flood_status", GROUP, deps=["silver.gauge_readings", "silver.gauge_stations"]))
def flood_status_asset(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    lk = lake.lake()
    return dg.MaterializeResult(metadata=table_metadata(lk, "gold.flood_status", {"gauges": build_flood_status(lk)}))


# ---------------------------------------------------------------------------------------------- checks
@dg.asset_check(asset=K(["silver", "gauge_readings"]), description="alarm_level agrees with the station levels")
def readings_alarm_levels(lake: LakeResource) -> dg.AssetCheckResult:
    lk = lake.lake()
    df = lk.sql("""
        select count(*) n from silver.gauge_readings r join silver.gauge_stations s using (station_code)
        where s.alarm1_m is not null and r.alarm_level <> (
            (r.water_level_m >= s.alarm1_m)::int + coalesce((r.water_level_m >= s.alarm2_m)::int, 0)
            + coalesce((r.water_level_m >= s.alarm3_m)::int, 0))""")
    bad = int(df["n"][0])
    return dg.AssetCheckResult(passed=bad == 0, metadata={"mismatches": bad})


@dg.asset_check(asset=K(["silver", "warnings"]), description="every IOC-issued warning is valid CAP 1.2")
def issued_warnings_valid(lake: LakeResource) -> dg.AssetCheckResult:
    lk = lake.lake()
    df = lk.sql("select identifier, xml from silver.warnings where direction = 'issued' and source = 'ioc'")
    bad = [i for i, x in df.iter_rows() if validate_cap(x)]
    return dg.AssetCheckResult(passed=not bad, metadata={"checked": df.height, "invalid": len(bad)})


# ---------------------------------------------------------------------------------------------- sensor
disasters_update_job = dg.define_asset_job(
    "disasters_update", selection=dg.AssetSelection.assets(
        K(["bronze", "gauge_readings_raw"]), K(["silver", "gauge_readings"]), K(["bronze", "cap_alerts_raw"]),
        K(["silver", "warnings"]), K(["gold", "flood_status"])),
    description="Load new gauge files and CAP documents, issue warnings, rebuild flood status.")


build_disasters = dg.define_asset_job(
    "build_disasters", selection=dg.AssetSelection.groups(GROUP),
    description="Build every disasters table: stations, the November 2025 readings, CAP samples and the "
                "warnings the IOC issues, the simulated SOS/hotline/warnings history, flood status "
                "(hue-ioc demo runs it).")


def run_request_for(changes: dict) -> dg.RunRequest | None:
    if not any(changes.values()):
        return None
    key = hashlib.sha256(json.dumps(changes, sort_keys=True).encode()).hexdigest()[:16]
    return dg.RunRequest(run_key=key, run_config={"ops": {
        "gauge_readings": {"config": {"files": changes["gauge_files"], "include_reference": False}},
        "cap_warnings": {"config": {"files": changes["cap_files"], "feeds": changes["feeds"],
                                    "include_samples": False, "simulated_history": False}},
    }})


@dg.sensor(job=disasters_update_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED,
           description="Polls the CAP/gauge inbox folders and CAP feed URLs every minute.")
def disasters_inbox_sensor(context: dg.SensorEvaluationContext):
    cursor = json.loads(context.cursor) if context.cursor else {}
    changes, new_cursor = scan_sources(cursor, cap_inboxes(), gauge_inboxes(), cap_feeds())
    context.update_cursor(json.dumps(new_cursor))
    req = run_request_for(changes)
    if req is None:
        return dg.SkipReason("no new CAP documents, gauge files or feed changes")
    return req


# ---------------------------------------------------------------------------------------------- replay
class ReplayConfig(dg.Config):
    speed: float = 3600.0  # data seconds per wall second (3600 = one hour of river per second)
    start: str = DEFAULT_START.isoformat()  # ISO 8601; without offset = Vietnam time
    end: str = ""  # ISO 8601, empty = to the end of the file
    reset: bool = True  # remove the replayed window first so the flood is seen arriving


@dg.op(description="Play the November 2025 hydrograph into the lake at the configured speed.")
def replay_hydrograph(context: dg.OpExecutionContext, config: ReplayConfig, lake: LakeResource) -> dict:
    res = replay(lake.lake(), speed=config.speed, start=local_moment(config.start), end=local_moment(config.end),
                 reset=config.reset,
                 on_step=lambda t, n: context.log.debug(f"{t.isoformat()}: {n} readings"))
    out = {"steps": res.steps, "readings": res.readings, "warnings": res.warnings}
    context.add_output_metadata(out)
    return out


@dg.job(name="replay", description="Replay the real Nov-2025 flood (Kim Long, Phú Ốc) at a chosen speed.")
def replay_job():
    replay_hydrograph()


defs = dg.Definitions(
    assets=[gauge_stations, gauge_readings_asset, cap_warnings_asset, sos_asset, flood_status_asset],
    asset_checks=[readings_alarm_levels, issued_warnings_valid],
    jobs=[disasters_update_job, build_disasters, replay_job],
    sensors=[disasters_inbox_sensor],
)
