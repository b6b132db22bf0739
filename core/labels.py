"""Every word shown to people, Vietnamese first and English second: one catalog for screens, PDF, XLSX and CLI.

Entries are ``(vi, en)`` pairs. ``text("key", lang)`` gives a screen text (``{name}`` fields filled from keyword
arguments; an unknown key raises ``KeyError`` so a typo fails in tests). Coded values from the data (channels,
statuses, violation types, unit types, alarm levels, CAP severities) have one dictionary each, code → pair; the
screen keys ``channel_<code>``, ``status_<code>``, ``vt_<code>``, ``alarm_<n>``, ``unit_type_<code>`` and
``rating_<code>`` are built from those dictionaries, so each word is written once. Which language a Streamlit
session shows is decided in ``dashboards.lang``; this module knows no UI.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from core import fmt
from core.settings import settings

LANGS = ("vi", "en")
Pair = tuple[str, str]


def pick(pair: Pair, lang: str = "vi") -> str:
    """The text of ``pair`` in ``lang`` (English only when asked for; anything else is Vietnamese)."""
    return pair[1] if lang == "en" else pair[0]


# --- coded values of the data → words -------------------------------------------------------------------------
CHANNELS: dict[str, Pair] = {
    "app": ("Ứng dụng Hue-S", "Hue-S app"),
    "hotline": ("Tổng đài 1900 1075", "Hotline 1900 1075"),
    "web": ("Cổng thông tin", "Web portal"),
    "open311": ("Open311", "Open311"),
    "zalo": ("Zalo", "Zalo"),
    "other": ("Khác", "Other"),
}

# Report statuses: the lake's codes ("pending" = not yet assigned to a unit) and the screens' derived "overdue".
REPORT_STATUS: dict[str, Pair] = {
    "invalid": ("Không hợp lệ", "Invalid"),
    "new": ("Mới", "New"),
    "pending": ("Chờ phân công", "Awaiting assignment"),
    "assigned": ("Đã giao", "Assigned"),
    "open": ("Đang xử lý", "In progress"),
    "in_progress": ("Đang xử lý", "In progress"),
    "resolved": ("Đã xử lý", "Resolved"),
    "cancelled": ("Đã hủy", "Cancelled"),
    "overdue": ("Quá hạn", "Overdue"),
}

RATINGS: dict[str, Pair] = {
    "hai_long": ("Hài lòng", "Satisfied"),
    "chap_nhan": ("Chấp nhận", "Accepted"),
    "khong_hai_long": ("Không hài lòng", "Not satisfied"),
}

VIOLATION_TYPES: dict[str, Pair] = {
    "illegal_parking": ("Đỗ xe trái phép", "Illegal parking"),
    "illegal_stopping": ("Dừng xe trái phép", "Illegal stopping"),
    "encroachment": ("Lấn chiếm vỉa hè", "Sidewalk encroachment"),
    "wrong_way": ("Đi ngược chiều", "Wrong way"),
    "red_light": ("Vượt đèn đỏ", "Red light"),
    "wrong_lane": ("Đi sai làn", "Wrong lane"),
    "congestion": ("Ùn tắc", "Congestion"),
    "speeding": ("Quá tốc độ", "Speeding"),
    "no_helmet": ("Không đội mũ bảo hiểm", "No helmet"),
}

UNIT_TYPES: dict[str, Pair] = {
    "state": ("Cơ quan nhà nước", "State agency"),
    "enterprise": ("Tổ chức, doanh nghiệp", "Organisation or enterprise"),
}
# Where a table column has little room.
UNIT_TYPES_SHORT: dict[str, Pair] = {"state": ("Nhà nước", "State"), "enterprise": ("Tổ chức, DN", "Enterprise")}

# River gauge alarm levels (báo động 1–3); 0 = below the first.
ALARM_LEVELS: dict[int, Pair] = {
    0: ("Dưới báo động 1", "Below alarm 1"),
    1: ("Báo động 1", "Alarm 1"),
    2: ("Báo động 2", "Alarm 2"),
    3: ("Báo động 3", "Alarm 3"),
}
NO_ALARM_LEVELS: Pair = ("Không có mức báo động", "No levels")

# CAP severities (the codes are the standard's English words).
SEVERITY: dict[str, Pair] = {
    "Extreme": ("Cực kỳ nghiêm trọng", "Extreme"),
    "Severe": ("Nghiêm trọng", "Severe"),
    "Moderate": ("Trung bình", "Moderate"),
    "Minor": ("Nhẹ", "Minor"),
    "Unknown": ("Chưa rõ", "Unknown"),
}

# Warnings issued or received by the IOC, and hotline calls.
DIRECTIONS: dict[str, Pair] = {
    "issued": ("IOC phát", "Issued by the IOC"),
    "received": ("Nhận về", "Received"),
    "in": ("Gọi đến", "Incoming"),
    "out": ("Gọi đi", "Outgoing"),
}

OVERDUE_KIND: dict[str, Pair] = {
    "open": ("Đang quá hạn", "open, past deadline"),
    "closed_late": ("Đóng sau hạn, không gia hạn", "closed late, no extension"),
}

# A table column holding codes → the dictionary that names them.
VALUE_LABELS: dict[str, dict[str, Pair]] = {
    "violation_type": VIOLATION_TYPES,
    "direction": DIRECTIONS,
    "status": REPORT_STATUS,
    "severity": SEVERITY,
    "overdue_kind": OVERDUE_KIND,
    "unit_type": UNIT_TYPES,
    "channel": CHANNELS,
}


def value_label(column: str, code: str, lang: str = "vi") -> str:
    """Words for a coded value of ``column`` (the code itself when the catalog does not know it)."""
    pair = VALUE_LABELS.get(column, {}).get(code)
    return pick(pair, lang) if pair else code


# --- screen texts -------------------------------------------------------------------------------------------
_SCREEN: dict[str, Pair] = {
    # shell
    "app_title": ("Trung tâm Giám sát, Điều hành Đô thị thông minh Huế", "Huế Intelligent Operations Center"),
    "app_short": ("IOC Huế", "Huế IOC"),
    "page_overview": ("Tổng quan", "Overview"),
    "page_units": ("Hiệu quả đơn vị", "Unit performance"),
    "page_reports": ("Phản ánh hiện trường", "Citizen reports"),
    "page_violations": ("Vi phạm", "Violations"),
    "page_floods": ("Thiên tai & ngập lụt", "Disasters & floods"),
    "page_wall": ("Màn hình lớn", "Wall"),
    "language": ("Ngôn ngữ", "Language"),
    "lang_vi": ("Tiếng Việt", "Tiếng Việt"),
    "lang_en": ("English", "English"),
    "period": ("Thời gian", "Period"),
    "preset_month": ("Theo tháng", "By month"),
    "preset_quarter": ("Theo quý", "By quarter"),
    "preset_year": ("Theo năm", "By year"),
    "pick_month": ("Tháng", "Month"),
    "pick_quarter": ("Quý", "Quarter"),
    "pick_year": ("Năm", "Year"),
    "preset_7": ("7 ngày gần nhất", "Last 7 days"),
    "preset_30": ("30 ngày gần nhất", "Last 30 days"),
    "preset_90": ("90 ngày gần nhất", "Last 90 days"),
    "preset_365": ("12 tháng gần nhất", "Last 12 months"),
    "preset_all": ("Toàn bộ dữ liệu", "All data"),
    "preset_custom": ("Tùy chọn", "Custom"),
    "date_range": ("Từ ngày – đến ngày", "From – to"),
    "area": ("Địa bàn (xã, phường)", "Area (commune, ward)"),
    "all": ("Tất cả", "All"),
    "area_all": ("Tất cả địa bàn", "All areas"),
    "period_caption": ("Từ {start} đến {end}", "From {start} to {end}"),
    "data_as_of": ("Dữ liệu đến {at}", "Data up to {at}"),
    "role": ("Vai trò", "Role"),
    "role_wall": ("Màn hình lớn", "Wall"),
    "role_leader": ("Lãnh đạo", "Leader"),
    "role_operator": ("Điều hành viên", "Operator"),
    "login_prompt": ("Đăng nhập để xem bảng điều khiển.", "Log in to see the dashboards."),
    "login": ("Đăng nhập", "Log in"),
    "logout": ("Đăng xuất", "Log out"),
    "no_data": ("Chưa có dữ liệu cho lựa chọn này.", "No data for this selection yet."),
    "no_data_yet": ("Chưa có dữ liệu: {what} chưa được nạp vào kho dữ liệu.",
                    "No data yet: {what} has not been loaded into the lake."),
    "simulated_note": ("Dữ liệu mô phỏng (source = simulated).", "Simulated data (source = simulated)."),
    # KPIs
    "kpi_received": ("Tiếp nhận", "Received"),
    "kpi_processed": ("Đã xử lý", "Processed"),
    "kpi_on_time": ("Đúng hạn", "On time"),
    "kpi_late_ext": ("Trễ hạn có gia hạn", "Late with extension"),
    "kpi_satisfaction": ("Hài lòng", "Satisfaction"),
    "kpi_open_overdue": ("Quá hạn chưa xử lý", "Open overdue"),
    "seed_facts_title": ("Ứng dụng Hue-S và kết quả", "The Hue-S app and its results"),
    "seed_facts_caption": ("Lượt cài đặt tính từ khi ra mắt; các số liệu khác trong kỳ đã chọn. Dữ liệu mô phỏng.",
                           "Installs since launch; the other figures for the selected period. Simulated data."),
    "app_installs": ("Lượt cài đặt ứng dụng", "App installs"),
    "app_visits": ("Lượt truy cập trong kỳ", "Visits in the period"),
    "env_reports": ("Phản ánh môi trường", "Environment reports"),
    "env_fines": ("Đã xử phạt {n} trường hợp, {amount}", "{n} fined, {amount}"),
    "tracing_cases": ("Hỗ trợ công an truy vết", "Police tracing helped"),
    "tracing_help": ("{n} yêu cầu, có hình ảnh camera cho {found}", "{n} requests, camera footage for {found}"),
    "processing_time_title": ("Thời gian xử lý (trung vị)", "Processing time (median)"),
    "processing_time_cut": ("Giảm {cut} so với 3 tháng đầu ({first} → {recent})",
                            "{cut} less than the first 3 months ({first} → {recent})"),
    "hours_short": ("{h} giờ", "{h} h"),
    "kpi_invalid": ("Không hợp lệ", "Invalid"),
    "kpi_units": ("Đơn vị xử lý", "Handling units"),
    "of_received": ("{rate} số tiếp nhận", "{rate} of received"),
    "of_processed": ("{rate} số đã xử lý", "{rate} of processed"),
    "of_rated": ("{n} lượt đánh giá", "{n} ratings"),
    "vs_previous": ("So với kỳ trước ({start} – {end})", "Against the previous period ({start} – {end})"),
    # overview
    "trend": ("Xu hướng theo ngày", "Daily trend"),
    "by_category": ("Theo lĩnh vực", "By category"),
    "by_channel": ("Theo kênh tiếp nhận", "By channel"),
    "ticker_reports": ("Phản ánh mới nhất", "Newest reports"),
    "ticker_warnings": ("Cảnh báo mới nhất", "Newest warnings"),
    "intake_title": ("Tiếp nhận Open311 từ hệ thống khác", "Open311 intake from other systems"),
    "intake_caption": ("Yêu cầu chưa ánh xạ được giữ lại (không bị loại) cho đến khi loại dịch vụ và cơ quan được "
                       "ánh xạ; bảng dưới cho biết cần ánh xạ gì tiếp theo.",
                       "Unmapped requests are kept (not rejected) until their service and agency are mapped; "
                       "the table below shows what to map next."),
    "intake_mapped": ("Đã ánh xạ", "Mapped"),
    "intake_unmapped": ("Chưa ánh xạ", "Unmapped"),
    "intake_rejected": ("Bị loại", "Rejected"),
    "intake_outside": ("Ngoài địa bàn Huế", "Outside Huế"),
    "col_jurisdiction": ("Hệ thống nguồn", "Source system"),
    "col_service": ("Loại dịch vụ", "Service"),
    "col_agency": ("Cơ quan", "Agency"),
    "col_requests": ("Số yêu cầu", "Requests"),
    "series_received": ("Tiếp nhận", "Received"),
    "series_processed": ("Đã xử lý", "Processed"),
    "series_on_time": ("Đúng hạn", "On time"),
    "count": ("Số lượng", "Count"),
    "day": ("Ngày", "Day"),
    # columns
    "col_time": ("Thời gian", "Time"),
    "col_report": ("Mã phản ánh", "Report"),
    "col_title": ("Nội dung", "Subject"),
    "col_category": ("Lĩnh vực", "Category"),
    "col_channel": ("Kênh", "Channel"),
    "col_area": ("Địa bàn", "Area"),
    "col_status": ("Trạng thái", "Status"),
    "col_unit": ("Đơn vị", "Unit"),
    "col_deadline": ("Hạn xử lý", "Deadline"),
    "col_resolved": ("Thời điểm xử lý", "Resolved at"),
    "col_rating": ("Đánh giá", "Rating"),
    "col_reporter": ("Người phản ánh", "Reporter"),
    "col_phone": ("Số điện thoại", "Phone"),
    "col_rank": ("Hạng", "Rank"),
    "col_type": ("Loại", "Type"),
    "col_score": ("Điểm", "Score"),
    "col_score_on_time": ("Điểm đúng hạn", "On-time points"),
    "col_score_satisfaction": ("Điểm hài lòng", "Satisfaction points"),
    "col_score_processed": ("Điểm xử lý", "Processed points"),
    "col_score_speed": ("Điểm tốc độ", "Speed points"),
    "col_received": ("Tiếp nhận", "Received"),
    "col_processed": ("Đã xử lý", "Processed"),
    "col_on_time": ("Đúng hạn", "On time"),
    "col_late_ext": ("Trễ hạn có gia hạn", "Late w/ extension"),
    "col_overdue": ("Quá hạn", "Overdue"),
    "col_open": ("Đang xử lý", "Open"),
    "col_open_overdue": ("Quá hạn chưa xử lý", "Open overdue"),
    "col_processed_rate": ("Tỷ lệ xử lý", "Processed rate"),
    "col_on_time_rate": ("Tỷ lệ đúng hạn", "On-time rate"),
    "col_satisfaction_rate": ("Tỷ lệ hài lòng", "Satisfaction rate"),
    "col_median_hours": ("Trung vị giờ xử lý", "Median hours to resolve"),
    "col_transfers_in": ("Chuyển đến", "Transfers in"),
    "col_transfers_out": ("Chuyển đi", "Transfers out"),
    "col_month": ("Tháng", "Month"),
    "col_from_unit": ("Từ đơn vị", "From unit"),
    "col_to_unit": ("Đến đơn vị", "To unit"),
    "col_transfers": ("Số lần chuyển", "Transfers"),
    "col_sender": ("Nguồn", "Sender"),
    "col_headline": ("Tiêu đề", "Headline"),
    "col_severity": ("Mức độ", "Severity"),
    "col_event": ("Sự kiện", "Event"),
    "col_camera": ("Camera", "Camera"),
    "col_violation": ("Loại vi phạm", "Violation"),
    "col_plate": ("Biển số", "Plate"),
    "col_confidence": ("Độ tin cậy", "Confidence"),
    "col_hour": ("Giờ", "Hour"),
    "col_station": ("Trạm", "Station"),
    "col_river": ("Sông", "River"),
    "col_level": ("Mực nước (m)", "Water level (m)"),
    "col_alarm": ("Báo động", "Alarm"),
    "col_diff": ("So với báo động", "Against alarm"),
    "col_vehicles": ("Số phương tiện", "Vehicles"),
    "col_class": ("Loại phương tiện", "Vehicle class"),
    "col_description": ("Mô tả", "Description"),
    "col_people": ("Số người", "People"),
    # units page
    "unit_type": ("Loại đơn vị", "Unit type"),
    "ranking": ("Xếp hạng đơn vị theo điểm", "Units ranked by score"),
    "score_help": ("Điểm = tổng các thành phần bên cạnh (trọng số theo cấu hình); tháng được gộp theo "
                   "số phản ánh tiếp nhận.",
                   "Score = sum of the parts beside it (configured weights); months are combined "
                   "weighted by reports received."),
    "export_csv": ("Tải CSV", "Download CSV"),
    "export_xlsx": ("Tải Excel", "Download Excel"),
    "drill_unit": ("Chi tiết đơn vị", "Unit detail"),
    "choose_unit": ("Chọn đơn vị", "Choose a unit"),
    "unit_trend": ("Diễn biến theo tháng", "Monthly trend"),
    "unit_categories": ("Lĩnh vực được giao", "Categories handled"),
    "unit_open": ("Phản ánh đang xử lý và quá hạn", "Open and overdue reports"),
    "transfers_in": ("Chuyển đến đơn vị", "Transferred to this unit"),
    "transfers_out": ("Đơn vị chuyển đi", "Transferred away by this unit"),
    "n_units": ("{n} đơn vị", "{n} units"),
    "units_idle": ("{n} đơn vị không có phản ánh trong kỳ (không xếp hạng, cuối bảng)",
                   "{n} units without reports in the period (unranked, at the end)"),
    # reports map
    "map_reports": ("Bản đồ phản ánh", "Reports map"),
    "status_filter": ("Trạng thái", "Status"),
    "channel_filter": ("Kênh tiếp nhận", "Channel"),
    "category_filter": ("Lĩnh vực", "Category"),
    "overdue_only": ("Chỉ phản ánh quá hạn", "Overdue only"),
    "show_density": ("Mật độ (lục giác)", "Density (hexagons)"),
    "show_points": ("Điểm phản ánh", "Report points"),
    "show_boundaries": ("Ranh giới xã, phường", "Commune boundaries"),
    "selected_reports": ("Phản ánh được chọn", "Selected reports"),
    "selected_hint": ("Chọn điểm trên bản đồ để lọc bảng; chưa chọn thì hiện {n} phản ánh mới nhất.",
                      "Select points on the map to filter the table; otherwise the {n} newest are shown."),
    "n_reports": ("{n} phản ánh", "{n} reports"),
    "points_capped": ("Bản đồ hiện {shown} trên {total} điểm (mới nhất).",
                      "The map shows {shown} of {total} points (newest)."),
    "legend": ("Chú giải", "Legend"),
    # what an empty state says is missing: words, never a table name
    "data_violations": ("dữ liệu vi phạm từ camera", "camera violation data"),
    "data_cameras": ("danh sách camera có tọa độ", "the list of cameras with positions"),
    "data_traffic": ("dữ liệu lưu lượng giao thông", "traffic count data"),
    "data_reports": ("dữ liệu phản ánh hiện trường", "citizen report data"),
    "data_gauges": ("dữ liệu mực nước các trạm thủy văn", "river gauge readings"),
    "reports_unlocated": ("Thêm {n} phản ánh không có tọa độ nên không hiện trên bản đồ (vẫn được tính trong "
                          "các chỉ tiêu).", "{n} more reports have no coordinates and are not on the map "
                          "(they still count in every figure)."),
    # violations
    "viol_total": ("Vi phạm ghi nhận", "Violations recorded"),
    "viol_fines": ("Tiền phạt (VNĐ)", "Fines (VND)"),
    "viol_cameras": ("Camera hoạt động", "Active cameras"),
    "viol_to_review": ("Chờ duyệt", "Awaiting review"),
    "viol_by_type": ("Theo loại vi phạm", "By violation type"),
    "viol_by_camera": ("Theo camera", "By camera"),
    "viol_by_hour": ("Theo giờ trong ngày", "By hour of day"),
    "viol_by_day": ("Theo ngày", "By day"),
    "camera_map": ("Bản đồ camera", "Camera map"),
    "review_queue": ("Hàng đợi duyệt vi phạm", "Review queue"),
    "evidence": ("Ảnh bằng chứng", "Evidence"),
    "traffic_flow": ("Lưu lượng giao thông theo camera", "Traffic flow per camera"),
    "plate_masked_note": ("Biển số đầy đủ chỉ hiển thị cho điều hành viên.",
                          "Full plate numbers are shown to operators only."),
    "no_evidence": ("Không có ảnh", "No image"),
    "review_empty": ("Không có vi phạm nào chờ duyệt.", "No violation awaits review."),
    # review (operators)
    "page_review": ("Duyệt vi phạm", "Review"),
    "review_operator_only": ("Chỉ điều hành viên được duyệt vi phạm. Trang này chỉ để xem.",
                             "Only operators review violations. This page is read-only for you."),
    "review_help": ("Vi phạm chờ duyệt, mới nhất trước, không phụ thuộc kỳ đã chọn. Phím tắt cho vi phạm đầu "
                    "tiên: A xác nhận, D loại bỏ (với lý do đã chọn), S lưu sửa biển số/loại.",
                    "Pending violations, newest first, whatever the period. Shortcuts on the first one: "
                    "A confirm (accept), D dismiss (with the reason chosen), S save the plate/type correction."),
    "review_showing": ("Hiển thị {shown} trên {total} vi phạm chờ duyệt.", "Showing {shown} of {total} pending."),
    "review_confirm": ("Xác nhận", "Confirm"),
    "review_dismiss": ("Loại bỏ", "Dismiss"),
    "review_correct": ("Lưu sửa", "Save correction"),
    "review_reason": ("Lý do loại bỏ", "Reason for dismissal"),
    "review_note": ("Ghi chú", "Note"),
    "review_plate": ("Biển số", "Plate"),
    "review_type": ("Loại vi phạm", "Violation type"),
    "review_zone": ("Vùng/vạch", "Zone/line"),
    "review_rule": ("Quy tắc", "Rule"),
    "review_done": ("Đã ghi quyết định: {decision} — {event}.", "Decision recorded: {decision} — {event}."),
    "review_failed": ("Không ghi được quyết định: {error}", "The decision was not recorded: {error}"),
    "review_precision": ("Độ chính xác của camera theo kết quả duyệt",
                         "Camera precision from review outcomes"),
    "review_precision_note": ("Độ chính xác = xác nhận / (xác nhận + loại bỏ); trống khi chưa có quyết định.",
                              "Precision = confirmed / (confirmed + dismissed); empty before any decision."),
    "review_history": ("Quyết định gần đây", "Recent decisions"),
    "rule_dwell": ("dừng/đỗ quá thời gian", "dwell"),
    "rule_encroachment": ("lấn chiếm vùng cấm", "encroachment"),
    "rule_congestion": ("ùn tắc", "congestion"),
    "rule_wrong_way": ("đi ngược chiều", "wrong way"),
    "rule_stop_line": ("vượt vạch dừng", "stop line"),
    "decision_confirmed": ("xác nhận", "confirmed"),
    "decision_dismissed": ("loại bỏ", "dismissed"),
    "decision_corrected": ("sửa", "corrected"),
    "decision_pending": ("chờ duyệt", "pending"),
    "dismiss_false_detection": ("Phát hiện sai", "False detection"),
    "dismiss_wrong_vehicle": ("Nhầm phương tiện", "Wrong vehicle"),
    "dismiss_authorised": ("Xe được phép (ưu tiên, công vụ)", "Authorised vehicle (priority, official)"),
    "dismiss_duplicate": ("Trùng lặp", "Duplicate"),
    "dismiss_other": ("Lý do khác (ghi chú)", "Other (see note)"),
    "col_confirmed": ("Xác nhận", "Confirmed"),
    "col_dismissed": ("Loại bỏ", "Dismissed"),
    "col_pending": ("Chờ duyệt", "Pending"),
    "col_precision": ("Độ chính xác", "Precision"),
    "col_reviewer": ("Người duyệt", "Reviewer"),
    "col_decision": ("Quyết định", "Decision"),
    "col_before": ("Trước", "Before"),
    "col_after": ("Sau", "After"),
    # floods
    "flood_map": ("Bản đồ ngập lụt", "Flood map"),
    "replay_time": ("Thời điểm (xem lại diễn biến)", "Moment (replay the event)"),
    "gauges": ("Trạm đo mực nước", "Water-level gauges"),
    "hydrograph": ("Mực nước theo thời gian", "Hydrograph"),
    "warning_areas": ("Vùng cảnh báo", "Warning areas"),
    "sos_points": ("Yêu cầu cứu hộ (SOS)", "SOS requests"),
    "flood_reports": ("Phản ánh ngập lụt", "Flood reports"),
    "above_alarm": ("trên báo động {level} {diff} m", "{diff} m above alarm {level}"),
    "below_alarm": ("dưới báo động {level} {diff} m", "{diff} m below alarm {level}"),
    "stations_at": ("Mực nước lúc {at}", "Water levels at {at}"),
    "choose_station": ("Chọn trạm", "Choose a station"),
    "flood_live": ("Trực tiếp (theo số đo mới nhất)", "Live (follow the newest readings)"),
    "flood_live_help": ("Trang tự cập nhật khi có số đo mới; tắt để xem lại diễn biến.",
                        "The page follows new readings by itself; switch off to replay the event."),
    # warning drafts: a gauge crossing or a CAP alert for Huế drafts the IOC's warning; an operator decides
    "drafts_title": ("Cảnh báo chờ duyệt", "Warnings awaiting approval"),
    "drafts_empty": ("Không có bản nháp cảnh báo nào chờ duyệt.", "No warning draft awaits approval."),
    "drafts_operator_only": ("Chỉ điều hành viên được duyệt cảnh báo. Phần này chỉ để xem.",
                             "Only operators approve warnings. This section is read-only."),
    "drafts_help": ("Cảnh báo do vượt mức báo động hoặc nhận CAP cho Huế chỉ được phát sau khi điều hành viên "
                    "duyệt. Sửa nội dung, rồi Duyệt và phát hoặc Hủy (kèm lý do).",
                    "Warnings drafted from a gauge crossing or a CAP alert for Huế are issued only once an operator "
                    "approves them. Edit the texts, then Approve and issue, or Discard (with a reason)."),
    "draft_kind_flood": ("Vượt mức báo động", "Gauge crossing"),
    "draft_kind_relay": ("Chuyển tiếp CAP", "CAP relay"),
    "draft_headline_vi": ("Tiêu đề (tiếng Việt)", "Headline (Vietnamese)"),
    "draft_description_vi": ("Nội dung (tiếng Việt)", "Description (Vietnamese)"),
    "draft_instruction_vi": ("Hướng dẫn (tiếng Việt)", "Instruction (Vietnamese)"),
    "draft_headline_en": ("Tiêu đề (tiếng Anh)", "Headline (English)"),
    "draft_description_en": ("Nội dung (tiếng Anh)", "Description (English)"),
    "draft_instruction_en": ("Hướng dẫn (tiếng Anh)", "Instruction (English)"),
    "draft_approve": ("Duyệt và phát", "Approve and issue"),
    "draft_discard": ("Hủy bản nháp", "Discard"),
    "draft_save": ("Lưu sửa", "Save edits"),
    "draft_reason": ("Lý do hủy", "Reason for discarding"),
    "draft_done": ("Đã ghi quyết định: {decision} — {headline}", "Decision recorded: {decision} — {headline}"),
    "draft_failed": ("Không ghi được quyết định: {error}", "Decision not recorded: {error}"),
    "draft_decision_edited": ("sửa", "edited"),
    "draft_decision_approved": ("duyệt", "approved"),
    "draft_decision_discarded": ("hủy", "discarded"),
    "drafts_recent": ("Quyết định gần đây", "Recent decisions"),
    # wall
    "wall_pages": ("Trang luân phiên", "Rotating pages"),
    "wall_every": ("Đổi trang sau (giây)", "Switch page every (seconds)"),
    "wall_updated": ("Cập nhật {at}", "Updated {at}"),
    # freshness of the data, per source, on every page and the wall
    "fresh_camera": ("Camera", "Camera"),
    "fresh_gauge": ("Trạm mực nước", "Gauges"),
    "fresh_reports": ("Phản ánh", "Reports"),
    "fresh_warnings": ("Cảnh báo CAP", "CAP warnings"),
    "fresh_ago": ("{source}: {age} trước", "{source}: {age} ago"),
    "fresh_none": ("{source}: chưa có dữ liệu", "{source}: no data yet"),
    "fresh_failed": ("{source}: lần chạy {job} bị lỗi", "{source}: run {job} failed"),
    "age_seconds": ("{n} giây", "{n} s"),
    "age_minutes": ("{n} phút", "{n} min"),
    "age_hours": ("{n} giờ", "{n} h"),
    "age_days": ("{n} ngày", "{n} days"),
    "fresh_state_green": ("mới", "fresh"),
    "fresh_state_amber": ("chậm", "late"),
    "fresh_state_red": ("quá cũ", "stale"),
    "fresh_state_none": ("chưa có", "none"),
    "fresh_state_failed": ("lần chạy lỗi", "run failed"),
    # wall: alarm banner and the ticker of newest events
    "banner_gauge": ("BÁO ĐỘNG {level}: trạm {station} {level_m} m", "ALARM {level}: {station} gauge at {level_m} m"),
    "banner_cap": ("Cảnh báo đang hiệu lực: {headline}", "Warning in force: {headline}"),
    "ticker_events": ("Sự kiện mới nhất", "Newest events"),
    "ev_violation": ("Vi phạm", "Violation"),
    "ev_reading": ("Mực nước", "Water level"),
    "ev_report": ("Phản ánh", "Report"),
    "col_detail": ("Chi tiết", "Detail"),
}


def _prefixed(prefix: str, codes: dict[Any, Pair]) -> dict[str, Pair]:
    return {f"{prefix}{code}": pair for code, pair in codes.items()}


TEXT: dict[str, Pair] = {
    **_SCREEN,
    **_prefixed("channel_", CHANNELS),
    **_prefixed("status_", REPORT_STATUS),
    **_prefixed("rating_", RATINGS),
    **_prefixed("vt_", VIOLATION_TYPES),
    **_prefixed("alarm_", ALARM_LEVELS),
    **_prefixed("unit_type_", UNIT_TYPES),
    **_prefixed("severity_", SEVERITY),
    **_prefixed("direction_", DIRECTIONS),
}


def text(key: str, lang: str = "vi", **fields: Any) -> str:
    """Screen text ``key`` in ``lang``; ``{name}`` fields filled from ``fields``. Unknown key → KeyError."""
    out = pick(TEXT[key], lang)
    return out.format(**fields) if fields else out


def text_or(key: str, fallback: str, lang: str = "vi") -> str:
    """The catalog text of ``key`` when it exists (codes from data: channels, statuses), else ``fallback``."""
    return text(key, lang) if key in TEXT else fallback


# --- publications: KPI names, columns, definitions ----------------------------------------------------------
class Kpi(NamedTuple):
    key: str
    vi: str
    en: str
    kind: str  # count | rate
    better: str  # up | down | neutral: which direction of change is good news


KPIS: tuple[Kpi, ...] = (
    Kpi("received", "Phản ánh hợp lệ tiếp nhận", "Valid reports received", "count", "neutral"),
    Kpi("invalid", "Phản ánh không hợp lệ", "Invalid reports", "count", "neutral"),
    Kpi("processed", "Đã xử lý", "Processed", "count", "neutral"),
    Kpi("processed_rate", "Tỷ lệ đã xử lý", "Processed rate", "rate", "up"),
    Kpi("on_time", "Xử lý đúng hạn", "Processed on time", "count", "neutral"),
    Kpi("on_time_rate", "Tỷ lệ đúng hạn", "On-time rate", "rate", "up"),
    Kpi("late_with_extension", "Trễ hạn có lý do (đã gia hạn)", "Late with a granted extension", "count", "neutral"),
    Kpi("late_with_extension_rate", "Tỷ lệ trễ hạn có gia hạn", "Late-with-extension rate", "rate", "down"),
    Kpi("overdue", "Quá hạn", "Overdue", "count", "down"),
    Kpi("open_overdue", "Đang tồn quá hạn", "Open and overdue", "count", "down"),
    Kpi("strict_on_time_rate", "Tỷ lệ đúng hạn nghiêm ngặt", "Strict on-time rate", "rate", "up"),
    Kpi("rated", "Lượt đánh giá", "Ratings given", "count", "neutral"),
    Kpi("satisfied", "Hài lòng hoặc chấp nhận", "Satisfied or accepted", "count", "neutral"),
    Kpi("satisfaction_rate", "Tỷ lệ hài lòng", "Satisfaction rate", "rate", "up"),
    Kpi("participation_rate", "Tỷ lệ người dân đánh giá", "Rating participation", "rate", "up"),
    Kpi("units", "Đơn vị xử lý tham gia", "Handling units in the network", "count", "neutral"),
)
KPI_BY_KEY = {k.key: k for k in KPIS}
CARD_KEYS = ("received", "processed_rate", "on_time_rate", "late_with_extension_rate",
             "strict_on_time_rate", "satisfaction_rate", "overdue", "open_overdue")

# Shorter names where a KPI card has little room.
CARD_LABELS: dict[str, Pair] = {
    "received": ("Tiếp nhận (hợp lệ)", "Valid reports received"),
    "late_with_extension_rate": ("Trễ hạn có gia hạn", "Late-with-extension rate"),
    "strict_on_time_rate": ("Đúng hạn nghiêm ngặt", "Strict on-time rate"),
}

# Column labels of every table a publication shows (PDF headers and XLSX headers).
COLUMNS: dict[str, Pair] = {
    "rank": ("Hạng", "Rank"),
    "unit_id": ("Mã đơn vị", "Unit id"),
    "unit_name": ("Đơn vị", "Unit"),
    "unit_type": ("Loại đơn vị", "Unit type"),
    "score": ("Điểm", "Score"),
    "score_on_time": ("Điểm đúng hạn", "On-time pts"),
    "score_satisfaction": ("Điểm hài lòng", "Satisf. pts"),
    "score_processed": ("Điểm xử lý", "Processed pts"),
    "score_speed": ("Điểm tốc độ", "Speed pts"),
    "received": ("Tiếp nhận", "Received"),
    "invalid": ("Không hợp lệ", "Invalid"),
    "processed": ("Đã xử lý", "Processed"),
    "on_time": ("Đúng hạn", "On time"),
    "late_with_extension": ("Trễ có gia hạn", "Late, extended"),
    "overdue": ("Quá hạn", "Overdue"),
    "open_overdue": ("Tồn quá hạn", "Open overdue"),
    "open": ("Đang xử lý", "Open"),
    "rated": ("Đánh giá", "Rated"),
    "satisfied": ("Hài lòng", "Satisfied"),
    "transfers_in": ("Chuyển đến", "Transfers in"),
    "transfers_out": ("Chuyển đi", "Transfers out"),
    "processed_rate": ("Tỷ lệ xử lý", "Processed rate"),
    "on_time_rate": ("Tỷ lệ đúng hạn", "On-time rate"),
    "late_with_extension_rate": ("Tỷ lệ trễ có gia hạn", "Late-extended rate"),
    "strict_on_time_rate": ("Đúng hạn nghiêm ngặt", "Strict on-time"),
    "satisfaction_rate": ("Tỷ lệ hài lòng", "Satisfaction"),
    "participation_rate": ("Tỷ lệ đánh giá", "Participation"),
    "median_hours_to_resolve": ("Trung vị giờ xử lý", "Median hours to resolve"),
    "p90_hours_to_resolve": ("P90 giờ xử lý", "P90 hours to resolve"),
    "median_hours_to_assign": ("Trung vị giờ giao việc", "Median hours to assign"),
    "as_of": ("Tính đến", "As of"),
    "period": ("Kỳ", "Period"),
    "ranked_units": ("Số đơn vị xếp hạng", "Units ranked"),
    "month": ("Tháng", "Month"),
    "category_code": ("Mã lĩnh vực", "Category code"),
    "name_vi": ("Lĩnh vực", "Category (vi)"),
    "name_en": ("Lĩnh vực (tiếng Anh)", "Category (en)"),
    "process_type": ("Loại xử lý", "Process type"),
    "category_vi": ("Lĩnh vực", "Category"),
    "category_en": ("Lĩnh vực (tiếng Anh)", "Category (en)"),
    "report_id": ("Mã phản ánh", "Report id"),
    "title": ("Tiêu đề", "Title"),
    "received_at": ("Tiếp nhận lúc", "Received at"),
    "deadline_at": ("Hạn xử lý", "Deadline"),
    "extended_deadline_at": ("Hạn gia hạn", "Extended deadline"),
    "resolved_at": ("Xử lý xong lúc", "Resolved at"),
    "status": ("Trạng thái", "Status"),
    "overdue_kind": ("Loại quá hạn", "Overdue kind"),
    "days_overdue": ("Số ngày quá hạn", "Days overdue"),
    "units": ("Số đơn vị", "Units"),
    "table": ("Bảng dữ liệu", "Lake table"),
    "version": ("Phiên bản", "Version"),
    "direction": ("Chiều", "Direction"),
    "event": ("Sự kiện", "Event"),
    "severity": ("Mức độ", "Severity"),
    "warnings": ("Số cảnh báo", "Warnings"),
    "cancelled": ("Đã hủy", "Cancelled"),
    "station_code": ("Mã trạm", "Station"),
    "name": ("Tên", "Name"),
    "readings": ("Số lần đo", "Readings"),
    "peak_level_m": ("Mực nước cao nhất (m)", "Peak level (m)"),
    "peak_at": ("Thời điểm đỉnh", "Peak at"),
    "max_alarm_level": ("Báo động cao nhất", "Highest alarm level"),
    "bulletin_vi": ("Bản tin", "Bulletin"),
    "requests": ("Số yêu cầu", "Requests"),
    "people": ("Số người", "People"),
    "calls": ("Số cuộc gọi", "Calls"),
    "violation_type": ("Loại vi phạm", "Violation type"),
    "detected": ("Phát hiện", "Detected"),
    "confirmed": ("Đã xác nhận", "Confirmed"),
    "dismissed": ("Đã loại", "Dismissed"),
    "pending": ("Chờ duyệt", "Pending"),
    "plates_read": ("Đọc được biển số", "Plates read"),
    "fines_vnd": ("Tiền phạt (đồng)", "Fines (VND)"),
    "cameras": ("Số camera", "Cameras"),
    "seconds": ("Tổng thời lượng (giây)", "Total seconds"),
}

def column_label(col: str) -> Pair:
    return COLUMNS.get(col, (col, col))


def definitions() -> list[dict[str, str]]:
    """How each figure is computed (kept in step with core/kpis.py)."""
    w = settings().score_weights
    total = sum(w.values()) or 1.0

    def share(k: str, lang: str = "vi") -> str:
        return fmt.pct(w.get(k, 0.0) / total, 0, lang)

    return [
        {"name_vi": "Phản ánh tiếp nhận", "name_en": "Received",
         "vi": "Số phản ánh hợp lệ theo thời điểm tiếp nhận (giờ Việt Nam); phản ánh không hợp lệ (spam, trùng, "
               "ngoài phạm vi, nội dung kích động…) được đếm riêng.",
         "en": "Valid reports counted by the time they were received (Vietnam time); invalid ones are counted apart."},
        {"name_vi": "Tỷ lệ đã xử lý", "name_en": "Processed rate",
         "vi": "Số phản ánh đã xử lý xong ÷ số phản ánh hợp lệ tiếp nhận trong kỳ.",
         "en": "Resolved ÷ valid reports received in the period."},
        {"name_vi": "Tỷ lệ đúng hạn", "name_en": "On-time rate",
         "vi": "Số phản ánh xử lý xong trước hạn ban đầu ÷ số đã xử lý. Gia hạn không dời hạn ban đầu; "
               "cờ đúng hạn được chốt khi phản ánh đóng, sửa hạn về sau không viết lại lịch sử.",
         "en": "Resolved by the original deadline ÷ processed. Extensions do not move the original deadline; "
               "the flag is frozen when the report closes."},
        {"name_vi": "Trễ hạn có lý do (đã gia hạn)", "name_en": "Late with a granted extension",
         "vi": "Xử lý xong sau hạn ban đầu, có gia hạn được chấp thuận trước hạn đó; tỷ lệ tính trên số đã xử lý.",
         "en": "Resolved after the original deadline with an extension granted before it; rate over processed."},
        {"name_vi": "Quá hạn", "name_en": "Overdue",
         "vi": "Quá hạn mà không có gia hạn được chấp thuận: đã đóng sau hạn, hoặc còn mở khi đã quá hạn "
               "(phản ánh còn mở có gia hạn thì tính theo hạn gia hạn).",
         "en": "Past the deadline without a granted extension: closed late, or still open past it (an open report "
               "with an extension is judged against the extended deadline)."},
        {"name_vi": "Tỷ lệ đúng hạn nghiêm ngặt", "name_en": "Strict on-time rate",
         "vi": "Đúng hạn ÷ (đã xử lý + đang tồn quá hạn): không che giấu phản ánh tồn đọng.",
         "en": "On time ÷ (processed + open overdue): it hides no open backlog."},
        {"name_vi": "Tỷ lệ hài lòng", "name_en": "Satisfaction rate",
         "vi": "(Hài lòng + Chấp nhận) ÷ số lượt đánh giá.",
         "en": "(Satisfied + accepted) ÷ ratings given."},
        {"name_vi": "Tỷ lệ người dân đánh giá", "name_en": "Rating participation",
         "vi": "Số phản ánh được người dân đánh giá ÷ số phản ánh đã xử lý.",
         "en": "Rated ÷ processed."},
        {"name_vi": "Điểm đơn vị", "name_en": "Unit score",
         "vi": f"Chỉ số 0–100 gồm các phần cộng lại: đúng hạn nghiêm ngặt ({share('on_time')}), hài lòng "
               f"({share('satisfaction')}), tỷ lệ xử lý ({share('processed')}), tốc độ ({share('speed')}: bằng 1 "
               "khi trung vị thời gian xử lý ≤ 48 giờ, giảm tỷ lệ nghịch khi chậm hơn). Thiếu một phần (ví dụ "
               "chưa có đánh giá) thì các trọng số còn lại được chuẩn hóa. Để đơn vị ít phản ánh không đứng đầu "
               "nhờ may mắn, mỗi phần được tính như thể đơn vị có thêm 10 phản ánh ở mức trung bình toàn thành phố "
               "trong tháng; tỷ lệ gốc vẫn được công bố bên cạnh. Với báo cáo quý: điểm và các phần là "
               "trung bình các tháng có trọng số theo số phản ánh tiếp nhận.",
         "en": f"A 0–100 index whose parts add up: strict on-time ({share('on_time', 'en')}), satisfaction "
               f"({share('satisfaction', 'en')}), processed rate ({share('processed', 'en')}), speed ({share('speed', 'en')}: 1 when "
               "the median time to resolve is within 48 hours, inversely smaller beyond). A missing part drops out "
               "and the other weights are renormalised. So that a unit with few reports cannot top the ranking on "
               "luck, each part is computed as if the unit had 10 more reports at the city's rate for the month; "
               "the raw rates are published beside it. Quarterly reports: received-weighted mean of the months."},
        {"name_vi": "So sánh", "name_en": "Comparisons",
         "vi": "Thay đổi của tỷ lệ tính bằng điểm phần trăm; thay đổi của số lượng tính bằng phần trăm so với kỳ "
               "trước và cùng kỳ năm trước. Dấu “—” nghĩa là không có mẫu số (không có dữ liệu).",
         "en": "Rate changes are in percentage points; count changes in per cent of the previous period and of the "
               "same period last year. “—” means there is nothing to divide by (no data)."},
    ]
