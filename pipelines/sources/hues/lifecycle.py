"""Assignment times and deadlines: a report is assigned after validation, maybe transferred; its deadline
runs from the last assignment — hours for immediate categories, working days (with Vietnamese holidays,
ending at the close of office) for timed ones, as the category table says."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from core.calendar import END_OF_DAY, add_working_days_vec
from pipelines.sources.hues.clock import HOUR_US, VN_OFFSET, hours
from pipelines.sources.hues.vocabulary import CATEGORY_CODES


@dataclass(frozen=True)
class Assignment:
    assigned: np.ndarray  # first assignment
    transfer_at: np.ndarray  # meaningful where transferred
    last_assign: np.ndarray  # when the final unit got it: the deadline runs from here


@dataclass(frozen=True)
class Deadlines:
    immediate: np.ndarray  # bool: the category is handled in hours (tức thời)
    deadline: np.ndarray  # the original deadline
    window_h: np.ndarray  # hours from the last assignment to the deadline


def assignment(rng: np.random.Generator, validated: np.ndarray, transferred: np.ndarray) -> Assignment:
    n = len(validated)
    assigned = validated + hours(rng.lognormal(np.log(0.5), 0.9, n).clip(0.02, 30))
    transfer_at = assigned + hours(rng.lognormal(np.log(6.0), 0.8, n).clip(0.2, 72))
    return Assignment(assigned, transfer_at, np.where(transferred, transfer_at, assigned))


def deadlines(categories: pl.DataFrame, category: np.ndarray, last_assign: np.ndarray) -> Deadlines:
    rule = {r["category_code"]: r for r in categories.iter_rows(named=True)}
    immediate = np.array([rule[c]["process_type"] == "immediate" for c in CATEGORY_CODES])[category]
    dl_hours = np.array([rule[c]["deadline_hours"] or 0 for c in CATEGORY_CODES])[category]
    dl_days = np.array([rule[c]["deadline_working_days"] or 0 for c in CATEGORY_CODES])[category]
    local_day = (last_assign + VN_OFFSET).astype("datetime64[D]")
    wd = add_working_days_vec(local_day, dl_days)
    timed_deadline = wd.astype("datetime64[us]") + np.timedelta64(END_OF_DAY.hour, "h") - VN_OFFSET
    deadline = np.where(immediate, last_assign + hours(dl_hours.astype(float)), timed_deadline)
    return Deadlines(immediate, deadline, (deadline - last_assign).astype("int64") / HOUR_US)
