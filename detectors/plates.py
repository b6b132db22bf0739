"""Licence plates: find the plate on a vehicle crop, read it, parse it as a Vietnamese plate.

* detector: vehicle-license-plate-detection-barrier-0106 (NHWC input, labels 1 vehicle / 2 plate) run on
  the vehicle crop;
* text: ``rapidocr`` with its shipped PP-OCR models on the **OpenVINO** engine (``*.engine_type =
  EngineType.OPENVINO``; the onnxruntime default is not used);
* ``parse_vn_plate``: province code (two digits; 75 = Huế), series, number, normalised as
  ``75A-123.45`` (car) or ``75-B1 234.56`` (motorbike).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from detectors.models import Detector

# Registration codes (Thông tư 24/2023/TT-BCA, annex): a few of the 63 provinces by name, the ones
# around Huế first. Codes outside this map but in 11..99 are still well-formed.
PROVINCES: dict[str, str] = {
    "75": "Huế (Thừa Thiên Huế)", "74": "Quảng Trị", "73": "Quảng Bình", "43": "Đà Nẵng", "92": "Quảng Nam",
    "76": "Quảng Ngãi", "77": "Bình Định", "38": "Hà Tĩnh", "37": "Nghệ An", "36": "Thanh Hóa",
    "29": "Hà Nội", "30": "Hà Nội", "31": "Hà Nội", "32": "Hà Nội", "33": "Hà Nội", "40": "Hà Nội",
    "41": "TP. Hồ Chí Minh", "50": "TP. Hồ Chí Minh", "51": "TP. Hồ Chí Minh", "52": "TP. Hồ Chí Minh",
    "53": "TP. Hồ Chí Minh", "54": "TP. Hồ Chí Minh", "55": "TP. Hồ Chí Minh", "56": "TP. Hồ Chí Minh",
    "57": "TP. Hồ Chí Minh", "58": "TP. Hồ Chí Minh", "59": "TP. Hồ Chí Minh", "15": "Hải Phòng",
    "16": "Hải Phòng", "65": "Cần Thơ", "47": "Đắk Lắk", "79": "Khánh Hòa", "82": "Kon Tum", "81": "Gia Lai",
}
UNUSED_CODES = {"10", "13", "42", "44", "45", "46", "87", "91", "96"}
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
    province: str | None  # name when known

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
    if not code.isdigit() or not 11 <= int(code) <= 99 or code in UNUSED_CODES:
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
        return VNPlate(code, series, num, "motorbike" if layout == "moto2" else "car", formatted, PROVINCES.get(code))
    return None


# ------------------------------------------------------------------ OCR
_OCR: Any = None
_OCR_LOCK = threading.RLock()


def ocr_engine() -> Any:
    """rapidocr on the OpenVINO engine with the models its wheel ships (no download)."""
    global _OCR
    with _OCR_LOCK:
        if _OCR is None:
            import rapidocr
            from rapidocr import EngineType, RapidOCR

            md = Path(rapidocr.__file__).parent / "models"
            params: dict[str, Any] = {"Global.log_level": "error"}
            for task, fname in (("Det", "PP-OCRv6_det_small.onnx"), ("Rec", "PP-OCRv6_rec_small.onnx"),
                                ("Cls", "ch_ppocr_mobile_v2.0_cls_mobile.onnx")):
                params[f"{task}.engine_type"] = EngineType.OPENVINO
                if (md / fname).exists():
                    params[f"{task}.model_path"] = str(md / fname)
            _OCR = RapidOCR(params=params)
        return _OCR


def read_text(img: np.ndarray) -> tuple[str, float]:
    """Text of a plate crop, rows top to bottom joined by a space; (text, mean confidence)."""
    ocr = ocr_engine()
    big = cv2.resize(img, None, fx=3, fy=3, interpolation=cv2.INTER_CUBIC) if img.shape[0] < 64 else img
    with _OCR_LOCK:  # one rapidocr instance (single infer requests inside) shared by camera threads
        return _read(ocr, big)


def _read(ocr: Any, big: np.ndarray) -> tuple[str, float]:
    res = ocr(big)
    if res.txts:
        order = np.argsort([float(np.asarray(b)[:, 1].mean()) for b in res.boxes])
        txts = [res.txts[i].strip() for i in order]
        scores = [float(res.scores[i]) for i in order]
        return " ".join(t for t in txts if t), float(np.mean(scores))
    res = ocr(big, use_det=False, use_cls=False)  # a tight crop: recognition alone
    if res.txts and res.txts[0].strip():
        return res.txts[0].strip(), float(res.scores[0])
    return "", 0.0


@dataclass
class PlateRead:
    text: str  # what OCR read (raw)
    confidence: float  # OCR confidence
    plate_box: tuple[int, int, int, int]  # in frame pixels
    detector_score: float
    vn: VNPlate | None

    @property
    def normalised(self) -> str:
        return self.vn.text if self.vn else re.sub(r"[^0-9A-Z]", "", self.text.upper())


class PlateReader:
    """Plate detection on a vehicle crop, then OCR and the Vietnamese parser."""

    def __init__(self, device: str = "CPU", inference_precision: str | None = None, min_score: float = 0.4) -> None:
        self.detector = Detector("vehicle-license-plate-detection-barrier-0106", device=device,
                                 conf=min_score, inference_precision=inference_precision, hint="LATENCY")
        self.version = self.detector.version

    def read(self, frame: np.ndarray, vehicle_box: tuple[float, float, float, float] | None = None) -> PlateRead | None:
        h, w = frame.shape[:2]
        if vehicle_box is None:
            x0, y0, x1, y1 = 0, 0, w, h
        else:
            bx0, by0, bx1, by1 = vehicle_box
            mx, my = 0.3 * (bx1 - bx0), 0.3 * (by1 - by0)
            x0, y0 = int(max(0, bx0 - mx)), int(max(0, by0 - my))
            x1, y1 = int(min(w, bx1 + mx)), int(min(h, by1 + my))
        crop = frame[y0:y1, x0:x1]
        if crop.size == 0 or min(crop.shape[:2]) < 16:
            return None
        det = self.detector.detect(crop)
        plates = det.filter(np.array([n == "plate" for n in det.class_names], bool))
        if not len(plates):
            return None
        best = int(np.argmax(plates.confidence))
        px0, py0, px1, py1 = plates.xyxy[best]
        pw, ph = px1 - px0, py1 - py0
        qx0, qy0 = int(max(0, px0 - 0.08 * pw)), int(max(0, py0 - 0.15 * ph))
        qx1, qy1 = int(min(crop.shape[1], px1 + 0.08 * pw)), int(min(crop.shape[0], py1 + 0.15 * ph))
        text, conf = read_text(crop[qy0:qy1, qx0:qx1])
        return PlateRead(text, conf, (x0 + qx0, y0 + qy0, x0 + qx1, y0 + qy1), float(plates.confidence[best]),
                         parse_vn_plate(text))
