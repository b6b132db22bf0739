"""Warnings the IOC issues: they follow the crossings, are valid Vietnamese CAP 1.2, cover the right communes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from pipelines.disasters import geo
from pipelines.disasters.cap.parse import parse_cap
from pipelines.disasters.cap.rules import CapError
from pipelines.disasters.cap.write import build_cap_xml, validate_cap
from pipelines.disasters.cap_ingest import ingest_documents
from pipelines.disasters.feeds import file_documents
from pipelines.disasters.warnings_issuer import (
    detect_crossings,
    issue_flood_warnings,
    relay_received_for_hue,
)


def _issued(lake, code: str) -> pl.DataFrame:
    return lake.read("silver.warnings").filter(
        (pl.col("direction") == "issued") & (pl.col("station_code") == code)).sort("sent")


def test_issued_warnings_follow_the_crossings(flood_lake) -> None:
    readings = flood_lake.read("silver.gauge_readings")
    for code, (a1, a2, a3) in {"71518": (1.5, 3.0, 4.5), "71520": (1.0, 2.0, 3.5)}.items():
        r = readings.filter(pl.col("station_code") == code)
        crossings = detect_crossings(r, a1, a2, a3, code)
        w = _issued(flood_lake, code)
        assert [(c.observed_at, c.level) for c in crossings] == list(zip(w["sent"], w["alarm_level"], strict=True))
        # every message is sent at the first reading at its new level
        for c in crossings:
            if c.level > c.previous:
                earlier = r.filter((pl.col("observed_at") < c.observed_at)
                                   & (pl.col("observed_at") > (w.filter(pl.col("sent") < c.observed_at)["sent"]
                                                               .max() or dt.datetime(2000, 1, 1, tzinfo=dt.UTC))))
                assert (earlier["alarm_level"] < c.level).all()
    po = _issued(flood_lake, "71518")
    first3 = po.filter(pl.col("alarm_level") == 3).row(0, named=True)
    first_reading3 = readings.filter((pl.col("station_code") == "71518") & (pl.col("water_level_m") >= 4.5)) \
        .sort("observed_at").row(0, named=True)
    assert first3["sent"] == first_reading3["observed_at"] and first3["severity"] == "Extreme"
    assert first3["msg_type"] == "Update" and first3["water_level_m"] >= 4.5
    assert po["msg_type"][0] == "Alert"
    kl = _issued(flood_lake, "71520")
    assert kl["alarm_level"].max() == 2 and kl.filter(pl.col("alarm_level") == 2)["severity"].to_list()[0] == "Severe"
    assert kl["msg_type"].to_list()[-1] == "Cancel"


def test_issued_xml_is_valid_vietnamese_cap(flood_lake) -> None:
    w = flood_lake.read("silver.warnings").filter(pl.col("direction") == "issued")
    assert w.height >= 10
    for row in w.iter_rows(named=True):
        assert validate_cap(row["xml"]) == []
        a = parse_cap(row["xml"].encode())
        assert a.languages == ["vi-VN", "en-US"] and a.sender == "ioc@hue.gov.vn"
        assert "+07:00" in a.sent_text
        if a.msg_type != "Alert":
            prev = [x for x in w.iter_rows(named=True) if x["identifier"] == a.references[0][1]]
            assert prev and prev[0]["superseded_by"] == row["warning_id"]
    top = w.filter(pl.col("alarm_level") == 3).row(0, named=True)
    a = parse_cap(top["xml"].encode())
    vi = a.infos[0]
    assert vi.event == "Lũ trên Sông Bồ" and "Sơ tán" in vi.instruction and vi.response_types == ["Evacuate"]
    assert "trên báo động 3" in vi.headline
    names = [x.area_desc for x in vi.areas]
    assert "Xã Quảng Điền, thành phố Huế" in names and "Phường Hương Trà, thành phố Huế" in names
    assert all(x.polygons and x.geocodes[0][0] == "VN-NSO" for x in vi.areas)
    fc = json.loads(top["areas_geojson"])
    assert {f["geometry"]["type"] for f in fc["features"]} == {"Polygon"}


def test_levels_widen_the_area() -> None:
    lv = [len(geo.affected_communes("71520", 16.41667, 107.5667, k)) for k in (1, 2, 3)]
    assert lv[0] < lv[1] < lv[2]
    assert "Phường Kim Long" in [c.name for c in geo.affected_communes("71520", 16.41667, 107.5667, 1)]


def test_hysteresis_keeps_hovering_quiet() -> None:
    t0 = dt.datetime(2025, 11, 17, tzinfo=dt.UTC)
    levels = [0.9, 1.02, 0.97, 1.01, 0.95, 1.03, 0.85, 0.8]
    df = pl.DataFrame({"observed_at": [t0 + dt.timedelta(hours=i) for i in range(len(levels))],
                       "water_level_m": levels, "bulletin_vi": [None] * len(levels)})
    cs = detect_crossings(df.reverse(), 1.0, 2.0, 3.5, "71520")  # order of input does not matter
    assert [(c.level, c.water_level_m) for c in cs] == [(1, 1.02), (0, 0.85)]


def test_reissue_adds_nothing(flood_lake) -> None:
    v = flood_lake.version("silver.warnings")
    assert issue_flood_warnings(flood_lake) == 0
    assert flood_lake.version("silver.warnings") == v


def test_validator_refuses_bad_issued_alert(flood_lake) -> None:
    row = flood_lake.read("silver.warnings").filter(pl.col("direction") == "issued").row(0, named=True)
    a = parse_cap(row["xml"].encode())
    bad = dataclasses.replace(a, infos=[dataclasses.replace(a.infos[0], severity="Catastrophic")])
    with pytest.raises(CapError, match="severity"):
        build_cap_xml(bad)
    with pytest.raises(CapError, match="without <references>"):
        build_cap_xml(dataclasses.replace(a, msg_type="Update", references=[]))


HUE_ALERT = """<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>NCHMF-2025-1117-01</identifier><sender>nchmf@nchmf.gov.vn</sender>
  <sent>2025-11-17T06:00:00+07:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
  <info><language>vi-VN</language><category>Met</category><event>Mưa lớn</event><urgency>Immediate</urgency>
    <severity>Severe</severity><certainty>Likely</certainty><expires>2025-11-18T06:00:00+07:00</expires>
    <senderName>Trung tâm Dự báo KTTV quốc gia</senderName><headline>Mưa rất to khu vực Huế</headline>
    <area><areaDesc>Trung tâm Huế</areaDesc><circle>16.46,107.59 5</circle></area></info>
</alert>"""


def test_relay_of_received_alert_for_hue(lake, cap_dir: Path, tmp_path: Path) -> None:
    f = tmp_path / "nchmf.xml"
    f.write_text(HUE_ALERT, encoding="utf-8")
    res = ingest_documents(lake, file_documents([f, *sorted(cap_dir.glob("*.xml"))]))
    assert relay_received_for_hue(lake, res.new_ids) == 1  # the US samples are not for Huế
    issued = lake.read("silver.warnings").filter(pl.col("direction") == "issued").row(0, named=True)
    a = parse_cap(issued["xml"].encode())
    assert a.infos[0].language == "vi-VN" and a.infos[0].severity == "Severe"
    assert "nchmf@nchmf.gov.vn,NCHMF-2025-1117-01" in a.note
    assert "Phường Phú Xuân, thành phố Huế" in [x.area_desc for x in a.infos[0].areas]
    assert relay_received_for_hue(lake) == 0
