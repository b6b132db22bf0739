"""The roster of Hue-S handling units (226 = 193 state agencies + 33 organisations/enterprises in the
2019–2024 era), with the units of the later administrative eras and each unit's validity and successor.

Names are those of real kinds of Huế agencies, as named in their era ("UBND thành phố Huế", "Sở Xây dựng
tỉnh Thừa Thiên Huế" until 2024; "UBND quận Thuận Hóa", "Sở Xây dựng thành phố Huế" from 2025-01-01; the 40
commune committees from 2025-07-01, when the district level ends). The roster and join dates are simulated
(``source = 'simulated'``): the real list of the 226 units is not public. Enterprises and agencies whose
name carries no province keep one id across the eras.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

PROVINCE_DEPARTMENTS = [
    ("so_tnmt", "Sở Tài nguyên và Môi trường", "environment"),
    ("so_gtvt", "Sở Giao thông vận tải", "roads"),
    ("so_xd", "Sở Xây dựng", "construction"),
    ("so_yt", "Sở Y tế", "health"),
    ("so_gddt", "Sở Giáo dục và Đào tạo", "education"),
    ("so_ct", "Sở Công Thương", "commerce"),
    ("so_nnptnt", "Sở Nông nghiệp và Phát triển nông thôn", "agriculture"),
    ("so_vhtt", "Sở Văn hóa và Thể thao", "culture"),
    ("so_dl", "Sở Du lịch", "tourism"),
    ("so_ldtbxh", "Sở Lao động - Thương binh và Xã hội", "social"),
    ("so_tttt", "Sở Thông tin và Truyền thông", "telecom"),
    ("so_khdt", "Sở Kế hoạch và Đầu tư", "planning"),
    ("so_tc", "Sở Tài chính", "finance"),
    ("so_tp", "Sở Tư pháp", "justice"),
    ("so_nv", "Sở Nội vụ", "home_affairs"),
    ("so_khcn", "Sở Khoa học và Công nghệ", "science"),
    ("thanh_tra", "Thanh tra tỉnh", "inspection"),
    ("ca_tinh", "Công an tỉnh", "security"),
    ("bqlkkt", "Ban Quản lý Khu kinh tế, công nghiệp tỉnh", "industry"),
    ("ttbtdt", "Trung tâm Bảo tồn Di tích Cố đô Huế", "tourism"),
    ("bchqs", "Bộ Chỉ huy Quân sự tỉnh", "defence"),
]
OTHER_STATE = [
    ("bqlda_gt", "Ban Quản lý dự án đầu tư xây dựng các công trình giao thông", "roads"),
    ("bqlda_dd", "Ban Quản lý dự án đầu tư xây dựng công trình dân dụng và công nghiệp", "construction"),
    ("ttptqd", "Trung tâm Phát triển quỹ đất", "land"),
    ("cc_qltt", "Cục Quản lý thị trường", "commerce"),
    ("cc_thuyloi", "Chi cục Thủy lợi", "flooding"),
    ("cc_kiemlam", "Chi cục Kiểm lâm", "agriculture"),
    ("cc_atvstp", "Chi cục An toàn vệ sinh thực phẩm", "food_safety"),
    ("cc_bvmt", "Chi cục Bảo vệ môi trường", "environment"),
    ("vpdkdd", "Văn phòng Đăng ký đất đai", "land"),
    ("cdc", "Trung tâm Kiểm soát bệnh tật", "health"),
    ("tt_sgtvt", "Thanh tra Sở Giao thông vận tải", "roads"),
    ("tt_sxd", "Thanh tra Sở Xây dựng", "construction"),
    ("pccc", "Công an tỉnh - Phòng Cảnh sát PCCC và CNCH", "security"),
    ("csgt", "Công an tỉnh - Phòng Cảnh sát giao thông", "traffic"),
    ("csmt", "Công an tỉnh - Phòng Cảnh sát môi trường", "environment"),
    ("bhxh", "Bảo hiểm xã hội tỉnh", "social"),
    ("cuc_thue", "Cục Thuế tỉnh", "finance"),
    ("kbnn", "Kho bạc Nhà nước tỉnh", "finance"),
    ("trt", "Đài Phát thanh và Truyền hình tỉnh", "culture"),
    ("cang_vu", "Cảng vụ Đường thủy nội địa", "roads"),
]
ENTERPRISES = [
    ("hepco", "Công ty CP Môi trường và Công trình đô thị Huế (HEPCO)", "waste"),
    ("huewaco", "Công ty CP Cấp nước Thừa Thiên Huế (HueWACO)", "water"),
    ("pc_hue", "Công ty Điện lực Thừa Thiên Huế", "electricity"),
    ("vnpt", "VNPT Thừa Thiên Huế", "telecom"),
    ("viettel", "Viettel Thừa Thiên Huế", "telecom"),
    ("mobifone", "MobiFone Thừa Thiên Huế", "telecom"),
    ("fpt", "FPT Telecom Huế", "telecom"),
    ("cay_xanh", "Công ty CP Công viên cây xanh Huế", "trees"),
    ("chieu_sang", "Công ty CP Chiếu sáng công cộng Huế", "lighting"),
    ("duong_bo", "Công ty CP Quản lý và Xây dựng giao thông Thừa Thiên Huế", "roads"),
    ("xe_buyt", "Công ty CP Xe khách Huế", "traffic"),
    ("thuy_loi", "Công ty TNHH NN MTV Quản lý khai thác công trình thủy lợi", "flooding"),
]
SCHEMA = {"unit_id": pl.String, "name": pl.String, "unit_type": pl.String, "sector": pl.String,
          "admin_unit_code": pl.String, "joined_on": pl.Date, "source": pl.String, "valid_from": pl.Date,
          "valid_to": pl.Date, "successor_unit_id": pl.String, "admin_unit_code_2025": pl.String}
CITY_DAY, REFORM_DAY = dt.date(2025, 1, 1), dt.date(2025, 7, 1)
ERA_SUFFIX = "@2025"  # ids of the units that exist from 2025 (the earlier era keeps the plain ids)


def era_names(name: str) -> tuple[str, str | None]:
    """(name until 2024, name from 2025-01-01, or None when the unit's name does not change)."""
    if name.startswith("Sở ") and " tỉnh" not in name:
        return f"{name} tỉnh Thừa Thiên Huế", f"{name} thành phố Huế"
    if " tỉnh" in name:
        return name.replace(" tỉnh", " tỉnh Thừa Thiên Huế", 1), name.replace(" tỉnh", " thành phố Huế", 1)
    return name, None


def _lower_kind(name: str) -> str:
    """'Thị xã Hương Thủy' → 'thị xã Hương Thủy' (the kind word is kept, in running text lower case)."""
    for kind in ("Thành phố", "Thị xã", "Huyện", "Quận"):
        if name.startswith(kind + " "):
            return kind.lower() + name[len(kind):]
    return name


def _district_rows(districts: pl.DataFrame, suffix: str) -> list[list[tuple]]:
    """Per district: its People's Committee, police, power branch and urban-environment works."""
    out: list[list[tuple]] = [[], [], [], []]
    for d in districts.iter_rows(named=True):
        key, label = d["code"].split("@")[0], _lower_kind(d["name"])
        out[0].append((f"ubnd_{key}{suffix}", f"UBND {label}", "state", "district", d["code"]))
        out[1].append((f"ca_{key}{suffix}", f"Công an {label}", "state", "police", d["code"]))
        out[2].append((f"dl_{key}{suffix}", f"Điện lực {label}", "enterprise", "electricity", d["code"]))
        out[3].append((f"mt_{key}{suffix}", f"Xí nghiệp Môi trường đô thị {label}", "enterprise", "waste",
                       d["code"]))
    return out


def units_frame(admin_units: pl.DataFrame, rng: np.random.Generator, start: dt.date) -> pl.DataFrame:
    """The 2019–2024 roster of 226 units: per district a People's Committee, a police and a power branch;
    every commune's People's Committee; provincial departments and agencies; enterprises. ~145 joined by
    the end of 2019. Then the units of 2025-01-01 and of 2025-07-01 (joined on their first day)."""
    districts = admin_units.filter((pl.col("level") == "district") & pl.col("code").str.ends_with("@2019")
                                   ).sort("code")
    districts_2025 = admin_units.filter((pl.col("level") == "district") & (pl.col("valid_from") == CITY_DAY)
                                        ).sort("code")
    communes = admin_units.filter((pl.col("level") == "commune") & pl.col("valid_from").is_null()).sort("code")
    communes_2025 = admin_units.filter((pl.col("level") == "commune") & (pl.col("valid_from") == REFORM_DAY)
                                       ).sort("code")
    ubnd, police, power, works = _district_rows(districts, "")
    rows: list[tuple[str, str, str, str, str | None]] = list(ubnd)
    for c in communes.iter_rows(named=True):
        rows.append((f"ubnd_{c['code']}", f"UBND {c['name']}", "state", "commune", c["code"]))
    rows += police
    named = [(k, era_names(n), s) for k, n, s in PROVINCE_DEPARTMENTS + OTHER_STATE]
    rows += [(k, n[0], "state", s, None) for k, n, s in named]
    rows += [(k, n, "enterprise", s, None) for k, n, s in ENTERPRISES]
    rows += power + works
    rows += [("bv_tw_hue", "Bệnh viện Trung ương Huế", "enterprise", "health", None),
             ("dai_hoc_hue", "Đại học Huế", "enterprise", "education", None),
             ("cang_chan_may", "Công ty CP Cảng Chân Mây", "enterprise", "roads", None)]
    n_state = sum(1 for r in rows if r[2] == "state")
    n_ent = len(rows) - n_state
    if (n_state, n_ent) != (193, 33):  # the published split; the roster must keep it
        raise AssertionError(f"unit roster has {n_state} state + {n_ent} enterprises, expected 193 + 33")
    # Join dates: the core (district committees, police, power, HEPCO/HueWACO, departments) from the
    # start; ~145 units by the end of 2019; the rest (communes, enterprises) through 2020-2021.
    core = {i for i, r in enumerate(rows) if r[3] in ("district", "police") or r[0] in
            ("hepco", "huewaco", "pc_hue", "vnpt", "viettel", "csgt", "ca_tinh", "so_tnmt", "so_gtvt",
             "so_xd", "cay_xanh", "chieu_sang", "duong_bo") or r[0].startswith(("dl_", "mt_"))}
    others = [i for i in range(len(rows)) if i not in core]
    order = rng.permutation(others)
    joined: dict[int, dt.date] = {i: start for i in core}
    end_2019 = dt.date(2019, 12, 31)
    early = 145 - len(core)
    for rank, i in enumerate(order):
        if rank < early:
            span = (end_2019 - start).days
            joined[int(i)] = start + dt.timedelta(days=int(span * rank / max(early, 1)))
        else:
            frac = (rank - early) / max(len(order) - early, 1)
            joined[int(i)] = dt.date(2020, 1, 15) + dt.timedelta(days=int(frac * 700))
    renamed = {k: n[1] for k, n, _ in named if n[1] is not None}
    new_commune_of = dict(zip(communes["code"], communes["successor_code"], strict=True))
    d19_successor = dict(zip(districts["code"], districts["successor_code"], strict=True))
    before = CITY_DAY - dt.timedelta(days=1)
    out = []
    for i, r in enumerate(rows):
        uid, kind = r[0], r[3]
        valid_to, successor, code_2025 = None, None, None
        if kind in ("district", "police") or uid.startswith(("dl_", "mt_")):
            valid_to = before
            successor = uid.split("_")[0] + "_" + d19_successor[r[4]] + ERA_SUFFIX
        elif kind == "commune":
            valid_to = REFORM_DAY - dt.timedelta(days=1)
            code_2025 = new_commune_of.get(r[4]) and new_commune_of[r[4]] + "@2025"
            successor = code_2025 and "ubnd_" + code_2025
        elif uid in renamed:
            valid_to, successor = before, uid + ERA_SUFFIX
        out.append({"unit_id": uid, "name": r[1], "unit_type": r[2], "sector": kind, "admin_unit_code": r[4],
                    "joined_on": joined[i], "source": "simulated", "valid_from": None, "valid_to": valid_to,
                    "successor_unit_id": successor, "admin_unit_code_2025": code_2025})
    # 2025-01-01 → 2025-06-30: the district-level units of the centrally-run city
    last_b = REFORM_DAY - dt.timedelta(days=1)
    after = {"ubnd": None, "ca": "ca_tinh" + ERA_SUFFIX, "dl": "pc_hue", "mt": "hepco"}
    for part in _district_rows(districts_2025, ERA_SUFFIX):
        for uid, name, utype, kind, code in part:
            out.append({"unit_id": uid, "name": name, "unit_type": utype, "sector": kind, "admin_unit_code": code,
                        "joined_on": CITY_DAY, "source": "simulated", "valid_from": CITY_DAY, "valid_to": last_b,
                        "successor_unit_id": after[uid.split("_")[0]], "admin_unit_code_2025": None})
    for uid, name in renamed.items():
        kind = next(s for k, _, s in named if k == uid)
        out.append({"unit_id": uid + ERA_SUFFIX, "name": name, "unit_type": "state", "sector": kind,
                    "admin_unit_code": None, "joined_on": CITY_DAY, "source": "simulated", "valid_from": CITY_DAY,
                    "valid_to": None, "successor_unit_id": None, "admin_unit_code_2025": None})
    # from 2025-07-01: the 40 commune committees, no district level
    for c in communes_2025.iter_rows(named=True):
        out.append({"unit_id": "ubnd_" + c["code"], "name": f"UBND {c['name']}", "unit_type": "state",
                    "sector": "commune", "admin_unit_code": c["code"], "joined_on": REFORM_DAY,
                    "source": "simulated", "valid_from": REFORM_DAY, "valid_to": None, "successor_unit_id": None,
                    "admin_unit_code_2025": c["code"]})
    return pl.DataFrame(out, schema=SCHEMA)
