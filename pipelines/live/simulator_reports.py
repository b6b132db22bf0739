"""Citizen reports of now for the live simulator: a new report every little while, then its lifecycle
(validated, assigned to a unit, resolved), each stamped with the moment it happens and ``source =
'simulated'``. Served as a :class:`ReportSource` whose ``fetch`` hands over what happened since the last
fetch, so the live service ingests it exactly as it ingests the citizen app's PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from dataclasses import dataclass

import numpy as np
import polars as pl

from core.tz import VN_TZ
from pipelines.sources.admin_units import admin_units_frame
from pipelines.sources.base import RawRecord, SourceBatch, event_payload, iso, report_payload
from pipelines.sources.categories import categories_frame
from pipelines.sources.hues.places import point_pools

SOURCE = "simulated"
# Minutes of the scenario's clock after receipt (divided by the speed on the wall clock).
STEPS = (("validated", 2.0), ("assigned", 5.0), ("resolved", 90.0))


@dataclass
class _Open:
    report_id: str
    received_at: dt.datetime
    category: str
    deadline_hours: int
    unit_id: str | None
    step: int = 0  # index of the next lifecycle step


class SimulatedReports:
    """New reports and their lifecycle; ``tick(now)`` makes what is due, ``fetch`` drains it."""

    name = SOURCE

    def __init__(self, units: list[str], seed: int = 11, speed: float = 1.0) -> None:
        self.rng = np.random.default_rng(seed)
        self.speed = speed
        self.units = units
        admin = admin_units_frame().filter(pl.col("code").str.ends_with("@2025"))
        self.pools = point_pools(admin, self.rng, per=20)
        self.codes = sorted(self.pools)
        self.categories = categories_frame().select("category_code", "name_vi", "process_type",
                                                    "deadline_hours").to_dicts()
        self._open: list[_Open] = []
        self._pending: list[RawRecord] = []
        self._lock = threading.Lock()
        self._n = itertools.count(1)
        self.made = {"reports": 0, "events": 0}

    def new_report(self, now: dt.datetime) -> None:
        cat = self.categories[int(self.rng.integers(len(self.categories)))]
        code = self.codes[int(self.rng.integers(len(self.codes)))]
        lon, lat = self.pools[code][int(self.rng.integers(len(self.pools[code])))]
        rid = f"SIM-{now.astimezone(VN_TZ):%Y%m%d%H%M%S}-{next(self._n):05d}"
        payload = report_payload(
            report_id=rid, source=SOURCE, channel=str(self.rng.choice(["app", "app", "app", "hotline", "web"])),
            category_code=cat["category_code"], title=f"[Mô phỏng] {cat['name_vi']}",
            description="Phản ánh mô phỏng cho bản trình diễn trực tiếp", lat=float(lat), lon=float(lon),
            admin_unit_code=code, received_at=iso(now), process_type=cat["process_type"], is_valid=True,
            updated_at=iso(now))
        unit = self.units[int(self.rng.integers(len(self.units)))] if self.units else None
        with self._lock:
            self._pending.append(RawRecord("report", SOURCE, rid, payload))
            self._pending.append(self._event(rid, "received", now))
            self._open.append(_Open(rid, now, cat["category_code"], int(cat["deadline_hours"] or 120), unit))
        self.made["reports"] += 1

    def _event(self, rid: str, kind: str, at: dt.datetime, **extra: object) -> RawRecord:
        self.made["events"] += 1
        eid = f"{rid}-{kind}"
        return RawRecord("event", SOURCE, eid, event_payload(event_id=eid, report_id=rid, event_type=kind,
                                                             at=iso(at), **extra))

    def tick(self, now: dt.datetime) -> None:
        """The lifecycle steps whose time has come, stamped ``now``."""
        with self._lock:
            still = []
            for r in self._open:
                while r.step < len(STEPS):
                    kind, minutes = STEPS[r.step]
                    if now < r.received_at + dt.timedelta(minutes=minutes / self.speed):
                        break
                    r.step += 1
                    if kind == "assigned":
                        if r.unit_id is None:  # no unit roster in the lake: the report stays unassigned
                            r.step = len(STEPS)
                            break
                        self._pending.append(self._event(
                            r.report_id, kind, now, unit_id=r.unit_id,
                            deadline_at=iso(now + dt.timedelta(hours=r.deadline_hours))))
                    else:
                        self._pending.append(self._event(r.report_id, kind, now))
                if r.step < len(STEPS):
                    still.append(r)
            self._open = still

    def fetch(self, since: str | None = None) -> SourceBatch:
        """Everything made since the last fetch (no watermark: nothing is kept to read again)."""
        with self._lock:
            records, self._pending = self._pending, []
        return SourceBatch(records=records)
