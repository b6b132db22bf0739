"""Bronze → silver for reports and events: parse, validate, de-duplicate, fold events into state.

Pure functions over polars frames. Every raw row ends in exactly one of: the kept version in silver,
a superseded older version of the same record (a late edit), or silver.rejects with its reason —
so rows read = kept + superseded + rejected (the reconciliation check).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import polars as pl

from core.kpis import RATINGS, classify_reports
from lake import Reject, rejects_frame
from lake.tables.reports import REPORTS
from pipelines.sources.admin_units import inside_hue
from pipelines.sources.base import EVENT_TYPES

REPORT_FIELDS = {
    "report_id": pl.String, "source": pl.String, "channel": pl.String, "category_code": pl.String,
    "title": pl.String, "description": pl.String, "lat": pl.Float64, "lon": pl.Float64,
    "admin_unit_code": pl.String, "received_at": pl.Datetime("us", "UTC"), "process_type": pl.String,
    "is_valid": pl.Boolean, "invalid_reason": pl.String, "reporter_name": pl.String,
    "reporter_phone": pl.String, "updated_at": pl.Datetime("us", "UTC"),
    # optional: a source that knows the district-level unit of the date and the 2025 commune sends them
    "district_code": pl.String, "admin_unit_code_2025": pl.String,
}
EVENT_FIELDS = {
    "event_id": pl.String, "report_id": pl.String, "event_type": pl.String, "at": pl.Datetime("us", "UTC"),
    "unit_id": pl.String, "to_unit_id": pl.String, "deadline_at": pl.Datetime("us", "UTC"),
    "rating": pl.String, "note": pl.String,
}
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
DELETED_REASON = "deleted_at_source"  # invalid_reason of a report whose row the source no longer has


@dataclass
class Conformed:
    rows: pl.DataFrame  # typed, validated, one row per record id (the latest version)
    rejects: pl.DataFrame  # silver.rejects rows
    read: int
    superseded: int

    @property
    def reconciles(self) -> bool:
        return self.read == self.rows.height + self.superseded + self.rejects.height


def _decode(raw: pl.DataFrame, fields: dict[str, pl.DataType]) -> tuple[pl.DataFrame, list[str | None]]:
    """Payload JSON → columns (as received); a per-row error for what is not a JSON object."""
    cols: dict[str, list] = {k: [] for k in fields}
    errors: list[str | None] = []
    for text in raw["payload"]:
        try:
            obj = json.loads(text)
            if not isinstance(obj, dict):
                raise ValueError("payload is not a JSON object")
            errors.append(None)
        except (ValueError, TypeError) as exc:
            obj = {}
            errors.append(f"malformed payload: {exc}")
        for k in fields:
            v = obj.get(k)
            cols[k].append(v if v is None or isinstance(v, str) else json.dumps(v))
    frame = pl.DataFrame({k: pl.Series(v, dtype=pl.String) for k, v in cols.items()})
    return frame, errors


def _typed(frame: pl.DataFrame, fields: dict[str, pl.DataType]) -> tuple[pl.DataFrame, pl.Series]:
    """Cast the text columns to their types; a reason for the first value that does not parse."""
    exprs, checks = [], []
    for name, dtype in fields.items():
        col = pl.col(name)
        if dtype == pl.String:
            exprs.append(col)
            continue
        if isinstance(dtype, pl.Datetime):
            typed = col.str.to_datetime(time_zone="UTC", strict=False, time_unit="us")
        elif dtype == pl.Boolean:
            typed = col.str.to_lowercase().replace_strict({"true": True, "false": False, "1": True, "0": False},
                                                          default=None, return_dtype=pl.Boolean)
        else:
            typed = col.cast(dtype, strict=False)
        exprs.append(typed.alias(name))
        checks.append(pl.when(col.is_not_null() & typed.is_null())
                      .then(pl.lit(f"wrong type: {name} is not a {dtype}")))
    out = frame.select(exprs)
    reason = frame.select(pl.coalesce(checks).alias("r"))["r"] if checks else pl.Series([None] * frame.height)
    return out, reason


def _finish(raw: pl.DataFrame, typed: pl.DataFrame, reasons: pl.Series, id_col: str, version_col: str | None,
            target: str, source_default: str) -> Conformed:
    frame = typed.with_columns(
        _reason=reasons, _raw_source=raw["source"], _batch=raw["batch_id"], _payload=raw["payload"],
        _ingested=raw["ingested_at"], _raw_id=raw["raw_id"], _order=pl.int_range(pl.len()))
    bad = frame.filter(pl.col("_reason").is_not_null())
    good = frame.filter(pl.col("_reason").is_null())
    # versions: newest version wins; the same version with other content is a duplicate id
    sort_cols = ([version_col] if version_col else []) + ["_ingested", "_order"]
    good = good.sort(sort_cols)
    key_cols = [id_col] + ([version_col] if version_col else [])
    dup = good.filter(pl.int_range(pl.len()).over(key_cols) > 0)
    good = good.filter(pl.int_range(pl.len()).over(key_cols) == 0)
    latest = good.group_by(id_col, maintain_order=True).last()
    superseded = good.height - latest.height
    dup = dup.with_columns(_reason=pl.format("duplicate {}: {} was already received with other content",
                                             pl.lit(id_col), pl.col(id_col)))
    rej = [Reject(source=r["_raw_source"] or source_default, target_table=target, reason=r["_reason"],
                  payload=r["_payload"], record_ref=r[id_col], batch_id=r["_batch"])
           for r in pl.concat([bad, dup]).iter_rows(named=True)]
    rows = latest.sort("_order").drop(["_reason", "_raw_source", "_batch", "_payload", "_ingested", "_raw_id",
                                       "_order"])
    return Conformed(rows=rows, rejects=rejects_frame(rej), read=raw.height, superseded=superseded)


def conform_reports(raw: pl.DataFrame, *, categories: set[str], admin_codes: set[str],
                    now: dt.datetime) -> Conformed:
    """bronze.reports_raw rows → valid report versions (latest per id) + rejects."""
    if raw.is_empty():
        return Conformed(pl.DataFrame(schema=REPORT_FIELDS), rejects_frame([]), 0, 0)
    text, errors = _decode(raw, REPORT_FIELDS)
    typed, type_reason = _typed(text, REPORT_FIELDS)
    inside = pl.Series(inside_hue(typed["lat"].to_list(), typed["lon"].to_list()))
    future = pl.lit(now + FUTURE_TOLERANCE).cast(pl.Datetime("us", "UTC"))
    checks = typed.with_columns(_parse=pl.Series(errors, dtype=pl.String), _type=type_reason,
                                _inside=inside).select(pl.coalesce(
        pl.col("_parse"),
        pl.when(pl.col("report_id").is_null() | (pl.col("report_id").str.strip_chars() == ""))
        .then(pl.lit("missing report_id")),
        pl.col("_type"),
        pl.when(pl.col("received_at").is_null()).then(pl.lit("missing received_at")),
        pl.when(pl.col("received_at") > future).then(pl.format("timestamp in the future: received_at {}",
                                                               pl.col("received_at"))),
        # pl.format gives null for a null argument, so a missing value needs its own reason
        pl.when(pl.col("category_code").is_null()).then(pl.lit("missing category_code")),
        pl.when(~pl.col("category_code").is_in(list(categories)))
        .then(pl.format("unknown category {}", pl.col("category_code"))),
        pl.when(pl.col("lat").is_null() != pl.col("lon").is_null()).then(pl.lit("only one of lat/lon given")),
        pl.when(pl.col("lat").is_not_null() & ~pl.col("_inside"))
        .then(pl.format("coordinates outside Huế: {}, {}", pl.col("lat"), pl.col("lon"))),
        pl.when(pl.col("admin_unit_code").is_not_null() & ~pl.col("admin_unit_code").is_in(list(admin_codes)))
        .then(pl.format("unknown admin unit {}", pl.col("admin_unit_code"))),
    ).alias("r"))["r"]
    typed = typed.with_columns(pl.col("updated_at").fill_null(pl.col("received_at")),
                               pl.col("source").fill_null(raw["source"]))
    return _finish(raw, typed, checks, "report_id", "updated_at", "silver.reports", "unknown")


def conform_events(raw: pl.DataFrame, *, known_reports: set[str], known_units: set[str],
                   now: dt.datetime) -> Conformed:
    """bronze.report_events_raw rows → valid events + rejects (unknown report or unit, bad type or time)."""
    if raw.is_empty():
        return Conformed(pl.DataFrame(schema={**EVENT_FIELDS, "source": pl.String}), rejects_frame([]), 0, 0)
    text, errors = _decode(raw, EVENT_FIELDS)
    typed, type_reason = _typed(text, EVENT_FIELDS)
    future = pl.lit(now + FUTURE_TOLERANCE).cast(pl.Datetime("us", "UTC"))
    units = list(known_units)
    checks = typed.with_columns(_parse=pl.Series(errors, dtype=pl.String), _type=type_reason).select(pl.coalesce(
        pl.col("_parse"),
        pl.when(pl.col("event_id").is_null()).then(pl.lit("missing event_id")),
        pl.col("_type"),
        pl.when(pl.col("event_type").is_null()).then(pl.lit("missing event_type")),
        pl.when(~pl.col("event_type").is_in(sorted(EVENT_TYPES)))
        .then(pl.format("unknown event type {}", pl.col("event_type"))),
        pl.when(pl.col("at").is_null()).then(pl.lit("missing event time")),
        pl.when(pl.col("at") > future).then(pl.format("timestamp in the future: at {}", pl.col("at"))),
        pl.when(pl.col("report_id").is_null()).then(pl.lit("missing report_id")),
        pl.when(~pl.col("report_id").is_in(list(known_reports)))
        .then(pl.format("unknown report {}", pl.col("report_id"))),
        pl.when(pl.col("unit_id").is_not_null() & ~pl.col("unit_id").is_in(units))
        .then(pl.format("unknown unit {}", pl.col("unit_id"))),
        pl.when(pl.col("to_unit_id").is_not_null() & ~pl.col("to_unit_id").is_in(units))
        .then(pl.format("unknown unit {}", pl.col("to_unit_id"))),
        pl.when((pl.col("event_type") == "rated") & ~pl.col("rating").is_in(list(RATINGS)))
        .then(pl.format("unknown rating {}", pl.col("rating"))),
    ).alias("r"))["r"]
    typed = typed.with_columns(source=raw["source"])
    return _finish(raw, typed, checks, "event_id", None, "silver.report_events", "unknown")


def fold(reports: pl.DataFrame, events: pl.DataFrame, admin_units: pl.DataFrame) -> pl.DataFrame:
    """Report versions + their events → silver.reports rows (current state, frozen on-time flags)."""
    ev = events.sort("at", "event_id")
    t = pl.col("event_type")
    assign_like = t.is_in(["assigned", "transferred"])
    state = ev.group_by("report_id").agg(
        first_assigned_at=pl.col("at").filter(t == "assigned").min(),
        first_unit_id=pl.col("unit_id").filter(t == "assigned").first(),
        current_unit_id=pl.when(t == "transferred").then(pl.col("to_unit_id")).otherwise(pl.col("unit_id"))
        .filter(assign_like).last(),
        deadline_at=pl.col("deadline_at").filter(assign_like).last(),
        extension_requested_at=pl.col("at").filter(t == "extension_requested").min(),
        extension_granted_at=pl.col("at").filter(t == "extension_granted").min(),
        extended_deadline_at=pl.col("deadline_at").filter(t == "extension_granted").max(),
        first_resolved_at=pl.col("at").filter(t == "resolved").min(),
        last_resolved_at=pl.col("at").filter(t == "resolved").max(),
        last_reopened_at=pl.col("at").filter(t == "reopened").max(),
        transfers=(t == "transferred").sum().cast(pl.Int32),
        reopened=(t == "reopened").sum().cast(pl.Int32),
        rating=pl.col("rating").filter(t == "rated").last(),
        rated_at=pl.col("at").filter(t == "rated").max(),
        invalidated=(t == "invalidated").any(),
        deleted=(t == "deleted").any(),
        last_withdrawn_at=pl.col("at").filter(t == "withdrawn").max(),
        invalid_note=pl.col("note").filter(t == "invalidated").last(),
        last_event_at=pl.col("at").max(),
    )
    codes = admin_units.select("code", "level", "parent_code", "successor_code")
    old = codes.filter(pl.col("successor_code").is_not_null() & (pl.col("level") == "commune"))
    if "district_code" not in reports.columns:
        reports = reports.with_columns(district_code=pl.lit(None, pl.String), admin_unit_code_2025=pl.lit(None, pl.String))
    df = reports.join(state, on="report_id", how="left").join(
        old.select(pl.col("code").alias("admin_unit_code"), pl.col("parent_code").alias("_district"),
                   (pl.col("successor_code") + "@2025").alias("_succ")),
        on="admin_unit_code", how="left")
    is_open_again = pl.col("last_reopened_at").is_not_null() & (
        pl.col("last_resolved_at").is_null() | (pl.col("last_reopened_at") > pl.col("last_resolved_at")))
    deleted = pl.col("deleted").fill_null(False)
    invalid = (~pl.col("is_valid").fill_null(True)) | pl.col("invalidated").fill_null(False) | deleted
    df = df.with_columns(
        district_code=pl.coalesce("district_code", "_district"),
        admin_unit_code_2025=pl.coalesce("admin_unit_code_2025", pl.when(pl.col("admin_unit_code").str.ends_with(
            "@2025")).then(pl.col("admin_unit_code")).otherwise(pl.col("_succ"))),
        is_valid=~invalid,
        # a report deleted at its source leaves the figures as invalid reports do (DELETED_REASON)
        invalid_reason=pl.when(deleted).then(pl.lit(DELETED_REASON))
        .when(invalid).then(pl.coalesce("invalid_reason", "invalid_note")),
        resolved_at=pl.when(is_open_again).then(None).otherwise(pl.col("last_resolved_at")),
        updated_at=pl.max_horizontal("updated_at", "last_event_at"),
    )
    withdrawn = pl.col("last_withdrawn_at").is_not_null() & (
        pl.col("last_resolved_at").is_null() | (pl.col("last_withdrawn_at") > pl.col("last_resolved_at")))
    df = df.with_columns(status=pl.when(~pl.col("is_valid")).then(pl.lit("invalid"))
                         .when(pl.col("resolved_at").is_not_null()).then(pl.lit("resolved"))
                         .when(withdrawn).then(pl.lit("withdrawn"))
                         .when(pl.col("first_assigned_at").is_not_null()).then(pl.lit("open"))
                         .otherwise(pl.lit("pending")))
    # flags are frozen at the first close: computed from the first resolution, never rewritten
    flags = classify_reports(df.with_columns(resolved_at=pl.col("first_resolved_at")),
                             as_of=dt.datetime(1970, 1, 1, tzinfo=dt.UTC)).select(
        "on_time", "late_with_extension", "overdue_closed").collect()
    df = pl.concat([df, flags], how="horizontal").with_columns(
        [pl.when(pl.col("first_resolved_at").is_null() | ~pl.col("is_valid")).then(None)
         .otherwise(pl.col(c)).alias(c) for c in ("on_time", "late_with_extension", "overdue_closed")])
    return df.with_columns(pl.col("transfers").fill_null(0), pl.col("reopened").fill_null(0)).select(
        REPORTS.schema.names)
