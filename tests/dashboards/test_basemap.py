"""Every map draws the offline basemap (commune borders, their names, rivers) from the reference data, as
literal deck.gl props (a quoted string stays a string through pydeck), and no map asks the network."""

from __future__ import annotations

import json

import pytest

from lake import Lake
from tests.dashboards.conftest import no_errors

BASEMAP = {"basemap-communes": "GeoJsonLayer", "basemap-rivers": "GeoJsonLayer", "basemap-names": "TextLayer"}


@pytest.mark.parametrize(("page", "role", "wall"), [
    ("app_pages/reports_map.py", "leader", False), ("app_pages/floods.py", "leader", False),
    ("app_pages/violations.py", "leader", False), (None, "wall", True)])
def test_every_map_has_the_basemap(full_lake: Lake, make_app, page: str | None, role: str, wall: bool,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    if wall:
        monkeypatch.setenv("HUE_IOC_WALL_PAGES", "reports_map")
    at = make_app(full_lake, role=role, wall=wall).run()
    if page:
        at.switch_page(page).run()
    no_errors(at)
    decks = [json.loads(d.proto.json) for d in at.get("deck_gl_json_chart")]
    assert decks
    for deck in decks:
        layers = {layer["id"]: layer for layer in deck["layers"]}
        assert {k: layers[k]["@@type"] for k in BASEMAP if k in layers} == BASEMAP
        communes = layers["basemap-communes"]["data"]["features"]
        assert len(communes) == 40  # Huế's 40 communes and wards since 2025-07-01
        names = {r["name"] for r in layers["basemap-names"]["data"]}
        assert {"Phú Xuân", "Thuận Hóa"} <= names and len(names) == 40
        assert layers["basemap-names"]["characterSet"] == "auto"  # a string, not an accessor function
        assert layers["basemap-names"]["sizeUnits"] == "pixels"
        assert len(layers["basemap-rivers"]["data"]["features"]) >= 5
        assert "cartocdn" not in deck.get("mapStyle", "") and "mapbox.com" not in deck.get("mapStyle", "")
