"""Simulated history of weather/disaster warnings the IOC sent (source='simulated').

Calibrated on Hue-S's published figure: 1,808 warnings over 2019-05..2022-05. Each is a real CAP 1.2
document (Vietnamese then English info), validated like every issued alert; areas are communes by
name and NSO geocode (no polygons, to keep the history light).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from core.tz import VN_TZ
from lake import Lake
from pipelines.disasters import geo
from pipelines.disasters.cap.model import CapAlert, CapArea, CapInfo
from pipelines.disasters.cap.rules import format_cap_datetime
from pipelines.disasters.cap.write import build_cap_xml
from pipelines.disasters.cap_ingest import TARGET, alert_to_row, warning_id, warnings_frame
from pipelines.disasters.common import insert_new, utcnow
from pipelines.disasters.sos import PERIOD, _days, _exact_counts, _season_weight
from pipelines.disasters.warnings_issuer import HOTLINE, IOC_NAME_EN, IOC_NAME_VI, IOC_SENDER

WARNINGS_TOTAL = 1808
# event: (vi, en, CAP category, months it occurs in, relative weight, severities)
EVENTS = [
    ("Mưa lớn", "Heavy rain", "Met", {9, 10, 11, 12, 1}, 5.0, ["Moderate", "Severe"]),
    ("Lũ, ngập lụt", "Flood", "Met", {9, 10, 11, 12}, 4.0, ["Moderate", "Severe", "Extreme"]),
    ("Bão, áp thấp nhiệt đới", "Storm / tropical depression", "Met", {8, 9, 10, 11}, 2.0, ["Severe", "Extreme"]),
    ("Sạt lở đất, lũ quét", "Landslide / flash flood", "Geo", {9, 10, 11, 12}, 1.5, ["Severe", "Extreme"]),
    ("Triều cường, nước dâng", "Storm surge / high tide", "Met", {10, 11, 12}, 1.0, ["Moderate", "Severe"]),
    ("Nắng nóng", "Heat wave", "Met", {4, 5, 6, 7, 8}, 2.0, ["Moderate", "Severe"]),
    ("Giông, lốc, sét", "Thunderstorm, whirlwind, lightning", "Met", {4, 5, 6, 7, 8, 9}, 1.5, ["Moderate"]),
    ("Rét đậm, rét hại", "Severe cold", "Met", {12, 1, 2}, 1.0, ["Moderate"]),
]
URG = {"Moderate": "Expected", "Severe": "Immediate", "Extreme": "Immediate"}


def simulate_warnings(seed: int = 20190501, total: int = WARNINGS_TOTAL) -> list[CapAlert]:
    rng = np.random.default_rng(seed)
    days = _days(*PERIOD)
    counts = _exact_counts(rng, np.array([0.6 + _season_weight(d) for d in days]), total)
    cs = geo.communes()
    out = []
    n = 0
    for d, k in zip(days, counts, strict=True):
        evs = [e for e in EVENTS if d.month in e[3]] or EVENTS
        w = np.array([e[4] for e in evs])
        for _ in range(int(k)):
            n += 1
            vi, en, cat, _, _, sevs = evs[int(rng.choice(len(evs), p=w / w.sum()))]
            sev = str(rng.choice(sevs))
            local = dt.datetime.combine(d, dt.time(5), VN_TZ) + dt.timedelta(minutes=int(rng.integers(0, 15 * 60)))
            picked = sorted(rng.choice(len(cs), size=int(rng.integers(3, 16)), replace=False).tolist())
            areas = [CapArea(area_desc=f"{cs[i].name}, thành phố Huế", geocodes=[("VN-NSO", cs[i].code)])
                     for i in picked]
            expires = local + dt.timedelta(hours=int(rng.choice([12, 24, 48])))
            common = dict(categories=[cat], urgency=URG[sev], severity=sev, certainty="Likely",
                          expires=expires, contact=HOTLINE, areas=areas)
            info_vi = CapInfo(language="vi-VN", event=vi, response_types=["Prepare"], sender_name=IOC_NAME_VI,
                              headline=f"Cảnh báo {vi.lower()} trên địa bàn thành phố Huế",
                              instruction="Theo dõi thông tin trên Hue-S; gọi 1900 1075 khi cần hỗ trợ.", **common)
            info_en = CapInfo(language="en-US", event=en, response_types=["Prepare"], sender_name=IOC_NAME_EN,
                              headline=f"{en} warning for Huế city",
                              instruction="Follow Hue-S; call 1900 1075 if you need help.", **common)
            sent = local.astimezone(dt.UTC)
            out.append(CapAlert(identifier=f"HUE-IOC-SIM-{n:05d}", sender=IOC_SENDER, sent=sent,
                                sent_text=format_cap_datetime(local, VN_TZ), status="Actual", msg_type="Alert",
                                scope="Public", infos=[info_vi, info_en]))
    return out


def load_simulated_warnings(lake: Lake, seed: int = 20190501) -> int:
    """Insert the simulated history; documents already stored are not rebuilt (fast reruns)."""
    now = utcnow()
    alerts = simulate_warnings(seed)
    if lake.exists(TARGET):
        have = set(lake.sql("select warning_id from silver.warnings where source = 'simulated'")["warning_id"])
        alerts = [a for a in alerts if warning_id(a) not in have]
    rows = [alert_to_row(a, direction="issued", source="simulated", origin="simulator",
                         xml=build_cap_xml(a, tz=VN_TZ).decode("utf-8"), ingested_at=now)
            for a in alerts]
    return insert_new(lake, TARGET, warnings_frame(rows))
