"""SOS requests and flood-season hotline calls: a calibrated simulator and a CSV import.

Simulator (deterministic seed, source='simulated') calibrated on Hue-S's published figures:
703 SOS requests over 2019-05..2022-05, and in the 2020 flood season 1,919 hotline calls in and 488 out.
Requests cluster in the flood months (Sep-Dec) and above all in the October-November 2020 floods.
With ``until`` after the seed window the timeline goes on: the flood seasons of the following years at the
same rate, and the November 2025 flood, whose SOS requests and hotline calls come from the flooded communes
at the hours of the real gauge curve (pipelines.sources.hues.floods). Calls follow the hours people call.
Every row carries its 2025 commune and the admin unit of its date.
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
SOS_2025, HOTLINE_2025 = (420, (1200, 310))  # the November 2025 flood (simulated, on the gauge curve)
# relative volume of calls per hour of the day (Vietnam time): few at night, office hours busiest
CALL_HOURS = np.array([0.12, 0.1, 0.08, 0.08, 0.1, 0.2, 0.4, 0.8, 1.0, 1.0, 1.0, 0.95, 0.7, 0.8, 0.95, 0.95, 0.95,
                       0.9, 0.75, 0.7, 0.6, 0.45, 0.3, 0.2])
# SOS requests come at night too, when the water rises, but less often
SOS_HOURS = 0.5 + 0.5 * CALL_HOURS


def _hour_minutes(rng: np.random.Generator, n: int, profile: np.ndarray) -> np.ndarray:
    """Minutes after local midnight, following an hour-of-day profile."""
    hours = rng.choice(24, size=n, p=profile / profile.sum())
    return hours * 60 + rng.integers(0, 60, n)


def _of_date(rows: list[dict], at: str, code: str) -> None:
    """Add each row's admin unit of its date (admin_units.admin_unit_of_date)."""
    from pipelines.sources.admin_units import admin_unit_of_date

    if not rows:
        return
    when = np.array([r[at].astimezone(dt.UTC).replace(tzinfo=None) for r in rows], dtype="datetime64[us]")
    lat = np.array([r.get("lat") if r.get("lat") is not None else np.nan for r in rows], dtype=float)
    lon = np.array([r.get("lon") if r.get("lon") is not None else np.nan for r in rows], dtype=float)
    known = ~np.isnan(lat)
    if not known.all():  # a call without a point: the commune's representative point
        cs = {c.code: c.geometry.representative_point() for c in geo.communes()}
        for i in np.flatnonzero(~known):
            p = cs.get(rows[i][code])
            lat[i], lon[i] = (p.y, p.x) if p is not None else (16.46, 107.59)
    units = admin_unit_of_date(when, lon, lat, np.array([r[code] for r in rows], dtype=object))
    for r, u in zip(rows, units, strict=True):
        r["admin_unit_code"] = u


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


def _sos_row(rng: np.random.Generator, n: int, c: geo.Commune, requested: dt.datetime) -> dict:
    lat, lon = _random_point(rng, c)
    needs = sorted(set(rng.choice(NEEDS, size=int(rng.integers(1, 4)), p=NEED_P).tolist()), key=NEEDS.index)
    cancelled = rng.random() < 0.04
    minutes = float(rng.lognormal(np.log(75), 0.8))
    return {
        "sos_id": f"SIM-SOS-{n:05d}", "requested_at": requested,
        "channel": "hotline" if rng.random() < 0.35 else "app",
        "place": f"Thôn {int(rng.integers(1, 12))}, {c.name}", "admin_unit_code_2025": c.code,
        "lat": lat, "lon": lon, "people": int(min(40, 1 + rng.poisson(3.5))),
        "needs": ",".join(needs), "status": "cancelled" if cancelled else "resolved",
        "handler": None if cancelled else str(rng.choice(HANDLERS)),
        "handled_at": None if cancelled else requested + dt.timedelta(minutes=minutes),
        "note": None, "source": "simulated",
    }


def _flood_2025_moments(rng: np.random.Generator, n: int, until: dt.date, profile: np.ndarray) -> list[dt.datetime]:
    """Moments on the November 2025 gauge curve, weighted by the hour-of-day profile."""
    from pipelines.sources.hues.floods import draw_flood_times, gauge_curve_2025

    hours, w = gauge_curve_2025()
    keep = (w > 0) & (hours < (np.datetime64(until) + 1).astype("datetime64[us]") - np.timedelta64(7, "h"))
    hours, w = hours[keep], w[keep]
    if not len(hours):
        return []
    local_hour = ((hours + np.timedelta64(7, "h")).astype("datetime64[h]").astype(int)) % 24
    at = draw_flood_times(rng, n, hours, w * profile[local_hour])
    return sorted(dt.datetime.fromisoformat(str(t)).replace(tzinfo=dt.UTC) for t in at.astype("datetime64[s]"))


def simulate_sos(seed: int = 20201010, total: int = SOS_TOTAL, until: dt.date | None = None) -> pl.DataFrame:
    """``total`` SOS requests over the seed window; with ``until``, the years after it and the 2025 flood."""
    rng = np.random.default_rng(seed)
    days = _days(*PERIOD)
    weights = np.array([_season_weight(d) for d in days])
    counts = _exact_counts(rng, weights, total)
    cs = geo.communes()
    cw = _low_lying_weights(cs)
    rows = []
    n = 0
    later = _days(PERIOD[1] + dt.timedelta(days=1), until) if until and until > PERIOD[1] else []
    if later:  # the flood seasons after the seed window, at the rate of its ordinary years
        w_later = np.array([_season_weight(d) for d in later])
        calm = np.array([_season_weight(d) for d in days if not (dt.date(2020, 10, 6) <= d <= dt.date(2020, 11, 15))])
        k = round(total * w_later.sum() / weights.sum() * calm.sum() / weights.sum())
        days, counts = days + later, np.concatenate([counts, _exact_counts(rng, w_later, k)])
    for d, k in zip(days, counts, strict=True):
        for minute in sorted(_hour_minutes(rng, int(k), SOS_HOURS)):
            n += 1
            c = cs[int(rng.choice(len(cs), p=cw / cw.sum()))]
            local = dt.datetime.combine(d, dt.time(0), VN_TZ) + dt.timedelta(minutes=int(minute))
            rows.append(_sos_row(rng, n, c, local.astimezone(dt.UTC)))
    if until and until >= dt.date(2025, 11, 13):
        from pipelines.sources.hues.floods import flooded_communes

        wet = [c for c in cs if c.code in set(flooded_communes())]
        ww = np.array([float(c.population or 10_000) for c in wet])
        for at in _flood_2025_moments(rng, SOS_2025, until, SOS_HOURS):
            n += 1
            rows.append(_sos_row(rng, n, wet[int(rng.choice(len(wet), p=ww / ww.sum()))], at))
    _of_date(rows, "requested_at", "admin_unit_code_2025")
    return pl.DataFrame(rows, schema_overrides={"requested_at": pl.Datetime("us", "UTC"),
                                                "handled_at": pl.Datetime("us", "UTC")})


def simulate_hotline(sos: pl.DataFrame, seed: int = 20201011, until: dt.date | None = None) -> pl.DataFrame:
    """Exactly 1,919 calls in and 488 out over the 2020 flood season (hotline SOS become calls); with
    ``until`` past November 2025, the calls of the 2025 flood on its gauge curve. Calls come at the hours
    people call (CALL_HOURS)."""
    rng = np.random.default_rng(seed)
    days = _days(*FLOOD_SEASON_2020)
    w = np.array([_season_weight(d) for d in days])
    first = dt.datetime.combine(FLOOD_SEASON_2020[0], dt.time(), VN_TZ).astimezone(dt.UTC)
    after = dt.datetime.combine(FLOOD_SEASON_2020[1] + dt.timedelta(days=1), dt.time(), VN_TZ).astimezone(dt.UTC)
    rows = []

    def from_sos(season: pl.DataFrame, limit: int, tag: str) -> None:
        for i, r in enumerate(season.head(limit).iter_rows(named=True), 1):
            rows.append({"call_id": f"SIM-CALL-IN-{tag}{i:05d}", "started_at": r["requested_at"], "direction": "in",
                         "duration_s": int(rng.integers(60, 420)), "topic": "yêu cầu cứu hộ",
                         "admin_unit_code_2025": r["admin_unit_code_2025"], "sos_id": r["sos_id"],
                         "source": "simulated"})

    from_sos(sos.filter((pl.col("channel") == "hotline") & (pl.col("requested_at") >= first)
                        & (pl.col("requested_at") < after)), HOTLINE_IN, "")
    cs = geo.communes()

    def call(direction: str, k0: int, at: dt.datetime, topics: list[str], tag: str, commune: str) -> dict:
        return {"call_id": f"SIM-CALL-{direction.upper()}-{tag}{k0:05d}", "started_at": at, "direction": direction,
                "duration_s": int(rng.integers(30, 600)), "topic": str(rng.choice(topics)),
                "admin_unit_code_2025": commune, "sos_id": None, "source": "simulated"}

    for direction, total, topics in (("in", HOTLINE_IN - len(rows), TOPICS_IN), ("out", HOTLINE_OUT, TOPICS_OUT)):
        counts = _exact_counts(rng, w, total)
        k0 = sum(1 for x in rows if x["direction"] == direction)
        for d, k in zip(days, counts, strict=True):
            for minute in sorted(_hour_minutes(rng, int(k), CALL_HOURS)):
                k0 += 1
                local = dt.datetime.combine(d, dt.time(0), VN_TZ) + dt.timedelta(minutes=int(minute),
                                                                                   seconds=int(rng.integers(0, 60)))
                rows.append(call(direction, k0, local.astimezone(dt.UTC), topics, "",
                                 cs[int(rng.integers(0, len(cs)))].code))
    if until and until >= dt.date(2025, 11, 13):
        from pipelines.sources.hues.floods import flooded_communes

        wet = sorted(set(flooded_communes()))
        flood_sos = sos.filter((pl.col("channel") == "hotline")
                               & (pl.col("requested_at") >= dt.datetime(2025, 11, 12, 17, tzinfo=dt.UTC))
                               & (pl.col("requested_at") < dt.datetime(2025, 12, 10, 17, tzinfo=dt.UTC)))
        n_before = len(rows)
        from_sos(flood_sos, HOTLINE_2025[0], "2025-")
        linked = len(rows) - n_before
        for direction, total, topics in (("in", HOTLINE_2025[0] - linked, TOPICS_IN),
                                         ("out", HOTLINE_2025[1], TOPICS_OUT)):
            for k0, at in enumerate(_flood_2025_moments(rng, total, until, CALL_HOURS), 1):
                rows.append(call(direction, k0, at, topics, "2025-", wet[int(rng.integers(0, len(wet)))]))
    _of_date(rows, "started_at", "admin_unit_code_2025")
    return pl.DataFrame(rows, schema_overrides={"started_at": pl.Datetime("us", "UTC"), "sos_id": pl.String})


def load_simulated(lake: Lake, seed: int = 20201010, until: dt.date | None = None) -> dict[str, int]:
    """The simulated SOS requests and hotline calls (the seed window; with ``until`` the years after it)."""
    sos = simulate_sos(seed, until=until)
    calls = simulate_hotline(sos, seed + 1, until=until)
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
