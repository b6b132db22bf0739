"""Simulated camera-AI violation history for Huế, May 2019 – May 2022 (and with ``until`` up to that day),
deterministic from a seed.

Calibrated to the published Hue-S figure: 13,068 traffic violations recorded by camera AI with fines
over 2.5 billion VND. A recorded violation is fined only when its plate identifies the owner; fines follow
the decree in force on the violation's day (``core.fines``: 46/2016 in 2019, 100/2019 from 2020). Besides the recorded (confirmed) violations, detections an
officer dismissed are simulated too (review_status = 'dismissed', no fine). Cameras sit at real places
in Huế. Everything is labelled ``source = 'simulated'``. Vectorised numpy: the whole history takes well
under a second.

With ``until`` after the seed window the cameras keep recording at the window's last rate (the seed's
figures stay those of the window); the detections of the last ``pending_days`` wait in the review queue
(review_status 'pending', no fine yet), so the queue and the November 2025 flood overlap in time. The
floods of October–November 2020 and November 2025 bring camera incidents (category 'incident', type
'flooding': a flooded road seen by the camera), timed on the flood curve (pipelines.sources.hues.floods).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import numpy as np
import polars as pl

from core.fines import fine_vnd
from core.vn_plates import PROVINCES, SERIES_LETTERS
from lake import Lake

SOURCE = "simulated"


@dataclass(frozen=True)
class SimCamera:
    camera_id: str
    name: str
    location_name: str
    lat: float
    lon: float
    installed: dt.date
    rate: float  # relative violations per active day
    mix: dict[str, float]  # violation type → share at this camera


# Real places in Huế (approximate coordinates of the junction or street), one camera a row:
# id | name | location | lat | lon | installed | relative rate | violation type and share at this camera
_SIM_CAMERA_TABLE = """
hue-sim-01 | Lê Lợi – Hùng Vương | Ngã tư Lê Lợi – Hùng Vương | 16.4637 | 107.5931 | 2019-05-01 | 1.4 | red_light 0.35, wrong_lane 0.25, illegal_parking 0.25, encroachment 0.15
hue-sim-02 | Cầu Trường Tiền (bờ Nam) | Đầu cầu Trường Tiền, đường Lê Lợi | 16.4683 | 107.5888 | 2019-05-01 | 1.2 | red_light 0.45, wrong_way 0.2, wrong_lane 0.35
hue-sim-03 | Chợ Đông Ba | Chợ Đông Ba, đường Trần Hưng Đạo | 16.4727 | 107.5884 | 2019-05-01 | 1.6 | illegal_parking 0.55, encroachment 0.4, wrong_way 0.05
hue-sim-04 | Ngọ Môn – Đại Nội | Quảng trường Ngọ Môn, đường 23 Tháng 8 | 16.4663 | 107.5790 | 2019-05-01 | 0.9 | illegal_parking 0.6, encroachment 0.3, wrong_way 0.1
hue-sim-05 | Ga Huế | Ga Huế, đường Bùi Thị Xuân | 16.4567 | 107.5775 | 2019-05-01 | 0.8 | illegal_parking 0.6, wrong_way 0.15, encroachment 0.25
hue-sim-06 | Ngã sáu Hà Nội – Nguyễn Huệ | Ngã sáu Hà Nội – Nguyễn Huệ – Lê Lợi | 16.4617 | 107.5859 | 2019-05-01 | 1.3 | red_light 0.4, wrong_lane 0.35, wrong_way 0.1, illegal_parking 0.15
hue-sim-07 | Cầu Phú Xuân | Đầu cầu Phú Xuân, đường Nguyễn Huệ | 16.4643 | 107.5955 | 2019-12-01 | 1.0 | red_light 0.4, wrong_lane 0.45, wrong_way 0.15
hue-sim-08 | Bến Ngự | Ngã tư Bến Ngự, đường Phan Đình Phùng | 16.4548 | 107.5871 | 2019-12-01 | 1.0 | red_light 0.35, wrong_lane 0.3, illegal_parking 0.2, encroachment 0.15
hue-sim-09 | Phạm Văn Đồng – Tố Hữu | Ngã tư Phạm Văn Đồng – Tố Hữu | 16.4602 | 107.6146 | 2020-06-01 | 0.9 | red_light 0.5, wrong_lane 0.4, wrong_way 0.1
hue-sim-10 | Bến xe phía Nam | Bến xe phía Nam, đường An Dương Vương | 16.4471 | 107.6013 | 2020-06-01 | 0.8 | illegal_parking 0.5, encroachment 0.3, wrong_way 0.2
hue-sim-11 | Cầu Dã Viên | Đầu cầu Dã Viên, đường Lê Duẩn | 16.4607 | 107.5703 | 2021-01-01 | 0.8 | red_light 0.4, wrong_lane 0.4, wrong_way 0.2
hue-sim-12 | Chợ Bến Ngự – Trường Chinh | Đường Trường Chinh, phường An Đông | 16.4532 | 107.6085 | 2021-06-01 | 0.7 | illegal_parking 0.45, encroachment 0.4, wrong_way 0.15
"""


def _sim_cameras(table: str) -> tuple[SimCamera, ...]:
    cams = []
    for line in table.strip().splitlines():
        cid, name, place, lat, lon, installed, rate, mix = (f.strip() for f in line.split("|"))
        cams.append(SimCamera(cid, name, place, float(lat), float(lon), dt.date.fromisoformat(installed),
                              float(rate), {t: float(v) for t, v in (m.split() for m in mix.split(","))}))
    return tuple(cams)


SIM_CAMERAS = _sim_cameras(_SIM_CAMERA_TABLE)

VIOLATION_TYPES = ("red_light", "wrong_way", "wrong_lane", "illegal_parking", "encroachment")
RULE_OF = {"red_light": "stop_line", "wrong_way": "wrong_way", "wrong_lane": "lane", "illegal_parking": "dwell",
           "encroachment": "encroachment"}
# hour-of-day profile (local time) per type: rush hours for moving violations, daytime for parking
_RUSH = np.array([1, 1, 1, 1, 1, 2, 5, 9, 8, 5, 4, 5, 6, 5, 4, 5, 7, 9, 8, 5, 4, 3, 2, 1], float)
_DAY = np.array([0.5, 0.3, 0.2, 0.2, 0.3, 1, 3, 6, 8, 9, 9, 8, 6, 6, 7, 8, 9, 8, 6, 4, 3, 2, 1, 0.8], float)
HOURS = {"red_light": _RUSH, "wrong_way": _RUSH, "wrong_lane": _RUSH, "illegal_parking": _DAY, "encroachment": _DAY}
NEIGHBOUR_CODES = np.array(["74", "43", "92", "73", "38", "37", "29", "51", "76"])
SERIES = np.array(list(SERIES_LETTERS))
# quiet periods (local dates, activity factor): Tết 2020–2022, the April 2020 and Aug 2021 COVID-19 distancing
QUIET = (("2020-01-23", "2020-01-30", 0.4), ("2021-02-10", "2021-02-17", 0.4), ("2022-01-31", "2022-02-06", 0.4),
         ("2020-04-01", "2020-04-22", 0.25), ("2021-08-01", "2021-09-15", 0.5))


@dataclass(frozen=True)
class CameraSimConfig:
    seed: int = 2019
    start: dt.date = dt.date(2019, 5, 1)
    end: dt.date = dt.date(2022, 5, 27)
    recorded: int = 13_068  # violations recorded (confirmed): the published figure
    fines_target_vnd: int = 2_550_000_000  # "over 2.5 billion VND"
    dismissed_share: float = 0.07  # detections dismissed on review, beyond the recorded ones
    motorbike_share: float = 0.82  # Huế traffic is mostly motorbikes
    hue_plate_share: float = 0.83
    unread_plate_share: float = 0.12
    until: dt.date | None = None  # last day of the timeline (None: the seed window's end)
    pending_days: int = 7  # the newest detections not reviewed yet
    flood_incidents: int = 40  # per flood, at the cameras


def _plates(rng: np.random.Generator, kind: np.ndarray, cfg: CameraSimConfig) -> tuple[np.ndarray, np.ndarray]:
    """Plate text in the normalised form the plate reader writes (``core.vn_plates``), and its province code."""
    n = len(kind)
    code = np.where(rng.random(n) < cfg.hue_plate_share, "75", rng.choice(NEIGHBOUR_CODES, n))
    letter = rng.choice(SERIES, n)
    digit = rng.integers(1, 10, n).astype(str)
    num = rng.integers(0, 100_000, n)
    formatted_num = np.char.add(np.char.add(np.char.zfill((num // 100).astype(str), 3), "."),
                                np.char.zfill((num % 100).astype(str), 2))
    moto = np.char.add(np.char.add(np.char.add(code, "-"), np.char.add(letter, digit)), np.char.add(" ", formatted_num))
    car = np.char.add(np.char.add(np.char.add(code, letter), "-"), formatted_num)
    text = np.where(kind == "motorbike", moto, car)
    return text, code


def _activity(cfg: CameraSimConfig) -> tuple[np.ndarray, np.ndarray]:
    """The days, and a weight per (camera, day) flattened: installed cameras, a yearly growth in
    enforcement, fewer on Sundays and in the quiet periods."""
    days = np.arange(np.datetime64(cfg.start), np.datetime64(cfg.end) + 1)
    nd = len(days)
    installed = np.array([np.datetime64(c.installed) for c in SIM_CAMERAS])
    active = days[None, :] >= installed[:, None]
    growth = 1.0 + 0.35 * np.arange(nd) / nd
    weekday = ((days.astype("datetime64[D]").view("int64") + 3) % 7)  # 0 = Monday
    week_f = np.where(weekday == 6, 0.7, 1.0)
    quiet = np.ones(nd)
    for a, b, f in QUIET:
        quiet[(days >= np.datetime64(a)) & (days <= np.datetime64(b))] = f
    rates = np.array([c.rate for c in SIM_CAMERAS])
    return days, (active * rates[:, None] * (growth * week_f * quiet)[None, :]).ravel()


@dataclass
class _Draws:
    """One simulated detection per index: where, when, what and who."""

    cam_i: np.ndarray
    vt_i: np.ndarray  # index into VIOLATION_TYPES
    start_utc: np.ndarray
    end_utc: np.ndarray
    kind: np.ndarray  # motorbike | car
    vehicle_type: np.ndarray
    color: np.ndarray
    plate: np.ndarray
    code: np.ndarray
    unread: np.ndarray
    plate_conf: np.ndarray


def _draw(rng: np.random.Generator, cfg: CameraSimConfig, n: int) -> _Draws:
    days, w = _activity(cfg)
    nd = len(days)
    cell = rng.choice(w.size, size=n, p=w / w.sum())
    cam_i, d_i = cell // nd, cell % nd
    # violation type from each camera's mix
    mix = np.array([[c.mix.get(t, 0.0) for t in VIOLATION_TYPES] for c in SIM_CAMERAS])
    mix = mix / mix.sum(1, keepdims=True)
    cum = mix.cumsum(1)[cam_i]
    vt_i = (rng.random(n)[:, None] > cum).sum(1).clip(0, len(VIOLATION_TYPES) - 1)
    vtype = np.array(VIOLATION_TYPES)[vt_i]
    hour = np.empty(n, np.int64)
    for k, t in enumerate(VIOLATION_TYPES):
        m = vt_i == k
        hour[m] = rng.choice(24, size=int(m.sum()), p=HOURS[t] / HOURS[t].sum())
    sec = hour * 3600 + rng.integers(0, 3600, n)
    start_utc = days[d_i].astype("datetime64[s]") + sec.astype("timedelta64[s]") - np.timedelta64(7, "h")
    duration = np.where(np.isin(vtype, ["illegal_parking", "encroachment"]), rng.integers(60, 1800, n),
                        rng.integers(1, 6, n))
    kind = np.where(rng.random(n) < cfg.motorbike_share, "motorbike", "car")
    car_types = rng.choice(np.array(["car", "car", "car", "van", "truck", "bus"]), n)
    color = rng.choice(np.array(["white", "gray", "black", "red", "blue", "yellow", "green"]), n,
                       p=[0.3, 0.22, 0.2, 0.1, 0.1, 0.04, 0.04])
    plate, code = _plates(rng, kind, cfg)
    return _Draws(cam_i=cam_i, vt_i=vt_i, start_utc=start_utc, end_utc=start_utc + duration.astype("timedelta64[s]"),
                  kind=kind, vehicle_type=np.where(kind == "motorbike", "motorbike", car_types), color=color,
                  plate=plate, code=code, unread=rng.random(n) < cfg.unread_plate_share,
                  plate_conf=np.round(rng.uniform(0.72, 0.99, n), 3))


def _review(rng: np.random.Generator, cfg: CameraSimConfig, d: _Draws, n_dismissed: int
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dismissed, fine, note): a random subset is dismissed; of the rest, those whose plate was read are
    fined in a random order until the published total is reached."""
    n = len(d.vt_i)
    # the decree in force on each violation's day (core.fines): one lookup per type, kind and day
    days = (d.start_utc + np.timedelta64(7, "h")).astype("datetime64[D]")
    keys, inv = np.unique(np.stack([d.vt_i, (d.kind == "motorbike").astype(np.int64),
                                    days.astype(np.int64)]), axis=1, return_inverse=True)
    looked = np.array([fine_vnd(VIOLATION_TYPES[t], ("car", "motorbike")[k],
                                dt.date(1970, 1, 1) + dt.timedelta(days=int(day))) for t, k, day in keys.T],
                      np.int64)
    schedule = looked[inv.reshape(-1)]
    dismissed = np.zeros(n, bool)
    dismissed[rng.permutation(n)[:n_dismissed]] = True
    fine = np.zeros(n, np.int64)
    eligible = rng.permutation(np.flatnonzero(~dismissed & ~d.unread))
    cums = np.cumsum(schedule[eligible])
    if cums[-1] < cfg.fines_target_vnd:
        raise ValueError("the simulated mix cannot reach the fines target; raise car or red-light shares")
    k = int(np.searchsorted(cums, cfg.fines_target_vnd)) + 1
    fine[eligible[:k]] = schedule[eligible[:k]]
    note = np.where(dismissed, "phát hiện sai / false detection",
                    np.where(fine > 0, "đã ra quyết định xử phạt / fined",
                             np.where(d.unread, "không đọc được biển số / plate unreadable",
                                      "nhắc nhở, chưa xác định chủ xe / warned, owner not identified")))
    return dismissed, fine, note


def _violations(rng: np.random.Generator, cfg: CameraSimConfig, d: _Draws, dismissed: np.ndarray,
                fine: np.ndarray, note: np.ndarray) -> pl.DataFrame:
    """The rows of silver.violations (review already done by a simulated officer)."""
    n = len(d.vt_i)
    reviewed_at = d.end_utc + rng.integers(3600, 3 * 86400, n).astype("timedelta64[s]")
    codes_u, inv = np.unique(d.code, return_inverse=True)
    prov = np.array([PROVINCES.get(c) for c in codes_u], object)[inv]
    rule = np.array([RULE_OF[t] for t in VIOLATION_TYPES])[d.vt_i]
    nulls_f = pl.Series([None] * n, dtype=pl.Float64)
    plate_s = pl.Series(d.plate.tolist(), dtype=pl.String).set(pl.Series(d.unread), None)
    return pl.DataFrame({
        "event_id": np.char.add(f"sim{cfg.seed}-", np.char.zfill(np.arange(n).astype(str), 6)),
        "camera_id": np.array([c.camera_id for c in SIM_CAMERAS])[d.cam_i],
        "rule_id": np.char.add("sim:", rule), "rule": rule, "violation_type": np.array(VIOLATION_TYPES)[d.vt_i],
        "category": np.full(n, "violation"), "class_name": np.where(d.kind == "motorbike", "bike", "vehicle"),
        "vehicle_type": d.vehicle_type, "vehicle_color": d.color, "track_id": np.arange(n, dtype=np.int64),
        "start_at": d.start_utc.astype("datetime64[us]"), "end_at": d.end_utc.astype("datetime64[us]"),
        "score": np.round(rng.uniform(0.55, 0.99, n), 3),
        "box_x0": nulls_f, "box_y0": nulls_f, "box_x1": nulls_f, "box_y1": nulls_f,
        "plate_text": plate_s, "plate_raw": plate_s,
        "plate_confidence": np.where(d.unread, np.nan, d.plate_conf),
        "plate_province": pl.Series(prov.tolist(), dtype=pl.String).set(pl.Series(d.unread), None),
        "evidence_uri": pl.Series([None] * n, dtype=pl.String),
        "model_name": np.full(n, "simulated"), "model_version": np.full(n, f"camera-simulator/seed={cfg.seed}"),
        "fine_vnd": fine, "source": np.full(n, SOURCE),
        "detected_at": d.end_utc.astype("datetime64[us]"),
        "review_status": np.where(dismissed, "dismissed", "confirmed"), "reviewed_by": np.full(n, "simulated-officer"),
        "reviewed_at": reviewed_at.astype("datetime64[us]"), "review_note": note,
    }).with_columns(
        pl.col("start_at", "end_at", "detected_at", "reviewed_at").dt.replace_time_zone("UTC"),
        pl.col("plate_confidence").fill_nan(None),
    ).sort("start_at")


def _cameras() -> pl.DataFrame:
    now = dt.datetime.now(dt.UTC)
    return pl.DataFrame([{
        "camera_id": c.camera_id, "name": c.name, "location_name": c.location_name, "lat": c.lat, "lon": c.lon,
        "stream_uri": "", "model_name": "person-vehicle-bike-detection-2000", "fps": 5.0,
        "zones_json": json.dumps([]), "lines_json": json.dumps([]), "enabled": True, "source": SOURCE,
        "updated_at": now} for c in SIM_CAMERAS])


def _flood_incidents(rng: np.random.Generator, cfg: CameraSimConfig, last: dt.date) -> pl.DataFrame:
    """Flooded-road incidents at the cameras during the floods, timed on the flood curve."""
    from pipelines.sources.hues.floods import draw_flood_times, flood_curve

    hours, w = flood_curve(cfg.start, last)
    years = np.unique(hours.astype("datetime64[Y]"))
    rows = []
    for year in years:
        mine = hours.astype("datetime64[Y]") == year
        at = draw_flood_times(rng, cfg.flood_incidents, hours[mine], w[mine])
        for t in np.sort(at):
            cam = SIM_CAMERAS[int(rng.integers(0, len(SIM_CAMERAS)))]
            if np.datetime64(cam.installed) > t.astype("datetime64[D]"):
                continue
            start = t.astype("datetime64[us]").astype(dt.datetime).replace(tzinfo=dt.UTC)
            rows.append({"event_id": f"sim{cfg.seed}-flood-{len(rows):05d}", "camera_id": cam.camera_id,
                         "rule_id": "sim:flooding", "rule": "flooding", "violation_type": "flooding",
                         "category": "incident", "class_name": None, "start_at": start,
                         "end_at": start + dt.timedelta(minutes=int(rng.integers(20, 240))),
                         "score": round(float(rng.uniform(0.6, 0.95)), 3), "model_name": "simulated",
                         "model_version": f"camera-simulator/seed={cfg.seed}", "fine_vnd": 0, "source": SOURCE,
                         "detected_at": start, "review_status": "confirmed", "reviewed_by": "simulated-officer",
                         "reviewed_at": start + dt.timedelta(minutes=10),
                         "review_note": "đường ngập, đã báo Ban Chỉ huy PCTT / flooded road, reported"})
    return pl.DataFrame(rows, schema_overrides={k: pl.Datetime("us", "UTC") for k in (
        "start_at", "end_at", "detected_at", "reviewed_at")})


def _later(cfg: CameraSimConfig) -> CameraSimConfig | None:
    """The years after the seed window, at the rate of its last year (another seed, so other ids)."""
    from dataclasses import replace

    if cfg.until is None or cfg.until <= cfg.end:
        return None
    span = (cfg.end - cfg.start).days + 1
    later = (cfg.until - cfg.end).days
    factor = later / span * 1.25  # the last year ran about a quarter above the window's mean
    return replace(cfg, seed=cfg.seed + 1, start=cfg.end + dt.timedelta(days=1), end=cfg.until,
                   recorded=max(1, round(cfg.recorded * factor)),
                   fines_target_vnd=round(cfg.fines_target_vnd * factor), until=None)


def simulate_camera_history(cfg: CameraSimConfig | None = None) -> dict[str, pl.DataFrame]:
    """Returns ``{"cameras", "violations", "raw"}`` frames matching silver.cameras, silver.violations and
    bronze.camera_events_raw."""
    cfg = cfg or CameraSimConfig()
    parts = []
    for part in (cfg, _later(cfg)):
        if part is None:
            continue
        rng = np.random.default_rng(part.seed)
        n_dismissed = int(round(part.recorded * part.dismissed_share))
        draws = _draw(rng, part, part.recorded + n_dismissed)
        parts.append(_violations(rng, part, draws, *_review(rng, part, draws, n_dismissed)))
    violations = pl.concat(parts)
    last = max(cfg.until or cfg.end, cfg.end)
    if cfg.pending_days and cfg.until is not None:
        newest = pl.lit(dt.datetime.combine(last - dt.timedelta(days=cfg.pending_days - 1), dt.time(), dt.UTC)
                        - dt.timedelta(hours=7)).cast(pl.Datetime("us", "UTC"))
        waiting = pl.col("start_at") >= newest
        violations = violations.with_columns(
            review_status=pl.when(waiting).then(None).otherwise(pl.col("review_status")),
            reviewed_by=pl.when(waiting).then(None).otherwise(pl.col("reviewed_by")),
            reviewed_at=pl.when(waiting).then(None).otherwise(pl.col("reviewed_at")),
            review_note=pl.when(waiting).then(None).otherwise(pl.col("review_note")),
            fine_vnd=pl.when(waiting).then(0).otherwise(pl.col("fine_vnd")))
    if cfg.until is not None:
        incidents = _flood_incidents(np.random.default_rng(cfg.seed + 2), cfg, last)
        if incidents.height:
            violations = pl.concat([violations, incidents], how="diagonal_relaxed").sort("start_at")
    raw = violations.select(
        pl.col("event_id").alias("raw_id"), pl.lit(SOURCE).alias("source"), "camera_id",
        pl.col("event_id").alias("record_id"), pl.lit(f"camera-simulator-seed{cfg.seed}").alias("batch_id"),
        pl.col("detected_at").alias("ingested_at"),
        pl.struct(pl.exclude("review_status", "reviewed_by", "reviewed_at", "review_note", "fine_vnd",
                             "detected_at")).struct.json_encode().alias("payload"),
    )
    return {"cameras": _cameras(), "violations": violations, "raw": raw}


def load_camera_history(lake: Lake, cfg: CameraSimConfig | None = None) -> dict[str, int]:
    """Write the simulated history into the lake (idempotent: insert-only by key)."""
    frames = simulate_camera_history(cfg)
    lake.merge("silver.cameras", frames["cameras"], update=True)
    lake.merge("bronze.camera_events_raw", frames["raw"], update=False)
    lake.merge("silver.violations", frames["violations"], update=False)
    return {k: v.height for k, v in frames.items()}
