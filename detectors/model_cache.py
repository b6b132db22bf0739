"""The compiled models a run needs, shared between cameras and threads: each compiled once."""

from __future__ import annotations

import threading
from pathlib import Path

from detectors.config import CameraConfig
from detectors.models import Detector, VehicleAttributes
from detectors.plates import PlateReader


class ModelCache:
    """Detectors per (model, precision, threshold), the plate reader and the attributes model, all found
    under the ``assets`` folder the caller gives."""

    def __init__(self, assets: str | Path | None, inference_precision: str | None = None, device: str = "CPU",
                 hint: str = "THROUGHPUT") -> None:
        self.assets = assets
        self.inference_precision, self.device, self.hint = inference_precision, device, hint
        self._detectors: dict[tuple[str, str | None, float], Detector] = {}
        self._plates: PlateReader | None = None
        self._attributes: VehicleAttributes | None = None
        self._lock = threading.Lock()  # cameras in threads ask for the same model at once

    def for_hint(self, hint: str) -> ModelCache:
        """A cache whose detectors compile with another performance hint, sharing this cache's plate reader
        and attributes model (the enrichment models are LATENCY-compiled either way)."""
        other = ModelCache(self.assets, self.inference_precision, self.device, hint)
        other._plates, other._attributes = self.plates(), self.attributes()
        return other

    def detector(self, cam: CameraConfig) -> Detector:
        key = (cam.model, cam.precision, cam.conf)
        with self._lock:
            if key not in self._detectors:
                # ByteTrack's second stage wants the low-confidence boxes too: decode from conf/2 up
                self._detectors[key] = Detector(cam.model, cam.precision, cam.device, conf=cam.conf / 2,
                                                assets=self.assets, inference_precision=self.inference_precision,
                                                hint=self.hint)
            return self._detectors[key]

    def plates(self) -> PlateReader:
        with self._lock:
            if self._plates is None:
                self._plates = PlateReader(self.assets, self.device, self.inference_precision)
            return self._plates

    def attributes(self) -> VehicleAttributes:
        with self._lock:
            if self._attributes is None:
                self._attributes = VehicleAttributes(self.assets, self.device, self.inference_precision)
            return self._attributes
