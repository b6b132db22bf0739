"""River gauges: stations with their alarm levels, and readings loaded into silver with their alarms.

Files are read by ``gauge_files`` (VNDMS CSV, generic CSV/JSON), alarms computed by ``alarms``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from core.settings import data_path
from lake import Lake, Reject
from pipelines.batches import new_batch_id
from pipelines.disasters.alarms import with_alarms
from pipelines.disasters.common import insert_new, merge_changed, utcnow, write_rejects
from pipelines.disasters.gauge_files import (
    TARGET,
    read_generic,
    read_vndms_csv,
    read_vndms_raw,
    reading_rejects,
)

STATIONS_FILE = "geo/central_vn_hydro_stations_lakes_vndms.geojson"
HUE_FILE = "hydro/hue_water_levels_kimlong_phuoc_lakes_2025-11.csv"
CENTRAL_FILE = "hydro/vndms_water_levels_central_vn_2025-11-13_to_2025-12-04.csv"
MAX_ABOVE_RECORD_M = 5.0  # a reading this far above the historic flood is a sensor/typing error
COMPARE = ["water_level_m", "volume_m3", "inflow_m3s", "outflow_m3s"]

# Official levels for Huế (QĐ 05/2020/QĐ-TTg) win over whatever a file carries.
OFFICIAL_LEVELS = {"71520": (1.0, 2.0, 3.5), "71518": (1.5, 3.0, 4.5)}
# Where Huế's gauges stand: VNDMS rounds station coordinates to arc-minutes (Kim Long lands ~4 km up the
# river); this file places them on the river lines of the shared reference data, each with its source.
STATION_PLACES = Path(__file__).with_name("station_places.csv")


def station_places() -> pl.DataFrame:
    """station_code, name, lat, lon, source: the corrected places (data, with the source of each)."""
    return pl.read_csv(STATION_PLACES, schema_overrides={"station_code": pl.String})



@dataclass
class LoadResult:
    read: int = 0
    valid: int = 0
    rejected: int = 0
    duplicates: int = 0  # same station and time given again in the same input (last one kept)
    written: int = 0  # new or changed rows (0 on a rerun)
    reject_reasons: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


# ---------------------------------------------------------------------------------------------- stations
def _num(v: object) -> float | None:
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def stations_from_geojson(path: str | Path | None = None) -> pl.DataFrame:
    p = Path(path) if path else data_path(STATIONS_FILE)
    feats = json.loads(p.read_text(encoding="utf-8"))["features"]
    rows = []
    for f in feats:
        pr = f["properties"]
        code = str(pr["Mã trạm/LakeCode"])
        lon, lat = f["geometry"]["coordinates"][:2]
        river = pr.get("type") == "River"
        a = OFFICIAL_LEVELS.get(code) or tuple(_num(pr.get(f"BĐ{k} (m)")) for k in (1, 2, 3))
        hy = _num(pr.get("Năm lũ lịch sử"))
        rows.append({
            "station_code": code, "name": pr["Trạm/Hồ"], "kind": "river" if river else "reservoir",
            "river": pr.get("Tên sông/Lưu vực"), "province": pr.get("Tên tỉnh"), "lat": lat, "lon": lon,
            "alarm1_m": a[0], "alarm2_m": a[1], "alarm3_m": a[2],
            "historic_level_m": _num(pr.get("Mực nước lịch sử (m)")),
            "historic_year": None if hy is None else int(hy),
            "normal_level_m": _num(pr.get("Mực nước BT (m)")), "capacity_m3": _num(pr.get("Dung tích TK (m3)")),
            "in_hue": pr.get("Tên tỉnh") == "TP. Huế", "source": "vndms_geojson",
        })
    return pl.DataFrame(rows, infer_schema_length=None)


def stations_from_vndms(raw: pl.DataFrame) -> pl.DataFrame:
    """Station metadata carried by the VNDMS rows (covers reservoirs the GeoJSON lacks)."""
    f64 = {c: pl.col(c).cast(pl.Float64, strict=False) for c in ("a1", "a2", "a3", "hist", "hist_year", "x", "y",
                                                                  "normal", "capacity")}
    df = raw.with_columns(**f64).group_by("station_code", maintain_order=True).agg(
        pl.col("type").first(), pl.col("name").first(), pl.col("river").first(), pl.col("province").first(),
        *[pl.col(c).drop_nulls().first() for c in f64])
    return df.select(
        "station_code", "name",
        pl.when(pl.col("type") == "River").then(pl.lit("river")).otherwise(pl.lit("reservoir")).alias("kind"),
        "river", "province", pl.col("y").alias("lat"), pl.col("x").alias("lon"),
        pl.col("a1").alias("alarm1_m"), pl.col("a2").alias("alarm2_m"), pl.col("a3").alias("alarm3_m"),
        pl.col("hist").alias("historic_level_m"), pl.col("hist_year").cast(pl.Int32).alias("historic_year"),
        pl.col("normal").alias("normal_level_m"), pl.col("capacity").alias("capacity_m3"),
        (pl.col("province") == "TP. Huế").alias("in_hue"), pl.lit("vndms_csv").alias("source"),
    )


def load_stations(lake: Lake, geojson: str | Path | None = None, csv: str | Path | None = None) -> int:
    """silver.gauge_stations from the VNDMS GeoJSON plus stations only seen in the VNDMS CSV."""
    geo = stations_from_geojson(geojson)
    extra_path = Path(csv) if csv else data_path(CENTRAL_FILE)
    extra = stations_from_vndms(read_vndms_raw(extra_path))
    extra = extra.join(geo.select("station_code"), on="station_code", how="anti")
    both = pl.concat([geo, extra.select(geo.columns)], how="vertical_relaxed")
    places = station_places().select("station_code", pl.col("lat").alias("lat_p"), pl.col("lon").alias("lon_p"))
    both = both.join(places, on="station_code", how="left").with_columns(
        pl.coalesce("lat_p", "lat").alias("lat"), pl.coalesce("lon_p", "lon").alias("lon")).drop("lat_p", "lon_p")
    for code, (a1, a2, a3) in OFFICIAL_LEVELS.items():
        both = both.with_columns(
            *[pl.when(pl.col("station_code") == code).then(pl.lit(v)).otherwise(pl.col(c)).alias(c)
              for c, v in (("alarm1_m", a1), ("alarm2_m", a2), ("alarm3_m", a3))])
    return merge_changed(lake, "silver.gauge_stations", both)


def read_stations(lake: Lake) -> pl.DataFrame:
    return lake.read("silver.gauge_stations")


# ---------------------------------------------------------------------------------------------- load
def load_readings(lake: Lake, readings: pl.DataFrame, rejects: list[Reject], *, source: str,
                  origin: str, payload: bytes | None = None, batch_id: str | None = None) -> LoadResult:
    """Validate against the stations, compute alarms, and upsert new/changed readings.

    Rows read = valid + rejected + in-input duplicates. Out-of-order rows are fine (keys are
    station and time); a later file correcting a value updates it; a rerun writes nothing."""
    batch_id = batch_id or new_batch_id("gauges")
    now = utcnow()
    res = LoadResult(read=readings.height + len(rejects))
    stations = read_stations(lake)
    known = stations.select("station_code", "historic_level_m")
    df = readings.join(known, on="station_code", how="left", coalesce=True)
    if "source" not in df.columns:
        df = df.with_columns(source=pl.lit(source))
    bad = (pl.when(~pl.col("station_code").is_in(stations["station_code"].implode()))
           .then(pl.lit("unknown station code (not in silver.gauge_stations)"))
           .when(pl.col("water_level_m") > pl.col("historic_level_m") + MAX_ABOVE_RECORD_M)
           .then(pl.lit(f"implausible water level: more than {MAX_ABOVE_RECORD_M:g} m above the historic flood"))
           .otherwise(None))
    df = df.with_columns(bad.alias("_reason"))
    more = reading_rejects(df.filter(pl.col("_reason").is_not_null()), source, origin)
    all_rejects = [*rejects, *more]
    df = df.filter(pl.col("_reason").is_null()).drop("_reason", "historic_level_m")
    # duplicates in the input: the last one given wins
    sorted_df = df.sort(["station_code", "observed_at", "line"])
    dedup = sorted_df.unique(subset=["station_code", "observed_at"], keep="last", maintain_order=True)
    res.duplicates = sorted_df.height - dedup.height
    res.valid = dedup.height
    res.rejected = len(all_rejects)
    for r in all_rejects:
        res.reject_reasons[r.reason] = res.reject_reasons.get(r.reason, 0) + 1
    out = with_alarms(dedup.drop("line"), stations).with_columns(
        batch_id=pl.lit(batch_id), ingested_at=pl.lit(now, dtype=pl.Datetime("us", "UTC")))
    if payload is not None:
        insert_new(lake, "bronze.gauge_readings_raw", pl.DataFrame([{
            "raw_id": hashlib.sha256(payload).hexdigest()[:32], "source": source, "record_id": origin,
            "batch_id": batch_id, "ingested_at": now, "payload": payload.decode("utf-8", "replace")}]))
    res.written = merge_changed(lake, TARGET, out, compare=COMPARE)
    write_rejects(lake, [Reject(r.source, r.target_table, r.reason, r.payload, r.record_ref, batch_id)
                         for r in all_rejects])
    return res


def load_vndms_file(lake: Lake, path: str | Path | None = None) -> LoadResult:
    p = Path(path) if path else data_path(HUE_FILE)
    readings, rejects = read_vndms_csv(p)
    return load_readings(lake, readings, rejects, source="vndms_csv", origin=str(p.name), payload=p.read_bytes())


def load_generic_file(lake: Lake, path: str | Path, tz: dt.tzinfo = dt.UTC) -> LoadResult:
    p = Path(path)
    readings, rejects = read_generic(p, tz)
    source = "generic_json" if p.suffix.lower() == ".json" else "generic_csv"
    return load_readings(lake, readings.drop("source"), rejects, source=source, origin=p.name,
                         payload=p.read_bytes())


def load_file(lake: Lake, path: str | Path) -> LoadResult:
    """VNDMS CSV or generic CSV/JSON, told apart by the header."""
    p = Path(path)
    if p.suffix.lower() != ".json":
        head = p.read_bytes()[:4096].decode("utf-8", "replace")
        if "Mã trạm/LakeCode" in head:
            return load_vndms_file(lake, p)
    return load_generic_file(lake, p)
