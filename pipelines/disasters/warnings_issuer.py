"""Warnings the IOC issues itself: Vietnamese CAP 1.2 alerts when a Huế gauge crosses an alarm level,
and when a received CAP alert concerns Huế. Recorded in silver.warnings with direction='issued'.

An episode per gauge: the first crossing of level 1 or above issues an Alert; every later change of
level issues an Update that references the previous message; falling back below level 1 issues a
Cancel. Falls are confirmed only ``HYSTERESIS_M`` below a threshold so a level hovering at a
threshold does not flood people with messages. Identifiers are derived from gauge and reading time,
so reruns issue nothing new.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import polars as pl
from shapely import Geometry, Point, unary_union
from shapely.geometry import shape

from core.tz import VN_TZ
from lake import Lake
from pipelines.disasters import geo
from pipelines.disasters.cap.model import CapAlert, CapArea, CapInfo
from pipelines.disasters.cap.rules import format_cap_datetime
from pipelines.disasters.cap.write import build_cap_xml
from pipelines.disasters.cap_ingest import (
    TARGET,
    alert_to_row,
    apply_supersession,
    warning_id,
    warnings_frame,
)
from pipelines.disasters.common import insert_new, utcnow

IOC_SENDER = "ioc@hue.gov.vn"
IOC_NAME_VI = "Trung tâm Giám sát, điều hành đô thị thông minh Huế (IOC)"
IOC_NAME_EN = "Huế Intelligent Operations Center (IOC)"
HOTLINE = "Đường dây nóng / Hotline 1900 1075"
HYSTERESIS_M = 0.10
EXPIRES_AFTER = dt.timedelta(hours=72)
SEVERITY = {1: "Moderate", 2: "Severe", 3: "Extreme"}
URGENCY = {1: "Expected", 2: "Immediate", 3: "Immediate"}
RESPONSE = {1: ["Monitor"], 2: ["Prepare"], 3: ["Evacuate"]}
INSTRUCTION_VI = {
    1: "Theo dõi bản tin lũ; kê cao đồ đạc; không đi qua ngầm, tràn, khu vực nước chảy xiết.",
    2: "Chuẩn bị sơ tán người già, trẻ em khỏi vùng trũng thấp; di chuyển tài sản, phương tiện lên cao; "
       "hạn chế ra đường; gọi đường dây nóng 1900 1075 hoặc gửi SOS trên Hue-S khi cần cứu hộ.",
    3: "Sơ tán ngay khỏi vùng ngập sâu, ven sông theo hướng dẫn của chính quyền địa phương; tuyệt đối không "
       "đi qua vùng nước chảy xiết; gửi SOS trên Hue-S hoặc gọi 1900 1075 khi cần cứu hộ.",
}
INSTRUCTION_EN = {
    1: "Follow flood bulletins; raise belongings; do not cross flooded roads or fast-flowing water.",
    2: "Prepare to move the elderly and children away from low-lying areas; move property and vehicles to "
       "higher ground; call 1900 1075 or send SOS in Hue-S if you need rescue.",
    3: "Evacuate deep-flood and riverside areas now as local authorities direct; never cross fast-flowing "
       "water; send SOS in Hue-S or call 1900 1075 if you need rescue.",
}


@dataclass(frozen=True)
class Crossing:
    station_code: str
    observed_at: dt.datetime
    water_level_m: float
    level: int  # the new alarm level (0 = back below level 1)
    previous: int
    bulletin_vi: str | None


def detect_crossings(readings: pl.DataFrame, a1: float, a2: float | None, a3: float | None,
                     station_code: str) -> list[Crossing]:
    """Level changes of one gauge, readings in any order (sorted here), falls with hysteresis."""
    thr = {1: a1, 2: a2, 3: a3}
    out: list[Crossing] = []
    state = 0
    rows = readings.sort("observed_at").select("observed_at", "water_level_m", "bulletin_vi").iter_rows()
    for t, lv, bull in rows:
        reached = max([k for k in (1, 2, 3) if thr[k] is not None and lv >= thr[k] - 1e-9], default=0)
        new = state
        if reached > state:
            new = reached
        elif reached < state:
            # confirm a fall only when clearly below the threshold of the current state
            confirmed = max([k for k in (1, 2, 3) if thr[k] is not None and lv >= thr[k] - HYSTERESIS_M],
                            default=0)
            if confirmed < state:
                new = reached
        if new != state:
            out.append(Crossing(station_code, t, lv, new, state, bull))
            state = new
    return out


def _fmt(x: float) -> str:
    return f"{x:.2f}".replace(".", ",")


def _commune_areas(communes: list[geo.Commune]) -> list[CapArea]:
    return [CapArea(area_desc=f"{c.name}, thành phố Huế",
                    polygons=geo.polygon_rings_latlon(c.geometry),
                    geocodes=[("VN-NSO", c.code)] if c.code else []) for c in communes]


def flood_alert(c: Crossing, station: dict, prev: CapAlert | None) -> CapAlert:
    """The CAP alert for one crossing (Vietnamese first, English second)."""
    name, river = station["name"], geo.river_of(c.station_code, station["lat"], station["lon"])
    local = c.observed_at.astimezone(VN_TZ)
    ident = f"HUE-IOC-FLOOD-{c.station_code}-{c.observed_at.astimezone(dt.UTC):%Y%m%dT%H%MZ}"
    msg_type = "Alert" if prev is None else ("Cancel" if c.level == 0 else "Update")
    refs = [] if prev is None else [(prev.sender, prev.identifier, prev.sent_text)]
    level = c.level if c.level > 0 else c.previous
    communes = geo.affected_communes(c.station_code, station["lat"], station["lon"], level)
    areas = _commune_areas(communes)
    params_common = [("station_code", c.station_code), ("water_level_m", f"{c.water_level_m:.2f}"),
                     ("alarm_level", str(c.level)), ("previous_alarm_level", str(c.previous))]
    when_vi = f"{local:%H:%M} ngày {local:%d/%m/%Y}"
    when_en = f"{local:%H:%M} on {local:%d %b %Y} (GMT+7)"
    if c.level > 0:
        rising = c.level > c.previous
        verb_vi = "lên trên" if rising else "xuống còn trên"
        head_vi = (f"Mực nước {river} tại {name} {verb_vi} báo động {c.level}: {_fmt(c.water_level_m)} m "
                   f"({c.bulletin_vi})")
        head_en = (f"{river} at {name} {'rose above' if rising else 'fell back to'} alarm level {c.level}: "
                   f"{c.water_level_m:.2f} m")
        desc_vi = (f"Lúc {when_vi}, mực nước {river} tại trạm {name} là {_fmt(c.water_level_m)} m, "
                   f"{c.bulletin_vi}. Các xã, phường ven sông có nguy cơ ngập: "
                   f"{', '.join(x.name for x in communes)}.")
        desc_en = (f"At {when_en} the {river} at {name} gauge stood at {c.water_level_m:.2f} m, alarm level "
                   f"{c.level}. Riverside communes at risk: {', '.join(x.name for x in communes)}.")
        infos_args = dict(urgency=URGENCY[c.level], severity=SEVERITY[c.level], certainty="Observed")
        resp, instr_vi, instr_en = RESPONSE[c.level], INSTRUCTION_VI[c.level], INSTRUCTION_EN[c.level]
        expires = c.observed_at + EXPIRES_AFTER
    else:
        head_vi = f"Mực nước {river} tại {name} đã xuống dưới báo động 1: {_fmt(c.water_level_m)} m"
        head_en = f"{river} at {name} fell below alarm level 1: {c.water_level_m:.2f} m"
        desc_vi = f"Lúc {when_vi}, mực nước {river} tại trạm {name} là {_fmt(c.water_level_m)} m, {c.bulletin_vi}."
        desc_en = f"At {when_en} the {river} at {name} gauge stood at {c.water_level_m:.2f} m, below alarm level 1."
        infos_args = dict(urgency="Past", severity="Minor", certainty="Observed")
        resp = ["AllClear"]
        instr_vi = "Khắc phục hậu quả sau lũ; cẩn thận điện, đường sạt lở; tiếp tục theo dõi bản tin."
        instr_en = "Recovery: beware of electricity and damaged roads; keep following bulletins."
        expires = None
    info_vi = CapInfo(language="vi-VN", categories=["Met"], event=f"Lũ trên {river}", response_types=resp,
                      expires=expires, sender_name=IOC_NAME_VI, headline=head_vi, description=desc_vi,
                      instruction=instr_vi, contact=HOTLINE,
                      parameters=[*params_common, ("bulletin", c.bulletin_vi or "")], areas=areas, **infos_args)
    info_en = CapInfo(language="en-US", categories=["Met"], event=f"Flood on the {river}", response_types=resp,
                      expires=expires, sender_name=IOC_NAME_EN, headline=head_en, description=desc_en,
                      instruction=instr_en, contact=HOTLINE, parameters=params_common, areas=areas,
                      **infos_args)
    sent_text = format_cap_datetime(c.observed_at, VN_TZ)
    return CapAlert(identifier=ident, sender=IOC_SENDER, sent=c.observed_at.astimezone(dt.UTC),
                    sent_text=sent_text, status="Actual", msg_type=msg_type, scope="Public",
                    source=f"VNDMS gauge {c.station_code}", references=refs, infos=[info_vi, info_en])


def flood_warnings_for(readings: pl.DataFrame, stations: pl.DataFrame) -> list[tuple[CapAlert, Crossing]]:
    """Every IOC alert the readings call for (Huế river gauges with alarm levels)."""
    out = []
    st = stations.filter(pl.col("in_hue") & (pl.col("kind") == "river") & pl.col("alarm1_m").is_not_null())
    for station in st.iter_rows(named=True):
        r = readings.filter(pl.col("station_code") == station["station_code"])
        if r.is_empty():
            continue
        prev: CapAlert | None = None
        for c in detect_crossings(r, station["alarm1_m"], station["alarm2_m"], station["alarm3_m"],
                                  station["station_code"]):
            alert = flood_alert(c, station, prev)
            out.append((alert, c))
            prev = None if c.level == 0 else alert
    return out


def issue_flood_warnings(lake: Lake, until: dt.datetime | None = None) -> int:
    """Issue (and store) the flood warnings for every crossing in silver.gauge_readings; returns new ones."""
    stations = lake.read("silver.gauge_stations")
    readings = lake.read("silver.gauge_readings",
                         columns=["station_code", "observed_at", "water_level_m", "bulletin_vi"])
    if until is not None:
        readings = readings.filter(pl.col("observed_at") <= until)
    now = utcnow()
    rows = []
    for alert, c in flood_warnings_for(readings, stations):
        xml = build_cap_xml(alert, tz=VN_TZ).decode("utf-8")
        rows.append(alert_to_row(alert, direction="issued", source="ioc", origin=c.station_code, xml=xml,
                                 ingested_at=now, station_code=c.station_code, alarm_level=c.level,
                                 water_level_m=c.water_level_m))
    n = insert_new(lake, TARGET, warnings_frame(rows))
    if n:
        apply_supersession(lake)
    return n


# ---------------------------------------------------------------------------------------------- relays
def _alert_geometry(areas_geojson: str) -> Geometry | None:
    feats = json.loads(areas_geojson).get("features", [])
    geoms = [shape(f["geometry"]) for f in feats if f.get("geometry")]
    geoms = [g.buffer(0.002) if g.geom_type == "Point" else g.buffer(0) for g in geoms]
    return unary_union(geoms) if geoms else None


def concerns_hue(row: dict) -> tuple[bool, list[geo.Commune]]:
    """Whether a received alert concerns Huế, and which communes it covers."""
    g = _alert_geometry(row["areas_geojson"] or "{}")
    if g is not None and not g.is_empty:
        if g.intersects(geo.city_outline()):
            return True, geo.communes_in(g)
        return False, []
    text = " ".join(filter(None, [row.get("area_desc"), row.get("headline")])).lower()
    codes = json.loads(row.get("geocodes") or "[]")
    if "huế" in text or "hue city" in text or any(str(v) == "46" or str(v).startswith("46") and len(str(v)) <= 3
                                                    for _, v in codes):
        return True, list(geo.communes())
    return False, []


def relay_alert(row: dict, communes: list[geo.Commune]) -> CapAlert:
    """A Vietnamese IOC alert relaying a received one to the communes of Huế it covers."""
    sent = row["sent"]
    ident = f"HUE-IOC-RELAY-{row['warning_id'][:16]}"
    infos = json.loads(row["infos_json"] or "[]")
    first = infos[0] if infos else {}
    severity = row.get("severity") or "Unknown"
    sender_name = row.get("sender_name") or row["sender"]
    head_vi = f"Chuyển tiếp cảnh báo của {sender_name}: {row.get('headline') or row.get('event')}"
    info_vi = CapInfo(
        language="vi-VN", categories=(row.get("category") or "Other").split(","),
        event=f"Cảnh báo: {row.get('event')}", response_types=(first.get("response_types") or []),
        urgency=row.get("urgency") or "Unknown", severity=severity, certainty=row.get("certainty") or "Unknown",
        expires=row.get("expires"), sender_name=IOC_NAME_VI, headline=head_vi,
        description=(f"IOC Huế chuyển tiếp cảnh báo nhận được từ {sender_name} lúc "
                     f"{sent.astimezone(VN_TZ):%H:%M %d/%m/%Y}. Nội dung gốc: {row.get('description') or ''}").strip(),
        instruction=("Làm theo hướng dẫn của cơ quan phát cảnh báo và chính quyền địa phương; "
                     "gọi 1900 1075 hoặc gửi SOS trên Hue-S khi cần hỗ trợ."),
        contact=HOTLINE, parameters=[("relayed_from", f"{row['sender']},{row['identifier']}")],
        areas=_commune_areas(communes))
    info_en = CapInfo(
        language="en-US", categories=info_vi.categories, event=str(row.get("event")),
        response_types=info_vi.response_types, urgency=info_vi.urgency, severity=severity,
        certainty=info_vi.certainty, expires=info_vi.expires, sender_name=IOC_NAME_EN,
        headline=f"Relayed warning from {sender_name}: {row.get('headline') or row.get('event')}",
        instruction="Follow the issuing authority and local government; call 1900 1075 or send SOS in Hue-S.",
        contact=HOTLINE, parameters=info_vi.parameters, areas=info_vi.areas)
    return CapAlert(identifier=ident, sender=IOC_SENDER, sent=sent, sent_text=format_cap_datetime(sent, VN_TZ),
                    status="Actual", msg_type="Alert", scope="Public",
                    note=f"Relay of {row['sender']},{row['identifier']},{row['sent'].isoformat()}",
                    infos=[info_vi, info_en])


def relay_received_for_hue(lake: Lake, warning_ids: list[str] | None = None) -> int:
    """Issue a Vietnamese IOC alert for each received Actual Alert/Update covering Huế; returns new ones."""
    if not lake.exists(TARGET):
        return 0
    df = lake.read(TARGET).filter((pl.col("direction") == "received") & (pl.col("status") == "Actual")
                                  & pl.col("msg_type").is_in(["Alert", "Update"]))
    if warning_ids is not None:
        df = df.filter(pl.col("warning_id").is_in(warning_ids))
    rows, now = [], utcnow()
    for row in df.iter_rows(named=True):
        ok, communes = concerns_hue(row)
        if not ok or not communes:
            continue
        alert = relay_alert(row, communes)
        xml = build_cap_xml(alert, tz=VN_TZ).decode("utf-8")
        rows.append(alert_to_row(alert, direction="issued", source="ioc", origin=row["warning_id"], xml=xml,
                                 ingested_at=now))
    return insert_new(lake, TARGET, warnings_frame(rows))


def point_in_hue(lat: float, lon: float) -> bool:
    return geo.city_outline().contains(Point(lon, lat))


__all__ = ["Crossing", "detect_crossings", "flood_alert", "flood_warnings_for", "issue_flood_warnings",
           "relay_received_for_hue", "concerns_hue", "warning_id", "point_in_hue"]
