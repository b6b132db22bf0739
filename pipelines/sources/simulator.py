"""The Hue-S simulator: citizen field reports with their full event logs, deterministic from a seed.

Calibrated to the published Hue-S figures of May 2019 – May 2022 (DESIGN.md): > 58,000 valid reports,
97.5 % processed, of processed 51.1 % on time / 48.9 % late with a granted extension, 77.7 % of rated
satisfied or accepting, ~45 % of processed rated; 226 units (193 state + 33 enterprises), ~145 by the
end of 2019. Everything it makes is labelled ``source = 'simulated'``.

Vectorised with numpy/polars so that the 5-million-report benchmark lake is built in minutes.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import numpy as np
import polars as pl
import shapely
from shapely.geometry import shape

from core.calendar import END_OF_DAY, add_working_days_vec
from core.tz import VN_TZ_NAME
from pipelines.reports.admin_units import admin_units_frame
from pipelines.reports.bronze import raw_rows
from pipelines.reports.categories import categories_frame
from pipelines.sources.hues_units import units_frame

SOURCE = "simulated"
UTC = dt.UTC
HOUR_US = 3_600_000_000


@dataclass(frozen=True)
class SimulatorConfig:
    seed: int = 7
    start: dt.date = dt.date(2019, 5, 1)
    end: dt.date = dt.date(2022, 5, 27)
    scale: float = 1.0  # 1.0 → 58,600 valid reports over the default three years
    valid_reports: int = 58_600
    invalid_share: float = 0.12  # of all received: spam, duplicates, out of scope, inciting
    processed_rate: float = 0.975
    on_time_share: float = 0.511  # of processed
    overdue_closed_share: float = 0.003  # of processed: closed late without extension
    satisfied_share: float = 0.777  # of rated
    participation: float = 0.452  # rated / processed
    transfer_share: float = 0.12
    reopen_share: float = 0.006  # of rated unsatisfied... of all rated
    missing_coords_share: float = 0.04
    late_edit_share: float = 0.03
    resend_share: float = 0.01  # identical payload delivered twice
    conflicting_duplicates: int = 20  # same id and version, different content (per scale 1.0)
    channels: dict[str, float] = field(default_factory=lambda: {"app": 0.80, "hotline": 0.12, "web": 0.08})

    @property
    def n_valid(self) -> int:
        return max(1, round(self.valid_reports * self.scale))


# category → share of reports, and where it is routed: (selector, weight); selectors are
# commune | district | police | power | env (resolved per place) or a unit id.
CATEGORY_MIX: dict[str, tuple[float, list[tuple[str, float]]]] = {
    "urban_order": (0.16, [("commune", 0.7), ("district", 0.3)]),
    "environment": (0.08, [("commune", 0.5), ("so_tnmt", 0.2), ("cc_bvmt", 0.15), ("csmt", 0.15)]),
    "waste": (0.12, [("env", 0.5), ("hepco", 0.2), ("commune", 0.3)]),
    "lighting": (0.06, [("chieu_sang", 0.8), ("district", 0.2)]),
    "roads": (0.09, [("so_gtvt", 0.3), ("duong_bo", 0.3), ("district", 0.3), ("tt_sgtvt", 0.1)]),
    "electricity": (0.06, [("power", 0.85), ("pc_hue", 0.15)]),
    "water": (0.05, [("huewaco", 1.0)]),
    "traffic": (0.07, [("police", 0.6), ("csgt", 0.4)]),
    "security": (0.05, [("police", 0.7), ("commune", 0.3)]),
    "trees": (0.05, [("cay_xanh", 0.8), ("commune", 0.2)]),
    "flooding": (0.04, [("district", 0.4), ("commune", 0.4), ("cc_thuyloi", 0.1), ("thuy_loi", 0.1)]),
    "construction": (0.05, [("tt_sxd", 0.3), ("district", 0.4), ("commune", 0.3)]),
    "land": (0.03, [("commune", 0.4), ("district", 0.3), ("vpdkdd", 0.3)]),
    "food_safety": (0.02, [("cc_atvstp", 0.6), ("commune", 0.4)]),
    "telecom": (0.02, [("vnpt", 0.4), ("viettel", 0.3), ("mobifone", 0.2), ("fpt", 0.1)]),
    "tourism": (0.015, [("so_dl", 0.5), ("ttbtdt", 0.5)]),
    "health": (0.01, [("so_yt", 0.6), ("cdc", 0.3), ("bv_tw_hue", 0.1)]),
    "education": (0.01, [("so_gddt", 0.8), ("dai_hoc_hue", 0.2)]),
    "other": (0.025, [("district", 0.5), ("so_khdt", 0.1), ("so_ldtbxh", 0.1), ("so_tp", 0.1),
                      ("thanh_tra", 0.1), ("so_tttt", 0.1)]),
}
INVALID_REASONS = {"spam": 0.35, "duplicate": 0.30, "out_of_scope": 0.30, "inciting": 0.05}
STREETS = ["Lê Lợi", "Hùng Vương", "Trần Hưng Đạo", "Nguyễn Huệ", "Bà Triệu", "Lý Thường Kiệt",
           "Phan Đình Phùng", "Điện Biên Phủ", "Nguyễn Sinh Cung", "Lê Duẩn", "Đống Đa", "Hà Nội",
           "Nguyễn Trãi", "Trần Phú", "Phạm Văn Đồng", "Tố Hữu", "Võ Văn Kiệt", "An Dương Vương",
           "Nguyễn Tất Thành", "Chi Lăng", "Huỳnh Thúc Kháng", "Đặng Thái Thân", "Mai Thúc Loan",
           "Nguyễn Lộ Trạch", "Hoàng Quốc Việt", "Dương Văn An", "Bùi Thị Xuân", "Kim Long"]
TITLES = {
    "urban_order": ["Lấn chiếm vỉa hè trên đường {s}", "Buôn bán lấn chiếm lòng đường {s}"],
    "environment": ["Khói bụi, mùi hôi gần đường {s}", "Tiếng ồn kéo dài ban đêm tại {s}"],
    "waste": ["Rác thải tồn đọng trên đường {s}", "Đổ trộm xà bần tại kiệt đường {s}"],
    "lighting": ["Đèn đường không sáng trên đường {s}", "Cột đèn chiếu sáng hư hỏng tại {s}"],
    "roads": ["Ổ gà, mặt đường hư hỏng trên đường {s}", "Nắp hố ga bị vỡ tại {s}"],
    "electricity": ["Mất điện khu vực đường {s}", "Dây điện võng thấp nguy hiểm tại {s}"],
    "water": ["Vỡ ống nước trên đường {s}", "Mất nước sinh hoạt khu vực {s}"],
    "traffic": ["Đỗ xe sai quy định trên đường {s}", "Đua xe trái phép trên đường {s}"],
    "security": ["Tụ tập gây mất trật tự tại {s}", "Nghi vấn trộm cắp tại khu vực {s}"],
    "trees": ["Cây xanh có nguy cơ gãy đổ trên đường {s}", "Cành cây che khuất đèn tín hiệu tại {s}"],
    "flooding": ["Ngập úng cục bộ trên đường {s}", "Cống thoát nước bị tắc tại {s}"],
    "construction": ["Xây dựng không phép tại đường {s}", "Vật liệu xây dựng chiếm lòng đường {s}"],
    "land": ["Tranh chấp, lấn chiếm đất gần đường {s}", "Sử dụng đất sai mục đích tại {s}"],
    "food_safety": ["Cơ sở ăn uống mất vệ sinh trên đường {s}"],
    "telecom": ["Cáp viễn thông treo thấp, rối trên đường {s}", "Mất sóng Internet khu vực {s}"],
    "tourism": ["Chèo kéo khách du lịch tại {s}", "Di tích xuống cấp gần đường {s}"],
    "health": ["Nghi ổ dịch sốt xuất huyết tại {s}"],
    "education": ["Thu phí không đúng quy định tại trường gần đường {s}"],
    "other": ["Kiến nghị khác về khu vực đường {s}"],
}
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Tôn Nữ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang", "Thu", "Xuân"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Khánh", "Lan", "Linh",
         "Long", "Mai", "Nam", "Phúc", "Quỳnh", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến"]


@dataclass
class SimulatedHueS:
    config: SimulatorConfig
    reports: pl.DataFrame  # one row per report *version* (late edits, resends, conflicts included)
    events: pl.DataFrame  # one row per event delivery (resends included)
    units: pl.DataFrame
    categories: pl.DataFrame
    admin_units: pl.DataFrame


def _utc(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[us]")


def _point_pools(admin: pl.DataFrame, rng: np.random.Generator, per: int = 600) -> dict[str, np.ndarray]:
    """Random points inside each 2025 commune polygon (rejection sampling), to draw locations from."""
    pools = {}
    for row in admin.filter(pl.col("geometry_geojson").is_not_null()).iter_rows(named=True):
        geom = shape(json.loads(row["geometry_geojson"]))
        shapely.prepare(geom)
        minx, miny, maxx, maxy = geom.bounds
        pts = np.empty((0, 2))
        while len(pts) < per:
            cand = np.column_stack([rng.uniform(minx, maxx, per * 3), rng.uniform(miny, maxy, per * 3)])
            pts = np.vstack([pts, cand[shapely.contains_xy(geom, cand[:, 0], cand[:, 1])]])
        pools[row["code"]] = pts[:per]
    return pools


def _rank_select(score: np.ndarray, mask: np.ndarray, share: float) -> np.ndarray:
    """Exactly round(share × mask.sum()) of the masked items with the highest score."""
    idx = np.flatnonzero(mask)
    k = round(share * len(idx))
    out = np.zeros(len(score), dtype=bool)
    if k > 0:
        out[idx[np.argsort(-score[idx], kind="stable")[:k]]] = True
    return out


def simulate(config: SimulatorConfig | None = None) -> SimulatedHueS:
    cfg = config or SimulatorConfig()
    rng = np.random.default_rng(cfg.seed)
    admin = admin_units_frame()
    cats = categories_frame()
    units = units_frame(admin, rng, cfg.start)

    n_valid = cfg.n_valid
    n_invalid = round(n_valid * cfg.invalid_share / (1 - cfg.invalid_share))
    n = n_valid + n_invalid

    # ---- receipt times: growing use, quieter weekends, the flood season (Oct–Nov) busier
    days = np.arange(np.datetime64(cfg.start), np.datetime64(cfg.end) + 1)
    t = np.linspace(0, 1, len(days))
    weekday = (days.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
    month = days.astype("datetime64[M]").astype(int) % 12 + 1
    weight = (0.45 + 1.1 * t) * np.where(weekday >= 5, 0.65, 1.0) * np.where(np.isin(month, [10, 11]), 1.45, 1.0)
    day_idx = np.sort(rng.choice(len(days), size=n, p=weight / weight.sum()))
    hour = np.clip(np.where(rng.random(n) < 0.5, rng.normal(9.0, 1.8, n), rng.normal(15.0, 2.5, n)), 0, 23.99)
    local = days[day_idx].astype("datetime64[us]") + (hour * HOUR_US).astype("int64").astype("timedelta64[us]")
    received = local - np.timedelta64(7, "h")  # Vietnam is UTC+7, no DST
    horizon = (np.datetime64(cfg.end) + 1).astype("datetime64[us]") - np.timedelta64(7, "h") - np.timedelta64(1, "s")

    # ---- what and where
    valid = np.zeros(n, dtype=bool)
    valid[rng.choice(n, size=n_valid, replace=False)] = True
    cat_codes = list(CATEGORY_MIX)
    cat_p = np.array([CATEGORY_MIX[c][0] for c in cat_codes])
    cat = rng.choice(len(cat_codes), size=n, p=cat_p / cat_p.sum())
    ch_names = list(cfg.channels)
    channel = rng.choice(len(ch_names), size=n, p=np.array(list(cfg.channels.values())))

    new_communes = admin.filter(pl.col("valid_from").is_not_null()).sort("code")
    pop = new_communes["population"].fill_null(10_000).to_numpy().astype(float)
    urban = np.array([1.6 if name.startswith("Phường") else 1.0 for name in new_communes["name"]])
    place = rng.choice(len(new_communes), size=n, p=pop * urban / (pop * urban).sum())
    pools = _point_pools(admin, rng)
    new_codes = new_communes["code"].to_list()
    lonlat = np.empty((n, 2))
    for i, code in enumerate(new_codes):
        sel = np.flatnonzero(place == i)
        lonlat[sel] = pools[code][rng.integers(0, len(pools[code]), len(sel))]
    old = admin.filter((pl.col("level") == "commune") & pl.col("valid_from").is_null())
    old_by_new: dict[str, list[tuple[str, str]]] = {}
    for row in old.iter_rows(named=True):
        if row["successor_code"]:
            old_by_new.setdefault(row["successor_code"] + "@2025", []).append((row["code"], row["parent_code"]))
    old_code = np.empty(n, dtype=object)
    district = np.empty(n, dtype=object)
    for i, code in enumerate(new_codes):
        sel = np.flatnonzero(place == i)
        members = old_by_new[code]
        pick = rng.integers(0, len(members), len(sel))
        old_code[sel] = [members[j][0] for j in pick]
        district[sel] = [members[j][1] for j in pick]
    new_code = np.array(new_codes, dtype=object)[place]
    missing = rng.random(n) < np.where(np.array(ch_names)[channel] == "hotline", 0.3, 0.0) + cfg.missing_coords_share * 0.5

    # ---- routing to units (units that had not joined yet: the district committee takes it)
    unit_ids = units["unit_id"].to_numpy()
    joined = units["joined_on"].to_numpy().astype("datetime64[D]")
    joined_of = dict(zip(unit_ids, joined, strict=True))

    def route(draw: np.ndarray) -> np.ndarray:
        out = np.empty(n, dtype=object)
        for ci, code in enumerate(cat_codes):
            sel = np.flatnonzero(cat == ci)
            routes = CATEGORY_MIX[code][1]
            w = np.array([r[1] for r in routes])
            k = np.searchsorted(np.cumsum(w / w.sum()), draw[sel], side="right").clip(0, len(routes) - 1)
            for ri, (selector, _) in enumerate(routes):
                s2 = sel[k == ri]
                if selector == "commune":
                    out[s2] = ["ubnd_" + c for c in old_code[s2]]
                elif selector == "district":
                    out[s2] = ["ubnd_" + d for d in district[s2]]
                elif selector == "police":
                    out[s2] = ["ca_" + d for d in district[s2]]
                elif selector == "power":
                    out[s2] = ["dl_" + d for d in district[s2]]
                elif selector == "env":
                    out[s2] = ["mt_" + d for d in district[s2]]
                else:
                    out[s2] = selector
        received_day = received.astype("datetime64[D]")
        late_join = np.array([joined_of[u] for u in out]) > received_day
        out[late_join] = ["ubnd_" + d for d in district[late_join]]
        return out

    final_unit = route(rng.random(n))
    transferred = valid & (rng.random(n) < cfg.transfer_share)
    first_unit = final_unit.copy()
    alt = route(rng.random(n))
    first_unit[transferred] = alt[transferred]
    same = transferred & (first_unit == final_unit)
    is_district = np.array([u.startswith("ubnd_") and len(u) == 8 for u in final_unit])
    first_unit[same & ~is_district] = ["ubnd_" + d for d in district[same & ~is_district]]
    first_unit[same & is_district] = ["ubnd_" + c for c in old_code[same & is_district]]

    # ---- timeline (microseconds since epoch, UTC)
    def hours(x: np.ndarray) -> np.ndarray:
        return (x * HOUR_US).astype("int64").astype("timedelta64[us]")

    is_hotline = np.array(ch_names)[channel] == "hotline"
    validated = received + hours(rng.lognormal(np.log(np.where(is_hotline, 0.3, 1.0)), 0.8, n).clip(0.02, 20))
    assigned = validated + hours(rng.lognormal(np.log(0.5), 0.9, n).clip(0.02, 30))
    transfer_at = assigned + hours(rng.lognormal(np.log(6.0), 0.8, n).clip(0.2, 72))
    last_assign = np.where(transferred, transfer_at, assigned)

    process_type = cats.select("category_code", "process_type", "deadline_hours", "deadline_working_days")
    pt_map = {r["category_code"]: r for r in process_type.iter_rows(named=True)}
    immediate = np.array([pt_map[c]["process_type"] == "immediate" for c in cat_codes])[cat]
    dl_hours = np.array([pt_map[c]["deadline_hours"] or 0 for c in cat_codes])[cat]
    dl_days = np.array([pt_map[c]["deadline_working_days"] or 0 for c in cat_codes])[cat]
    local_day = (last_assign + np.timedelta64(7, "h")).astype("datetime64[D]")
    wd = add_working_days_vec(local_day, dl_days)
    timed_deadline = wd.astype("datetime64[us]") + np.timedelta64(END_OF_DAY.hour, "h") - np.timedelta64(7, "h")
    deadline = np.where(immediate, last_assign + hours(dl_hours.astype(float)), timed_deadline)
    window_h = (deadline - last_assign).astype("int64") / HOUR_US

    # ---- outcomes, calibrated by exact rank selection (units differ in quality; things improve)
    unit_quality = {u: q for u, q in zip(unit_ids, rng.normal(0, 0.8, len(unit_ids)), strict=True)}
    quality = np.array([unit_quality[u] for u in final_unit]) + 0.6 * t[day_idx] + rng.normal(0, 1.0, n)
    # Draws first, selections after: the same random numbers serve every calibration round.
    ext_req = last_assign + hours(window_h * rng.uniform(0.5, 0.85, n))
    ext_grant = ext_req + hours(np.minimum(window_h * 0.1, rng.lognormal(np.log(2.0), 0.6, n)).clip(0.01))
    ext_extra_h = np.where(immediate, rng.uniform(24, 72, n), rng.uniform(2, 10, n) * 24)
    ext_deadline = deadline + hours(ext_extra_h)
    on_time_at = last_assign + hours(window_h * rng.beta(2.0, 2.5, n).clip(0.03, 0.98))
    late_ext_at = deadline + hours(ext_extra_h * rng.uniform(0.05, 0.95, n))
    overdue_at = deadline + hours(rng.lognormal(np.log(30.0), 0.7, n))
    stuck_score = rng.random(n) - 0.5 * quality
    open_ext = rng.random(n) < 0.3

    # Open at the end of the window: what would naturally be resolved after it, plus a few reports
    # stuck anywhere in the period (weak units more often) up to the published 2.5 %. The on-time share
    # is then re-calibrated among what was processed, since the natural tail is mostly the slow cases.
    n_open_target = round((1 - cfg.processed_rate) * valid.sum())
    share = cfg.on_time_share
    for _ in range(4):
        on_time = _rank_select(quality, valid, share)
        rest = valid & ~on_time
        overdue_closed = _rank_select(-quality, rest, cfg.overdue_closed_share / (1 - share))
        late_ext = rest & ~overdue_closed
        resolve = np.where(on_time, on_time_at, np.where(late_ext, late_ext_at, overdue_at))
        natural_open = valid & (resolve > horizon)
        extra = max(0, n_open_target - int(natural_open.sum()))
        eligible = valid & ~natural_open
        stuck = _rank_select(stuck_score, eligible, extra / max(1, int(eligible.sum())))
        is_open = natural_open | stuck
        processed = valid & ~is_open
        realised = (on_time & processed).sum() / max(1, processed.sum())
        share = min(0.99, max(0.01, share + (cfg.on_time_share - realised)))
    on_time &= processed
    late_ext &= processed
    overdue_closed &= processed
    # a stuck report may have asked for (and got) more time; a natural one already did if it is late
    has_ext = late_ext | (valid & natural_open & ~on_time & (rest & ~overdue_closed)) | (stuck & open_ext)
    resolve = np.where(processed, resolve, horizon)

    rated = _rank_select(rng.random(n), processed, cfg.participation)
    rated_at = resolve + hours(rng.lognormal(np.log(10.0), 1.0, n).clip(0.1, 240))
    rated &= rated_at <= horizon
    satisfied = _rank_select(rng.normal(0, 1, n) + np.where(on_time, 0.8, 0.0), rated, cfg.satisfied_share)
    rating = np.where(satisfied, np.where(rng.random(n) < 0.7, "hai_long", "chap_nhan"), "khong_hai_long")
    reopen = rated & ~satisfied & (rng.random(n) < cfg.reopen_share / (1 - cfg.satisfied_share))
    reopen_at = rated_at + hours(rng.uniform(1, 48, n))
    re_resolve = reopen_at + hours(rng.uniform(4, 72, n))
    reopen &= re_resolve <= horizon

    invalid_reason_names = list(INVALID_REASONS)
    invalid_reason = np.array(invalid_reason_names, dtype=object)[
        rng.choice(len(invalid_reason_names), size=n, p=np.array(list(INVALID_REASONS.values())))]

    # ---- ids in receipt order
    order = np.argsort(received, kind="stable")
    report_id = np.empty(n, dtype=object)
    report_id[order] = [f"HUES-{i + 1:07d}" for i in range(n)]

    # ---- text and reporters
    street = rng.integers(0, len(STREETS), n)
    tmpl = rng.integers(0, 10, n)
    title = [TITLES[cat_codes[c]][k % len(TITLES[cat_codes[c]])].format(s=STREETS[s])
             for c, k, s in zip(cat, tmpl, street, strict=True)]
    description = [f"{ti}. Đề nghị cơ quan chức năng kiểm tra, xử lý." for ti in title]
    names = [f"{FAMILY[a]} {MIDDLE[b]} {GIVEN[c]}" for a, b, c in zip(
        rng.integers(0, len(FAMILY), n), rng.integers(0, len(MIDDLE), n), rng.integers(0, len(GIVEN), n),
        strict=True)]
    phones = [f"09{x:08d}" for x in rng.integers(0, 10**8, n)]
    before_reform = received < np.datetime64("2025-06-30T17:00:00", "us")

    def text(values) -> pl.Series:
        return pl.Series(values=list(values), dtype=pl.String)

    reports = pl.DataFrame({
        "report_id": text(report_id),
        "source": text([SOURCE] * n),
        "channel": text(np.array(ch_names, dtype=object)[channel]),
        "category_code": text(np.array(cat_codes, dtype=object)[cat]),
        "title": text(title),
        "description": text(description),
        "lat": np.where(missing, np.nan, lonlat[:, 1]),
        "lon": np.where(missing, np.nan, lonlat[:, 0]),
        "admin_unit_code": text(np.where(before_reform, old_code, new_code)),
        "received_at": received,
        "process_type": text(np.where(immediate, "immediate", "timed")),
        "is_valid": valid,
        "invalid_reason": text(np.where(valid, None, invalid_reason)),
        "reporter_name": text(names),
        "reporter_phone": text(phones),
        "updated_at": received,
    }).with_columns(
        pl.col("lat").fill_nan(None), pl.col("lon").fill_nan(None),
        pl.col("received_at").dt.replace_time_zone("UTC"), pl.col("updated_at").dt.replace_time_zone("UTC"),
    )

    # ---- events
    ev: list[pl.DataFrame] = []

    def add(mask: np.ndarray, etype: str, at: np.ndarray, unit=None, to_unit=None, deadline_at=None,
            rating_v=None, note=None, seq: int = 1) -> None:
        idx = np.flatnonzero(mask)
        if not len(idx):
            return
        def pick(v):  # noqa: E306
            if v is None:
                return None
            v = v[idx] if isinstance(v, np.ndarray) else v
            return v.tolist() if isinstance(v, np.ndarray) and v.dtype == object else v
        ev.append(pl.DataFrame({
            "event_id": [f"{r}:{etype}:{seq}" for r in report_id[idx]],
            "report_id": report_id[idx],
            "event_type": etype,
            "at": at[idx],
            "unit_id": pick(unit),
            "to_unit_id": pick(to_unit),
            "deadline_at": pick(deadline_at),
            "rating": pick(rating_v),
            "note": pick(note),
        }, schema={"event_id": pl.String, "report_id": pl.String, "event_type": pl.String,
                   "at": pl.Datetime("us"), "unit_id": pl.String, "to_unit_id": pl.String,
                   "deadline_at": pl.Datetime("us"), "rating": pl.String, "note": pl.String}, strict=False))

    everyone = np.ones(n, dtype=bool)
    add(everyone, "received", received)
    add(valid, "validated", validated)
    add(~valid, "invalidated", validated, note=invalid_reason)
    add(valid, "assigned", assigned, unit=first_unit,
        deadline_at=np.where(transferred, assigned + (deadline - last_assign), deadline))
    add(transferred, "transferred", transfer_at, unit=first_unit, to_unit=final_unit, deadline_at=deadline)
    add(has_ext, "extension_requested", ext_req, unit=final_unit)
    add(has_ext, "extension_granted", ext_grant, unit=final_unit, deadline_at=ext_deadline)
    add(processed, "resolved", resolve, unit=final_unit)
    add(rated, "rated", rated_at, rating_v=rating)
    add(reopen, "reopened", reopen_at, unit=final_unit, note=np.full(n, "Công dân không hài lòng, mở lại"))
    add(reopen, "resolved", re_resolve, unit=final_unit, seq=2)
    # nothing after the end of the window has happened yet
    events = pl.concat(ev).filter(pl.col("at") <= horizon).with_columns(
        pl.col("at").dt.replace_time_zone("UTC"), pl.col("deadline_at").dt.replace_time_zone("UTC"))

    # ---- the messiness of real deliveries
    edit = rng.random(n) < cfg.late_edit_share
    edits = reports.filter(pl.Series(edit)).with_columns(
        pl.col("description") + " (Công dân bổ sung thông tin.)",
        (pl.col("updated_at") + pl.duration(hours=pl.lit(rng.integers(1, 72, int(edit.sum()))))),
    )
    resend_r = reports.filter(pl.Series(rng.random(n) < cfg.resend_share))
    n_conf = round(cfg.conflicting_duplicates * cfg.scale)
    conflicts = reports.sample(n=min(n_conf, n), seed=cfg.seed).with_columns(
        pl.col("description") + " [bản ghi trùng mã]")
    reports_all = pl.concat([reports, edits, resend_r, conflicts])
    resend_e = events.filter(pl.Series(rng.random(events.height) < cfg.resend_share))
    events_all = pl.concat([events, resend_e])
    return SimulatedHueS(cfg, reports_all, events_all, units, cats, admin)


# ---------------------------------------------------------------- bronze rows
def _iso_vn(col: str) -> pl.Expr:
    return pl.col(col).dt.convert_time_zone(VN_TZ_NAME).dt.strftime("%Y-%m-%dT%H:%M:%S%.6f%:z")


def raw_frame(frame: pl.DataFrame, id_col: str, batch_id: str, ingested_at: dt.datetime,
              source: str = SOURCE) -> pl.DataFrame:
    """Canonical records → bronze rows (JSON payload text with Vietnam-time ISO timestamps)."""
    ts_cols = [c for c, t in frame.schema.items() if isinstance(t, pl.Datetime)]
    payload = frame.with_columns([_iso_vn(c) for c in ts_cols]).select(
        pl.col(id_col).alias("record_id"), pl.struct(pl.all()).struct.json_encode().alias("payload"),
        source=pl.lit(source))
    return raw_rows(payload, batch_id, ingested_at)
