"""Disasters and floods: CAP warnings (received and issued), river gauges, SOS requests, hotline calls."""

import pyarrow as pa

from lake.catalog import TS, TableSpec, bronze_table

STR, F64, I32, I64, BOOL = pa.string(), pa.float64(), pa.int32(), pa.int64(), pa.bool_()


_CAP = bronze_table("cap_alerts_raw", "CAP 1.2 documents (one alert, a container of alerts or an EDXL-DE distribution)")
CAP_ALERTS_RAW = TableSpec(name=_CAP.name, keys=_CAP.keys, description=_CAP.description, schema=_CAP.schema
                           .append(pa.field("raw_bytes", pa.binary()))  # exactly as received
                           .append(pa.field("encoding", STR)))  # as declared (BOM or XML declaration)
GAUGE_READINGS_RAW = bronze_table("gauge_readings_raw", "River gauge / reservoir readings")
SOS_RAW = bronze_table("sos_raw", "SOS requests imported from CSV")

WARNINGS = TableSpec(
    name="silver.warnings",
    schema=pa.schema([
        ("warning_id", STR),  # hash of (sender, identifier, sent UTC): the CAP de-duplication key
        ("direction", STR),  # received | issued (issued = produced by the Huế IOC itself)
        ("source", STR),  # file | inbox | feed | ioc | simulated
        ("origin", STR),  # file path / feed URL / station code that produced it
        ("identifier", STR),
        ("sender", STR),
        ("sent", TS),
        ("status", STR),  # Actual | Exercise | System | Test | Draft
        ("msg_type", STR),  # Alert | Update | Cancel | Ack | Error
        ("cap_source", STR),  # the CAP <source> element
        ("scope", STR),
        ("restriction", STR),
        ("addresses", STR),
        ("codes", STR),  # JSON list of <code>
        ("note", STR),
        ("references", STR),  # as in CAP: "sender,identifier,sent ..." (space separated triples)
        ("incidents", STR),
        ("languages", STR),  # comma separated, one per <info> block, in document order
        ("language", STR),  # language of the primary info block (vi-VN first, else the first)
        ("category", STR),  # primary info: categories, comma separated
        ("event", STR),
        ("response_type", STR),
        ("urgency", STR),
        ("severity", STR),
        ("certainty", STR),
        ("audience", STR),
        ("event_codes", STR),  # JSON [[valueName, value], ...]
        ("effective", TS),
        ("onset", TS),
        ("expires", TS),  # earliest expiry over the info blocks
        ("sender_name", STR),
        ("headline", STR),
        ("description", STR),
        ("instruction", STR),
        ("web", STR),
        ("contact", STR),
        ("parameters", STR),  # JSON [[valueName, value], ...] of the primary info
        ("area_desc", STR),  # all areaDesc of the primary info, joined with "; "
        ("areas_geojson", STR),  # GeoJSON FeatureCollection of every area (polygons, circles, geocode-only)
        ("geocodes", STR),  # JSON [[valueName, value], ...]
        ("infos_json", STR),  # every info block, all fields, as JSON
        ("station_code", STR),  # issued flood warnings: the gauge that crossed
        ("alarm_level", I32),  # issued flood warnings: the alarm level reached (0 on a Cancel)
        ("water_level_m", F64),  # issued flood warnings: the reading that triggered it
        ("superseded_by", STR),  # warning_id of the Update/Cancel that references this one
        ("superseded_at", TS),  # when that Update/Cancel was sent
        ("cancelled", BOOL),  # True when superseded by a Cancel
        ("signature", STR),  # received: verified | unverified | invalid | unsigned (XML-DSig outcome)
        ("xml", STR),  # the CAP 1.2 document
        ("ingested_at", TS),
    ]),
    keys=("warning_id",),
    description="CAP 1.2 warnings: received from files/inbox/feeds and issued by the IOC (direction column), "
                "with supersession by Update/Cancel references and expiry.",
)

GAUGE_STATIONS = TableSpec(
    name="silver.gauge_stations",
    schema=pa.schema([
        ("station_code", STR),  # VNDMS code (71520 Kim Long) or reservoir LakeCode
        ("name", STR),
        ("kind", STR),  # river | reservoir
        ("river", STR),  # river or basin
        ("province", STR),
        ("lat", F64),
        ("lon", F64),
        ("alarm1_m", F64),  # báo động 1 (QĐ 05/2020/QĐ-TTg)
        ("alarm2_m", F64),
        ("alarm3_m", F64),
        ("historic_level_m", F64),
        ("historic_year", I32),
        ("normal_level_m", F64),  # reservoirs: mực nước dâng bình thường
        ("capacity_m3", F64),  # reservoirs: design volume (million m3 as VNDMS gives it)
        ("in_hue", BOOL),
        ("source", STR),
    ]),
    keys=("station_code",),
    description="River gauges (with alarm levels BĐ1-3) and reservoirs of central Vietnam, from VNDMS.",
)

GAUGE_READINGS = TableSpec(
    name="silver.gauge_readings",
    schema=pa.schema([
        ("station_code", STR),
        ("observed_at", TS),  # UTC (VNDMS files give Vietnam local time; converted)
        ("water_level_m", F64),
        ("alarm_level", I32),  # 0-3: highest alarm level reached (null for stations without levels)
        ("ref_level", I32),  # the level the difference refers to: the level reached, or 1 when below all
        ("diff_m", F64),  # signed difference to ref_level ("trên báo động 2 0,56 m" = +0.56 to level 2)
        ("bulletin_vi", STR),  # "trên báo động 2 0,56 m" / "dưới báo động 1 0,20 m"
        ("nearest_level", I32),  # the alarm level whose threshold is closest to the reading (1-3)
        ("diff_nearest_m", F64),  # signed difference to it (-0.10 = 10 cm below the next level)
        ("above_historic", BOOL),
        ("volume_m3", F64),  # reservoirs
        ("inflow_m3s", F64),
        ("outflow_m3s", F64),
        ("source", STR),  # vndms_csv | generic_csv | generic_json | replay
        ("batch_id", STR),
        ("ingested_at", TS),
    ]),
    keys=("station_code", "observed_at"),
    description="Water level readings with the alarm level reached and the signed difference to it.",
)

SOS_REQUESTS = TableSpec(
    name="silver.sos_requests",
    schema=pa.schema([
        ("sos_id", STR),
        ("requested_at", TS),
        ("channel", STR),  # app | hotline | sms | csv
        ("place", STR),
        ("admin_unit_code_2025", STR),
        ("admin_unit_code", STR),  # the admin unit of its date (era codes as in silver.admin_units)
        ("lat", F64),
        ("lon", F64),
        ("people", I32),
        ("needs", STR),  # comma separated: rescue, evacuation, food, water, medical, boat, ...
        ("status", STR),  # new | assigned | in_progress | resolved | cancelled
        ("handler", STR),
        ("handled_at", TS),
        ("note", STR),
        ("source", STR),  # simulated | csv
    ]),
    keys=("sos_id",),
    description="SOS requests (yêu cầu cứu hộ) with place, people, needs and handling.",
)

HOTLINE_CALLS = TableSpec(
    name="silver.hotline_calls",
    schema=pa.schema([
        ("call_id", STR),
        ("started_at", TS),
        ("direction", STR),  # in | out
        ("duration_s", I32),
        ("topic", STR),
        ("admin_unit_code_2025", STR),
        ("admin_unit_code", STR),  # the admin unit of its date (era codes as in silver.admin_units)
        ("sos_id", STR),  # when the call raised or followed an SOS
        ("source", STR),
    ]),
    keys=("call_id",),
    description="Flood-season hotline calls (1900 1075), in and out: the 2020 season (the published 1,919 in / "
                "488 out) and the November 2025 flood (simulated), at the hours people call.",
)

FLOOD_STATUS = TableSpec(
    name="gold.flood_status",
    schema=pa.schema([
        ("station_code", STR),
        ("name", STR),
        ("river", STR),
        ("lat", F64),
        ("lon", F64),
        ("latest_at", TS),
        ("latest_level_m", F64),
        ("alarm_level", I32),
        ("diff_m", F64),
        ("bulletin_vi", STR),
        ("trend_3h_m", F64),  # latest minus the level 3 hours earlier
        ("trend", STR),  # rising | falling | steady
        ("peak_level_m", F64),
        ("peak_at", TS),
        ("hours_above_1", F64),
        ("hours_above_2", F64),
        ("hours_above_3", F64),
        ("colour", STR),
        ("as_of", TS),
    ]),
    keys=("station_code",),
    description="Per river gauge: latest level and alarm, 3-hour trend, peak so far and time above each level.",
)

TABLES = [CAP_ALERTS_RAW, GAUGE_READINGS_RAW, SOS_RAW, WARNINGS, GAUGE_STATIONS, GAUGE_READINGS,
          SOS_REQUESTS, HOTLINE_CALLS, FLOOD_STATUS]
