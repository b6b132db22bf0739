"""Citizen reports (phản ánh hiện trường): raw payloads, conformed reports and events, units, KPIs."""

import pyarrow as pa

from lake.catalog import TS, Column, TableSpec, bronze_table

STR, F64, I32, I64, BOOL, DATE = pa.string(), pa.float64(), pa.int32(), pa.int64(), pa.bool_(), pa.date32()

REPORTS_RAW = bronze_table("reports_raw", "Citizen reports", personal_payload=True)  # the payload names the reporter
REPORT_EVENTS_RAW = bronze_table("report_events_raw", "Report lifecycle events")

REPORTS = TableSpec(
    name="silver.reports",
    schema=pa.schema([
        ("report_id", STR),
        ("source", STR),
        ("channel", STR),
        ("category_code", STR),
        ("title", STR),
        ("description", STR),
        ("lat", F64),
        ("lon", F64),
        ("admin_unit_code", STR),
        ("district_code", STR),
        ("admin_unit_code_2025", STR),
        ("received_at", TS),
        ("process_type", STR),
        ("is_valid", BOOL),
        ("invalid_reason", STR),
        ("status", STR),
        ("first_unit_id", STR),
        ("current_unit_id", STR),
        ("first_assigned_at", TS),
        ("deadline_at", TS),
        ("extension_requested_at", TS),
        ("extension_granted_at", TS),
        ("extended_deadline_at", TS),
        ("resolved_at", TS),
        ("transfers", I32),
        ("reopened", I32),
        ("rating", STR),
        ("rated_at", TS),
        ("on_time", BOOL),
        ("late_with_extension", BOOL),
        ("overdue_closed", BOOL),
        ("reporter_name", STR),
        ("reporter_phone", STR),
        ("updated_at", TS),
    ]),
    keys=("report_id",),
    docs={
        "report_id": Column("the report's id in the citizen app (Hue-S) or its source"),
        "source": Column("where the report came from; simulated rows are not real operations",
                         values=("simulated", "open311", "postgres", "file"), open_values=True),
        "channel": Column("how the citizen sent it", values=("app", "hotline", "web", "open311"), open_values=True),
        "category_code": Column("the category (lĩnh vực); silver.categories names it and sets its deadline rule"),
        "title": Column("the report's title as the citizen wrote it"),
        "description": Column("the report's text as the citizen wrote it"),
        "lat": Column("latitude of the reported place (WGS 84)", unit="°"),
        "lon": Column("longitude of the reported place (WGS 84)", unit="°"),
        "admin_unit_code": Column("the finest administrative unit of the report's date (era: see "
                                  "silver.admin_units.admin_unit_code)"),
        "district_code": Column("the district-level unit of the report's date (null from 2025-07-01)"),
        "admin_unit_code_2025": Column("the post-2025-07-01 commune it lies in, where known"),
        "received_at": Column("when the IOC received it (UTC)"),
        "process_type": Column("immediate: a deadline in hours; timed: in working days",
                               values=("immediate", "timed")),
        "is_valid": Column("false when the IOC rejected the report (spam, duplicate, out of scope, ...)"),
        "invalid_reason": Column("why it was rejected", values=("spam", "duplicate", "out_of_scope", "inciting"),
                                 open_values=True),
        "status": Column("current state (withdrawn: by its citizen, unresolved)",
                         values=("invalid", "pending", "open", "resolved", "withdrawn")),
        "first_unit_id": Column("the first handling unit it was assigned to"),
        "current_unit_id": Column("the unit that holds (or resolved) it: the one judged for it"),
        "first_assigned_at": Column("when it was first assigned to a unit (UTC)"),
        "deadline_at": Column("the original deadline (extensions do not move it)"),
        "extension_requested_at": Column("when the unit asked for more time (UTC)"),
        "extension_granted_at": Column("when the extension was granted (UTC)"),
        "extended_deadline_at": Column("the deadline after a granted extension"),
        "resolved_at": Column("when the unit reported it resolved (UTC)"),
        "transfers": Column("times it was passed from one unit to another", unit="transfers"),
        "reopened": Column("times it was reopened after being resolved", unit="times"),
        "rating": Column("the citizen's rating: satisfied, accepted, not satisfied",
                         values=("hai_long", "chap_nhan", "khong_hai_long")),
        "rated_at": Column("when the citizen rated it (UTC)"),
        "on_time": Column("resolved by the original deadline; frozen when the report closes"),
        "late_with_extension": Column("resolved after the original deadline with an extension granted before it; "
                                      "frozen when the report closes"),
        "overdue_closed": Column("closed after the deadline without a granted extension"),
        "reporter_name": Column("the citizen's name: personal data, operators only", personal="name"),
        "reporter_phone": Column("the citizen's phone number: personal data, operators only", personal="phone"),
        "updated_at": Column("the newest change of the report in its source (UTC)"),
    },
    description="One row per citizen report, its current state folded from its events.",
)

REPORT_EVENTS = TableSpec(
    name="silver.report_events",
    schema=pa.schema([
        ("event_id", STR),
        ("report_id", STR),
        ("event_type", STR),
        ("at", TS),
        ("unit_id", STR),
        ("to_unit_id", STR),
        ("deadline_at", TS),
        ("rating", STR),
        ("note", STR),
        ("source", STR),
    ]),
    keys=("event_id",),
    docs={
        "event_type": Column("what happened to the report",
                             values=("received", "validated", "invalidated", "assigned", "transferred",
                                     "extension_requested", "extension_granted", "resolved", "reopened", "rated",
                                     "rejected")),
        "at": Column("when it happened (UTC)"),
        "unit_id": Column("the unit that acted"),
        "to_unit_id": Column("transfers: the unit it went to"),
        "deadline_at": Column("assignments and extensions: the deadline set"),
        "rating": Column("rated events: the rating", values=("hai_long", "chap_nhan", "khong_hai_long")),
    },
    description="Report lifecycle, one row per event.",
)

UNITS = TableSpec(
    name="silver.units",
    schema=pa.schema([
        ("unit_id", STR),
        ("name", STR),
        ("unit_type", STR),
        ("sector", STR),
        ("admin_unit_code", STR),
        ("joined_on", DATE),
        ("source", STR),
        ("valid_from", DATE),
        ("valid_to", DATE),
        ("successor_unit_id", STR),
        ("admin_unit_code_2025", STR),
    ]),
    keys=("unit_id",),
    docs={
        "unit_type": Column(values=("state", "enterprise")),
        "admin_unit_code": Column("the area it serves, when local"),
        "joined_on": Column("when it joined the Hue-S handling network"),
        "valid_from": Column("first day of the unit in its administrative era (null: before the data)"),
        "valid_to": Column("last day (null: still exists)"),
        "successor_unit_id": Column("the unit that took over its work in the next era"),
        "admin_unit_code_2025": Column("the 2025-07-01 commune it serves or became, where one"),
    },
    description="Handling units (đơn vị xử lý): state agencies and organisations/enterprises, each named as "
                "in its administrative era ('UBND thành phố Huế', 'Sở … tỉnh Thừa Thiên Huế' until 2024-12-31; "
                "the units of the centrally-run city from 2025-01-01; the 40 commune committees from "
                "2025-07-01), with validity dates and the successor of each.",
)

CATEGORIES = TableSpec(
    name="silver.categories",
    schema=pa.schema([
        ("category_code", STR),
        ("name_vi", STR),
        ("name_en", STR),
        ("process_type", STR),
        ("deadline_hours", I32),
        ("deadline_working_days", I32),
        ("source", STR),
    ]),
    keys=("category_code",),
    docs={
        "process_type": Column(values=("immediate", "timed")),
        "deadline_hours": Column("for immediate processing", unit="h"),
        "deadline_working_days": Column("for timed processing"),
    },
    description="Report categories (lĩnh vực) with their processing type and deadline rule (data, not code).",
)

ADMIN_UNITS = TableSpec(
    name="silver.admin_units",
    schema=pa.schema([
        ("admin_unit_code", STR),
        ("name", STR),
        ("level", STR),
        ("unit_type", STR),
        ("parent_code", STR),
        ("valid_from", DATE),
        ("valid_to", DATE),
        ("successor_code", STR),
        ("lat", F64),
        ("lon", F64),
        ("geometry_geojson", STR),
        ("population", I64),
        ("area_km2", F64),
    ]),
    keys=("admin_unit_code",),
    renamed={"code": "admin_unit_code"},  # lakes written before the key took the name it has everywhere else
    docs={
        "admin_unit_code": Column("the unit's code (DVHCVN); the same key as admin_unit_code in every other table"),
        "name": Column("the unit's Vietnamese name"),
        "level": Column(values=("city", "district", "commune")),
        "unit_type": Column("the kind of unit", values=("Phường", "Xã", "Thị trấn", "Quận", "Huyện", "Thị xã",
                                                        "Thành phố")),
        "parent_code": Column("the admin_unit_code of the unit it belongs to"),
        "valid_from": Column("first day it existed in this form (empty: before the data)"),
        "valid_to": Column("last day it existed in this form (empty: still exists)"),
        "population": Column(unit="people"),
        "successor_code": Column("a pre-July-2025 commune's 2025 commune, a 2019 district's 2025 district"),
        "area_km2": Column(unit="km²"),
    },
    description="Huế's administrative units in their three eras, with validity dates: until 2024-12-31 the "
                "province Thừa Thiên Huế ('46@2019') and its 9 district-level units ('<code>@2019', 2019 "
                "polygons); 2025-01-01 to 2025-06-30 the centrally-run city ('46'), its 9 district-level units "
                "and 134 communes (GSO list of 2025-03-01, no polygons); from 2025-07-01 the 40 communes "
                "('<code>@2025', with polygons). The reference data has no commune list for the era before "
                "2025 (communes merged in 2020-2021), so reports of that era carry the district, its finest "
                "level; the 2025-03-01 commune list names the commune committees of that era (valid_from "
                "null). successor_code: a pre-July-2025 commune's 2025 commune, a 2019 district's 2025 district.",
)

UNIT_PERFORMANCE = TableSpec(
    name="gold.unit_performance",
    schema=pa.schema([
        ("unit_id", STR),
        ("month", STR),
        ("unit_name", STR),
        ("unit_type", STR),
        ("received", I64),
        ("processed", I64),
        ("on_time", I64),
        ("late_with_extension", I64),
        ("overdue", I64),
        ("open_overdue", I64),
        ("open", I64),
        ("rated", I64),
        ("satisfied", I64),
        ("transfers_in", I64),
        ("transfers_out", I64),
        ("processed_rate", F64),
        ("on_time_rate", F64),
        ("strict_on_time_rate", F64),
        ("satisfaction_rate", F64),
        ("participation_rate", F64),
        ("median_hours_to_resolve", F64),
        ("p90_hours_to_resolve", F64),
        ("median_hours_to_assign", F64),
        ("score", F64),
        ("score_on_time", F64),
        ("score_satisfaction", F64),
        ("score_processed", F64),
        ("score_speed", F64),
        ("as_of", TS),
    ]),
    keys=("unit_id", "month"),
    docs={
        "month": Column("YYYY-MM of receipt"),
        "median_hours_to_resolve": Column(unit="h"),
        "p90_hours_to_resolve": Column(unit="h"),
        "median_hours_to_assign": Column(unit="h"),
    },
    description="Per handling unit and month of receipt: the figures leaders judge units by.",
)

KPI_DAILY = TableSpec(
    name="gold.kpi_daily",
    schema=pa.schema([
        ("date", DATE),
        ("category_code", STR),
        ("channel", STR),
        ("admin_unit_code_2025", STR),
        ("unit_id", STR),
        ("received", I64),
        ("invalid", I64),
        ("processed", I64),
        ("on_time", I64),
        ("late_with_extension", I64),
        ("overdue", I64),
        ("open_overdue", I64),
        ("rated", I64),
        ("satisfied", I64),
        ("hours_to_resolve_sum", F64),
    ]),
    keys=("date", "category_code", "channel", "admin_unit_code_2025", "unit_id"),
    docs={
        "date": Column("receipt date, Vietnam time"),
        "unit_id": Column("the handling unit (silver.reports.current_unit_id); null for invalid reports"),
        "hours_to_resolve_sum": Column(unit="h"),
    },
    description="Daily report figures by category, channel, commune and handling unit; sum over them for "
                "any filter (the headline and the ranking of any period read these rows).",
)

UNIT_TRANSFERS = TableSpec(
    name="gold.unit_transfers",
    schema=pa.schema([
        ("date", DATE),
        ("from_unit_id", STR),
        ("to_unit_id", STR),
        ("transfers", I64),
    ]),
    keys=("date", "from_unit_id", "to_unit_id"),
    docs={
        "date": Column("day of the transfer, Vietnam time"),
    },
    description="Transfer chains between units per day (the drill-down reads this, not millions of events).",
)

APP_ADOPTION = TableSpec(
    name="silver.app_adoption",
    schema=pa.schema([("date", DATE), ("installs", I64), ("visits", I64), ("source", STR)]),
    keys=("date",),
    docs={"installs": Column("new installs of the app that day", unit="installs"),
          "visits": Column("visits of the app that day", unit="visits")},
    description="Hue-S app adoption per day (Vietnam time): new installs and visits. Simulated, calibrated to "
                "the published 793,050 installs by May 2022 and 17,371,225 visits in 2021.",
)

ENVIRONMENT_FINES = TableSpec(
    name="silver.environment_fines",
    schema=pa.schema([("report_id", STR), ("decided_at", TS), ("fine_vnd", I64), ("source", STR)]),
    keys=("report_id",),
    docs={"fine_vnd": Column("the fine levied", unit="VND"), "decided_at": Column("when it was decided (UTC)")},
    description="Fines levied after environment reports (category environment), one row per fined report. "
                "Simulated, calibrated to the published 394.2 million VND over the May 2019 – May 2022 reports.",
)

TRACING_REQUESTS = TableSpec(
    name="silver.tracing_requests",
    schema=pa.schema([("request_id", STR), ("requested_at", TS), ("requesting_unit_id", STR), ("case_type", STR),
                      ("camera_id", STR), ("answered_at", TS), ("footage_found", BOOL), ("source", STR)]),
    keys=("request_id",),
    description="Police requests for camera footage (truy vết) and whether footage was found. Simulated "
                "(source='simulated'), calibrated to the published 'more than 485 cases' helped by May 2022.",
)

TABLES = [APP_ADOPTION, ENVIRONMENT_FINES, TRACING_REQUESTS, REPORTS_RAW, REPORT_EVENTS_RAW, REPORTS, REPORT_EVENTS, UNITS, CATEGORIES, ADMIN_UNITS,
          UNIT_PERFORMANCE, KPI_DAILY, UNIT_TRANSFERS]
