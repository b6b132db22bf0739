"""Phản ánh: counts on the map against silver.reports, offline map style, role masking of reporters."""

from __future__ import annotations

import datetime as dt
import json

from core import fmt
from lake import Lake
from tests.dashboards.conftest import first_day, last_day, no_errors, table_with


def _count(lake: Lake, lo: dt.date, hi: dt.date, status: str | None = None) -> int:
    return int(lake.sql("""SELECT count(*) n FROM silver.reports WHERE is_valid AND lat IS NOT NULL
        AND lon IS NOT NULL AND CAST(timezone('Asia/Ho_Chi_Minh', received_at) AS DATE) BETWEEN $lo AND $hi
        AND ($no OR status = $s)""", {"lo": lo, "hi": hi, "no": status is None, "s": status or ""})["n"][0])


def _deck(at) -> dict:
    return json.loads(at.get("deck_gl_json_chart")[0].proto.json)


def test_map_counts_layers_and_offline_style(reports_lake: Lake, make_app) -> None:
    at = make_app(reports_lake).run()
    at.selectbox(key="period_preset").set_value("all").run()
    at.switch_page("app_pages/reports_map.py").run()
    no_errors(at)
    lo, hi = first_day(reports_lake), last_day(reports_lake)
    n = _count(reports_lake, lo, hi)
    assert f"**{fmt.num(n)} phản ánh**" in [m.value for m in at.markdown]
    deck = _deck(at)
    kinds = {layer["@@type"] for layer in deck["layers"]}
    assert {"HexagonLayer", "ScatterplotLayer", "GeoJsonLayer"} <= kinds
    style = deck["mapStyle"]
    assert style.startswith("data:application/json") and "mapbox.com" not in style and "cartocdn" not in style
    points = next(layer for layer in deck["layers"] if layer["id"] == "reports")
    assert len(points["data"]) == n
    assert "reporter" not in json.dumps(points["data"][0])

    at.multiselect(key="map_status").set_value(["resolved"]).run()
    no_errors(at)
    assert f"**{fmt.num(_count(reports_lake, lo, hi, 'resolved'))} phản ánh**" in [m.value for m in at.markdown]


def test_reporter_identity_only_for_operators(reports_lake: Lake, make_app) -> None:
    leader = make_app(reports_lake, role="leader").run()
    leader.switch_page("app_pages/reports_map.py").run()
    no_errors(leader)
    cols = list(table_with(leader, "Mã phản ánh").columns)
    assert "Người phản ánh" not in cols and "Số điện thoại" not in cols

    operator = make_app(reports_lake, role="operator").run()
    operator.switch_page("app_pages/reports_map.py").run()
    no_errors(operator)
    table = table_with(operator, "Mã phản ánh")
    assert {"Người phản ánh", "Số điện thoại"} <= set(table.columns)
    first_id = table["Mã phản ánh"].iloc[0]
    phone = reports_lake.sql("SELECT reporter_phone FROM silver.reports WHERE report_id = $r",
                             {"r": first_id})["reporter_phone"][0]
    assert table["Số điện thoại"].iloc[0] == phone
    assert "Vai trò: **Điều hành viên**" in [c.value for c in operator.sidebar.caption]
