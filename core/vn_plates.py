"""Vietnamese licence plates: province codes, series letters and the parser that reads OCR text as a plate.

Pure data and functions, shared by the plate reader (detectors) and the camera simulator (which writes
plates in the same normalised form: ``75A-123.45`` for cars, ``75-B1 234.56`` for motorbikes).
"""

from __future__ import annotations

from dataclasses import dataclass

# Registration codes of domestic cars and motorbikes (Thông tư 58/2020/TT-BCA, Phụ lục 02; kept unchanged
# by Thông tư 24/2023/TT-BCA and 79/2024/TT-BCA), by the 63 provinces the circulars name — plates issued
# before the 2025 province mergers keep their codes. 80 is the Traffic Police Department's registry for
# central agencies. Codes 01–10 and 13, 42, 44–46, 87, 91, 96 are not assigned (13 was Hà Bắc's before
# 1997; not re-assigned as far as we know), so a plate carrying one was misread. Not fully sure: 39 for
# Đồng Nai (beside 60) as Phụ lục 02 lists it.
PROVINCES: dict[str, str] = {
    "11": "Cao Bằng", "12": "Lạng Sơn", "14": "Quảng Ninh", "15": "Hải Phòng", "16": "Hải Phòng",
    "17": "Thái Bình", "18": "Nam Định", "19": "Phú Thọ", "20": "Thái Nguyên", "21": "Yên Bái",
    "22": "Tuyên Quang", "23": "Hà Giang", "24": "Lào Cai", "25": "Lai Châu", "26": "Sơn La", "27": "Điện Biên",
    "28": "Hòa Bình", "29": "Hà Nội", "30": "Hà Nội", "31": "Hà Nội", "32": "Hà Nội", "33": "Hà Nội",
    "34": "Hải Dương", "35": "Ninh Bình", "36": "Thanh Hóa", "37": "Nghệ An", "38": "Hà Tĩnh", "39": "Đồng Nai",
    "40": "Hà Nội", "41": "TP. Hồ Chí Minh", "43": "Đà Nẵng", "47": "Đắk Lắk", "48": "Đắk Nông",
    "49": "Lâm Đồng", "50": "TP. Hồ Chí Minh", "51": "TP. Hồ Chí Minh", "52": "TP. Hồ Chí Minh",
    "53": "TP. Hồ Chí Minh", "54": "TP. Hồ Chí Minh", "55": "TP. Hồ Chí Minh", "56": "TP. Hồ Chí Minh",
    "57": "TP. Hồ Chí Minh", "58": "TP. Hồ Chí Minh", "59": "TP. Hồ Chí Minh", "60": "Đồng Nai",
    "61": "Bình Dương", "62": "Long An", "63": "Tiền Giang", "64": "Vĩnh Long", "65": "Cần Thơ",
    "66": "Đồng Tháp", "67": "An Giang", "68": "Kiên Giang", "69": "Cà Mau", "70": "Tây Ninh", "71": "Bến Tre",
    "72": "Bà Rịa - Vũng Tàu", "73": "Quảng Bình", "74": "Quảng Trị", "75": "Huế (Thừa Thiên Huế)",
    "76": "Quảng Ngãi", "77": "Bình Định", "78": "Phú Yên", "79": "Khánh Hòa",
    "80": "Cơ quan trung ương (Cục Cảnh sát giao thông)", "81": "Gia Lai", "82": "Kon Tum", "83": "Sóc Trăng",
    "84": "Trà Vinh", "85": "Ninh Thuận", "86": "Bình Thuận", "88": "Vĩnh Phúc", "89": "Hưng Yên",
    "90": "Hà Nam", "92": "Quảng Nam", "93": "Bình Phước", "94": "Bạc Liêu", "95": "Hậu Giang",
    "97": "Bắc Kạn", "98": "Bắc Giang", "99": "Bắc Ninh",
}
SERIES_LETTERS = "ABCDEFGHKLMNPSTUVXYZ"  # I, J, O, Q, R, W are not used in series
_TO_DIGIT = str.maketrans({"O": "0", "Q": "0", "D": "0", "U": "0", "I": "1", "L": "1", "J": "1", "Z": "2",
                           "S": "5", "B": "8", "G": "6", "T": "7", "A": "4"})
_TO_LETTER = str.maketrans({"0": "D", "8": "B", "5": "S", "2": "Z", "6": "G", "4": "A"})


@dataclass(frozen=True)
class VNPlate:
    province_code: str
    series: str
    number: str  # 4 or 5 digits
    kind: str  # car | motorbike
    text: str  # normalised: 75A-123.45 | 75-B1 234.56
    province: str  # the registering province (or central agencies, 80)

    @property
    def is_hue(self) -> bool:
        return self.province_code == "75"


def _fmt_number(num: str) -> str:
    return f"{num[:3]}.{num[3:]}" if len(num) == 5 else num


def _split(text: str) -> tuple[str, list[int]]:
    """Alphanumerics only, and the positions (in that string) where a separator stood."""
    compact, seps = "", []
    for ch in text.upper().replace("Đ", "D"):
        if ch.isascii() and ch.isalnum():
            compact += ch
        elif ch in "-_ \n\t.:" and compact and (not seps or seps[-1] != len(compact)):
            seps.append(len(compact))
    return compact, seps


def parse_vn_plate(text: str) -> VNPlate | None:
    """Parse OCR text as a Vietnamese plate; None when it cannot be one.

    Car plates are ``75A-123.45`` (one or two series letters, 4 or 5 digits); motorbike plates are two
    rows ``75-B1`` / ``234.56`` (series letter + digit, or two letters). The separators OCR keeps decide
    between the two when the characters alone are ambiguous (``75A12345`` reads as a car plate).
    Tolerates spaces, dots, dashes, line breaks and the usual OCR confusions (O/0, B/8, S/5, ...) at
    positions where only a digit or only a letter can stand."""
    if not text:
        return None
    s, seps = _split(text)
    if not 7 <= len(s) <= 10:
        return None
    code = s[:2].translate(_TO_DIGIT)
    if code not in PROVINCES:  # 01–10, 13, 42, ...: no province registers plates under it
        return None
    rest = s[2:]
    inner = [p - 2 for p in seps if 2 < p < len(s)]  # separators after the code: end of the series
    if 2 in seps:  # "75-B1 ...": the motorbike layout
        order = ["moto2"]
    elif inner and inner[0] in (1, 2):
        sl = inner[0]
        order = ["car1"] if sl == 1 else (["moto2"] if rest[1].isdigit() else ["car2"])
    elif len(rest) == 7 and rest[1].isdigit():
        order = ["moto2", "car1"]
    elif len(rest) == 7:
        order = ["car2", "moto2"]
    else:
        order = ["car1", "moto2", "car2"]
    for layout in order:
        series_len = 1 if layout == "car1" else 2
        series, num = rest[:series_len], rest[series_len:].translate(_TO_DIGIT)
        if len(num) not in (4, 5) or not num.isdigit():
            continue
        head = series[0].translate(_TO_LETTER)
        if head not in SERIES_LETTERS:
            continue
        if layout == "car1":
            series = head
        elif layout == "car2":
            second = series[1].translate(_TO_LETTER)
            if second not in SERIES_LETTERS:
                continue
            series = head + second
        else:
            second = series[1]
            second = second if second.isdigit() or second in SERIES_LETTERS else second.translate(_TO_DIGIT)
            if not (second.isdigit() or second in SERIES_LETTERS):
                continue
            series = head + second
        if layout == "moto2":
            formatted = f"{code}-{series} {_fmt_number(num)}"
        else:
            formatted = f"{code}{series}-{_fmt_number(num)}"
        return VNPlate(code, series, num, "motorbike" if layout == "moto2" else "car", formatted, PROVINCES[code])
    return None


def parse_vn_rows(rows: list[str]) -> VNPlate | None:
    """A plate OCR read as separate rows (a two-line motorbike or square car plate): the rows as printed,
    top then bottom; when that does not parse (OCR gave the rows bottom first, or a row twice), the other
    order. None when neither is a plate."""
    rows = [r for r in (r.strip() for r in rows) if r]
    if not rows:
        return None
    if len(rows) == 1:
        return parse_vn_plate(rows[0])
    first = parse_vn_plate("\n".join(rows))
    if first is not None or len(rows) != 2:
        return first
    return parse_vn_plate(f"{rows[1]}\n{rows[0]}")


# Characters OCR takes for one another on plates, each mapped to one representative: two plates are the same
# for tracing when their keys are equal, whatever was misread among these.
CONFUSABLE = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "J": "1", "Z": "2", "S": "5",
                            "B": "8", "G": "6"})


def plate_key(text: str | None) -> str:
    """A plate (or part of one) reduced for searching: letters and digits only, upper case, Đ as D, and the
    characters OCR confuses most (0/O/D/Q, 1/I/L/J, 2/Z, 5/S, 8/B, 6/G) folded together. A/4 and T/7 are
    not folded: the series letter A would then equal the digit 4 of every other plate."""
    if not text:
        return ""
    compact, _ = _split(text)
    return compact.translate(CONFUSABLE)
