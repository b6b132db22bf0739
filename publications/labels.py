"""Words shown in the publications, Vietnamese first and English second: KPI names, columns, definitions."""

from __future__ import annotations

from typing import NamedTuple

from core.settings import settings


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
CARD_LABELS = {
    "received": ("Tiếp nhận (hợp lệ)", "Valid reports received"),
    "late_with_extension_rate": ("Trễ hạn có gia hạn", "Late-with-extension rate"),
    "strict_on_time_rate": ("Đúng hạn nghiêm ngặt", "Strict on-time rate"),
}

UNIT_TYPES = {
    "state": ("Cơ quan nhà nước", "State agency"),
    "enterprise": ("Tổ chức, doanh nghiệp", "Organisation or enterprise"),
}

UNIT_TYPES_SHORT = {"state": "Nhà nước", "enterprise": "Tổ chức, DN"}

# Coded values shown to people (other domains' tables keep codes; the report shows words).
VALUE_LABELS: dict[str, dict[str, str]] = {
    "violation_type": {"illegal_parking": "Đỗ xe trái phép", "illegal_stopping": "Dừng xe trái phép",
                       "red_light": "Vượt đèn đỏ", "wrong_lane": "Đi sai làn", "wrong_way": "Đi ngược chiều",
                       "encroachment": "Lấn chiếm vỉa hè", "congestion": "Ùn tắc", "speeding": "Quá tốc độ",
                       "no_helmet": "Không đội mũ bảo hiểm"},
    "direction": {"issued": "IOC phát", "received": "Nhận về", "in": "Gọi đến", "out": "Gọi đi"},
    "status": {"resolved": "Đã xử lý", "cancelled": "Đã hủy", "new": "Mới", "assigned": "Đã giao",
               "in_progress": "Đang xử lý", "open": "Đang xử lý", "pending": "Chờ xử lý"},
    "severity": {"Extreme": "Cực kỳ nghiêm trọng", "Severe": "Nghiêm trọng", "Moderate": "Trung bình",
                 "Minor": "Nhẹ", "Unknown": "Chưa rõ"},
}

OVERDUE_KIND = {
    "open": ("Đang quá hạn", "open, past deadline"),
    "closed_late": ("Đóng sau hạn, không gia hạn", "closed late, no extension"),
}

# Column labels of every table a publication shows (PDF headers and XLSX headers).
COLUMNS: dict[str, tuple[str, str]] = {
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


def column_label(col: str) -> tuple[str, str]:
    return COLUMNS.get(col, (col, col))


def definitions() -> list[dict[str, str]]:
    """How each figure is computed (kept in step with pipelines/reports/kpis.py)."""
    w = settings().score_weights
    total = sum(w.values()) or 1.0

    def pct(k: str) -> str:
        return f"{100.0 * w.get(k, 0.0) / total:.0f}"

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
         "vi": f"Chỉ số 0–100 gồm các phần cộng lại: đúng hạn nghiêm ngặt ({pct('on_time')} %), hài lòng "
               f"({pct('satisfaction')} %), tỷ lệ xử lý ({pct('processed')} %), tốc độ ({pct('speed')} %: bằng 1 "
               "khi trung vị thời gian xử lý ≤ 48 giờ, giảm tỷ lệ nghịch khi chậm hơn). Thiếu một phần (ví dụ "
               "chưa có đánh giá) thì các trọng số còn lại được chuẩn hóa. Để đơn vị ít phản ánh không đứng đầu "
               "nhờ may mắn, mỗi phần được tính như thể đơn vị có thêm 10 phản ánh ở mức trung bình toàn thành phố "
               "trong tháng; tỷ lệ gốc vẫn được công bố bên cạnh. Với báo cáo quý: điểm và các phần là "
               "trung bình các tháng có trọng số theo số phản ánh tiếp nhận.",
         "en": f"A 0–100 index whose parts add up: strict on-time ({pct('on_time')} %), satisfaction "
               f"({pct('satisfaction')} %), processed rate ({pct('processed')} %), speed ({pct('speed')} %: 1 when "
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
