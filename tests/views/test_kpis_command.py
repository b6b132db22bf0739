"""``hue-ioc kpis --period`` reads every kind of period; ``--ranking`` prints the ranking table."""

from __future__ import annotations

import json

import pytest

from hue_ioc.cli import main
from lake import Lake

RECEIVED = """SELECT count(*) FROM silver.reports WHERE is_valid
    AND CAST(timezone('Asia/Ho_Chi_Minh', received_at) AS DATE) BETWEEN $s AND $e"""


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2022-02", "2022-02-01", "2022-02-28"),
    ("2022-Q1", "2022-01-01", "2022-03-31"),
    ("2022", "2022-01-01", "2022-12-31"),
    ("2022-02-25..2022-03-03", "2022-02-25", "2022-03-03"),
])
def test_period_kinds(views_lake: Lake, text: str, start: str, end: str, capsys, monkeypatch) -> None:
    monkeypatch.setenv("HUE_IOC_LAKE", views_lake.root)
    capsys.readouterr()
    assert main(["kpis", "--period", text, "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["period"] == text and "ranking" not in got
    assert got["received"] == views_lake.sql(RECEIVED, {"s": start, "e": end}).item() > 0


def test_ranking_table_and_errors(views_lake: Lake, capsys, monkeypatch) -> None:
    monkeypatch.setenv("HUE_IOC_LAKE", views_lake.root)
    best = views_lake.sql("SELECT u.name FROM gold.unit_performance p JOIN silver.units u USING (unit_id) "
                          "WHERE p.month = '2022-04' ORDER BY p.score DESC, p.received DESC, p.unit_id LIMIT 1").item()
    capsys.readouterr()
    assert main(["kpis", "--period", "2022-04", "--ranking"]) == 0
    lines = capsys.readouterr().out.splitlines()
    first = next(line for line in lines if line.strip().startswith("1 "))
    assert best[:43] in first  # a whole month: the gold table's monthly score gives the same leader
    assert main(["kpis", "--period", "2022-13"]) == 2
    assert main(["kpis", "--period", "2022-04", "--start", "2022-04-01"]) == 2
    assert main(["kpis", "--ranking"]) == 2
    assert "period" in capsys.readouterr().err
