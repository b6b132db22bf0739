"""River gauges: stations with alarm levels, readings from the VNDMS CSV and a simple generic CSV/JSON.

Alarm levels (QĐ 05/2020/QĐ-TTg): a reading's ``alarm_level`` is the highest level reached (0-3);
``diff_m`` is the signed difference to that level (to level 1 when below all), as bulletins say it:
"trên báo động 2 0,56 m". The VNDMS column "Thời gian (UTC)" is really Vietnam time (GMT+7): stored UTC.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from core.gauges import ALARM_COLOURS, NO_LEVEL_COLOUR
from core.settings import data_path
from core.tz import VN_TZ_NAME
from lake import Lake, Reject
from pipelines.disasters.common import insert_new, merge_changed, new_batch_id, utcnow, write_rejects

STATIONS_FILE = "geo/central_vn_hydro_stations_lakes_vndms.geojson"
HUE_FILE = "hydro/hue_water_levels_kimlong_phuoc_lakes_2025-11.csv"
CENTRAL_FILE = "hydro/vndms_water_levels_central_vn_2025-11-13_to_2025-12-04.csv"
TARGET = "silver.gauge_readings"
MAX_ABOVE_RECORD_M = 5.0  # a reading this far above the historic flood is a sensor/typing error
COMPARE = ["water_level_m", "volume_m3", "inflow_m3s", "outflow_m3s"]

# Official levels for Huế (QĐ 05/2020/QĐ-TTg) win over whatever a file carries.
OFFICIAL_LEVELS = {"71520": (1.0, 2.0, 3.5), "71518": (1.5, 3.0, 4.5)}

VNDMS_COLS = {
    "type": "type", "Mã trạm/LakeCode": "station_code", "Trạm/Hồ": "name", "Tên sông/Lưu vực": "river",
    "Tên tỉnh": "province", "Thời gian (UTC)": "local_time", "Mực nước (m)": "level",
    "BĐ1 (m)": "a1", "BĐ2 (m)": "a2", "BĐ3 (m)": "a3", "Mực nước lịch sử (m)": "hist",
    "Năm lũ lịch sử": "hist_year", "x": "x", "y": "y", "Dung tích (m3)": "volume",
    "Dung tích TK (m3)": "capacity", "Q đến (m3/s)": "inflow", "Q xả (m3/s)": "outflow",
    "Mực nước BT (m)": "normal",
}


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


def _read_vndms_raw(path: str | Path) -> pl.DataFrame:
    data = Path(path).read_bytes().removeprefix(b"\xef\xbb\xbf")
    df = pl.read_csv(io.BytesIO(data), infer_schema=False)
    missing = [c for c in ("Mã trạm/LakeCode", "Thời gian (UTC)", "Mực nước (m)") if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: not a VNDMS water-level CSV (missing columns {missing})")
    return df.select([pl.col(k).alias(v) for k, v in VNDMS_COLS.items() if k in df.columns])


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
    extra = stations_from_vndms(_read_vndms_raw(extra_path))
    extra = extra.join(geo.select("station_code"), on="station_code", how="anti")
    both = pl.concat([geo, extra.select(geo.columns)], how="vertical_relaxed")
    for code, (a1, a2, a3) in OFFICIAL_LEVELS.items():
        both = both.with_columns(
            *[pl.when(pl.col("station_code") == code).then(pl.lit(v)).otherwise(pl.col(c)).alias(c)
              for c, v in (("alarm1_m", a1), ("alarm2_m", a2), ("alarm3_m", a3))])
    return merge_changed(lake, "silver.gauge_stations", both)


def read_stations(lake: Lake) -> pl.DataFrame:
    return lake.read("silver.gauge_stations")


# ---------------------------------------------------------------------------------------------- alarms
def _fmt_m(x: float) -> str:
    return f"{abs(x):.2f}".replace(".", ",") + " m"


def bulletin_text(alarm_level: int | None, ref_level: int | None, diff: float | None) -> str | None:
    """How a Vietnamese bulletin says it: "trên báo động 2 0,56 m", "dưới báo động 1 0,20 m"."""
    if alarm_level is None or ref_level is None or diff is None:
        return None
    if alarm_level == 0:
        return f"dưới báo động 1 {_fmt_m(diff)}"
    if abs(diff) < 0.005:
        return f"ở mức báo động {ref_level}"
    return f"trên báo động {ref_level} {_fmt_m(diff)}"


def alarm_row(level: float, a1: float | None, a2: float | None, a3: float | None) -> tuple:
    """(alarm_level, ref_level, diff_m) for one reading: the row-by-row rule (bench baseline, tests)."""
    if a1 is None:
        return None, None, None
    reached = 0
    for k, a in ((1, a1), (2, a2), (3, a3)):
        if a is not None and level >= a - 1e-9:
            reached = k
    ref = max(reached, 1)
    thr = {1: a1, 2: a2, 3: a3}[ref]
    return reached, ref, round(level - thr, 3)


def with_alarms(readings: pl.DataFrame, stations: pl.DataFrame) -> pl.DataFrame:
    """Vectorised: add alarm_level, ref_level, diff_m, bulletin_vi, above_historic to readings."""
    st = stations.select("station_code", "alarm1_m", "alarm2_m", "alarm3_m", "historic_level_m")
    df = readings.drop([c for c in ("alarm1_m", "alarm2_m", "alarm3_m", "historic_level_m")
                        if c in readings.columns]).join(st, on="station_code", how="left")
    lv = pl.col("water_level_m")
    has = pl.col("alarm1_m").is_not_null()
    reached = sum((lv >= pl.col(c) - 1e-9).fill_null(False).cast(pl.Int32)
                  for c in ("alarm1_m", "alarm2_m", "alarm3_m"))
    df = df.with_columns(pl.when(has).then(reached).otherwise(None).cast(pl.Int32).alias("alarm_level"))
    df = df.with_columns(
        pl.when(has).then(pl.max_horizontal(pl.col("alarm_level"), pl.lit(1))).cast(pl.Int32).alias("ref_level"))
    thr = (pl.when(pl.col("ref_level") == 3).then(pl.col("alarm3_m"))
           .when(pl.col("ref_level") == 2).then(pl.col("alarm2_m")).otherwise(pl.col("alarm1_m")))
    df = df.with_columns((lv - thr).round(3).alias("diff_m"),
                         (lv > pl.col("historic_level_m")).fill_null(False).alias("above_historic"))
    absd = pl.col("diff_m").abs().round(2).cast(pl.String).str.replace(r"\.", ",")
    absd = pl.when(absd.str.contains(",")).then(absd).otherwise(absd + ",0")
    absd = pl.when(absd.str.contains(r",\d$")).then(absd + "0").otherwise(absd)
    df = df.with_columns(
        pl.when(pl.col("alarm_level").is_null()).then(None)
        .when(pl.col("alarm_level") == 0).then(pl.lit("dưới báo động 1 ") + absd + pl.lit(" m"))
        .when(pl.col("diff_m").abs() < 0.005).then(pl.lit("ở mức báo động ") + pl.col("ref_level").cast(pl.String))
        .otherwise(pl.lit("trên báo động ") + pl.col("ref_level").cast(pl.String) + pl.lit(" ") + absd + pl.lit(" m"))
        .alias("bulletin_vi"))
    dists = [(lv - pl.col(f"alarm{k}_m")).abs() for k in (1, 2, 3)]
    nearest = (pl.when(pl.col("alarm1_m").is_null()).then(None)
               .when((dists[0] <= dists[1].fill_null(1e9)) & (dists[0] <= dists[2].fill_null(1e9))).then(1)
               .when(dists[1] <= dists[2].fill_null(1e9)).then(2).otherwise(3)).cast(pl.Int32)
    df = df.with_columns(nearest.alias("nearest_level"))
    nthr = (pl.when(pl.col("nearest_level") == 3).then(pl.col("alarm3_m"))
            .when(pl.col("nearest_level") == 2).then(pl.col("alarm2_m")).otherwise(pl.col("alarm1_m")))
    df = df.with_columns((lv - nthr).round(3).alias("diff_nearest_m"))
    return df.drop(["alarm1_m", "alarm2_m", "alarm3_m", "historic_level_m"])


def nearest_row(level: float, a1: float | None, a2: float | None, a3: float | None) -> tuple:
    """(nearest_level, diff_nearest_m): the closest threshold (ties go to the lower level)."""
    if a1 is None:
        return None, None
    cands = [(abs(level - a), k, a) for k, a in ((1, a1), (2, a2), (3, a3)) if a is not None]
    _, k, a = min(cands, key=lambda c: (c[0], c[1]))
    return k, round(level - a, 3)


def colour_of(alarm_level: int | None) -> str:
    return NO_LEVEL_COLOUR if alarm_level is None else ALARM_COLOURS[int(alarm_level)]


# ---------------------------------------------------------------------------------------------- readers
def read_vndms_csv(path: str | Path) -> tuple[pl.DataFrame, list[Reject]]:
    """Readings of a VNDMS CSV (local GMT+7 times → UTC) and the rows refused, with reasons."""
    raw = _read_vndms_raw(path).with_row_index("line", offset=2)
    parsed = raw.with_columns(
        pl.col("local_time").str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M", strict=False).alias("_t"),
        pl.col("level").cast(pl.Float64, strict=False).alias("water_level_m"),
        pl.col("volume").cast(pl.Float64, strict=False).alias("volume_m3"),
        pl.col("inflow").cast(pl.Float64, strict=False).alias("inflow_m3s"),
        pl.col("outflow").cast(pl.Float64, strict=False).alias("outflow_m3s"),
    ).with_columns(pl.col("_t").dt.replace_time_zone(VN_TZ_NAME).dt.convert_time_zone("UTC").alias("observed_at"))
    reason = (pl.when(pl.col("station_code").is_null() | (pl.col("station_code").str.strip_chars() == ""))
              .then(pl.lit("missing station code"))
              .when(pl.col("_t").is_null()).then(pl.lit("unparseable time (expected 'YYYY-MM-DD HH:MM', GMT+7)"))
              .when(pl.col("water_level_m").is_null()).then(pl.lit("missing or non-numeric water level"))
              .when(~pl.col("water_level_m").is_finite()).then(pl.lit("water level is not a finite number"))
              .otherwise(None))
    parsed = parsed.with_columns(reason.alias("_reason"))
    rejects = _rejects(parsed.filter(pl.col("_reason").is_not_null()), "vndms_csv", str(path))
    good = parsed.filter(pl.col("_reason").is_null()).select(
        "station_code", "observed_at", "water_level_m", "volume_m3", "inflow_m3s", "outflow_m3s", "line")
    return good, rejects


def _rejects(bad: pl.DataFrame, source: str, origin: str) -> list[Reject]:
    out = []
    payload_cols = [c for c in bad.columns if not c.startswith("_") and c != "observed_at"]
    for row in bad.iter_rows(named=True):
        payload = {c: (None if row[c] is None else str(row[c])) for c in payload_cols}
        out.append(Reject(f"gauges:{source}", TARGET, row["_reason"], payload,
                          record_ref=f"{origin}:{row.get('line')}"))
    return out


def read_generic(path: str | Path, tz: dt.tzinfo = dt.UTC) -> tuple[pl.DataFrame, list[Reject]]:
    """The generic format: CSV with columns station_code, observed_at (ISO 8601), water_level_m;
    or JSON — a list of such objects or {"readings": [...]}. Times without an offset are taken in ``tz``."""
    p = Path(path)
    if p.suffix.lower() == ".json":
        doc = json.loads(p.read_text(encoding="utf-8"))
        items = doc.get("readings", []) if isinstance(doc, dict) else doc
        if not isinstance(items, list):
            raise ValueError(f"{p}: expected a list of readings or {{'readings': [...]}}")
        rows = [{k: (None if (it or {}).get(k) is None else str(it.get(k)))
                 for k in ("station_code", "observed_at", "water_level_m")} if isinstance(it, dict)
                else {"station_code": None, "observed_at": None, "water_level_m": json.dumps(it)} for it in items]
        raw = pl.DataFrame(rows, schema={"station_code": pl.String, "observed_at": pl.String,
                                         "water_level_m": pl.String})
        source = "generic_json"
    else:
        raw = pl.read_csv(p, infer_schema=False)
        missing = [c for c in ("station_code", "observed_at", "water_level_m") if c not in raw.columns]
        if missing:
            raise ValueError(f"{p}: generic gauge CSV lacks columns {missing}")
        raw = raw.select("station_code", "observed_at", "water_level_m")
        source = "generic_csv"
    raw = raw.with_row_index("line", offset=1 if source == "generic_json" else 2)
    times = [_parse_time(v, tz) for v in raw["observed_at"].to_list()]
    parsed = raw.with_columns(pl.Series("_t", times, dtype=pl.Datetime("us", "UTC")),
                              pl.col("water_level_m").cast(pl.Float64, strict=False).alias("_lv"))
    reason = (pl.when(pl.col("station_code").is_null() | (pl.col("station_code").str.strip_chars() == ""))
              .then(pl.lit("missing station code"))
              .when(pl.col("_t").is_null()).then(pl.lit("unparseable time (expected ISO 8601)"))
              .when(pl.col("_lv").is_null()).then(pl.lit("missing or non-numeric water level"))
              .when(~pl.col("_lv").is_finite()).then(pl.lit("water level is not a finite number"))
              .otherwise(None))
    parsed = parsed.with_columns(reason.alias("_reason"))
    rejects = _rejects(parsed.filter(pl.col("_reason").is_not_null()), source, str(p))
    good = parsed.filter(pl.col("_reason").is_null()).select(
        pl.col("station_code").str.strip_chars(), pl.col("_t").alias("observed_at"),
        pl.col("_lv").alias("water_level_m"), "line")
    return good.with_columns(source=pl.lit(source)), rejects


def _parse_time(value: str | None, tz: dt.tzinfo) -> dt.datetime | None:
    if value is None:
        return None
    try:
        t = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=tz)
    return t.astimezone(dt.UTC)


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
    more = _rejects(df.filter(pl.col("_reason").is_not_null()), source, origin)
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
