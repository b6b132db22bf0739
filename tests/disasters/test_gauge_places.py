"""Huế's gauges stand where they are: Kim Long on the Hương river at Kim Long (VNDMS's rounded point is
about 4 km upstream, south), Phú Ốc on the Bồ; each place's source is in the table description.

Distances are computed here with shapely on a local metric projection of the shared river lines."""

from __future__ import annotations

import json
import math
from pathlib import Path

from shapely.geometry import Point, shape
from shapely.ops import transform, unary_union

from lake import Lake
from lake.catalog import spec
from pipelines.disasters import gauges

VNDMS_KIM_LONG = (107.5667, 16.4167)  # lon, lat as VNDMS publishes them (arc-minutes)


def _metres(lon0: float, lat0: float):
    """lon/lat → metres around (lon0, lat0) (equirectangular: exact enough over a few km)."""
    k = 6_371_008.8 * math.pi / 180
    return lambda x, y, z=None: ((x - lon0) * k * math.cos(math.radians(lat0)), (y - lat0) * k)


def _river(data_dir: Path, name: str):
    feats = json.loads((data_dir / "geo" / "hue_rivers_huong_basin_vnexpress.geojson").read_text("utf-8"))["features"]
    return unary_union([shape(f["geometry"]) for f in feats if f["properties"]["name"] == name])


def _station(lake: Lake, code: str) -> dict:
    return lake.sql("SELECT * FROM silver.gauge_stations WHERE station_code = $c", {"c": code}).row(0, named=True)


def test_kim_long_and_phu_oc_stand_on_their_rivers(tmp_path: Path, data_dir: Path):
    lake = Lake.open(tmp_path / "lake")
    gauges.load_stations(lake)
    kl, po = _station(lake, "71520"), _station(lake, "71518")
    assert kl["name"] == "Kim Long" and po["name"] == "Phú Ốc"
    for st, river in ((kl, "Sông Hương"), (po, "Sông Bồ")):
        proj = _metres(st["lon"], st["lat"])
        line = transform(proj, _river(data_dir, river))
        assert line.distance(Point(0, 0)) < 300, (st["name"], line.distance(Point(0, 0)))
    # Kim Long lies in Phường Kim Long (2025 boundaries), and far from VNDMS's rounded point
    wards = json.loads((data_dir / "boundaries" / "hue_wards_communes_2025_vnexpress.geojson").read_text("utf-8"))
    kim_long = next(shape(f["geometry"]) for f in wards["features"] if f["properties"]["Phường xã mới"] == "Kim Long")
    assert kim_long.contains(Point(kl["lon"], kl["lat"]))
    proj = _metres(kl["lon"], kl["lat"])
    moved = Point(proj(*VNDMS_KIM_LONG)).distance(Point(0, 0))
    assert 3_000 < moved < 6_000
    # a rerun changes nothing
    v = lake.version("silver.gauge_stations")
    gauges.load_stations(lake)
    assert lake.version("silver.gauge_stations") == v


def test_the_description_gives_each_coordinate_its_source():
    text = spec("silver.gauge_stations").description
    assert "VNDMS" in text and "hue_rivers_huong_basin_vnexpress.geojson" in text
    assert "Kim Long (71520)" in text and "Phú Ốc (71518)" in text
    places = gauges.station_places()
    assert set(places["station_code"]) == {"71520", "71518"} and places["source"].str.len_chars().min() > 40
