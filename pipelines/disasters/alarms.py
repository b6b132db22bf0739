"""Alarm levels of a water reading (QĐ 05/2020/QĐ-TTg): the highest level reached (0-3), the signed
difference to it (to level 1 when below all), the nearest level, and the bulletin's words for it:
"trên báo động 2 0,56 m". Vectorised for loads; row by row as the readable rule (tests, bench baseline)."""

from __future__ import annotations

import polars as pl


def _cm(x: float) -> int:
    """The size of a difference in whole centimetres, half a centimetre up, from the millimetres it is kept
    to (binary floats would round 0,005 m down or up depending on the value; the vectorised rule does the same)."""
    return (round(abs(x) * 1000) + 5) // 10


def _fmt_m(x: float) -> str:
    cm = _cm(x)
    return f"{cm // 100},{cm % 100:02d} m"


def bulletin_text(alarm_level: int | None, ref_level: int | None, diff: float | None) -> str | None:
    """How a Vietnamese bulletin says it: "trên báo động 2 0,56 m", "dưới báo động 1 0,20 m"."""
    if alarm_level is None or ref_level is None or diff is None:
        return None
    if alarm_level == 0:
        return f"dưới báo động 1 {_fmt_m(diff)}"
    if _cm(diff) == 0:
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
    cm = ((pl.col("diff_m").abs() * 1000).round(0).cast(pl.Int64) + 5) // 10  # as _cm
    absd = (cm // 100).cast(pl.String) + "," + (cm % 100).cast(pl.String).str.zfill(2)
    df = df.with_columns(
        pl.when(pl.col("alarm_level").is_null()).then(None)
        .when(pl.col("alarm_level") == 0).then(pl.lit("dưới báo động 1 ") + absd + pl.lit(" m"))
        .when(cm == 0).then(pl.lit("ở mức báo động ") + pl.col("ref_level").cast(pl.String))
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
