"""SOS requests and flood-season hotline calls: a calibrated simulator and a CSV import.

Simulator (deterministic seed, source='simulated') calibrated on Hue-S's published figures:
703 SOS requests over 2019-05..2022-05, and in the 2020 flood season 1,919 hotline calls in and 488 out.
Requests cluster in the flood months (Sep-Dec) and above all in the October-November 2020 floods.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import numpy as np
import polars as pl
from shapely import Point

from core.tz import VN_TZ
from lake import Lake, Reject
from pipelines.batches import new_batch_id
from pipelines.disasters import geo
from pipelines.disasters.common import (
    insert_new,
    merge_changed,
    stable_id,
    utcnow,
    write_rejects,
)

SOS_TOTAL = 703
HOTLINE_IN, HOTLINE_OUT = 1919, 488
PERIOD = (dt.date(2019, 5, 1), dt.date(2022, 5, 31))
FLOOD_SEASON_2020 = (dt.date(2020, 9, 15), dt.date(2020, 11, 30))
NEEDS = ["rescue", "evacuation", "food", "drinking_water", "medical", "boat", "power", "shelter"]
NEED_P = [0.30, 0.22, 0.16, 0.10, 0.08, 0.06, 0.04, 0.04]
HANDLERS = ["Bộ Chỉ huy Quân sự thành phố", "Công an thành phố", "Đội cứu hộ cứu nạn PCCC",
            "Hội Chữ thập đỏ", "UBND xã/phường sở tại", "Ban Chỉ huy PCTT và TKCN"]
TOPICS_IN = ["hỏi mực nước, tình hình lũ", "báo ngập đường, khu dân cư", "yêu cầu cứu hộ", "cần lương thực, nước uống",
             "báo sạt lở, cây đổ", "hỏi xả lũ hồ chứa", "báo mất điện"]
TOPICS_OUT = ["xác minh yêu cầu cứu hộ", "thông báo sơ tán", "gọi lại người dân đã báo", "xác nhận đã hỗ trợ"]
SOS_STATUSES = {"new", "assigned", "in_progress", "resolved", "cancelled"}


def _season_weight(d: dt.date) -> float:
    """Relative daily intensity: flood months, and the historic Oct-Nov 2020 floods."""
    m = d.month
    w = {9: 2.0, 10: 6.0, 11: 5.0, 12: 2.0, 1: 0.3, 2: 0.2, 3: 0.2, 4: 0.3, 5: 0.4, 6: 0.5, 7: 0.5, 8: 0.8}[m]
    if dt.date(2020, 10, 6) <= d <= dt.date(2020, 11, 15):
        w *= 8.0
    if dt.date(2021, 10, 28) <= d <= dt.date(2021, 11, 12):
        w *= 2.5
    return w


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _exact_counts(rng: np.random.Generator, weights: np.ndarray, total: int) -> np.ndarray:
    return rng.multinomial(total, weights / weights.sum())


def _random_point(rng: np.random.Generator, c: geo.Commune) -> tuple[float, float]:
    minx, miny, maxx, maxy = c.geometry.bounds
    for _ in range(200):
        lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if c.geometry.contains(Point(lon, lat)):
            return round(float(lat), 6), round(float(lon), 6)
    p = c.geometry.representative_point()
    return p.y, p.x


def _low_lying_weights(cs: tuple[geo.Commune, ...]) -> np.ndarray:
    """Communes along the Hương and Bồ rivers ask for help more often."""
    near = {c.code for c in geo.affected_communes("71520", 16.41667, 107.5667, 3)}
    near |= {c.code for c in geo.affected_communes("71518", 16.533, 107.467, 3)}
    return np.array([4.0 if c.code in near else 1.0 for c in cs])


def simulate_sos(seed: int = 20201010, total: int = SOS_TOTAL) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    days = _days(*PERIOD)
    counts = _exact_counts(rng, np.array([_season_weight(d) for d in days]), total)
    cs = geo.communes()
    cw = _low_lying_weights(cs)
    rows = []
    n = 0
    for d, k in zip(days, counts, strict=True):
        for _ in range(int(k)):
            n += 1
            c = cs[int(rng.choice(len(cs), p=cw / cw.sum()))]
            lat, lon = _random_point(rng, c)
            local = dt.datetime.combine(d, dt.time(0), VN_TZ) + dt.timedelta(minutes=int(rng.integers(0, 1440)))
            requested = local.astimezone(dt.UTC)
            needs = sorted(set(rng.choice(NEEDS, size=int(rng.integers(1, 4)), p=NEED_P).tolist()),
                           key=NEEDS.index)
            cancelled = rng.random() < 0.04
            minutes = float(rng.lognormal(np.log(75), 0.8))
            rows.append({
                "sos_id": f"SIM-SOS-{n:05d}", "requested_at": requested,
                "channel": "hotline" if rng.random() < 0.35 else "app",
                "place": f"Thôn {int(rng.integers(1, 12))}, {c.name}", "admin_unit_code_2025": c.code,
                "lat": lat, "lon": lon, "people": int(min(40, 1 + rng.poisson(3.5))),
                "needs": ",".join(needs), "status": "cancelled" if cancelled else "resolved",
                "handler": None if cancelled else str(rng.choice(HANDLERS)),
                "handled_at": None if cancelled else requested + dt.timedelta(minutes=minutes),
                "note": None, "source": "simulated",
            })
    return pl.DataFrame(rows, schema_overrides={"requested_at": pl.Datetime("us", "UTC"),
                                                "handled_at": pl.Datetime("us", "UTC")})


def simulate_hotline(sos: pl.DataFrame, seed: int = 20201011) -> pl.DataFrame:
    """Exactly 1,919 calls in and 488 out over the 2020 flood season; hotline SOS become calls."""
    rng = np.random.default_rng(seed)
    days = _days(*FLOOD_SEASON_2020)
    w = np.array([_season_weight(d) for d in days])
    first = dt.datetime.combine(FLOOD_SEASON_2020[0], dt.time(), VN_TZ).astimezone(dt.UTC)
    after = dt.datetime.combine(FLOOD_SEASON_2020[1] + dt.timedelta(days=1), dt.time(), VN_TZ).astimezone(dt.UTC)
    season = sos.filter((pl.col("channel") == "hotline") & (pl.col("requested_at") >= first)
                        & (pl.col("requested_at") < after))
    rows = []
    for i, r in enumerate(season.head(HOTLINE_IN).iter_rows(named=True), 1):
        rows.append({"call_id": f"SIM-CALL-IN-{i:05d}", "started_at": r["requested_at"], "direction": "in",
                     "duration_s": int(rng.integers(60, 420)), "topic": "yêu cầu cứu hộ",
                     "admin_unit_code_2025": r["admin_unit_code_2025"], "sos_id": r["sos_id"],
                     "source": "simulated"})
    cs = geo.communes()
    for direction, total, topics in (("in", HOTLINE_IN - len(rows), TOPICS_IN), ("out", HOTLINE_OUT, TOPICS_OUT)):
        counts = _exact_counts(rng, w, total)
        k0 = sum(1 for x in rows if x["direction"] == direction)
        for d, k in zip(days, counts, strict=True):
            for _ in range(int(k)):
                k0 += 1
                local = dt.datetime.combine(d, dt.time(0), VN_TZ) + dt.timedelta(seconds=int(rng.integers(0, 86400)))
                rows.append({"call_id": f"SIM-CALL-{direction.upper()}-{k0:05d}",
                             "started_at": local.astimezone(dt.UTC), "direction": direction,
                             "duration_s": int(rng.integers(30, 600)), "topic": str(rng.choice(topics)),
                             "admin_unit_code_2025": cs[int(rng.integers(0, len(cs)))].code, "sos_id": None,
                             "source": "simulated"})
    return pl.DataFrame(rows, schema_overrides={"started_at": pl.Datetime("us", "UTC"), "sos_id": pl.String})


def load_simulated(lake: Lake, seed: int = 20201010) -> dict[str, int]:
    sos = simulate_sos(seed)
    calls = simulate_hotline(sos, seed + 1)
    return {"sos_requests": merge_changed(lake, "silver.sos_requests", sos),
            "hotline_calls": merge_changed(lake, "silver.hotline_calls", calls)}


# ---------------------------------------------------------------------------------------------- CSV
CSV_COLUMNS = ["sos_id", "requested_at", "place", "lat", "lon", "people", "needs", "status", "handler",
               "handled_at"]


def _time(v: str | None) -> dt.datetime | None:
    if not v:
        return None
    t = dt.datetime.fromisoformat(v.strip().replace("Z", "+00:00"))
    return (t.replace(tzinfo=VN_TZ) if t.tzinfo is None else t).astimezone(dt.UTC)  # naive = Vietnam time


def import_csv(lake: Lake, path: str | Path) -> dict[str, int]:
    """SOS rows from a CSV with columns ``CSV_COLUMNS`` (naive times = Vietnam time); bad rows → rejects."""
    p = Path(path)
    data = p.read_bytes()
    text = data.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("sos_id", "requested_at", "lat", "lon") if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"{p}: SOS CSV lacks columns {missing}")
    batch = new_batch_id("sos")
    rows, rejects = [], []
    for line, rec in enumerate(reader, 2):
        try:
            reason = None
            if not (rec.get("sos_id") or "").strip():
                reason = "missing sos_id"
            req = _time(rec.get("requested_at"))
            lat, lon = float(rec["lat"]), float(rec["lon"])
            people = int(rec["people"]) if rec.get("people") else None
            handled = _time(rec.get("handled_at"))
            status = (rec.get("status") or "new").strip()
            if req is None:
                reason = "missing requested_at"
            elif not (-90 <= lat <= 90 and -180 <= lon <= 180):
                reason = "lat/lon out of range"
            elif status not in SOS_STATUSES:
                reason = f"unknown status '{status}' (expected one of {sorted(SOS_STATUSES)})"
            elif people is not None and people < 0:
                reason = "negative number of people"
            elif handled is not None and handled < req:
                reason = "handled_at before requested_at"
        except (ValueError, TypeError, KeyError) as exc:
            reason = f"unparseable value: {exc}"
        if reason:
            rejects.append(Reject("sos:csv", "silver.sos_requests", reason, rec, record_ref=f"{p.name}:{line}",
                                  batch_id=batch))
            continue
        c = geo.commune_at(lat, lon)
        rows.append({"sos_id": rec["sos_id"].strip(), "requested_at": req, "channel": "csv",
                     "place": rec.get("place") or None, "admin_unit_code_2025": c.code if c else None,
                     "lat": lat, "lon": lon, "people": people, "needs": rec.get("needs") or None,
                     "status": status, "handler": rec.get("handler") or None, "handled_at": handled,
                     "note": None, "source": "csv"})
    insert_new(lake, "bronze.sos_raw", pl.DataFrame([{
        "raw_id": stable_id("csv", p.name, text), "source": "csv", "record_id": p.name, "batch_id": batch,
        "ingested_at": utcnow(), "payload": json.dumps({"file": p.name, "text": text}, ensure_ascii=False)}]))
    frame = pl.DataFrame(rows, schema_overrides={"requested_at": pl.Datetime("us", "UTC"),
                                                 "handled_at": pl.Datetime("us", "UTC")}) if rows else pl.DataFrame()
    written = merge_changed(lake, "silver.sos_requests", frame) if rows else 0
    write_rejects(lake, rejects)
    return {"read": len(rows) + len(rejects), "valid": len(rows), "rejected": len(rejects), "written": written}
