"""One wrapper over the OpenVINO runtime for every detector we use, with its output decoders.

* SSD-style ``[1,1,N,7]`` rows ``[image_id, label, conf, x0, y0, x1, y1]`` (Open Model Zoo IR models),
* YOLOX raw head ``[1,A,5+C]`` (grid decoding + NMS; COCO classes incl. motorcycle),
* Ultralytics YOLOv8/11 head ``[1,4+C,A]`` (boxes already in input pixels, no objectness; + NMS).

Models load from IR (.xml/.bin) or ONNX. Device and precision are configurable; throughput comes from
``AsyncInferQueue`` compiled with the THROUGHPUT hint (``Detector.infer_many``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import openvino as ov

from core.settings import asset_path

COCO80 = (
    "person bicycle car motorcycle airplane bus train truck boat traffic_light fire_hydrant stop_sign "
    "parking_meter bench bird cat dog horse sheep cow elephant bear zebra giraffe backpack umbrella handbag tie "
    "suitcase frisbee skis snowboard sports_ball kite baseball_bat baseball_glove skateboard surfboard "
    "tennis_racket bottle wine_glass cup fork knife spoon bowl banana apple sandwich orange broccoli carrot "
    "hot_dog pizza donut cake chair couch potted_plant bed dining_table toilet tv laptop mouse remote keyboard "
    "cell_phone microwave oven toaster sink refrigerator book clock vase scissors teddy_bear hair_drier toothbrush"
).split()

OMZ_BASE = "https://storage.openvinotoolkit.org/repositories/open_model_zoo"


@dataclass(frozen=True)
class ModelSpec:
    """A known model: its files under the assets folder, how to decode it, its labels."""

    name: str
    version: str  # the release the files come from
    decoder: str  # ssd | yolox | yolov8
    labels: dict[int, str]
    precisions: tuple[str, ...]
    default_precision: str
    url_base: str  # where `hue-ioc assets fetch` downloads from: <url_base>/<precision>/<file>

    def relpath(self, precision: str | None = None) -> str:
        p = precision or self.default_precision
        if self.decoder == "ssd":
            return f"models/intel/{self.name}/{p}/{self.name}.xml"
        return f"models/onnx/{self.name.replace('-', '_')}.onnx"


def _omz(name: str, release: str, labels: dict[int, str], precisions: tuple[str, ...],
         default: str = "FP16") -> ModelSpec:
    return ModelSpec(name=name, version=f"omz-{release}", decoder="ssd", labels=labels,
                     precisions=precisions, default_precision=default,
                     url_base=f"{OMZ_BASE}/{release}/models_bin/{'3' if release == '2022.1' else '1'}/{name}")


MODELS: dict[str, ModelSpec] = {m.name: m for m in [
    _omz("person-vehicle-bike-detection-2000", "2022.3", {0: "vehicle", 1: "person", 2: "bike"},
         ("FP16", "FP16-INT8")),
    _omz("vehicle-detection-0200", "2023.0", {0: "vehicle"}, ("FP16",)),
    _omz("vehicle-license-plate-detection-barrier-0106", "2022.3", {1: "vehicle", 2: "plate"},
         ("FP16-INT8", "FP32"), default="FP16-INT8"),
    _omz("person-vehicle-bike-detection-crossroad-1016", "2022.3", {0: "bike", 1: "vehicle", 2: "person"},
         ("FP16-INT8",), default="FP16-INT8"),
    _omz("pedestrian-and-vehicle-detector-adas-0001", "2023.0", {1: "vehicle", 2: "person"}, ("FP16",)),
    _omz("vehicle-attributes-recognition-barrier-0039", "2022.1", {}, ("FP16",)),
    ModelSpec(name="yolox-nano", version="yolox-0.1.1-coco-onnx-opset11", decoder="yolox",
              labels=dict(enumerate(COCO80)), precisions=("FP32",), default_precision="FP32",
              url_base="https://raw.githubusercontent.com/Kazuhito00/YOLOX-ONNX-TFLite-Sample/"
                       "3d4f1119d0694200671c08069ecb847aa0d8495a/model"),
]}

# sha256 of every file `hue-ioc assets fetch` downloads, relative to the assets folder
# (from ../shared/assets/SOURCES.md: byte-identical to the official Open Model Zoo release files).
PINNED_SHA256: dict[str, str] = {
    "models/intel/person-vehicle-bike-detection-2000/FP16/person-vehicle-bike-detection-2000.xml": "6ad90c755fa3506e5d58a9f3f85c41994064bcf220b66c20d2996165ea6c6509",
    "models/intel/person-vehicle-bike-detection-2000/FP16/person-vehicle-bike-detection-2000.bin": "f20d648ac608e84b249d8ff36a897478f7142b5bdaa7b4b768cda0d5e4add3ec",
    "models/intel/person-vehicle-bike-detection-2000/FP16-INT8/person-vehicle-bike-detection-2000.xml": "ebc7d52ee0c2135a20b222dc911dfb4f6cb34f20c76ebdbab79cda8f8fcdc90c",
    "models/intel/person-vehicle-bike-detection-2000/FP16-INT8/person-vehicle-bike-detection-2000.bin": "b3870f0fa4b0d3f6e52cca89ff44f34088611a7f40093c0df78e8a693e045f73",
    "models/intel/vehicle-detection-0200/FP16/vehicle-detection-0200.xml": "306f228315b4f6002d669db1205e4a11e4d7d4f39488be94294f863ae5a2e019",
    "models/intel/vehicle-detection-0200/FP16/vehicle-detection-0200.bin": "0c46011610964399a3cf5b1a3f8b1c8c2d84b914a69c02bc026b4e0272f464ce",
    "models/intel/vehicle-license-plate-detection-barrier-0106/FP16-INT8/vehicle-license-plate-detection-barrier-0106.xml": "3484cfb8f89fec199a21239ec81853ad565b5a734b2069502f9fb971d33f5515",
    "models/intel/vehicle-license-plate-detection-barrier-0106/FP16-INT8/vehicle-license-plate-detection-barrier-0106.bin": "43be2b7622af71a07b10bc303f28584a0727ebeef48d85128f2783ffe0b9389d",
    "models/intel/vehicle-license-plate-detection-barrier-0106/FP32/vehicle-license-plate-detection-barrier-0106.xml": "3f162572eca8e4f27a7345fd4fc2fb0dc2d36abcf4eb31494433fdbf29d534ce",
    "models/intel/vehicle-license-plate-detection-barrier-0106/FP32/vehicle-license-plate-detection-barrier-0106.bin": "f84139f97805d343273e840d47b81c89a7c96c6263226a5622670e66424fb2a1",
    "models/intel/vehicle-attributes-recognition-barrier-0039/FP16/vehicle-attributes-recognition-barrier-0039.xml": "376da48380a0aba95c9312399cfb23e9c8b443aeeb95434b9880d051c4263d28",
    "models/intel/vehicle-attributes-recognition-barrier-0039/FP16/vehicle-attributes-recognition-barrier-0039.bin": "9cec361ba7777456d37ce2393fe8242ea3d76af36cd67614eb2f2531df6662a6",
    "models/intel/person-vehicle-bike-detection-crossroad-1016/FP16-INT8/person-vehicle-bike-detection-crossroad-1016.xml": "928d88f62ddc4ea1265806129d6cdf4df5d84dd5061f6794ca4e3aa42d641253",
    "models/intel/person-vehicle-bike-detection-crossroad-1016/FP16-INT8/person-vehicle-bike-detection-crossroad-1016.bin": "7bcfdc7929aa6793c8de737e34fb9c1870133e56f5c09d03a740e3758ba26e6d",
    "models/intel/pedestrian-and-vehicle-detector-adas-0001/FP16/pedestrian-and-vehicle-detector-adas-0001.xml": "4d236db21353c1d6ea79667c12162dc64b5503802f17a1c6fc49141e51ba276a",
    "models/intel/pedestrian-and-vehicle-detector-adas-0001/FP16/pedestrian-and-vehicle-detector-adas-0001.bin": "f20bcc4a800ac622c1f4217f3ff0661f937879bd5ccc0fe6694458f89b7ddbeb",
    "models/onnx/yolox_nano.onnx": "695e750a5d5754bb5a8d5325643b59282191a7e7a564e435a415fd3c578eab14",
}


def model_spec(name: str) -> ModelSpec:
    try:
        return MODELS[name]
    except KeyError:
        raise ValueError(f"unknown model {name!r}; known: {sorted(MODELS)}") from None


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

    @classmethod
    def empty(cls, labels: dict[int, str]) -> Detections:
        return cls(np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.int64), labels)


# ---------------------------------------------------------------- decoders
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
    xyxy = np.concatenate([xy - wh / 2, xy + wh / 2], 1) / ratio
    w, h = frame_wh
    xyxy = np.clip(xyxy, 0, [w, h, w, h]).astype(np.float32)
    keep = nms(xyxy, score, cls, iou)
    return Detections(xyxy[keep], score[keep].astype(np.float32), cls[keep].astype(np.int64), labels)


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
    xyxy = np.concatenate([xy - wh / 2, xy + wh / 2], 1) / ratio
    w, h = frame_wh
    xyxy = np.clip(xyxy, 0, [w, h, w, h]).astype(np.float32)
    keep = nms(xyxy, score, cls, iou)
    return Detections(xyxy[keep], score[keep].astype(np.float32), cls[keep].astype(np.int64), labels)


# ---------------------------------------------------------------- runtime
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
                 device: str = "CPU", conf: float = 0.5, iou: float = 0.45,
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
            path = asset_path(self.spec.relpath(self.precision))
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

    def __init__(self, device: str = "CPU", inference_precision: str | None = None) -> None:
        spec = MODELS["vehicle-attributes-recognition-barrier-0039"]
        self.model = OVModel(asset_path(spec.relpath()), device, compile_config(inference_precision, "LATENCY"))
        self.version = f"{spec.version}/{spec.default_precision}"

    def __call__(self, crop: np.ndarray) -> dict[str, Any]:
        h, w = self.model.input_hw
        by_name = self.model.infer_outputs(self.model.to_blob(cv2.resize(crop, (w, h))))
        color, vtype = by_name["color"].reshape(-1), by_name["type"].reshape(-1)
        return {"color": self.COLORS[int(color.argmax())], "color_score": float(color.max()),
                "type": self.TYPES[int(vtype.argmax())], "type_score": float(vtype.max())}
