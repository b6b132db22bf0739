"""Camera analytics: raw rule events, violations (with review kept apart), traffic counts, cameras."""

import pyarrow as pa

from lake.catalog import TS, TableSpec

STR, F64, I32, I64, BOOL, DATE = pa.string(), pa.float64(), pa.int32(), pa.int64(), pa.bool_(), pa.date32()

CAMERA_EVENTS_RAW = TableSpec(
    name="bronze.camera_events_raw",
    schema=pa.schema([
        ("raw_id", STR),  # = event_id: re-processing the same video adds nothing
        ("source", STR),  # detector | simulated
        ("camera_id", STR),
        ("record_id", STR),  # the event id
        ("batch_id", STR),  # one id per run of a camera
        ("ingested_at", TS),
        ("payload", STR),  # the rule event as emitted (JSON text)
    ]),
    keys=("raw_id",),
    description="Every rule event a camera emitted (counts, violations, incidents), as emitted, append-only.",
)

VIOLATIONS = TableSpec(
    name="silver.violations",
    schema=pa.schema([
        ("event_id", STR),  # hash of (camera, rule, track, start): stable across reruns
        ("camera_id", STR),
        ("rule_id", STR),  # "<zone or line id>:<rule type>"
        ("rule", STR),  # dwell | encroachment | congestion | wrong_way | stop_line
        ("violation_type", STR),  # illegal_parking | illegal_stopping | encroachment | wrong_way | red_light | congestion
        ("category", STR),  # violation | incident
        ("class_name", STR),  # vehicle | person | bike | car | motorcycle | ...
        ("vehicle_type", STR),  # car | bus | truck | van (attributes model), motorbike (simulated)
        ("vehicle_color", STR),
        ("track_id", I64),
        ("start_at", TS),
        ("end_at", TS),
        ("score", F64),
        ("box_x0", F64), ("box_y0", F64), ("box_x1", F64), ("box_y1", F64),  # pixels in the event frame
        ("plate_text", STR),  # normalised (VN format when it parses, else the raw OCR text)
        ("plate_raw", STR),
        ("plate_confidence", F64),
        ("plate_province", STR),
        ("evidence_uri", STR),
        ("model_name", STR),
        ("model_version", STR),
        ("fine_vnd", I64),  # the fine the schedule sets for this type and class (0 for incidents)
        ("source", STR),  # detector | simulated
        ("detected_at", TS),  # when the row was written
        # review: set later by an officer. The detection fields above are kept as detected, except that an
        # officer's correction replaces plate_text, violation_type and fine_vnd (plate_raw keeps the OCR text;
        # silver.review_decisions keeps every previous value)
        ("review_status", STR),  # pending | confirmed | dismissed
        ("reviewed_by", STR),
        ("reviewed_at", TS),
        ("review_note", STR),
    ]),
    keys=("event_id",),
    description="Traffic violations and incidents from camera AI, one row per (camera, rule, track) event, "
                "with plate, evidence crop and the officer's review kept beside the original detection.",
)

TRAFFIC_COUNTS = TableSpec(
    name="silver.traffic_counts",
    schema=pa.schema([
        ("camera_id", STR),
        ("minute", TS),  # start of the minute (UTC)
        ("line_id", STR),
        ("class_name", STR),
        ("direction", STR),  # forward (the lawful direction) | reverse
        ("count", I64),
        ("source", STR),
        ("updated_at", TS),
        ("month", DATE),  # first day (UTC) of the minute's month: the partition, filled in on write
    ]),
    keys=("camera_id", "minute", "line_id", "class_name", "direction"),
    # the one table that grows by billions (500 cameras: about 2 bn rows a year): one partition per month,
    # rows in minute then camera order; a lake written before the partitioning reads and writes as it is
    # until `hue-ioc lake upgrade` (or the maintenance schedule) rewrites it partitioned
    partition_by=("month",),
    month_of={"month": "minute"},
    sort_by=("minute", "camera_id"),
    description="Line-crossing counts per camera, minute, line, class and direction.",
)

CAMERAS = TableSpec(
    name="silver.cameras",
    schema=pa.schema([
        ("camera_id", STR),
        ("name", STR),
        ("location_name", STR),
        ("lat", F64),
        ("lon", F64),
        ("stream_uri", STR),  # file, rtsp:// or http(s):// (simulated cameras: empty)
        ("model_name", STR),
        ("fps", F64),
        ("zones_json", STR),
        ("lines_json", STR),
        ("enabled", BOOL),
        ("source", STR),  # config | simulated
        ("updated_at", TS),
    ]),
    keys=("camera_id",),
    description="Cameras: where they are, what they watch, their zones and lines.",
)

VIOLATIONS_DAILY = TableSpec(
    name="gold.violations_daily",
    schema=pa.schema([
        ("day", DATE),  # Vietnam local date of start_at
        ("camera_id", STR),
        ("violation_type", STR),
        ("class_name", STR),
        ("source", STR),
        ("detected", I64),
        ("confirmed", I64),
        ("dismissed", I64),
        ("pending", I64),
        ("plates_read", I64),
        ("fines_vnd", I64),  # confirmed violations only
    ]),
    description="Violations per day, camera, type and class, with review outcome and fines.",
)

REVIEW_DECISIONS = TableSpec(
    name="silver.review_decisions",
    schema=pa.schema([
        ("decision_id", STR),  # uuid4 hex: two decisions on one violation are two rows
        ("event_id", STR),
        ("decision", STR),  # confirmed | dismissed | corrected
        ("reason", STR),  # why dismissed (a reason code) or the officer's note
        ("reviewer", STR),  # who: the login e-mail, or the local user name
        ("role", STR),  # the role the action was allowed under
        ("decided_at", TS),
        ("previous_status", STR),  # the violation's values before this decision
        ("previous_plate", STR),
        ("previous_type", STR),
        ("previous_fine_vnd", I64),
        ("new_status", STR),  # and after it
        ("new_plate", STR),
        ("new_type", STR),
        ("new_fine_vnd", I64),
    ]),
    keys=("decision_id",),
    description="Every review decision an officer made on a violation, append-only: who, when, why, and "
                "the values before and after.",
)

TABLES = [CAMERA_EVENTS_RAW, VIOLATIONS, TRAFFIC_COUNTS, CAMERAS, VIOLATIONS_DAILY, REVIEW_DECISIONS]
