"""Camera analytics: raw rule events, violations (with review kept apart), traffic counts, cameras."""

import pyarrow as pa

from lake.catalog import TS, Column, TableSpec

STR, F64, I32, I64, BOOL, DATE = pa.string(), pa.float64(), pa.int32(), pa.int64(), pa.bool_(), pa.date32()

CAMERA_EVENTS_RAW = TableSpec(
    name="bronze.camera_events_raw",
    schema=pa.schema([
        ("raw_id", STR),
        ("source", STR),
        ("camera_id", STR),
        ("record_id", STR),
        ("batch_id", STR),
        ("ingested_at", TS),
        ("payload", STR),
    ]),
    keys=("raw_id",),
    docs={
        "raw_id": Column("= event_id: re-processing the same video adds nothing"),
        "source": Column(values=("detector", "simulated")),
        "record_id": Column("the event id"),
        "batch_id": Column("one id per run of a camera"),
        "payload": Column("the rule event as emitted (JSON text); it holds the plate read, so operators only",
                          personal="hide"),
    },
    description="Every rule event a camera emitted (counts, violations, incidents), as emitted, append-only.",
)

VIOLATIONS = TableSpec(
    name="silver.violations",
    schema=pa.schema([
        ("event_id", STR),
        ("camera_id", STR),
        ("rule_id", STR),
        ("rule", STR),
        ("violation_type", STR),
        ("category", STR),
        ("class_name", STR),
        ("vehicle_type", STR),
        ("vehicle_color", STR),
        ("track_id", I64),
        ("start_at", TS),
        ("end_at", TS),
        ("score", F64),
        ("box_x0", F64), ("box_y0", F64), ("box_x1", F64), ("box_y1", F64),  # pixels in the event frame
        ("plate_text", STR),
        ("plate_raw", STR),
        ("plate_confidence", F64),
        ("plate_province", STR),
        ("evidence_uri", STR),
        ("model_name", STR),
        ("model_version", STR),
        ("fine_vnd", I64),
        ("source", STR),
        ("detected_at", TS),
        # review: set later by an officer. The detection fields above are kept as detected, except that an
        # officer's correction replaces plate_text, violation_type and fine_vnd (plate_raw keeps the OCR text;
        # silver.review_decisions keeps every previous value)
        ("review_status", STR),
        ("reviewed_by", STR),
        ("reviewed_at", TS),
        ("review_note", STR),
        ("evidence_strip_uri", STR),  # the vehicle over its last sampled frames (a strip of crops), JPEG
    ]),
    keys=("event_id",),
    docs={
        "event_id": Column("hash of (camera, rule, track, start): stable across reruns"),
        "rule_id": Column('"<zone or line id>:<rule type>"'),
        "rule": Column(values=("dwell", "encroachment", "congestion", "wrong_way", "stop_line")),
        "violation_type": Column(values=("illegal_parking", "illegal_stopping", "encroachment", "wrong_way", "red_light", "congestion")),
        "category": Column(values=("violation", "incident")),
        "class_name": Column(values=("vehicle", "person", "bike", "car", "motorcycle"), open_values=True),
        "vehicle_type": Column("attributes model), motorbike (simulated", values=("car", "bus", "truck", "van")),
        "plate_text": Column("normalised (VN format when it parses, else the raw OCR text); the full number is "
                             "for operators only", personal="plate"),
        "plate_raw": Column("the plate as the OCR read it (operators only)", personal="plate"),
        "fine_vnd": Column("the fine the schedule sets for this type and class (0 for incidents)", unit="VND"),
        "source": Column(values=("detector", "simulated")),
        "detected_at": Column("when the row was written"),
        "review_status": Column(values=("pending", "confirmed", "dismissed")),
    },
    description="Traffic violations and incidents from camera AI, one row per (camera, rule, track) event, "
                "with plate, evidence crop and the officer's review kept beside the original detection.",
)

TRAFFIC_COUNTS = TableSpec(
    name="silver.traffic_counts",
    schema=pa.schema([
        ("camera_id", STR),
        ("minute", TS),
        ("line_id", STR),
        ("class_name", STR),
        ("direction", STR),
        ("count", I64),
        ("source", STR),
        ("updated_at", TS),
        ("month", DATE),  # first day (UTC) of the minute's month: the partition, filled in on write
    ]),
    keys=("camera_id", "minute", "line_id", "class_name", "direction"),
    # the one table that grows by billions (500 cameras: up to 2 bn rows a year): one partition per month,
    # rows in minute then camera order; a lake written before the partitioning reads and writes as it is
    # until `hue-ioc lake upkeep` (or the maintenance schedule) rewrites it partitioned
    partition_by=("month",),
    month_of={"month": "minute"},
    sort_by=("minute", "camera_id"),
    docs={
        "minute": Column("start of the minute (UTC)"),
        "direction": Column("forward (the lawful direction) | reverse | sideways (at right angles to it)"),
        "month": Column("first day (UTC) of the minute's month: the table's partition, filled in on write"),
    },
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
        ("stream_uri", STR),
        ("model_name", STR),
        ("fps", F64),
        ("zones_json", STR),
        ("lines_json", STR),
        ("enabled", BOOL),
        ("source", STR),
        ("updated_at", TS),
    ]),
    keys=("camera_id",),
    docs={
        "stream_uri": Column("file, rtsp:// or http(s):// (simulated cameras: empty)"),
        "source": Column(values=("config", "simulated")),
    },
    description="Cameras: where they are, what they watch, their zones and lines.",
)

VIOLATIONS_DAILY = TableSpec(
    name="gold.violations_daily",
    schema=pa.schema([
        ("day", DATE),
        ("camera_id", STR),
        ("violation_type", STR),
        ("class_name", STR),
        ("source", STR),
        ("detected", I64),
        ("confirmed", I64),
        ("dismissed", I64),
        ("pending", I64),
        ("plates_read", I64),
        ("fines_vnd", I64),
    ]),
    docs={
        "day": Column("Vietnam local date of start_at"),
        "fines_vnd": Column("confirmed violations only", unit="VND"),
    },
    description="Violations per day, camera, type and class, with review outcome and fines.",
)

REVIEW_DECISIONS = TableSpec(
    name="silver.review_decisions",
    schema=pa.schema([
        ("decision_id", STR),
        ("event_id", STR),
        ("decision", STR),
        ("reason", STR),
        ("reviewer", STR),
        ("role", STR),
        ("decided_at", TS),
        ("previous_status", STR),
        ("previous_plate", STR),
        ("previous_type", STR),
        ("previous_fine_vnd", I64),
        ("new_status", STR),
        ("new_plate", STR),
        ("new_type", STR),
        ("new_fine_vnd", I64),
    ]),
    keys=("decision_id",),
    docs={
        "previous_plate": Column("the plate before this decision (operators only)", personal="plate"),
        "new_plate": Column("the plate after this decision (operators only)", personal="plate"),
        "decision_id": Column("uuid4 hex: two decisions on one violation are two rows"),
        "decision": Column(values=("confirmed", "dismissed", "corrected")),
        "reason": Column("why dismissed (a reason code) or the officer's note"),
        "reviewer": Column("who: the login e-mail, or the local user name"),
        "role": Column("the role the action was allowed under"),
        "previous_status": Column("the violation's values before this decision"),
        "previous_fine_vnd": Column(unit="VND"),
        "new_status": Column("and after it"),
        "new_fine_vnd": Column(unit="VND"),
    },
    description="Every review decision an officer made on a violation, append-only: who, when, why, and "
                "the values before and after.",
)

SIGHTINGS = TableSpec(
    name="silver.sightings",
    schema=pa.schema([
        ("sighting_id", STR),  # hash of (camera, track, first seen): stable across reruns of the same video
        ("camera_id", STR),
        ("track_id", I64),
        ("first_seen", TS),
        ("last_seen", TS),
        ("frames", I64),  # sampled frames the track was seen in
        ("class_name", STR),  # the detector's class (most frequent over the track)
        ("vehicle_type", STR),  # car | bus | truck | van (attributes model) | motorbike
        ("vehicle_color", STR),  # dominant colour of the best crop (HSV): white | gray | black | red | ...
        ("color_share", F64),  # share of the crop's pixels of that colour (0..1)
        ("plate_text", STR),  # normalised (VN format when it parses, else the raw OCR text)
        ("plate_raw", STR),
        ("plate_confidence", F64),
        ("plate_province", STR),
        ("score", F64),  # the detector's best confidence over the track
        ("crop_uri", STR),  # the best (largest) crop of the vehicle, JPEG
        ("model_name", STR),
        ("model_version", STR),
        ("source", STR),  # detector | simulated
        ("detected_at", TS),
    ]),
    keys=("sighting_id",),
    description="Every tracked vehicle a camera saw, violation or not: when, what, which colour, which plate, "
                "and its best crop. What vehicle tracing searches.",
)

TRACING_SEARCHES = TableSpec(
    name="silver.tracing_searches",
    schema=pa.schema([
        ("request_id", STR),  # uuid4 hex
        ("case_ref", STR),  # the police case or letter the search answers
        ("requested_by", STR),
        ("role", STR),
        ("requested_at", TS),
        ("criteria_json", STR),  # plate, colour, type, cameras, time window (JSON text)
        ("results", I64),  # how many sightings were returned
        ("sighting_ids", STR),  # which (JSON list)
    ]),
    keys=("request_id",),
    description="Every vehicle tracing search an operator ran: who, for which case, with which criteria, and "
                "what it returned. Append-only.",
)

TABLES = [CAMERA_EVENTS_RAW, VIOLATIONS, TRAFFIC_COUNTS, CAMERAS, VIOLATIONS_DAILY, REVIEW_DECISIONS, SIGHTINGS,
          TRACING_SEARCHES]
