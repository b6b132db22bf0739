"""Breakdowns of a period for the leaders' report, from gold.kpi_daily (the rows the headline and the
ranking sum): counts and rates per month over the twelve months ending with the period, and per category;
either for the whole province or for one handling unit."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from core import kpis
from lake import Lake
from views.period import Period
from views.sql import query

COUNT_COLS = ("received", "processed", "on_time", "late_with_extension", "overdue", "open_overdue",
              "rated", "satisfied")
RATE_COLS = ("processed_rate", "on_time_rate", "late_with_extension_rate", "strict_on_time_rate",
             "satisfaction_rate", "participation_rate")
TREND_MONTHS = 12
_SUMS = ", ".join(f"coalesce(sum({c}), 0)::BIGINT AS {c}" for c in COUNT_COLS)


def with_rates(frame: pl.DataFrame) -> pl.DataFrame:
    """Add the KPI rates (``core.kpis.rates``) of each row's summed counts."""
    rows = [{c: r[c] for c in RATE_COLS} for r in map(kpis.rates, frame.select(COUNT_COLS).iter_rows(named=True))]
    rates = pl.DataFrame(rows, schema={c: pl.Float64 for c in RATE_COLS})
    return pl.concat([frame.drop([c for c in RATE_COLS if c in frame.columns]), rates], how="horizontal")


def _unit_params(unit_id: str | None) -> dict:
    return {"all_units": unit_id is None, "unit": unit_id}


def _unit_sql(col: str = "unit_id") -> str:
    return f"($all_units OR {col} = $unit)"


def months_ending(period: Period, n: int = TREND_MONTHS) -> list[str]:
    """The ``n`` months (``YYYY-MM``) that end with the period's last month."""
    out, p = [], Period.month(period.end.year, period.end.month)
    for _ in range(n):
        out.append(p.label)
        p = p.previous()
    return out[::-1]


def monthly_trend(lake: Lake, period: Period, unit_id: str | None = None) -> pl.DataFrame:
    """Counts and rates per month over the twelve months that end with the period (months with no report
    are listed with zeros)."""
    months = months_ending(period)
    got = query(lake, f"""
        SELECT strftime(date, '%Y-%m') AS month, {_SUMS} FROM gold.kpi_daily
        WHERE date >= $d0 AND date <= $d1 AND {_unit_sql()} GROUP BY 1""",
                {"d0": dt.date.fromisoformat(months[0] + "-01"), "d1": period.end, **_unit_params(unit_id)})
    frame = pl.DataFrame({"month": months}).join(got, on="month", how="left").with_columns(
        [pl.col(c).fill_null(0).cast(pl.Int64) for c in COUNT_COLS])
    return with_rates(frame.sort("month"))


def by_category(lake: Lake, period: Period, unit_id: str | None = None) -> pl.DataFrame:
    """Counts and rates per category of the period, with the category names and process type."""
    if unit_id is None and getattr(lake, "keeps_results", False):
        return with_rates(_province_by_category(lake, period)).sort(["received", "category_code"],
                                                                    descending=[True, False])
    got = query(lake, f"""
        SELECT k.category_code, any_value(c.name_vi) AS name_vi, any_value(c.name_en) AS name_en,
               any_value(c.process_type) AS process_type, {_SUMS}
        FROM gold.kpi_daily k LEFT JOIN silver.categories c USING (category_code)
        WHERE k.date BETWEEN $d0 AND $d1 AND {_unit_sql("k.unit_id")}
        GROUP BY 1 HAVING sum(received) > 0""", {"d0": period.start, "d1": period.end, **_unit_params(unit_id)})
    return with_rates(got).sort(["received", "category_code"], descending=[True, False])


_DAY_CATEGORY = (f"SELECT date, category_code, {_SUMS} FROM gold.kpi_daily WHERE date IS NOT NULL "
                 "GROUP BY date, category_code ORDER BY date, category_code")
_CATEGORY_SCHEMA = {"category_code": pl.Utf8, "name_vi": pl.Utf8, "name_en": pl.Utf8, "process_type": pl.Utf8,
                    **{c: pl.Int64 for c in COUNT_COLS}}


def _province_by_category(lake: Lake, period: Period) -> pl.DataFrame:
    """The province's sums per category of the period from per-(day, category) totals kept per Delta version
    (a few tens of thousands of rows even at 5 M reports), summed here: no statement to plan."""
    daily = lake.derived_per_version(_DAY_CATEGORY, _day_arrays, "breakdowns.by_day")
    lo = int(np.searchsorted(daily["date"], np.datetime64(period.start, "D"), side="left"))
    hi = int(np.searchsorted(daily["date"], np.datetime64(period.end, "D"), side="right"))
    codes = daily["code"][lo:hi]
    sums: dict[str, np.ndarray] = {}
    for c in COUNT_COLS:
        sums[c] = np.zeros(len(daily["codes"]), dtype=np.int64)
        np.add.at(sums[c], codes, daily[c][lo:hi])
    names = lake.sql_per_version("SELECT category_code, any_value(name_vi) AS name_vi, any_value(name_en) AS "
                                 "name_en, any_value(process_type) AS process_type FROM silver.categories "
                                 "GROUP BY 1")
    known = {r[0]: r[1:] for r in names.iter_rows()}
    rows = [(code, *known.get(code, (None, None, None)), *(int(sums[c][i]) for c in COUNT_COLS))
            for i, code in enumerate(daily["codes"]) if sums["received"][i] > 0]
    return pl.DataFrame(rows, schema=_CATEGORY_SCHEMA, orient="row")


def _day_arrays(frame: pl.DataFrame) -> dict:
    """``frame``'s dates, category codes (as indices into ``codes``) and sums as numpy arrays."""
    codes = frame["category_code"].to_list()
    index: dict[str | None, int] = {}
    out = {"date": frame["date"].to_numpy().astype("datetime64[D]"),
           "code": np.array([index.setdefault(c, len(index)) for c in codes], dtype=np.int64),
           **{c: frame[c].to_numpy() for c in COUNT_COLS}}
    out["codes"] = list(index)
    return out
