"""The seed window (2019-05-01 → 2022-05-27) still reproduces the published figures, computed here with
plain SQL over silver (not the KPI code), and `hue-ioc kpis` says the same."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.timeline.conftest import SCALE, SEED_END, SEED_START

WINDOW = ("CAST(timezone('Asia/Ho_Chi_Minh', received_at) AS DATE) BETWEEN DATE '2019-05-01' "
          "AND DATE '2022-05-27'")


@pytest.fixture(scope="module")
def by_hand(timeline_lake) -> dict:
    return timeline_lake.sql(f"""
        SELECT count(*) FILTER (WHERE is_valid) AS received,
               count(*) FILTER (WHERE is_valid AND status = 'resolved') AS processed,
               count(*) FILTER (WHERE is_valid AND status = 'resolved' AND on_time) AS on_time,
               count(*) FILTER (WHERE is_valid AND status = 'resolved' AND late_with_extension) AS late_ext,
               count(*) FILTER (WHERE is_valid AND rating IS NOT NULL) AS rated,
               count(*) FILTER (WHERE is_valid AND rating IN ('hai_long', 'chap_nhan')) AS satisfied
        FROM silver.reports WHERE {WINDOW}""").row(0, named=True)


def test_seed_figures_within_one_point(by_hand):
    h = by_hand
    assert h["received"] >= 58_000 * SCALE
    assert h["processed"] / h["received"] == pytest.approx(0.975, abs=0.01)
    assert h["on_time"] / h["processed"] == pytest.approx(0.511, abs=0.01)
    assert h["late_ext"] / h["processed"] == pytest.approx(0.489, abs=0.01)
    assert h["satisfied"] / h["rated"] == pytest.approx(0.777, abs=0.01)
    assert h["rated"] / h["processed"] == pytest.approx(0.452, abs=0.01)


def test_the_kpis_command_agrees_with_plain_sql(timeline_lake, by_hand):
    from views.headline import headline

    k = headline(timeline_lake, start=SEED_START, end=SEED_END)
    assert k["received"] == by_hand["received"] and k["processed"] == by_hand["processed"]
    assert k["units"] == 226


def test_the_seed_facts_are_in_the_lake(timeline_lake):
    from views.adoption import installs_to, visits_in
    from views.environment import environment_fines
    from views.processing_time import processing_time_cut
    from views.tracing import tracing_cases

    lake = timeline_lake
    installs = lake.sql("SELECT sum(installs) FROM silver.app_adoption WHERE date <= DATE '2022-05-27'").item()
    visits = lake.sql("SELECT sum(visits) FROM silver.app_adoption WHERE year(date) = 2021").item()
    assert (installs, visits) == (793_050, 17_371_225)
    assert installs_to(lake, SEED_END) == installs and visits_in(lake, dt.date(2021, 1, 1), dt.date(2021, 12, 31)) == visits
    fines = lake.sql(f"""SELECT count(DISTINCT r.report_id), sum(f.fine_vnd) FROM silver.reports r
                         LEFT JOIN silver.environment_fines f USING (report_id)
                         WHERE r.is_valid AND r.category_code = 'environment' AND {WINDOW.replace('received_at', 'r.received_at')}""").row(0)
    assert fines[0] > 4_000 * SCALE and fines[1] == 394_200_000
    env = environment_fines(lake, SEED_START, SEED_END)
    assert (env["reports"], env["fines_vnd"]) == fines
    traced = lake.sql("""SELECT count(*) FROM silver.tracing_requests WHERE footage_found AND source = 'simulated'
                         AND requested_at < TIMESTAMPTZ '2022-05-28 00:00:00+07'""").item()
    assert traced > 485 and tracing_cases(lake, SEED_START, SEED_END)["answered_with_footage"] == traced
    # the median processing time fell since launch (60-70 % in the seed; wider at this small scale)
    first = lake.sql("""SELECT median(date_diff('second', received_at, resolved_at)) FROM silver.reports
                         WHERE is_valid AND status = 'resolved' AND
                         CAST(timezone('Asia/Ho_Chi_Minh', received_at) AS DATE) < DATE '2019-08-01'""").item()
    last = lake.sql("""SELECT median(date_diff('second', received_at, resolved_at)) FROM silver.reports
                        WHERE is_valid AND status = 'resolved' AND
                        CAST(timezone('Asia/Ho_Chi_Minh', received_at) AS DATE) BETWEEN DATE '2022-02-28' AND DATE '2022-05-27'""").item()
    cut = processing_time_cut(lake, SEED_END)
    assert 0.5 < 1 - last / first < 0.8
    assert cut["cut"] == pytest.approx(1 - last / first, abs=0.05)
