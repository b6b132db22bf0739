"""Reading gauge files: the VNDMS water-level CSV (its "Thời gian (UTC)" column is really Vietnam time,
GMT+7: stored in UTC) and a simple generic CSV/JSON. Rows that cannot be read are returned as rejects."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import polars as pl

from core.tz import VN_TZ_NAME
from lake import Reject

TARGET = "silver.gauge_readings"
VNDMS_COLS = {
    "type": "type", "Mã trạm/LakeCode": "station_code", "Trạm/Hồ": "name", "Tên sông/Lưu vực": "river",
    "Tên tỉnh": "province", "Thời gian (UTC)": "local_time", "Mực nước (m)": "level",
    "BĐ1 (m)": "a1", "BĐ2 (m)": "a2", "BĐ3 (m)": "a3", "Mực nước lịch sử (m)": "hist",
    "Năm lũ lịch sử": "hist_year", "x": "x", "y": "y", "Dung tích (m3)": "volume",
    "Dung tích TK (m3)": "capacity", "Q đến (m3/s)": "inflow", "Q xả (m3/s)": "outflow",
    "Mực nước BT (m)": "normal",
}



def read_vndms_raw(path: str | Path) -> pl.DataFrame:
    data = Path(path).read_bytes().removeprefix(b"\xef\xbb\xbf")
    df = pl.read_csv(io.BytesIO(data), infer_schema=False)
    missing = [c for c in ("Mã trạm/LakeCode", "Thời gian (UTC)", "Mực nước (m)") if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: not a VNDMS water-level CSV (missing columns {missing})")
    return df.select([pl.col(k).alias(v) for k, v in VNDMS_COLS.items() if k in df.columns])


def read_vndms_csv(path: str | Path) -> tuple[pl.DataFrame, list[Reject]]:
    """Readings of a VNDMS CSV (local GMT+7 times → UTC) and the rows refused, with reasons."""
    raw = read_vndms_raw(path).with_row_index("line", offset=2)
    parsed = raw.with_columns(
        pl.col("local_time").str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M", strict=False).alias("_t"),
        pl.col("level").cast(pl.Float64, strict=False).alias("water_level_m"),
        pl.col("volume").cast(pl.Float64, strict=False).alias("volume_m3"),
        pl.col("inflow").cast(pl.Float64, strict=False).alias("inflow_m3s"),
        pl.col("outflow").cast(pl.Float64, strict=False).alias("outflow_m3s"),
    ).with_columns(pl.col("_t").dt.replace_time_zone(VN_TZ_NAME).dt.convert_time_zone("UTC").alias("observed_at"))
    parsed = parsed.with_columns(_unreadable("water_level_m", "'YYYY-MM-DD HH:MM', GMT+7"))
    rejects = reading_rejects(parsed.filter(pl.col("_reason").is_not_null()), "vndms_csv", str(path))
    good = parsed.filter(pl.col("_reason").is_null()).select(
        "station_code", "observed_at", "water_level_m", "volume_m3", "inflow_m3s", "outflow_m3s", "line")
    return good, rejects


def _unreadable(level: str, time_format: str) -> pl.Expr:
    """``_reason``: why a parsed row (time in ``_t``, water level in ``level``) cannot be kept, else null."""
    return (pl.when(pl.col("station_code").is_null() | (pl.col("station_code").str.strip_chars() == ""))
            .then(pl.lit("missing station code"))
            .when(pl.col("_t").is_null()).then(pl.lit(f"unparseable time (expected {time_format})"))
            .when(pl.col(level).is_null()).then(pl.lit("missing or non-numeric water level"))
            .when(~pl.col(level).is_finite()).then(pl.lit("water level is not a finite number"))
            .otherwise(None).alias("_reason"))


def reading_rejects(bad: pl.DataFrame, source: str, origin: str) -> list[Reject]:
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
    parsed = parsed.with_columns(_unreadable("_lv", "ISO 8601"))
    rejects = reading_rejects(parsed.filter(pl.col("_reason").is_not_null()), source, str(p))
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
