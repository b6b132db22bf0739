"""The overview shows the seed's other facts of the period (app installs and visits, environment reports
and fines, police tracing) and, to leaders, the median processing time and its cut since launch."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core import fmt

APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"


def test_overview_panels_match_the_lake(timeline_lake, monkeypatch):
    monkeypatch.setenv("HUE_IOC_LAKE", timeline_lake.root)
    monkeypatch.setenv("HUE_IOC_ROLE", "leader")
    monkeypatch.setenv("HUE_IOC_LANGUAGE", "vi")
    monkeypatch.delenv("HUE_IOC_DASHBOARD_WALL", raising=False)
    at = AppTest.from_file(str(APP), default_timeout=90).run()
    assert not at.exception and not at.error
    caption = next(c.value for c in at.caption if c.value.startswith("Từ "))
    start, end = (dt.datetime.strptime(d, "%d/%m/%Y").date() for d in re.findall(r"\d\d/\d\d/\d{4}", caption)[:2])
    m = {x.label: x for x in at.metric}
    installs = timeline_lake.sql("SELECT sum(installs) FROM silver.app_adoption WHERE date <= $e", {"e": end}).item()
    visits = timeline_lake.sql("SELECT sum(visits) FROM silver.app_adoption WHERE date BETWEEN $s AND $e",
                               {"s": start, "e": end}).item()
    assert m["Lượt cài đặt ứng dụng"].value == fmt.num(installs)
    assert m["Lượt truy cập trong kỳ"].value == fmt.num(visits)
    assert "Phản ánh môi trường" in m and "Hỗ trợ công an truy vết" in m
    assert m["Thời gian xử lý (trung vị)"].value.endswith(" giờ")
