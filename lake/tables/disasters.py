"""Disasters and floods: CAP warnings (received and issued), river gauges, SOS requests, hotline calls."""

import pyarrow as pa

from lake.catalog import TS, Column, TableSpec, bronze_table

STR, F64, I32, I64, BOOL = pa.string(), pa.float64(), pa.int32(), pa.int64(), pa.bool_()


_CAP = bronze_table("cap_alerts_raw", "CAP 1.2 documents (one alert, a container of alerts or an EDXL-DE distribution)")
CAP_ALERTS_RAW = TableSpec(name=_CAP.name, keys=_CAP.keys, description=_CAP.description,
                           schema=_CAP.schema.append(pa.field("raw_bytes", pa.binary())).append(pa.field("encoding", STR)),
                           docs={**_CAP.docs, "raw_bytes": Column("the document's bytes exactly as received"),
                                 "encoding": Column("as declared (BOM or XML declaration)")})
GAUGE_READINGS_RAW = bronze_table("gauge_readings_raw", "River gauge / reservoir readings")
SOS_RAW = bronze_table("sos_raw", "SOS requests imported from CSV")

WARNINGS = TableSpec(
    name="silver.warnings",
    schema=pa.schema([
        ("warning_id", STR),
        ("direction", STR),
        ("source", STR),
        ("origin", STR),
        ("identifier", STR),
        ("sender", STR),
        ("sent", TS),
        ("status", STR),
        ("msg_type", STR),
        ("cap_source", STR),
        ("scope", STR),
        ("restriction", STR),
        ("addresses", STR),
        ("codes", STR),
        ("note", STR),
        ("references", STR),
        ("incidents", STR),
        ("languages", STR),
        ("language", STR),
        ("category", STR),
        ("event", STR),
        ("response_type", STR),
        ("urgency", STR),
        ("severity", STR),
        ("certainty", STR),
        ("audience", STR),
        ("event_codes", STR),
        ("effective", TS),
        ("onset", TS),
        ("expires", TS),
        ("sender_name", STR),
        ("headline", STR),
        ("description", STR),
        ("instruction", STR),
        ("web", STR),
        ("contact", STR),
        ("parameters", STR),
        ("area_desc", STR),
        ("areas_geojson", STR),
        ("geocodes", STR),
        ("infos_json", STR),
        ("station_code", STR),
        ("alarm_level", I32),
        ("water_level_m", F64),
        ("superseded_by", STR),
        ("superseded_at", TS),
        ("cancelled", BOOL),
        ("signature", STR),
        ("xml", STR),
        ("ingested_at", TS),
    ]),
    keys=("warning_id",),
    docs={
        "warning_id": Column("hash of (sender, identifier, sent UTC): the CAP de-duplication key"),
        "direction": Column("issued = produced by the Huế IOC itself; sample = a CAP specification example",
                            values=("received", "issued", "sample")),
        "source": Column(values=("file", "inbox", "feed", "ioc", "simulated", "sample")),
        "origin": Column("file path / feed URL / station code that produced it"),
        "status": Column("CAP status; Sample marks a specification example",
                         values=("Actual", "Exercise", "System", "Test", "Draft", "Sample")),
        "msg_type": Column(values=("Alert", "Update", "Cancel", "Ack", "Error")),
        "cap_source": Column("the CAP <source> element"),
        "codes": Column("JSON list of <code>"),
        "references": Column('as in CAP: "sender,identifier,sent ..." (space separated triples)'),
        "languages": Column("comma separated, one per <info> block, in document order"),
        "language": Column("language of the primary info block (vi-VN first, else the first)"),
        "category": Column("primary info: categories, comma separated"),
        "event_codes": Column("JSON [[valueName, value], ...]"),
        "expires": Column("earliest expiry over the info blocks"),
        "parameters": Column("JSON [[valueName, value], ...] of the primary info"),
        "area_desc": Column('all areaDesc of the primary info, joined with "; "'),
        "areas_geojson": Column("GeoJSON FeatureCollection of every area (polygons, circles, geocode-only)"),
        "geocodes": Column("JSON [[valueName, value], ...]"),
        "infos_json": Column("every info block, all fields, as JSON"),
        "station_code": Column("issued flood warnings: the gauge that crossed"),
        "alarm_level": Column("issued flood warnings: the alarm level reached (0 on a Cancel)"),
        "water_level_m": Column("issued flood warnings: the reading that triggered it", unit="m"),
        "superseded_by": Column("warning_id of the Update/Cancel that references this one"),
        "superseded_at": Column("when that Update/Cancel was sent"),
        "cancelled": Column("True when superseded by a Cancel"),
        "signature": Column("received: verified | unverified | invalid | unsigned (XML-DSig outcome)"),
        "xml": Column("the CAP 1.2 document"),
    },
    description="CAP 1.2 warnings: received from files/inbox/feeds and issued by the IOC (direction column), "
                "with supersession by Update/Cancel references and expiry. The CAP specification's example "
                "alerts are kept as samples (direction 'sample', status 'Sample', source 'sample'): they are "
                "not Huế's warnings and no count includes them.",
)

GAUGE_STATIONS = TableSpec(
    name="silver.gauge_stations",
    schema=pa.schema([
        ("station_code", STR),
        ("name", STR),
        ("kind", STR),
        ("river", STR),
        ("province", STR),
        ("lat", F64),
        ("lon", F64),
        ("alarm1_m", F64),
        ("alarm2_m", F64),
        ("alarm3_m", F64),
        ("historic_level_m", F64),
        ("historic_year", I32),
        ("normal_level_m", F64),
        ("capacity_m3", F64),
        ("in_hue", BOOL),
        ("source", STR),
    ]),
    keys=("station_code",),
    docs={
        "station_code": Column("VNDMS code (71520 Kim Long) or reservoir LakeCode"),
        "kind": Column(values=("river", "reservoir")),
        "river": Column("river or basin"),
        "alarm1_m": Column("báo động 1 (QĐ 05/2020/QĐ-TTg)", unit="m"),
        "alarm2_m": Column(unit="m"),
        "alarm3_m": Column(unit="m"),
        "historic_level_m": Column(unit="m"),
        "normal_level_m": Column("reservoirs: mực nước dâng bình thường", unit="m"),
        "capacity_m3": Column("reservoirs: design volume (million m3 as VNDMS gives it)", unit="m³"),
    },
    description="River gauges (with alarm levels BĐ1-3) and reservoirs of central Vietnam, from VNDMS. "
                "Coordinates: VNDMS station metadata (rounded to arc-minutes), except Huế's two gauges, placed "
                "on the river lines of ../shared/data/geo/hue_rivers_huong_basin_vnexpress.geojson "
                "(pipelines/disasters/station_places.csv gives each one's source): Kim Long (71520) on the "
                "Hương where it passes Phường Kim Long (VNDMS's point lies ~4.3 km upstream, south), Phú Ốc "
                "(71518) at the nearest point of the Sông Bồ line (~530 m from VNDMS's point).",
)

GAUGE_READINGS = TableSpec(
    name="silver.gauge_readings",
    schema=pa.schema([
        ("station_code", STR),
        ("observed_at", TS),
        ("water_level_m", F64),
        ("alarm_level", I32),
        ("ref_level", I32),
        ("diff_m", F64),
        ("bulletin_vi", STR),
        ("nearest_level", I32),
        ("diff_nearest_m", F64),
        ("above_historic", BOOL),
        ("volume_m3", F64),
        ("inflow_m3s", F64),
        ("outflow_m3s", F64),
        ("source", STR),
        ("batch_id", STR),
        ("ingested_at", TS),
    ]),
    keys=("station_code", "observed_at"),
    docs={
        "observed_at": Column("UTC (VNDMS files give Vietnam local time; converted)"),
        "water_level_m": Column(unit="m"),
        "alarm_level": Column("0-3: highest alarm level reached (null for stations without levels)"),
        "ref_level": Column("the level the difference refers to: the level reached, or 1 when below all"),
        "diff_m": Column('signed difference to ref_level ("trên báo động 2 0,56 m" = +0.56 to level 2)', unit="m"),
        "bulletin_vi": Column('"trên báo động 2 0,56 m" / "dưới báo động 1 0,20 m"'),
        "nearest_level": Column("the alarm level whose threshold is closest to the reading (1-3)"),
        "diff_nearest_m": Column("signed difference to it (-0.10 = 10 cm below the next level)", unit="m"),
        "volume_m3": Column("reservoirs", unit="m³"),
        "inflow_m3s": Column(unit="m³/s"),
        "outflow_m3s": Column(unit="m³/s"),
        "source": Column(values=("vndms_csv", "generic_csv", "generic_json", "replay")),
    },
    description="Water level readings with the alarm level reached and the signed difference to it.",
)

SOS_REQUESTS = TableSpec(
    name="silver.sos_requests",
    schema=pa.schema([
        ("sos_id", STR),
        ("requested_at", TS),
        ("channel", STR),
        ("place", STR),
        ("admin_unit_code_2025", STR),
        ("admin_unit_code", STR),
        ("lat", F64),
        ("lon", F64),
        ("people", I32),
        ("needs", STR),
        ("status", STR),
        ("handler", STR),
        ("handled_at", TS),
        ("note", STR),
        ("source", STR),
    ]),
    keys=("sos_id",),
    docs={
        "admin_unit_code": Column("the admin unit of its date (era codes as in silver.admin_units)"),
        "channel": Column(values=("app", "hotline", "sms", "csv")),
        "needs": Column("comma separated: rescue, evacuation, food, water, medical, boat, ..."),
        "status": Column(values=("new", "assigned", "in_progress", "resolved", "cancelled")),
        "source": Column(values=("simulated", "csv")),
    },
    description="SOS requests (yêu cầu cứu hộ) with place, people, needs and handling.",
)

HOTLINE_CALLS = TableSpec(
    name="silver.hotline_calls",
    schema=pa.schema([
        ("call_id", STR),
        ("started_at", TS),
        ("direction", STR),
        ("duration_s", I32),
        ("topic", STR),
        ("admin_unit_code_2025", STR),
        ("admin_unit_code", STR),
        ("sos_id", STR),
        ("source", STR),
    ]),
    keys=("call_id",),
    docs={
        "direction": Column(values=("in", "out")),
        "duration_s": Column(unit="s"),
        "admin_unit_code": Column("the admin unit of its date (era codes as in silver.admin_units)"),
        "sos_id": Column("when the call raised or followed an SOS"),
    },
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
        ("trend_3h_m", F64),
        ("trend", STR),
        ("peak_level_m", F64),
        ("peak_at", TS),
        ("hours_above_1", F64),
        ("hours_above_2", F64),
        ("hours_above_3", F64),
        ("colour", STR),
        ("as_of", TS),
    ]),
    keys=("station_code",),
    docs={
        "latest_level_m": Column(unit="m"),
        "diff_m": Column(unit="m"),
        "trend_3h_m": Column("latest minus the level 3 hours earlier", unit="m"),
        "trend": Column(values=("rising", "falling", "steady")),
        "peak_level_m": Column(unit="m"),
        "hours_above_1": Column(unit="h"),
        "hours_above_2": Column(unit="h"),
        "hours_above_3": Column(unit="h"),
    },
    description="Per river gauge: latest level and alarm, 3-hour trend, peak so far and time above each level.",
)

WARNING_DRAFTS = TableSpec(
    name="silver.warning_drafts",
    schema=pa.schema([
        ("draft_id", STR),  # the drafted alert's warning_id: the same crossing or received alert drafts once
        ("kind", STR),  # flood (a Huế gauge crossed an alarm level) | relay (a received CAP alert for Huế)
        ("source", STR),  # ioc | simulated (the source of what triggered it; the issued warning keeps it)
        ("origin", STR),  # station code, or the received warning's id
        ("identifier", STR),  # the CAP identifier it will be issued under
        ("station_code", STR),
        ("alarm_level", I32),  # flood: the level reached (0 = back below level 1)
        ("previous_level", I32),
        ("water_level_m", F64),
        ("observed_at", TS),  # flood: the reading that crossed; relay: when the received alert was sent
        ("severity", STR),
        ("created_at", TS),
        ("status", STR),  # draft | approved | discarded | issued
        ("headline_vi", STR),  # the texts an operator may edit, Vietnamese and English
        ("description_vi", STR),
        ("instruction_vi", STR),
        ("headline_en", STR),
        ("description_en", STR),
        ("instruction_en", STR),
        ("xml", STR),  # the CAP 1.2 document as drafted (not published)
        ("decided_by", STR),
        ("decided_at", TS),  # approval time: the issued alert's <sent>
        ("issued_warning_id", STR),  # silver.warnings row once issued
        ("issued_at", TS),
    ]),
    keys=("draft_id",),
    description="IOC warnings drafted from gauge crossings and received CAP alerts for Huế, waiting for an "
                "operator: edited, approved (then issued) or discarded.",
)

WARNING_DECISIONS = TableSpec(
    name="silver.warning_decisions",
    schema=pa.schema([
        ("decision_id", STR),  # uuid4 hex
        ("draft_id", STR),
        ("decision", STR),  # edited | approved | discarded
        ("reason", STR),
        ("actor", STR),  # who: the login e-mail, or the local user name
        ("role", STR),
        ("decided_at", TS),
        ("previous_status", STR),
        ("previous_texts", STR),  # JSON {headline_vi: …, …}: the texts before this decision
        ("new_texts", STR),  # and after it
    ]),
    keys=("decision_id",),
    description="Every operator decision on a warning draft, append-only: who, when, the texts before and after.",
)

TABLES = [CAP_ALERTS_RAW, GAUGE_READINGS_RAW, SOS_RAW, WARNINGS, GAUGE_STATIONS, GAUGE_READINGS,
          SOS_REQUESTS, HOTLINE_CALLS, FLOOD_STATUS, WARNING_DRAFTS, WARNING_DECISIONS]
