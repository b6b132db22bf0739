"""The live simulator: the traffic of now, as the live service receives it from the field.

- camera events in both formats the service reads: Frigate's ``frigate/events`` (an object that stayed in a
  zone of the camera's configuration long enough for its rule) and our detector's
  ``hue-ioc/cameras/<camera>/events`` (violations with ``source = 'simulated'``);
- gauge telemetry on ``hue-ioc/gauges/<station>/level`` for Huế's river gauges: the calm level each gauge
  had before the November 2025 flood (real data), or with ``scenario='flood-2025'`` the flood itself
  replayed from a few hours before báo động 2, ``speed`` times faster than it happened, each reading stamped
  with the moment it is sent (the flood shifted to today);
- citizen reports and their lifecycle (:mod:`pipelines.live.simulator_reports`).

Messages go to a ``publish(topic, payload)`` callable: the in-process consumer of the live service, or an
MQTT broker. Everything is stamped with the wall clock when it is made.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from core.fines import fine_vnd
from core.settings import data_path
from pipelines.disasters import gauges
from pipelines.disasters.gauge_files import read_vndms_csv, read_vndms_raw
from pipelines.live.messages import FRIGATE_TOPIC
from pipelines.live.simulator_reports import SOURCE, SimulatedReports
from pipelines.live.zones import Cameras, ZoneRule

SCENARIOS = ("normal", "flood-2025")
FRIGATE_LABELS = {"vehicle": "car", "bike": "motorcycle", "person": "person"}
FLOOD_LEAD = dt.timedelta(hours=3)  # the replay starts this long (flood time) before the first báo động 2


@dataclass
class Rates:
    """Wall-clock seconds between messages (the street traffic runs at its real pace whatever the speed)."""

    camera_s: float = 4.0  # per camera, alternating Frigate and detector events
    gauge_s: float = 30.0  # calm readings, per gauge
    report_s: float = 15.0


@dataclass
class _Due:
    every_s: float
    next_at: float = 0.0  # seconds since the start: everything is sent once at once

    def due(self, t: float) -> bool:
        if t >= self.next_at:
            self.next_at = t + self.every_s
            return True
        return False


def river_readings() -> tuple[pl.DataFrame, pl.DataFrame]:
    """The November 2025 readings of Huế's river gauges (UTC, oldest first) and each gauge's báo động 2."""
    path = data_path(gauges.HUE_FILE)
    raw = read_vndms_raw(path)
    rivers = raw.filter(pl.col("type") == "River").group_by("station_code").agg(
        pl.col("a2").cast(pl.Float64, strict=False).drop_nulls().first().alias("alarm2_m"))
    readings, _ = read_vndms_csv(path)
    readings = readings.join(rivers, on="station_code").filter(pl.col("water_level_m").is_not_null())
    return readings.select("station_code", "observed_at", "water_level_m").sort("observed_at"), rivers


@dataclass
class GaugeFeed:
    """Which level each river gauge reports next."""

    readings: pl.DataFrame
    alarm2: pl.DataFrame
    flood: bool
    speed: float
    start: dt.datetime = field(init=False)
    calm: dict[str, float] = field(init=False)

    def __post_init__(self) -> None:
        first = self.readings.group_by("station_code").agg(pl.col("water_level_m").first())
        self.calm = dict(first.iter_rows())
        over = self.readings.join(self.alarm2, on="station_code").filter(
            pl.col("water_level_m") >= pl.col("alarm2_m"))
        t0 = over["observed_at"].min() if over.height else self.readings["observed_at"].min()
        self.start = max(t0 - FLOOD_LEAD, self.readings["observed_at"].min())
        self._sent_until = self.start - dt.timedelta(microseconds=1)

    def due(self, elapsed_s: float) -> list[tuple[str, float]]:
        """Flood: the readings the replay clock passed since the last call (looping at the file's end)."""
        clock = self.start + dt.timedelta(seconds=elapsed_s * self.speed)
        last = self.readings["observed_at"].max()
        if self._sent_until >= last:  # the file is over: play it again
            self._sent_until = self.start - dt.timedelta(microseconds=1)
        clock = min(clock, last)
        rows = self.readings.filter((pl.col("observed_at") > self._sent_until) & (pl.col("observed_at") <= clock))
        if rows.height:
            self._sent_until = clock
        # several flood hours may pass in one step: each gauge sends its newest level (stamped now)
        return list({r["station_code"]: r["water_level_m"] for r in rows.iter_rows(named=True)}.items())


class LiveSimulator:
    """Makes the messages and reports that are due at each ``step``."""

    def __init__(self, cameras: Cameras, publish: Callable[[str, bytes], None], reports: SimulatedReports | None = None,
                 scenario: str = "normal", speed: float = 1.0, rates: Rates | None = None, seed: int = 5) -> None:
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}; one of {list(SCENARIOS)}")
        if speed <= 0:
            raise ValueError("speed must be > 0")
        self.cameras, self.publish, self.reports = cameras, publish, reports
        self.rates = rates or Rates()
        self.rng = np.random.default_rng(seed)
        readings, alarm2 = river_readings()
        self.gauges = GaugeFeed(readings, alarm2, scenario == "flood-2025", speed)
        self._cam = {c: _Due(self.rates.camera_s) for c in cameras}
        self._turns = dict.fromkeys(cameras, 0)
        self._gauge = _Due(self.rates.gauge_s)
        self._report = _Due(self.rates.report_s)
        self._n = itertools.count(1)
        self.sent = {"frigate": 0, "detector": 0, "gauge": 0}

    def step(self, elapsed_s: float, now: dt.datetime | None = None) -> None:
        now = now or dt.datetime.now(dt.UTC)
        for cam_id, due in self._cam.items():
            if due.due(elapsed_s):
                self._turns[cam_id] += 1
                if self._turns[cam_id] % 2:
                    self._frigate(cam_id, now)
                else:
                    self._detector(cam_id, now)
        if self.gauges.flood:
            for code, level in self.gauges.due(elapsed_s):
                self._reading(code, level, now)
        elif self._gauge.due(elapsed_s):
            for code, level in self.gauges.calm.items():
                self._reading(code, round(level + float(self.rng.normal(0, 0.02)), 2), now)
        if self.reports is not None:
            if self._report.due(elapsed_s):
                self.reports.new_report(now)
            self.reports.tick(now)

    def _rule(self, cam_id: str) -> ZoneRule | None:
        rules = [z for z in self.cameras[cam_id].zones if z.rule in ("dwell", "encroachment")]
        return rules[int(self.rng.integers(len(rules)))] if rules else None

    def _class(self, rule: ZoneRule | None, cam_id: str) -> str:
        choices = (rule.classes if rule and rule.classes else None) or self.cameras[cam_id].labels or ("vehicle",)
        return str(choices[int(self.rng.integers(len(choices)))])

    def _frigate(self, cam_id: str, now: dt.datetime) -> None:
        """An object that has just left the view: in a zone long enough for its rule, or (one in three) just
        passing by, which only counts."""
        rule = self._rule(cam_id) if self.rng.random() < 2 / 3 else None
        tracked = (rule.seconds if rule else 0.0) + float(self.rng.uniform(1, 8))
        end = now.timestamp()
        x0, y0 = float(self.rng.uniform(0, 1500)), float(self.rng.uniform(0, 900))
        zones = [rule.zone_id] if rule else []
        after = {"id": f"{end:.6f}-sim{next(self._n)}", "camera": cam_id,
                 "label": FRIGATE_LABELS.get(self._class(rule, cam_id), "car"),
                 "score": round(float(self.rng.uniform(0.6, 0.95)), 3), "box": [x0, y0, x0 + 120, y0 + 80],
                 "start_time": end - tracked, "frame_time": end, "end_time": end, "current_zones": zones,
                 "entered_zones": zones, "false_positive": False, "sub_label": SOURCE}
        after["top_score"] = after["score"]
        self.publish(FRIGATE_TOPIC, json.dumps({"type": "end", "before": after, "after": after,
                                                  "source": SOURCE}).encode())
        self.sent["frigate"] += 1

    def _detector(self, cam_id: str, now: dt.datetime) -> None:
        rule = self._rule(cam_id)
        if rule is None:
            return
        cls = self._class(rule, cam_id)
        x0, y0 = float(self.rng.uniform(0, 1500)), float(self.rng.uniform(0, 900))
        start = now - dt.timedelta(seconds=rule.seconds + float(self.rng.uniform(1, 5)))
        event = {"event_id": f"sim-{cam_id}-{now.timestamp():.6f}-{next(self._n)}", "camera_id": cam_id,
                 "rule_id": rule.rule_id, "rule": rule.rule, "violation_type": rule.violation_type,
                 "category": "violation", "class_name": cls, "start_at": start.isoformat(),
                 "end_at": now.isoformat(), "score": round(float(self.rng.uniform(0.6, 0.95)), 3),
                 "box_x0": x0, "box_y0": y0, "box_x1": x0 + 120, "box_y1": y0 + 80, "model_name": SOURCE,
                 "fine_vnd": fine_vnd(rule.violation_type, FRIGATE_LABELS.get(cls, "car"), start), "source": SOURCE}
        self.publish(f"hue-ioc/cameras/{cam_id}/events", json.dumps(event).encode())
        self.sent["detector"] += 1

    def _reading(self, code: str, level: float, now: dt.datetime) -> None:
        doc = {"station_code": code, "observed_at": now.isoformat(), "water_level_m": level, "source": SOURCE}
        self.publish(f"hue-ioc/gauges/{code}/level", json.dumps(doc).encode())
        self.sent["gauge"] += 1
