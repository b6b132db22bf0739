"""The ranking's inputs from answers kept per Delta version (``lake.sql_per_version``), sliced and summed here
with numpy: no DuckDB statement per call, where each costs a plan of a few ms, more than these sums (measured
at the 3-year scale). The same figures as the statements of ``views.ranking``, in the same shapes
(tests/views/test_ranking_kept.py holds the two routes equal). Only an engine that keeps answers
(``keeps_results``) gets here, and only without an area filter (the kept answers carry no area)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from core.kpis import COUNT_KEYS
from lake import Lake
from views.period import Period

RANK_COUNTS = tuple(k for k in COUNT_KEYS if k != "invalid")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

# The sums per day and unit (coalesced as the statement's sums are, so a unit whose period sum of received is
# NULL or 0 stays out alike). A unit is also named by DuckDB's hash of its id: the reports below carry only
# that hash (8 bytes a row, the same in every version, so no second kept answer must match their version; two
# of a few thousand ids share a 64-bit hash with odds near 1e-13). unit_id is silver.units' key, so joining
# it for the type, as the statements do, repeats no row.
_DAILY = ("SELECT date, unit_id, hash(unit_id) AS unit_hash, "
          + ", ".join(f"coalesce(sum({c}), 0)::BIGINT AS {c}" for c in RANK_COUNTS)
          + " FROM gold.kpi_daily WHERE date IS NOT NULL AND unit_id IS NOT NULL GROUP BY date, unit_id "
            "ORDER BY date")
# Every report the medians read, with the statement's own hours expression (the same doubles), sorted by unit
# then hours, so a unit's median is a position among its rows of the period. A report without hours is no
# value for DuckDB's median either.
_RESOLVED = ("SELECT hash(current_unit_id) AS unit_hash, epoch_us(received_at) AS at_us, "
             "epoch(resolved_at - received_at) / 3600.0 AS hours FROM silver.reports "
             "WHERE is_valid AND status = 'resolved' AND current_unit_id IS NOT NULL AND received_at IS NOT NULL "
             "AND resolved_at IS NOT NULL ORDER BY unit_hash, hours")
_TRANSFERS = ("SELECT date, from_unit_id, to_unit_id, transfers FROM gold.unit_transfers WHERE date IS NOT NULL "
              "ORDER BY date")
_UNITS = ("SELECT unit_id, name AS unit_name, unit_type, joined_on, {valid_to} AS valid_to, hash(unit_id) AS unit_hash "
          "FROM silver.units")


def counts_and_medians(lake: Lake, period: Period,
                       unit_types: Sequence[str]) -> tuple[pl.DataFrame, dict[str, float], float | None]:
    """As ``views.ranking._counts_and_medians`` without an area filter: the summed counts per unit with reports
    received, the median hours to resolve of those units, and over every unit of the types (the prior)."""
    units = _units(lake)
    daily = lake.derived_per_version(_DAILY, _daily_arrays, "ranking.daily")
    lo = int(np.searchsorted(daily["date"], np.datetime64(period.start, "D"), side="left"))
    hi = int(np.searchsorted(daily["date"], np.datetime64(period.end, "D"), side="right"))
    codes, n = daily["code"][lo:hi], len(daily["ids"])
    sums = [np.bincount(codes, weights=daily["counts"][lo:hi, j], minlength=n) for j in range(len(RANK_COUNTS))]
    ranked = sums[RANK_COUNTS.index("received")] > 0
    chosen = _of_types(units, unit_types)
    if chosen is not None:  # a unit missing from silver.units has no type: out, as in the statement's join
        ranked &= np.fromiter((u in chosen["ids"] for u in daily["ids"]), bool, n)
    counts = pl.DataFrame({"unit_id": pl.Series(daily["ids"][ranked], dtype=pl.Utf8),
                           **{c: pl.Series(s[ranked].astype(np.int64), dtype=pl.Int64)
                              for c, s in zip(RANK_COUNTS, sums, strict=True)}})
    per_unit, overall = _medians(lake, period, daily["hash"][ranked], None if chosen is None else chosen["hashes"])
    return counts, dict(zip(counts["unit_id"].to_list(), per_unit, strict=True)), overall


def _medians(lake: Lake, period: Period, unit_hashes: np.ndarray,
             type_hashes: np.ndarray | None) -> tuple[list[float | None], float | None]:
    """The median hours of each unit of ``unit_hashes`` and over every report of the units of ``type_hashes``
    (None: every unit) received in [start_ts, end_ts). DuckDB's median of an even count is the mean of the
    two middle values."""
    rep = lake.derived_per_version(_RESOLVED, _resolved_arrays, "ranking.resolved")
    hours, starts, runs = rep["hours"], rep["starts"], rep["runs"]
    typed_runs = None if type_hashes is None else np.isin(runs, type_hashes)
    # the period's rows are a slice in time order; their row numbers in ascending order are in (unit, hours)
    # order. A short period's row numbers are sorted (work ~ the period's rows); a long one (all time: millions)
    # is marked in a mask of the table instead, which costs one pass and no sort.
    lo, hi = np.searchsorted(rep["at_us"], [_us(period.start_ts), _us(period.end_ts)], side="left")
    rows: np.ndarray | None
    if lo == 0 and hi == len(hours) and typed_runs is None:
        # every row is in the period (all time): the table itself, already in (unit, hours) order, and its
        # median kept with it (the mask below cost 120 ms a call at 5 M reports)
        rows, per_run, overall = None, np.diff(starts), rep["median"]
    elif (hi - lo) * 16 > len(hours):
        mask = np.zeros(len(hours), dtype=bool)
        mask[rep["by_time"][lo:hi]] = True
        if typed_runs is not None:
            mask &= np.repeat(typed_runs, np.diff(starts))
        rows = np.flatnonzero(mask)
        per_run = np.add.reduceat(mask, starts[:-1]) if len(runs) else np.zeros(0, dtype=np.int64)
    else:
        rows = np.sort(rep["by_time"][lo:hi])
        run_of = np.searchsorted(starts, rows, side="right") - 1
        if typed_runs is not None:
            typed = typed_runs[run_of]
            rows, run_of = rows[typed], run_of[typed]
        per_run = np.bincount(run_of, minlength=len(runs))
    if rows is not None:
        overall = _median(hours[rows]) if len(rows) else None
    if not len(runs):
        return [None] * len(unit_hashes), overall
    run = np.minimum(np.searchsorted(runs, unit_hashes), len(runs) - 1)
    found = runs[run] == unit_hashes  # a unit without a resolved report has no run
    first = np.concatenate([[0], np.cumsum(per_run)])[run]
    n = np.where(found, per_run[run], 0)
    # a unit with no row in the period points anywhere: clipped, and its median dropped below
    count = len(hours) if rows is None else len(rows)
    at = np.clip(np.stack([first + (n - 1) // 2, first + n // 2]), 0, max(count - 1, 0))
    if not count:
        return [None] * len(unit_hashes), overall
    if rows is not None:
        at = rows[at]
    got = (hours[at[0]] + hours[at[1]]) / 2
    return [float(m) if k > 0 else None for m, k in zip(got, n, strict=True)], overall


def _median(values: np.ndarray) -> float:
    k = len(values)
    part = np.partition(values, [(k - 1) // 2, k // 2])
    return float((part[(k - 1) // 2] + part[k // 2]) / 2)


def units_and_transfers(lake: Lake, period: Period, unit_types: Sequence[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """As ``views.ranking._units_and_transfers``: the units of the types (in the network at the period's
    end or not), and transfers in and out per unit by the day of the transfer."""
    units = _units(lake)["frame"]
    if unit_types:
        units = units.filter(pl.col("unit_type").is_in(list(unit_types)))
    end = period.end
    units = units.select("unit_id", "unit_name", "unit_type", (
        (pl.col("joined_on").is_null() | (pl.col("joined_on") <= end))
        & ~(pl.col("valid_to").is_not_null() & (pl.col("valid_to") < end))).alias("in_network"))
    tr = lake.derived_per_version(_TRANSFERS, _transfer_arrays, "ranking.transfers")
    lo = int(np.searchsorted(tr["date"], np.datetime64(period.start, "D"), side="left"))
    hi = int(np.searchsorted(tr["date"], np.datetime64(end, "D"), side="right"))
    n, sides = len(tr["ids"]), {}
    for name, col in (("transfers_in", "to"), ("transfers_out", "from")):
        code, count = tr[col][lo:hi], tr["transfers"][lo:hi]
        known = code >= 0
        sides[name] = (np.bincount(code[known], weights=count[known], minlength=n),
                       np.bincount(code[known], minlength=n) > 0)
    seen = sides["transfers_in"][1] | sides["transfers_out"][1]
    transfers = pl.DataFrame({"unit_id": pl.Series(tr["ids"][seen], dtype=pl.Utf8),
                              **{name: pl.Series(s[seen].astype(np.int64), dtype=pl.Int64)
                                 for name, (s, _) in sides.items()}})
    return units, transfers


def _us(instant: dt.datetime) -> int:
    return (instant - _EPOCH) // dt.timedelta(microseconds=1)


def _units(lake: Lake) -> dict[str, Any]:
    # lakes built before the eras have no valid_to: nobody has left (as the statement's FALSE)
    has_validity = "valid_to" in lake.sql_per_version("SELECT * FROM silver.units LIMIT 0").columns
    return lake.derived_per_version(_UNITS.format(valid_to="valid_to" if has_validity else "NULL::DATE"),
                                    _units_of, "ranking.units")


def _units_of(frame: pl.DataFrame) -> dict[str, Any]:
    return {"frame": frame, "by_type": {}}


def _of_types(units: dict[str, Any], unit_types: Sequence[str]) -> dict[str, Any] | None:
    """The ids and hashes of the units of ``unit_types`` (made once per set of types and version), None
    without a type filter."""
    if not unit_types:
        return None
    key = tuple(sorted(set(unit_types)))
    kept = units["by_type"].get(key)
    if kept is None:
        of = units["frame"].filter(pl.col("unit_type").is_in(list(key)))
        kept = {"ids": set(of["unit_id"].to_list()), "hashes": np.sort(of["unit_hash"].to_numpy())}
        units["by_type"][key] = kept
    return kept


def _daily_arrays(frame: pl.DataFrame) -> dict[str, Any]:
    """The days, a code per row for its unit (ids[code]), each unit's hash, and the counts as doubles (exact
    below 2**53, for np.bincount's weights)."""
    ids = frame["unit_id"].unique().sort()
    first = frame.select("unit_id", "unit_hash").unique("unit_id").sort("unit_id")
    return {"date": frame["date"].to_numpy().astype("datetime64[D]"),
            "code": (frame["unit_id"].rank("dense").to_numpy() - 1).astype(np.int64),
            "ids": ids.to_numpy().astype(object), "hash": first["unit_hash"].to_numpy(),
            "counts": frame.select(RANK_COUNTS).to_numpy().astype(np.float64)}


def _resolved_arrays(frame: pl.DataFrame) -> dict[str, Any]:
    """The hours, per unit (a run of rows with one hash) its first row (``starts``, with the end last) and hash
    (``runs``, ascending), the row numbers in time order (``by_time``) with their instants (``at_us``), and the
    median of every row (an all-time period's)."""
    hashes = frame["unit_hash"].to_numpy()
    cut = np.flatnonzero(hashes[1:] != hashes[:-1]) + 1
    starts = np.concatenate([[0], cut, [len(hashes)]]).astype(np.int64) if len(hashes) else np.zeros(1, np.int64)
    at = frame["at_us"].to_numpy()
    by_time = np.argsort(at, kind="stable").astype(np.int32 if len(at) < 2**31 else np.int64)
    hours = frame["hours"].to_numpy()
    return {"hours": hours, "starts": starts, "runs": hashes[starts[:-1]],
            "by_time": by_time, "at_us": at[by_time], "median": _median(hours) if len(hours) else None}


def _transfer_arrays(frame: pl.DataFrame) -> dict[str, Any]:
    """The days, a code per row for the receiver and the sender (-1: none; ids[code]), the transfers (NULL as
    0: the ranking shows a unit without transfers as 0)."""
    ids = pl.concat([frame["to_unit_id"], frame["from_unit_id"]]).drop_nulls().unique().sort()
    index = {u: i for i, u in enumerate(ids.to_list())}
    return {"date": frame["date"].to_numpy().astype("datetime64[D]"), "ids": ids.to_numpy().astype(object),
            **{side: np.fromiter((index.get(u, -1) for u in frame[f"{side}_unit_id"].to_list()), np.int64,
                                 frame.height) for side in ("to", "from")},
            "transfers": frame["transfers"].fill_null(0).to_numpy().astype(np.float64)}
