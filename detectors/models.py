"""One wrapper over the OpenVINO runtime for every detector we use, and the vehicle attributes model.

Models load from IR (.xml/.bin) or ONNX, found under the assets folder the caller gives. Device and
precision are configurable; throughput comes from ``AsyncInferQueue`` compiled with the THROUGHPUT hint
(``Detector.infer_many``). Output decoding lives in ``detectors.decoders``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import openvino as ov

from detectors.decoders import Detections, decode_ssd, decode_yolov8, decode_yolox
from detectors.model_catalog import COCO80, MODELS, ModelSpec, asset_file, model_spec

_CORE: ov.Core | None = None


def core() -> ov.Core:
    global _CORE
    if _CORE is None:
        _CORE = ov.Core()
    return _CORE


def compile_config(precision_hint: str | None = None, hint: str = "THROUGHPUT",
                   extra: dict[str, Any] | None = None) -> dict[str, Any]:
    cfg: dict[str, Any] = {"PERFORMANCE_HINT": hint}
    if precision_hint:
        cfg["INFERENCE_PRECISION_HINT"] = precision_hint
    cfg.update(extra or {})
    return cfg


class OVModel:
    """A compiled OpenVINO model (IR .xml/.bin or ONNX) with its input layout known."""

    def __init__(self, path: str | Path, device: str = "CPU", config: dict[str, Any] | None = None) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise FileNotFoundError(f"model file not found: {self.path}")
        model = core().read_model(str(self.path))
        self.compiled = core().compile_model(model, device, config or {})
        shape = list(self.compiled.inputs[0].shape)
        if len(shape) != 4:
            raise ValueError(f"{self.path.name}: expected a 4-D image input, got {shape}")
        self.nhwc = shape[3] == 3 and shape[1] != 3
        self.input_hw = (shape[1], shape[2]) if self.nhwc else (shape[2], shape[3])
        self.output = self.compiled.outputs[0]
        self.device = device
        self._lock = threading.Lock()

    def optimal_requests(self) -> int:
        try:
            return int(self.compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
        except Exception:  # noqa: BLE001 - not every device reports it
            return 2

    def to_blob(self, img: np.ndarray) -> np.ndarray:
        """An image already at input size (H, W, 3) uint8 → the input tensor (float32, N added)."""
        x = img.astype(np.float32)
        if not self.nhwc:
            x = x.transpose(2, 0, 1)
        return x[None]

    def __call__(self, blob: np.ndarray) -> np.ndarray:
        """One synchronous inference (thread-safe: cameras running in threads share compiled models)."""
        with self._lock:
            return self.compiled(blob)[self.output].copy()

    def infer_outputs(self, blob: np.ndarray) -> dict[str, np.ndarray]:
        with self._lock:
            res = self.compiled(blob)
            return {o.get_any_name(): res[o].copy() for o in self.compiled.outputs}


class Detector:
    """A detector: preprocessing, inference and decoding for one ``ModelSpec``.

    ``detect(frame)`` runs one synchronous request; ``infer_many(frames)`` keeps all the device's
    requests busy through ``AsyncInferQueue`` (THROUGHPUT hint) and yields results in frame order.
    """

    def __init__(self, name: str = "person-vehicle-bike-detection-2000", precision: str | None = None,
                 device: str = "CPU", conf: float = 0.5, iou: float = 0.45, assets: str | Path | None = None,
                 inference_precision: str | None = None, hint: str = "THROUGHPUT",
                 path: str | Path | None = None, config: dict[str, Any] | None = None,
                 decoder: str | None = None, labels: dict[int, str] | None = None) -> None:
        if path is not None and name not in MODELS:
            self.spec = ModelSpec(name=name, version="custom", decoder=decoder or "ssd",
                                  labels=labels or dict(enumerate(COCO80)), precisions=("custom",),
                                  default_precision="custom", url_base="")
        else:
            self.spec = model_spec(name)
        self.precision = precision or self.spec.default_precision
        if path is None:
            if self.precision not in self.spec.precisions:
                raise ValueError(f"{name}: precision {self.precision!r} not available; "
                                 f"have {list(self.spec.precisions)}")
            path = asset_file(assets, self.spec.relpath(self.precision))
        cfg = compile_config(inference_precision, hint, config)
        self.model = OVModel(path, device, cfg)
        self.labels = labels or self.spec.labels
        self.conf, self.iou = conf, iou
        self.name, self.version = self.spec.name, f"{self.spec.version}/{self.precision}"

    def with_conf(self, conf: float) -> Detector:
        """The same compiled model with another score threshold (nothing is recompiled or shared-mutated)."""
        import copy

        other = copy.copy(self)
        other.conf = conf
        return other

    # preprocessing: the blob and the letterbox (scale, left pad, top pad) needed to decode
    def preprocess(self, frame: np.ndarray) -> tuple[np.ndarray, tuple[float, float, float]]:
        h, w = self.model.input_hw
        if self.spec.decoder == "ssd":  # plain resize; boxes come back normalised
            return self.model.to_blob(cv2.resize(frame, (w, h))), (1.0, 0.0, 0.0)
        # letterbox padded with 114: YOLOX top-left aligned (BGR 0..255); Ultralytics centred (RGB 0..1)
        fh, fw = frame.shape[:2]
        r = min(h / fh, w / fw)
        canvas = np.full((h, w, 3), 114, np.uint8)
        nh, nw = int(round(fh * r)), int(round(fw * r))
        if self.spec.decoder == "yolov8":
            top, left = (h - nh) // 2, (w - nw) // 2
            canvas[top:top + nh, left:left + nw] = cv2.resize(frame, (nw, nh))
            return self.model.to_blob(canvas[:, :, ::-1]) / np.float32(255.0), (r, float(left), float(top))
        canvas[:nh, :nw] = cv2.resize(frame, (nw, nh))
        return self.model.to_blob(canvas), (r, 0.0, 0.0)

    def decode(self, out: np.ndarray, frame_wh: tuple[int, int],
               letterbox: tuple[float, float, float] = (1.0, 0.0, 0.0)) -> Detections:
        d = self.spec.decoder
        r, left, top = letterbox
        if d == "ssd":
            return decode_ssd(out, frame_wh, self.conf, self.labels)
        if d == "yolox":
            return decode_yolox(out, self.model.input_hw, r, frame_wh, self.conf, self.labels, self.iou)
        if d == "yolov8":
            return decode_yolov8(out, r, frame_wh, self.conf, self.labels, self.iou, pad=(left, top))
        raise ValueError(f"unknown decoder {d!r}")

    def detect(self, frame: np.ndarray) -> Detections:
        blob, r = self.preprocess(frame)
        return self.decode(self.model(blob), (frame.shape[1], frame.shape[0]), r)

    def infer_many(self, frames: Iterable[Any], key: Callable[[Any], np.ndarray] | None = None,
                   jobs: int = 0) -> Iterator[tuple[Any, Detections]]:
        """Asynchronous inference over an iterable of items (frames, or records holding one — pass
        ``key`` to get the frame out). Yields ``(item, detections)`` in input order."""
        key = key or (lambda x: x)
        queue = ov.AsyncInferQueue(self.model.compiled, jobs or self.model.optimal_requests())
        done: dict[int, Detections] = {}
        pending: dict[int, Any] = {}

        def on_done(request: ov.InferRequest,
                    userdata: tuple[int, tuple[int, int], tuple[float, float, float]]) -> None:
            idx, wh, r = userdata
            done[idx] = self.decode(request.get_output_tensor(0).data.copy(), wh, r)

        queue.set_callback(on_done)
        next_out = 0
        for idx, item in enumerate(frames):
            frame = key(item)
            blob, r = self.preprocess(frame)
            pending[idx] = item
            queue.start_async(blob, (idx, (frame.shape[1], frame.shape[0]), r))
            # start_async blocks while all requests are busy, so at most ~n items wait here
            while next_out in done:
                yield pending.pop(next_out), done.pop(next_out)
                next_out += 1
        queue.wait_all()
        while next_out in done:
            yield pending.pop(next_out), done.pop(next_out)
            next_out += 1


class VehicleAttributes:
    """vehicle-attributes-recognition-barrier-0039 on a vehicle crop: colour and type."""

    COLORS = ("white", "gray", "yellow", "red", "green", "blue", "black")
    TYPES = ("car", "bus", "truck", "van")

    def __init__(self, assets: str | Path | None, device: str = "CPU", inference_precision: str | None = None) -> None:
        spec = MODELS["vehicle-attributes-recognition-barrier-0039"]
        self.model = OVModel(asset_file(assets, spec.relpath()), device,
                             compile_config(inference_precision, "LATENCY"))
        self.version = f"{spec.version}/{spec.default_precision}"

    def __call__(self, crop: np.ndarray) -> dict[str, Any]:
        h, w = self.model.input_hw
        by_name = self.model.infer_outputs(self.model.to_blob(cv2.resize(crop, (w, h))))
        color, vtype = by_name["color"].reshape(-1), by_name["type"].reshape(-1)
        return {"color": self.COLORS[int(color.argmax())], "color_score": float(color.max()),
                "type": self.TYPES[int(vtype.argmax())], "type_score": float(vtype.max())}
