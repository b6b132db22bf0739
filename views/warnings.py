"""CAP warnings (silver.warnings): the newest feed, those in force at a moment with their areas, and the
warnings of a period by direction, event and severity."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import polars as pl

from lake import Lake
from views.floods import iso, utc

TABLES = ("silver.warnings",)
SEVERITY_COLOURS = {"Extreme": "#c62828", "Severe": "#ef6c00", "Moderate": "#f9a825", "Minor": "#2e7d32",
                    "Unknown": "#607d8b"}
# CAP leaves <expires> optional; an alert without it is taken as in force this long after it was sent
# (otherwise a years-old alert without expiry would stay "in force" on the wall for ever).
NO_EXPIRY_VALIDITY = dt.timedelta(days=3)
# Specification examples loaded as samples (pipelines.disasters.cap_ingest.SAMPLE_*): never a warning.
NOT_SAMPLE = "coalesce(direction, '') <> 'sample' AND coalesce(status, '') <> 'Sample'"


def newest(lake: Lake, limit: int = 10) -> pl.DataFrame:
    """Newest actual warnings (received or issued), not cancelled, no sample: the overview's ticker."""
    return lake.sql(f"""
        SELECT warning_id, sent, direction, coalesce(sender_name, sender) sender, event, headline,
               severity, area_desc, alarm_level, expires
        FROM silver.warnings
        WHERE coalesce(status, 'Actual') = 'Actual' AND coalesce(msg_type, 'Alert') <> 'Cancel'
          AND NOT coalesce(cancelled, false) AND {NOT_SAMPLE}
        ORDER BY sent DESC NULLS LAST, warning_id LIMIT $limit""", {"limit": limit})


def in_force(lake: Lake, at: dt.datetime) -> pl.DataFrame:
    """Warnings in force at ``at``: Actual, sent, not expired, not yet superseded, not a Cancel/Ack/Error.

    Without an expiry, an alert counts as in force for NO_EXPIRY_VALIDITY after it was sent."""
    at = utc(at)
    return lake.sql(f"""
        SELECT warning_id, direction, source, identifier, sender, sent, msg_type, event, severity, urgency,
               headline, instruction, area_desc, areas_geojson, station_code, alarm_level, expires
        FROM silver.warnings
        WHERE status = 'Actual' AND msg_type IN ('Alert', 'Update')
          AND sent <= $at
          AND (expires > $at OR (expires IS NULL AND sent > $oldest))
          AND (superseded_at IS NULL OR superseded_at > $at)
          AND source <> 'simulated' AND {NOT_SAMPLE}
        ORDER BY sent""", {"at": at, "oldest": at - NO_EXPIRY_VALIDITY})


def areas_at(lake: Lake, at: dt.datetime) -> dict[str, Any]:
    """The areas of the warnings in force at ``at`` as one GeoJSON FeatureCollection, each feature
    carrying its warning's id, event, severity (and map colour), headline, instruction, sent, expires."""
    feats = []
    for w in in_force(lake, at).iter_rows(named=True):
        for f in json.loads(w["areas_geojson"] or "{}").get("features", []):
            if f.get("geometry") is None:
                continue
            props = dict(f.get("properties") or {})
            props.update({"warning_id": w["warning_id"], "direction": w["direction"], "event": w["event"],
                          "severity": w["severity"], "headline": w["headline"], "instruction": w["instruction"],
                          "sent": iso(w["sent"]), "expires": iso(w["expires"]),
                          "colour": SEVERITY_COLOURS.get(w["severity"] or "Unknown", SEVERITY_COLOURS["Unknown"])})
            feats.append({"type": "Feature", "properties": props, "geometry": f["geometry"]})
    return {"type": "FeatureCollection", "features": feats}


def of_period(lake: Lake, start: dt.datetime, end: dt.datetime) -> pl.DataFrame:
    """Warnings sent in [start, end) by direction, event and severity, with how many were cancelled.
    Specification samples are not warnings and are not counted."""
    return lake.sql(f"""
        SELECT direction, coalesce(event, '') AS event, coalesce(severity, '') AS severity,
               count(*) AS warnings, count(*) FILTER (WHERE cancelled) AS cancelled
        FROM silver.warnings WHERE sent >= $t0 AND sent < $t1 AND {NOT_SAMPLE}
        GROUP BY ALL ORDER BY warnings DESC, 1, 2, 3""", {"t0": start, "t1": end})


def samples(lake: Lake) -> pl.DataFrame:
    """The specification examples kept as samples (shown as such, never counted as warnings)."""
    return lake.sql("""
        SELECT warning_id, source, origin, sender, sent, event, headline, severity, area_desc
        FROM silver.warnings WHERE direction = 'sample' OR status = 'Sample' ORDER BY sent, warning_id""")


DRAFT_TABLES = ("silver.warning_drafts",)
DRAFT_COLUMNS = ("draft_id, kind, source, origin, identifier, station_code, alarm_level, previous_level, water_level_m, "
                 "observed_at, severity, created_at, status, headline_vi, description_vi, instruction_vi, headline_en, "
                 "description_en, instruction_en, decided_by, decided_at, issued_warning_id, issued_at")


def drafts(lake: Lake, statuses: tuple[str, ...] = ("draft",), limit: int = 50) -> pl.DataFrame:
    """Warning drafts in the given statuses (draft | approved | discarded | issued), newest first: what an
    operator decides on (the flood page's drafts panel)."""
    if not lake.exists("silver.warning_drafts"):
        return pl.DataFrame()
    return lake.sql(f"SELECT {DRAFT_COLUMNS} FROM silver.warning_drafts WHERE list_contains($s, status) "
                    "ORDER BY observed_at DESC, draft_id LIMIT $limit", {"s": list(statuses), "limit": int(limit)})


def draft_decisions(lake: Lake, limit: int = 20) -> pl.DataFrame:
    """The newest operator decisions on warning drafts (who, when, what), newest first."""
    if not lake.exists("silver.warning_decisions"):
        return pl.DataFrame()
    return lake.sql("""
        SELECT d.decided_at, d.decision, d.actor, d.reason, w.headline_vi, d.draft_id
        FROM silver.warning_decisions d LEFT JOIN silver.warning_drafts w USING (draft_id)
        ORDER BY d.decided_at DESC, d.decision_id LIMIT $limit""", {"limit": int(limit)})
