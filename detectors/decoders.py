"""Detections and the decoders of the detector heads we run.

* SSD-style ``[1,1,N,7]`` rows ``[image_id, label, conf, x0, y0, x1, y1]`` (Open Model Zoo IR models),
* YOLOX raw head ``[1,A,5+C]`` (grid decoding + NMS; COCO classes incl. motorcycle),
* Ultralytics YOLOv8/11 head ``[1,4+C,A]`` (boxes already in input pixels, no objectness; + NMS).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass
class Detections:
    """Boxes in frame pixels (x0, y0, x1, y1), confidence and class id; names via ``labels``."""

    xyxy: np.ndarray  # [N,4] float32
    confidence: np.ndarray  # [N] float32
    class_id: np.ndarray  # [N] int64
    labels: dict[int, str]

    def __len__(self) -> int:
        return len(self.confidence)

    @property
    def class_names(self) -> list[str]:
        return [self.labels.get(int(c), str(int(c))) for c in self.class_id]

    def filter(self, mask: np.ndarray) -> Detections:
        return Detections(self.xyxy[mask], self.confidence[mask], self.class_id[mask], self.labels)


def decode_ssd(out: np.ndarray, frame_wh: tuple[int, int], conf: float, labels: dict[int, str]) -> Detections:
    """SSD ``[1,1,N,7]``: rows [image_id, label, conf, x0, y0, x1, y1] normalised 0..1; image_id -1 ends."""
    rows = out.reshape(-1, 7)
    end = np.flatnonzero(rows[:, 0] < 0)
    if end.size:
        rows = rows[: end[0]]
    rows = rows[rows[:, 2] >= conf]
    w, h = frame_wh
    xyxy = np.clip(rows[:, 3:7], 0.0, 1.0) * np.array([w, h, w, h], np.float32)
    return Detections(xyxy.astype(np.float32), rows[:, 2].astype(np.float32), rows[:, 1].astype(np.int64), labels)


def nms(xyxy: np.ndarray, scores: np.ndarray, class_id: np.ndarray, iou: float) -> np.ndarray:
    """Class-aware NMS (OpenCV's batched NMS); returns kept indices, best first."""
    if len(scores) == 0:
        return np.zeros(0, np.int64)
    wh = xyxy[:, 2:] - xyxy[:, :2]
    boxes = np.concatenate([xyxy[:, :2], wh], axis=1).astype(np.float32)
    keep = cv2.dnn.NMSBoxesBatched(boxes.tolist(), scores.astype(float).tolist(),
                                   class_id.astype(int).tolist(), 0.0, iou)
    return np.asarray(keep, np.int64).reshape(-1)


def _boxes_after_nms(xy: np.ndarray, wh: np.ndarray, ratio: float, score: np.ndarray, cls: np.ndarray,
                     frame_wh: tuple[int, int], labels: dict[int, str], iou: float) -> Detections:
    """Centre/size boxes in letterboxed input pixels → frame-pixel corners, clipped, then class-aware NMS."""
    xyxy = np.concatenate([xy - wh / 2, xy + wh / 2], 1) / ratio
    w, h = frame_wh
    xyxy = np.clip(xyxy, 0, [w, h, w, h]).astype(np.float32)
    keep = nms(xyxy, score, cls, iou)
    return Detections(xyxy[keep], score[keep].astype(np.float32), cls[keep].astype(np.int64), labels)


def _yolox_grid(input_hw: tuple[int, int], strides: tuple[int, ...] = (8, 16, 32)) -> tuple[np.ndarray, np.ndarray]:
    grids, exp = [], []
    h, w = input_hw
    for s in strides:
        gy, gx = np.meshgrid(np.arange(h // s), np.arange(w // s), indexing="ij")
        grids.append(np.stack([gx, gy], -1).reshape(-1, 2))
        exp.append(np.full((grids[-1].shape[0], 1), s))
    return np.concatenate(grids).astype(np.float32), np.concatenate(exp).astype(np.float32)


def decode_yolox(out: np.ndarray, input_hw: tuple[int, int], ratio: float, frame_wh: tuple[int, int],
                 conf: float, labels: dict[int, str], iou: float = 0.45) -> Detections:
    """YOLOX raw head ``[1,A,5+C]``: xy=(o+grid)*stride, wh=exp(o)*stride; score = obj × cls; NMS.
    ``ratio`` is the letterbox scale (input = frame × ratio, top-left aligned)."""
    pred = out.reshape(-1, out.shape[-1])
    grid, stride = _yolox_grid(input_hw)
    if pred.shape[0] != grid.shape[0]:
        raise ValueError(f"YOLOX output has {pred.shape[0]} anchors, expected {grid.shape[0]} for {input_hw}")
    cls = pred[:, 5:].argmax(1)
    score = pred[:, 4] * pred[np.arange(len(pred)), 5 + cls]
    m = score >= conf
    pred, cls, score, grid, stride = pred[m], cls[m], score[m], grid[m], stride[m]
    xy = (pred[:, :2] + grid) * stride
    wh = np.exp(pred[:, 2:4]) * stride
    return _boxes_after_nms(xy, wh, ratio, score, cls, frame_wh, labels, iou)


def decode_yolov8(out: np.ndarray, ratio: float, frame_wh: tuple[int, int], conf: float,
                  labels: dict[int, str], iou: float = 0.45, pad: tuple[float, float] = (0.0, 0.0)) -> Detections:
    """Ultralytics YOLOv8/YOLO11 head ``[1,4+C,A]``: (cx, cy, w, h) in input pixels, then class scores
    (sigmoided, no objectness); NMS. ``pad`` = the centred letterbox's (left, top) padding."""
    pred = out.reshape(out.shape[-2], out.shape[-1]).T  # [A, 4+C]
    scores = pred[:, 4:]
    cls = scores.argmax(1)
    score = scores[np.arange(len(pred)), cls]
    m = score >= conf
    pred, cls, score = pred[m], cls[m], score[m]
    xy, wh = pred[:, :2] - np.asarray(pad, np.float32), pred[:, 2:4]
    return _boxes_after_nms(xy, wh, ratio, score, cls, frame_wh, labels, iou)

