"""The seed's other facts, simulated on the same timeline and labelled ``source = 'simulated'``:

- app adoption: daily installs and visits of Hue-S, calibrated to 793,050 installs after three years (by the
  seed window's end) and 17,371,225 visits in 2021; installs jump when people need the app (the 2020 and 2025
  floods), dip at Tết; visits follow the installed base, weekdays and the flood season.
- environment fines: fines levied after environment reports (category ``environment``) of the seed window,
  394.2 million VND in all over more than 4,000 reports (the published figures); after the window at the
  same rate per report. Amounts are typical administrative-fine steps, not a decree's table.
- police tracing requests answered with camera footage: more than 485 cases in the seed window, continuing
  after it; each request names a simulated camera, a requesting police unit of its era and whether footage
  was found.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from core.calendar import vn_holidays
from pipelines.sources.hues.clock import PUBLISHED_END, PUBLISHED_START
from pipelines.sources.hues.floods import flood_curve

SOURCE = "simulated"
INSTALLS_3Y, VISITS_2021 = 793_050, 17_371_225
ENV_FINES_VND, ENV_REPORTS_MIN = 394_200_000, 4_000
TRACING_SEED_WINDOW = 492  # "more than 485 cases": answered with footage in the seed window
FINE_STEPS = np.array([500_000, 1_000_000, 1_500_000, 2_000_000, 3_000_000, 5_000_000, 7_500_000, 10_000_000])
CASE_TYPES = ["tai nạn giao thông / traffic accident", "trộm cắp tài sản / theft", "gây rối trật tự / public disorder",
              "bỏ chạy sau va chạm / hit and run", "tìm người mất tích / missing person"]


def _exact(weights: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to ``weights`` summing to exactly ``total`` (largest remainders)."""
    raw = weights / weights.sum() * total
    out = np.floor(raw).astype(np.int64)
    out[np.argsort(-(raw - out))[: total - int(out.sum())]] += 1
    return out


def _flood_days(days: np.ndarray) -> np.ndarray:
    hours, w = flood_curve(dt.date.fromisoformat(str(days[0])), dt.date.fromisoformat(str(days[-1])))
    local = (hours + np.timedelta64(7, "h")).astype("datetime64[D]")
    out = np.zeros(len(days))
    np.add.at(out, (local - days[0]).astype(int), w)
    return out / max(out.max(), 1e-9)


def _adoption_curves(seed: int, start: dt.date, seed_end: dt.date,
                     until: dt.date) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Days, installs per day and the visits' weights (installed base × weekday × holiday × flood × noise)."""
    rng = np.random.default_rng(seed + 101)
    last = max(until, seed_end)
    days = np.arange(np.datetime64(start), np.datetime64(last) + 1)
    age = (days - days[0]).astype(int) / 365.25
    weekday = (days.view("int64") - 4) % 7
    hol = np.isin(days, vn_holidays(start.year, last.year))
    flood = _flood_days(days)
    # installs: a launch wave decaying to a steady stream, bursts during floods, fewer on holidays
    w_inst = (np.exp(-age / 0.6) * 3 + 0.8 + 4.0 * flood) * np.where(hol, 0.5, 1.0) * rng.lognormal(0, 0.15, len(days))
    in_seed = days <= np.datetime64(seed_end)
    installs = np.zeros(len(days), dtype=np.int64)
    installs[in_seed] = _exact(w_inst[in_seed], INSTALLS_3Y)
    if (~in_seed).any():  # after the window: the rate of its last year, easing off (most have the app)
        last_year = in_seed & (days > np.datetime64(seed_end) - 365)
        rate = installs[last_year].sum() / w_inst[last_year].sum()
        installs[~in_seed] = _exact(w_inst[~in_seed], round(rate * w_inst[~in_seed].sum() * 0.7))
    base = np.cumsum(installs)
    w_vis = base * np.where(weekday >= 5, 0.8, 1.0) * np.where(hol, 0.6, 1.0) * (1 + 1.5 * flood) \
        * rng.lognormal(0, 0.1, len(days))
    return days, installs, w_vis


def _visits_2021(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[Y]") == np.datetime64("2021", "Y")


def simulate_adoption(seed: int, start: dt.date, seed_end: dt.date, until: dt.date) -> pl.DataFrame:
    days, installs, w_vis = _adoption_curves(seed, start, seed_end, until)
    y2021 = _visits_2021(days)
    if y2021.any():
        per_base = VISITS_2021 / w_vis[y2021].sum()
    else:  # a window without 2021 (a test's few months): visits per installed app as in the published window's 2021
        ref_days, _, ref_w = _adoption_curves(seed, PUBLISHED_START, PUBLISHED_END, PUBLISHED_END)
        per_base = VISITS_2021 / ref_w[_visits_2021(ref_days)].sum()
    visits = np.round(w_vis * per_base).astype(np.int64)
    if y2021.any():
        visits[y2021] = _exact(w_vis[y2021], VISITS_2021)
    return pl.DataFrame({"date": pl.Series(days.astype("datetime64[D]")).cast(pl.Date), "installs": installs,
                         "visits": visits, "source": SOURCE})


def environment_fines(reports: pl.DataFrame, seed: int, seed_end: dt.date) -> pl.DataFrame:
    """Fines after resolved environment reports: exactly 394.2 million VND over the seed window's."""
    rng = np.random.default_rng(seed + 202)
    env = reports.filter((pl.col("category_code") == "environment") & (pl.col("status") == "resolved")
                         & pl.col("is_valid")).sort("report_id")
    if env.is_empty():
        return pl.DataFrame(schema={"report_id": pl.String, "decided_at": pl.Datetime("us", "UTC"),
                                    "fine_vnd": pl.Int64, "source": pl.String})
    end_utc = dt.datetime.combine(seed_end + dt.timedelta(days=1), dt.time(), dt.UTC) - dt.timedelta(hours=7)
    in_seed = (env["received_at"] < end_utc).to_numpy()
    order = rng.permutation(env.height)
    steps = rng.choice(FINE_STEPS, size=env.height, p=[0.25, 0.25, 0.15, 0.12, 0.1, 0.07, 0.03, 0.03])
    fine = np.zeros(env.height, dtype=np.int64)
    seed_idx = order[in_seed[order]]
    cum = np.cumsum(steps[seed_idx])
    k = min(len(seed_idx), int(np.searchsorted(cum, ENV_FINES_VND)) + 1)
    fine[seed_idx[:k]] = steps[seed_idx[:k]]
    if k:  # the last decision makes up the exact published total
        fine[seed_idx[k - 1]] += ENV_FINES_VND - int(fine[seed_idx[:k]].sum())
    share = k / max(1, len(seed_idx))
    later = order[~in_seed[order]]
    picked = later[rng.random(len(later)) < share]
    fine[picked] = steps[picked]
    decided = env["resolved_at"].to_numpy() + (rng.uniform(1, 15, env.height) * 86400e6).astype("timedelta64[us]")
    return pl.DataFrame({"report_id": env["report_id"], "decided_at": decided, "fine_vnd": fine,
                         "source": SOURCE}).filter(pl.col("fine_vnd") > 0).with_columns(
        pl.col("decided_at").dt.replace_time_zone("UTC"))


def simulate_tracing(seed: int, start: dt.date, seed_end: dt.date, until: dt.date,
                     cameras: list[str]) -> pl.DataFrame:
    """Police requests for camera footage; ~80 % answered with footage found."""
    rng = np.random.default_rng(seed + 303)
    found_share = 0.8
    n_seed = round(TRACING_SEED_WINDOW / found_share)
    span = (seed_end - start).days + 1
    later = max(0, (until - seed_end).days)
    n_later = round(n_seed / span * later * 1.3)
    day = np.concatenate([rng.integers(0, span, n_seed), span + rng.integers(0, max(later, 1), n_later)])
    day.sort()
    found = np.zeros(len(day), dtype=bool)
    found[rng.permutation(n_seed)[:TRACING_SEED_WINDOW]] = True
    found[n_seed:] = rng.random(n_later) < found_share
    t0 = np.datetime64(start).astype("datetime64[us]") - np.timedelta64(7, "h")
    at = t0 + (day * 86400e6 + rng.uniform(7, 20, len(day)) * 3600e6).astype("int64").astype("timedelta64[us]")
    answered = at + (rng.lognormal(np.log(6), 0.7, len(day)) * 3600e6).astype("int64").astype("timedelta64[us]")
    era_2025 = at >= np.datetime64("2024-12-31T17:00", "us")
    return pl.DataFrame({
        "request_id": [f"SIM-TRACE-{i + 1:05d}" for i in range(len(day))], "requested_at": at,
        "requesting_unit_id": np.where(era_2025, "ca_tinh@2025", "ca_tinh"),
        "case_type": np.array(CASE_TYPES, dtype=object)[rng.integers(0, len(CASE_TYPES), len(day))],
        "camera_id": np.array(cameras, dtype=object)[rng.integers(0, len(cameras), len(day))],
        "answered_at": answered, "footage_found": found, "source": SOURCE,
    }).with_columns(pl.col("requested_at", "answered_at").dt.replace_time_zone("UTC"))


def load_seed_facts(lake, seed: int, start: dt.date, seed_end: dt.date, until: dt.date) -> dict[str, int]:
    """Write the three tables (idempotent upserts), after silver.reports is built."""
    from pipelines.sources.camera_simulator import SIM_CAMERAS

    adoption = simulate_adoption(seed, start, seed_end, until)
    reports = lake.read("silver.reports", columns=["report_id", "category_code", "status", "is_valid",
                                                   "received_at", "resolved_at"])
    fines = environment_fines(reports, seed, seed_end)
    tracing = simulate_tracing(seed, start, seed_end, until, [c.camera_id for c in SIM_CAMERAS])
    lake.overwrite("silver.app_adoption", adoption)
    lake.overwrite("silver.environment_fines", fines)
    lake.overwrite("silver.tracing_requests", tracing)
    return {"app_adoption_days": adoption.height, "environment_fines": fines.height, "tracing_requests": tracing.height}
