"""The Hue-S simulator: deterministic, and calibrated to the published figures (each within 1 point)."""

import polars as pl
import pytest

from core.kpis import COUNT_KEYS, rates
from pipelines.reports import gold
from pipelines.reports.conform import fold
from pipelines.sources.admin_units import admin_units_frame
from pipelines.sources.simulator import SimulatorConfig, simulate


def test_same_seed_same_data_other_seed_other_data():
    a = simulate(SimulatorConfig(seed=5, scale=0.01))
    b = simulate(SimulatorConfig(seed=5, scale=0.01))
    c = simulate(SimulatorConfig(seed=6, scale=0.01))
    assert a.reports.equals(b.reports) and a.events.equals(b.events)
    assert not a.reports.equals(c.reports)
    assert (a.reports["source"] == "simulated").all()


@pytest.fixture(scope="module")
def three_years():
    sim = simulate(SimulatorConfig())
    reports = sim.reports.unique("report_id", keep="first", maintain_order=True)
    events = sim.events.unique("event_id", keep="first")
    silver = fold(reports, events, admin_units_frame())
    return sim, silver


def test_calibrated_to_the_published_figures(three_years):
    sim, silver = three_years
    daily = gold.kpi_daily(silver)
    counts = {k: int(daily[k].sum()) for k in COUNT_KEYS}
    r = rates(counts)
    assert counts["received"] > 58_000
    assert r["processed_rate"] == pytest.approx(0.975, abs=0.01)
    assert r["on_time_rate"] == pytest.approx(0.511, abs=0.01)
    assert r["late_with_extension_rate"] == pytest.approx(0.489, abs=0.01)
    assert r["satisfaction_rate"] == pytest.approx(0.777, abs=0.01)
    assert r["participation_rate"] == pytest.approx(0.452, abs=0.01)


def test_units_and_their_growth(three_years):
    sim, _ = three_years
    u = sim.units.filter(pl.col("valid_from").is_null())  # the 2019-2024 era's roster
    assert u.height == 226
    assert u.filter(pl.col("unit_type") == "state").height == 193
    joined_2019 = u.filter(pl.col("joined_on") <= pl.date(2019, 12, 31)).height
    assert 135 <= joined_2019 <= 155  # about 145 in December 2019


def test_the_messiness_of_real_data(three_years):
    sim, silver = three_years
    assert silver.filter(~pl.col("is_valid")).height > 0
    assert set(silver.filter(~pl.col("is_valid"))["invalid_reason"].unique()) >= {"spam", "duplicate",
                                                                                   "out_of_scope"}
    assert silver["lat"].null_count() > 0  # missing coordinates (hotline)
    assert sim.reports.height > silver.height  # late edits and re-deliveries
    assert silver["transfers"].sum() > 0 and silver["reopened"].sum() > 0
    assert set(silver["channel"].unique()) == {"app", "hotline", "web"}
    assert set(silver["process_type"].unique()) == {"immediate", "timed"}
    # locations are inside Huế's real communes, with both the old and the 2025 codes
    assert silver["admin_unit_code_2025"].null_count() == 0
    assert silver["district_code"].null_count() == 0
