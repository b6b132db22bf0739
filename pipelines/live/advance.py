"""Silver and gold advanced for what a micro-batch touched only: the count minutes of its cameras, the
violation days of its cameras (lake.recompute, shared with the operators' review), the flood status of its stations.

Counts are recomputed, not incremented: the count of a (camera, minute, line, class, direction) is the number
of distinct contributions (Frigate object × zone, or detector event) in bronze for that minute, so a message
delivered twice, or a batch processed again after a crash, gives the same count.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

import polars as pl

from lake import Lake
from lake.catalog import spec
from pipelines.disasters.flood_status import flood_status
from pipelines.live import camera_events, frigate
from pipelines.live.frigate import BadMessage
from pipelines.live.messages import SIMULATED, declares_simulated
from pipelines.live.zones import Cameras

FRIGATE_SOURCE, DETECTOR_SOURCE = "mqtt:frigate", "mqtt:detector"
# A contribution to minute M was ingested after M less this much (a device clock ahead of ours by more than
# this would have its counts recomputed short): it bounds the bronze scan of a recount.
CLOCK_SKEW = dt.timedelta(minutes=15)

_RECOUNT_SQL = """
WITH r AS (
  SELECT source, camera_id, payload FROM bronze.camera_events_raw
  WHERE ingested_at >= $lo AND list_contains($cams, camera_id) AND list_contains($sources, source))
SELECT source, camera_id, payload FROM r
WHERE list_contains($minutes, CASE WHEN NOT json_valid(payload) THEN NULL
  WHEN source = $frigate THEN
    CAST(floor(TRY_CAST(json_extract_string(payload, '$.after.start_time') AS DOUBLE) / 60) AS BIGINT)
  ELSE CAST(floor(epoch(TRY_CAST(json_extract_string(payload, '$.start_at') AS TIMESTAMPTZ)) / 60) AS BIGINT)
  END)
"""


def insert_absent(lake: Lake, name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Append the rows whose key is not stored yet; returns them. The key lookup is one bound-parameter query
    and the write an append (no rewrite of existing files): the live service is the single writer of these
    keys (one MQTT client id), so no other writer can insert the same key in between."""
    s = spec(name)
    if frame.is_empty():
        return frame
    key = s.keys[0]
    frame = frame.unique(subset=[key], keep="first", maintain_order=True)
    if lake.exists(name):
        have = lake.sql(f"SELECT {key} FROM {name} WHERE list_contains($k, {key})",
                        {"k": frame[key].to_list()})[key]
        frame = frame.filter(~pl.col(key).is_in(have.implode()))
    if not frame.is_empty():
        lake.append(name, frame)
    return frame


def _epoch_minute(t: dt.datetime) -> int:
    return int(t.timestamp() // 60)


def recount(lake: Lake, touched: Iterable[tuple[str, dt.datetime]], cams: Cameras,
            now: dt.datetime) -> int:
    """Recompute silver.traffic_counts for the (camera, minute) pairs given; returns rows written."""
    pairs = {(c, _epoch_minute(m)) for c, m in touched}
    if not pairs:
        return 0
    lo = dt.datetime.fromtimestamp(min(m for _, m in pairs) * 60, dt.UTC) - CLOCK_SKEW
    rows = lake.sql(_RECOUNT_SQL, {"lo": lo, "cams": sorted({c for c, _ in pairs}),
                                   "sources": [FRIGATE_SOURCE, DETECTOR_SOURCE], "frigate": FRIGATE_SOURCE,
                                   "minutes": sorted({m for _, m in pairs})})
    seen: dict[tuple[str, int, str, str, str], set[str]] = defaultdict(set)
    simulated: set[tuple[str, int]] = set()  # (camera, minute) slices counted from simulated messages
    for source, camera, payload in rows.iter_rows():
        try:
            if source == FRIGATE_SOURCE:
                obj = frigate.parse(payload.encode())
                cam = cams.get(obj.camera)
                if cam is None:
                    continue
                minute = _epoch_minute(obj.start)
                if declares_simulated(payload):
                    simulated.add((camera, minute))
                for line, cls, cid in frigate.contributions(obj, cam):
                    seen[(camera, minute, line, cls, "forward")].add(cid)
            else:
                ev = camera_events.parse(payload.encode(), camera)
                if ev["category"] != "count":
                    continue
                line, cls, direction, cid = camera_events.contribution(ev)
                if declares_simulated(payload):
                    simulated.add((camera, _epoch_minute(ev["start_at"])))
                seen[(camera, _epoch_minute(ev["start_at"]), line, cls, direction)].add(cid)
        except BadMessage:
            continue  # in silver.rejects already
    out = [{"camera_id": c, "minute": dt.datetime.fromtimestamp(m * 60, dt.UTC), "line_id": line,
            "class_name": cls, "direction": d, "count": len(ids),
            "source": SIMULATED if (c, m) in simulated else "live", "updated_at": now}
           for (c, m, line, cls, d), ids in seen.items() if (c, m) in pairs]
    if out:
        lake.merge("silver.traffic_counts", pl.DataFrame(out))
    return len(out)


def advance_flood_status(lake: Lake, stations: Iterable[str]) -> int:
    """gold.flood_status rows of the stations given, recomputed from their readings (upsert by station)."""
    codes = sorted(set(stations))
    if not codes:
        return 0
    rows = flood_status(lake, stations=codes)
    if not rows.is_empty():
        lake.merge("gold.flood_status", rows)
    return rows.height

