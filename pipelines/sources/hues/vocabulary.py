"""What the simulated city says and how often: category shares and where each is routed, invalid reasons,
street names, report titles and reporters' names. Data, not logic."""

# category → share of reports, and where it is routed: (selector, weight); selectors are
# commune | district | police | power | env (resolved per place) or a unit id.
CATEGORY_MIX: dict[str, tuple[float, list[tuple[str, float]]]] = {
    "urban_order": (0.16, [("commune", 0.68), ("district", 0.3), ("so_xd", 0.02)]),
    "environment": (0.08, [("commune", 0.46), ("so_tnmt", 0.2), ("cc_bvmt", 0.15), ("csmt", 0.12),
                            ("so_nnptnt", 0.02), ("cc_kiemlam", 0.03), ("bqlkkt", 0.02)]),
    "waste": (0.12, [("env", 0.5), ("hepco", 0.2), ("commune", 0.3)]),
    "lighting": (0.06, [("chieu_sang", 0.8), ("district", 0.2)]),
    "roads": (0.09, [("so_gtvt", 0.28), ("duong_bo", 0.28), ("district", 0.28), ("tt_sgtvt", 0.08),
                      ("bqlda_gt", 0.04), ("cang_vu", 0.02), ("cang_chan_may", 0.02)]),
    "electricity": (0.06, [("power", 0.85), ("pc_hue", 0.15)]),
    "water": (0.05, [("huewaco", 1.0)]),
    "traffic": (0.07, [("police", 0.58), ("csgt", 0.38), ("xe_buyt", 0.04)]),
    "security": (0.05, [("police", 0.62), ("commune", 0.28), ("ca_tinh", 0.05), ("pccc", 0.03),
                          ("bchqs", 0.02)]),
    "trees": (0.05, [("cay_xanh", 0.8), ("commune", 0.2)]),
    "flooding": (0.04, [("district", 0.4), ("commune", 0.4), ("cc_thuyloi", 0.1), ("thuy_loi", 0.1)]),
    "construction": (0.05, [("so_xd", 0.12), ("tt_sxd", 0.24), ("district", 0.3), ("commune", 0.28),
                              ("bqlda_dd", 0.06)]),
    "land": (0.03, [("commune", 0.38), ("district", 0.28), ("vpdkdd", 0.26), ("ttptqd", 0.08)]),
    "food_safety": (0.02, [("cc_atvstp", 0.5), ("commune", 0.3), ("cc_qltt", 0.12), ("so_ct", 0.08)]),
    "telecom": (0.02, [("vnpt", 0.4), ("viettel", 0.3), ("mobifone", 0.2), ("fpt", 0.1)]),
    "tourism": (0.015, [("so_dl", 0.45), ("ttbtdt", 0.45), ("so_vhtt", 0.1)]),
    "health": (0.01, [("so_yt", 0.6), ("cdc", 0.3), ("bv_tw_hue", 0.1)]),
    "education": (0.01, [("so_gddt", 0.8), ("dai_hoc_hue", 0.2)]),
    "other": (0.025, [("district", 0.4), ("so_khdt", 0.06), ("so_ldtbxh", 0.06), ("so_tp", 0.06),
                      ("thanh_tra", 0.06), ("so_tttt", 0.06), ("so_tc", 0.05), ("so_nv", 0.05), ("so_khcn", 0.04),
                      ("bhxh", 0.05), ("cuc_thue", 0.04), ("kbnn", 0.03), ("trt", 0.04)]),
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
CATEGORY_CODES: list[str] = list(CATEGORY_MIX)
