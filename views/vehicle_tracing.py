"""Vehicle tracing: the sightings that match a plate (partial, tolerant of OCR confusions), a colour, a type,
cameras and a time window, as a timeline across cameras; and the log of tracing requests.

Plate matching: both the query and each sighting's plate are reduced by ``core.vn_plates.plate_key`` (letters
and digits, the characters OCR confuses folded together). A sighting matches when the query's key is part of
its plate's key (``75A123`` finds ``75A-123.45`` and ``7SA-I23.4S``), or, for a query of a whole plate
(``FUZZY_MIN_LENGTH`` characters or more), when the two keys are at most one edit apart (rapidfuzz's
Levenshtein distance): one character misread beyond the confusions. A shorter fragment with one error, or a
partial alignment, matches too many plates (``75A-123.45`` would find ``75-B1 234.56``). The score is kept:
100 contained, else rapidfuzz's normalised Levenshtein similarity × 100."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl
from rapidfuzz.distance import Levenshtein

from core.vn_plates import plate_key
from lake import Lake

TABLES = ("silver.sightings", "silver.cameras")
FUZZY_MIN_LENGTH = 8  # the shortest whole plate key with its series: 43A12345
MAX_EDITS = 1
MIN_PLATE_QUERY = 3  # a shorter plate fragment matches too much to be a search

COLUMNS = ("sighting_id", "camera_id", "camera_name", "location_name", "lat", "lon", "track_id", "first_seen",
           "last_seen", "frames", "class_name", "vehicle_type", "vehicle_color", "plate_text", "plate_confidence",
           "plate_province", "score", "crop_uri", "source")


def plate_score(query_key: str, plate: str | None) -> float:
    """How well a sighting's plate matches the query (both as ``plate_key``): 100 when contained, else
    the normalised similarity when a whole-plate query is one edit away; else 0 (also without a plate)."""
    key = plate_key(plate)
    if not key or not query_key:
        return 0.0
    if query_key in key:
        return 100.0
    if len(query_key) < FUZZY_MIN_LENGTH or Levenshtein.distance(query_key, key) > MAX_EDITS:
        return 0.0
    return 100.0 * Levenshtein.normalized_similarity(query_key, key)


def search(lake: Lake, *, plate: str | None = None, colour: str | None = None, vehicle_type: str | None = None,
           cameras: Sequence[str] = (), start: dt.datetime | None = None, end: dt.datetime | None = None,
           limit: int = 500) -> pl.DataFrame:
    """Sightings matching every criterion given (none given: every sighting of the window), oldest first: the
    vehicle's path across cameras. ``start``/``end`` bound the time the vehicle was in view (overlap);
    ``plate`` of at least ``MIN_PLATE_QUERY`` characters. Adds ``plate_score`` (null without a plate query)."""
    qkey = plate_key(plate)
    if plate and len(qkey) < MIN_PLATE_QUERY:
        raise ValueError(f"a plate search needs at least {MIN_PLATE_QUERY} letters or digits")
    rows = lake.sql("""
        SELECT s.sighting_id, s.camera_id, coalesce(c.name, s.camera_id) camera_name,
               coalesce(c.location_name, '') location_name, c.lat, c.lon, s.track_id, s.first_seen, s.last_seen,
               s.frames, s.class_name, s.vehicle_type, s.vehicle_color, s.plate_text, s.plate_confidence,
               s.plate_province, s.score, s.crop_uri, s.source
        FROM silver.sightings s LEFT JOIN silver.cameras c USING (camera_id)
        WHERE ($colour IS NULL OR s.vehicle_color = $colour)
          AND ($vtype IS NULL OR s.vehicle_type = $vtype)
          AND ($all_cams OR list_contains($cams::VARCHAR[], s.camera_id))
          AND ($start IS NULL OR s.last_seen >= $start)
          AND ($end IS NULL OR s.first_seen < $end)
          AND (NOT $by_plate OR s.plate_text IS NOT NULL)
        ORDER BY s.first_seen, s.camera_id, s.track_id""",
                   {"colour": colour or None, "vtype": vehicle_type or None, "all_cams": not cameras,
                    "cams": list(cameras), "start": start, "end": end, "by_plate": bool(qkey)})
    if not qkey:
        return rows.head(limit).with_columns(pl.lit(None, pl.Float64).alias("plate_score"))
    scored = rows.with_columns(pl.col("plate_text").map_elements(lambda p: plate_score(qkey, p),
                                                                 return_dtype=pl.Float64).alias("plate_score"))
    return scored.filter(pl.col("plate_score") > 0).head(limit)


def choices(lake: Lake) -> dict[str, list[str]]:
    """What the search form offers: the colours, types and cameras that occur in the sightings."""
    out = {}
    for col in ("vehicle_color", "vehicle_type", "camera_id"):
        out[col] = lake.sql(f"SELECT DISTINCT {col} v FROM silver.sightings WHERE {col} IS NOT NULL ORDER BY v")[
            "v"].to_list()
    return out


def requests(lake: Lake, limit: int = 50) -> pl.DataFrame:
    """The latest tracing requests, newest first: who searched, for which case, how many results."""
    return lake.sql("""SELECT requested_at, requested_by, case_ref, criteria_json, results, request_id
        FROM silver.tracing_searches ORDER BY requested_at DESC, request_id LIMIT $limit""", {"limit": limit})
