"""Licence plates: find the plate on a vehicle crop, read it, parse it as a Vietnamese plate.

* detector: vehicle-license-plate-detection-barrier-0106 (NHWC input, labels 1 vehicle / 2 plate) run on
  the vehicle crop;
* text: ``rapidocr`` with its shipped PP-OCR models on the **OpenVINO** engine (``*.engine_type =
  EngineType.OPENVINO``; the onnxruntime default is not used);
* ``core.vn_plates.parse_vn_plate``: province code (two digits; 75 = Huế), series, number, normalised
  as ``75A-123.45`` (car) or ``75-B1 234.56`` (motorbike).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from core.vn_plates import VNPlate, parse_vn_plate
from detectors.models import Detector

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

    def __init__(self, assets: str | Path | None, device: str = "CPU", inference_precision: str | None = None,
                 min_score: float = 0.4) -> None:
        self.detector = Detector("vehicle-license-plate-detection-barrier-0106", device=device, assets=assets,
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
