"""App adoption on a window without 2021 (a test lake's few months): visits are calibrated on 2021's published
17,371,225, so such a window used to divide by zero and cast NaN to int64 (visits of -9.2e18). Its visits per
installed app per day must be those of the published window's 2021, worked out here from that window's installs."""

from __future__ import annotations

import datetime as dt

import numpy as np

from pipelines.sources.hues.seed_facts import simulate_adoption

PUBLISHED_VISITS_2021 = 17_371_225


def _per_app_day(frame) -> float:
    base = np.cumsum(frame["installs"].to_numpy())
    return float(frame["visits"].to_numpy().sum() / base.sum())


def test_a_window_without_2021_has_2021s_visits_per_installed_app() -> None:
    short = simulate_adoption(3, dt.date(2022, 3, 1), dt.date(2022, 5, 1), dt.date(2022, 5, 1))
    assert short["visits"].min() >= 0 and short["visits"].sum() > 0
    full = simulate_adoption(3, dt.date(2019, 5, 1), dt.date(2022, 5, 27), dt.date(2022, 5, 27))
    in_2021 = full.filter(full["date"].dt.year() == 2021)
    assert in_2021["visits"].sum() == PUBLISHED_VISITS_2021
    base_2021 = np.cumsum(full["installs"].to_numpy())[(full["date"].dt.year() == 2021).to_numpy()]
    published_rate = PUBLISHED_VISITS_2021 / base_2021.sum()
    # weekdays, holidays, flood days and noise move it; the level is 2021's
    assert 0.5 * published_rate < _per_app_day(short) < 2 * published_rate
