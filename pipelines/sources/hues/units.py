"""The roster of Hue-S handling units (226 = 193 state agencies + 33 organisations/enterprises).

Names are those of real kinds of Huế agencies; the roster and join dates are simulated
(``source = 'simulated'``): the real list of the 226 units is not public.
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
          "admin_unit_code": pl.String, "joined_on": pl.Date, "source": pl.String}


def units_frame(admin_units: pl.DataFrame, rng: np.random.Generator, start: dt.date) -> pl.DataFrame:
    """226 units: per district a People's Committee, a police and a power branch; every commune's
    People's Committee; provincial departments and agencies; enterprises. ~145 joined by end of 2019."""
    districts = admin_units.filter(pl.col("level") == "district").sort("code")
    communes = admin_units.filter((pl.col("level") == "commune") & pl.col("valid_from").is_null()).sort("code")
    rows: list[tuple[str, str, str, str, str | None]] = []
    for d in districts.iter_rows(named=True):
        rows.append((f"ubnd_{d['code']}", f"UBND {d['name']}", "state", "district", d["code"]))
    for c in communes.iter_rows(named=True):
        rows.append((f"ubnd_{c['code']}", f"UBND {c['name']}", "state", "commune", c["code"]))
    for d in districts.iter_rows(named=True):
        rows.append((f"ca_{d['code']}", f"Công an {d['name']}", "state", "police", d["code"]))
    rows += [(k, n, "state", s, None) for k, n, s in PROVINCE_DEPARTMENTS + OTHER_STATE]
    rows += [(k, n, "enterprise", s, None) for k, n, s in ENTERPRISES]
    for d in districts.iter_rows(named=True):
        short = d["name"].split(" ", 1)[1]
        rows.append((f"dl_{d['code']}", f"Điện lực {short}", "enterprise", "electricity", d["code"]))
    for d in districts.iter_rows(named=True):
        short = d["name"].split(" ", 1)[1]
        rows.append((f"mt_{d['code']}", f"Xí nghiệp Môi trường đô thị {short}", "enterprise", "waste", d["code"]))
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
    return pl.DataFrame(
        [{"unit_id": r[0], "name": r[1], "unit_type": r[2], "sector": r[3], "admin_unit_code": r[4],
          "joined_on": joined[i], "source": "simulated"} for i, r in enumerate(rows)],
        schema=SCHEMA,
    )
