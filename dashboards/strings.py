"""Every string shown on the dashboards, Vietnamese first, English second.

``t("key")`` returns the text in the session's language (``st.session_state["lang"]``, default the
configured ``language``); ``t("key", n=3)`` fills ``{n}``. An unknown key raises: tests catch it.
"""

from __future__ import annotations

from typing import Any

LANGS = ("vi", "en")

S: dict[str, tuple[str, str]] = {
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
    "units_idle": ("{n} đơn vị không có phản ánh trong kỳ (không xếp hạng, cuối bảng)",
                   "{n} units without reports in the period (unranked, at the end)"),
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
    "series_received": ("Tiếp nhận", "Received"),
    "series_processed": ("Đã xử lý", "Processed"),
    "series_on_time": ("Đúng hạn", "On time"),
    "count": ("Số lượng", "Count"),
    "day": ("Ngày", "Day"),
    # channels
    "channel_app": ("Ứng dụng Hue-S", "Hue-S app"),
    "channel_hotline": ("Tổng đài 1900 1075", "Hotline 1900 1075"),
    "channel_web": ("Cổng thông tin", "Web portal"),
    "channel_open311": ("Open311", "Open311"),
    "channel_zalo": ("Zalo", "Zalo"),
    "channel_other": ("Khác", "Other"),
    # statuses
    "status_invalid": ("Không hợp lệ", "Invalid"),
    "status_pending": ("Chờ phân công", "Awaiting assignment"),
    "status_open": ("Đang xử lý", "In progress"),
    "status_resolved": ("Đã xử lý", "Resolved"),
    "status_overdue": ("Quá hạn", "Overdue"),
    "rating_hai_long": ("Hài lòng", "Satisfied"),
    "rating_chap_nhan": ("Chấp nhận", "Accepted"),
    "rating_khong_hai_long": ("Không hài lòng", "Not satisfied"),
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
    "unit_type_state": ("Cơ quan nhà nước", "State agency"),
    "unit_type_enterprise": ("Tổ chức, doanh nghiệp", "Organisation / enterprise"),
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
    # reports map
    "map_reports": ("Bản đồ phản ánh", "Reports map"),
    "status_filter": ("Trạng thái", "Status"),
    "category_filter": ("Lĩnh vực", "Category"),
    "channel_filter": ("Kênh tiếp nhận", "Channel"),
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
    "vt_illegal_parking": ("Đỗ xe trái phép", "Illegal parking"),
    "vt_illegal_stopping": ("Dừng xe trái phép", "Illegal stopping"),
    "vt_encroachment": ("Lấn chiếm vỉa hè", "Sidewalk encroachment"),
    "vt_wrong_way": ("Đi ngược chiều", "Wrong way"),
    "vt_red_light": ("Vượt đèn đỏ", "Red light"),
    "vt_wrong_lane": ("Đi sai làn", "Wrong lane"),
    "vt_congestion": ("Ùn tắc", "Congestion"),
    "review_empty": ("Không có vi phạm chờ duyệt trong kỳ.", "No violation awaits review in this period."),
    # floods
    "flood_map": ("Bản đồ ngập lụt", "Flood map"),
    "replay_time": ("Thời điểm (xem lại diễn biến)", "Moment (replay the event)"),
    "gauges": ("Trạm đo mực nước", "Water-level gauges"),
    "hydrograph": ("Mực nước theo thời gian", "Hydrograph"),
    "warning_areas": ("Vùng cảnh báo", "Warning areas"),
    "sos_points": ("Yêu cầu cứu hộ (SOS)", "SOS requests"),
    "flood_reports": ("Phản ánh ngập lụt", "Flood reports"),
    "alarm_0": ("Dưới báo động 1", "Below alarm 1"),
    "alarm_1": ("Báo động 1", "Alarm 1"),
    "alarm_2": ("Báo động 2", "Alarm 2"),
    "alarm_3": ("Báo động 3", "Alarm 3"),
    "above_alarm": ("trên báo động {level} {diff} m", "{diff} m above alarm {level}"),
    "below_alarm": ("dưới báo động {level} {diff} m", "{diff} m below alarm {level}"),
    "stations_at": ("Mực nước lúc {at}", "Water levels at {at}"),
    "choose_station": ("Chọn trạm", "Choose a station"),
    # wall
    "wall_pages": ("Trang luân phiên", "Rotating pages"),
    "wall_every": ("Đổi trang sau (giây)", "Switch page every (seconds)"),
    "wall_updated": ("Cập nhật {at}", "Updated {at}"),
}


def current_lang() -> str:
    try:
        import streamlit as st

        lang = st.session_state.get("lang")
    except Exception:  # noqa: BLE001 - outside a Streamlit run
        lang = None
    if lang in LANGS:
        return lang
    from core.settings import settings

    lang = settings().language
    return lang if lang in LANGS else "vi"


def t(key: str, lang: str | None = None, **fmt: Any) -> str:
    vi, en = S[key]
    text = en if (lang or current_lang()) == "en" else vi
    return text.format(**fmt) if fmt else text


def t_or(key: str, fallback: str, lang: str | None = None) -> str:
    """The catalog text of ``key`` when it exists (codes from data: channels, statuses), else ``fallback``."""
    return t(key, lang) if key in S else fallback
