"""Reports: full rebuild, incremental sync of 1,000 changed reports, and the read side: the view calls the
screens and the PDF make, timed on the lake (DuckDB, gold resident per Delta version) and on indexed
PostgreSQL holding the same tables (bench/pg_twin.py), in one run, at the 3-year scale and at 5 M reports.

Each sample runs the same call with the same arguments on both sides, one right after the other (which goes
first alternates), so both see the same load on this shared machine. The lake is opened as the dashboards
open it: its picture of a table is at most ``VERSION_TTL_S`` old; PostgreSQL always answers fresh.
Environment: HUE_BENCH_SCALES="1,85" (85 ≈ 5 M valid reports), HUE_BENCH_ROUNDS (default 60).

Targets (p95): at least as fast as PostgreSQL on every call at the 3-year scale; at least 5× faster on
period-wide scans at 5 M reports.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import random
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl

from bench.common import percentiles_ms, same_result, timed, write
from bench.pg_twin import PgTwin
from core.settings import settings
from lake import Lake
from pipelines.reports import build

ROUNDS = int(os.environ.get("HUE_BENCH_ROUNDS", "60"))
# what the timed view calls read (the twin holds these, see bench/pg_twin.py)
TWIN_TABLES = ["gold.kpi_daily", "gold.unit_performance", "gold.unit_transfers", "silver.units",
               "silver.admin_units", "silver.categories", "silver.reports"]
TARGET_3Y, TARGET_5M_SCANS = 1.0, 5.0


def _calls() -> dict[str, tuple[str, Callable[[Any, dict], object]]]:
    """name → (kind, call(lake, params)): the view functions the screens (through ``dashboards.reads``) and
    the PDF/XLSX call."""
    from views.breakdowns import by_category, monthly_trend
    from views.choices import data_bounds
    from views.filters import Filters
    from views.headline import headline
    from views.period import Period
    from views.ranking import ranking
    from views.trends import slices
    from views.unit_detail import unit_transfers, unit_trend

    def days(p: dict, n: int) -> Filters:
        return Filters.of(p["day"], p["day"] + dt.timedelta(days=n - 1))

    def month(p: dict) -> Period:
        return Period.month(p["month_start"].year, p["month_start"].month)

    def quarter(p: dict) -> Period:
        return Period.quarter(p["quarter_start"].year, (p["quarter_start"].month - 1) // 3 + 1)

    return {
        "headline · 30 days": ("scan", lambda lk, p: headline(lk, p["day"], p["day"] + dt.timedelta(days=29))),
        "headline · year": ("scan", lambda lk, p: headline(lk, p["year_start"], p["year_end"])),
        "headline · area+category · 90 d": ("lookup", lambda lk, p: headline(
            lk, p["day"], p["day"] + dt.timedelta(days=89), [p["area"]], [p["cat"]])),
        "overview slices · 90 days": ("scan", lambda lk, p: slices(lk, days(p, 90))),
        "data bounds (every page)": ("scan", lambda lk, p: data_bounds(lk)),
        "ranking · month": ("scan", lambda lk, p: ranking(lk, month(p))),
        "ranking · quarter": ("scan", lambda lk, p: ranking(lk, quarter(p))),
        "12-month trend (PDF)": ("scan", lambda lk, p: monthly_trend(lk, month(p))),
        "by category · quarter (PDF)": ("scan", lambda lk, p: by_category(lk, quarter(p))),
        "unit trend · year": ("lookup", lambda lk, p: unit_trend(lk, p["unit"], Filters.of(p["year_start"],
                                                                                             p["year_end"]))),
        "unit transfers · 90 days": ("lookup", lambda lk, p: unit_transfers(lk, p["unit"], days(p, 90))),
    }


def _param_sets(lake: Lake, n: int) -> list[dict]:
    months = lake.sql("SELECT DISTINCT month FROM gold.unit_performance ORDER BY 1")["month"].to_list()
    units = lake.sql("SELECT DISTINCT unit_id FROM gold.unit_performance ORDER BY 1")["unit_id"].to_list()
    areas = lake.sql("SELECT DISTINCT admin_unit_code_2025 a FROM gold.kpi_daily WHERE a IS NOT NULL "
                     "ORDER BY 1")["a"].to_list()
    cats = lake.sql("SELECT DISTINCT category_code FROM gold.kpi_daily ORDER BY 1")["category_code"].to_list()
    rng = random.Random(1)
    out = []
    for _ in range(n):
        m = dt.date.fromisoformat(rng.choice(months) + "-01")
        q = dt.date(m.year, 3 * ((m.month - 1) // 3) + 1, 1)
        out.append({"day": m + dt.timedelta(days=rng.randrange(28)), "month_start": m,
                    "month_end": (m + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1),
                    "quarter_start": q,
                    "quarter_end": (q + dt.timedelta(days=95)).replace(day=1) - dt.timedelta(days=1),
                    "year_start": dt.date(m.year, 1, 1), "year_end": dt.date(m.year, 12, 31),
                    "unit": rng.choice(units), "area": rng.choice(areas), "cat": rng.choice(cats)})
    return out


def query_latency(root: str, label: str, scale_5m: bool) -> list[dict]:
    """Every view call on the lake and on its PostgreSQL twin, interleaved sample by sample."""
    from dashboards.data import VERSION_TTL_S

    lake = Lake.open(root, max_staleness_s=VERSION_TTL_S)  # as the dashboards open it
    prefix = "bench_" + "".join(ch if ch.isalnum() else "_" for ch in label).lower()
    twin = PgTwin(settings().pg_dsn, prefix)
    t0 = time.perf_counter()
    loaded = twin.load(lake, TWIN_TABLES)
    print(f"{label}: PostgreSQL twin loaded in {time.perf_counter() - t0:.0f} s: {loaded}", flush=True)
    plist = _param_sets(lake, ROUNDS)
    rows = []
    try:
        for name, (kind, call) in _calls().items():
            if not same_result(call(lake, plist[0]), call(twin, plist[0])):  # also warms both sides
                raise AssertionError(f"{name}: the lake and PostgreSQL disagree on {plist[0]}")
            duck, pg = [], []
            for i, p in enumerate(plist):
                sides = [(duck, lake), (pg, twin)]
                for samples, side in sides if i % 2 else sides[::-1]:
                    samples.append(timed(partial(call, side, p)))
            d, g = percentiles_ms(duck), percentiles_ms(pg)
            ratio = round(g["p95_ms"] / max(d["p95_ms"], 1e-6), 2)
            target = TARGET_5M_SCANS if scale_5m and kind == "scan" else (None if scale_5m else TARGET_3Y)
            rows.append({"query": name, "kind": kind, "scale": label, "duckdb_p50": d["p50_ms"],
                         "duckdb_p95": d["p95_ms"], "pg_p50": g["p50_ms"], "pg_p95": g["p95_ms"],
                         "pg/duckdb_p95": ratio, "target": f"≥ {target:g}×" if target else "—",
                         "ok": "—" if target is None else ("✓" if ratio >= target else "✗")})
    finally:
        twin.drop()
        lake.close()
    return rows


def resident_forms(root: str, rounds: int = 200) -> dict[str, dict[str, float]]:
    """Why the lake keeps gold as it does: one gold query (the headline's sums over 30 days) on the same rows
    held as a DuckDB in-memory table (one thread, two threads) and as a registered Arrow table."""
    import duckdb

    rows = Lake.open(root).read("gold.kpi_daily").sort("date").to_arrow()
    query = ("SELECT sum(received), sum(processed), sum(on_time), sum(open_overdue) FROM {t} "
             "WHERE date BETWEEN $a AND $b")
    forms = {}
    for label, threads, table in (("table · 1 thread", 1, "t"), ("table · 2 threads", 2, "t"),
                                  ("arrow · 1 thread", 1, "arrow")):
        con = duckdb.connect(":memory:", config={"threads": threads})
        con.register("arrow", rows)
        con.execute("CREATE TABLE t AS SELECT * FROM arrow")
        forms[label] = (con, query.format(t=table))
    samples: dict[str, list[float]] = {k: [] for k in forms}
    day = dt.date(2021, 3, 1)
    for i in range(rounds):
        p = {"a": day + dt.timedelta(days=i % 300), "b": day + dt.timedelta(days=i % 300 + 29)}
        for label, (con, q) in forms.items():
            samples[label].append(timed(partial(lambda c, q, p: c.execute(q, p).fetchall(), con, q, p)))
    return {k: percentiles_ms(v) for k, v in samples.items()}


def incremental_sync(lake: Lake, n: int = 1000) -> float:
    """1,000 reports changed at the source (late edits) → bronze → silver (incremental) → gold."""
    from pipelines.reports.bronze import ingest_batch
    from pipelines.sources.base import RawRecord, SourceBatch

    raw = lake.sql("SELECT record_id, payload FROM bronze.reports_raw ORDER BY record_id LIMIT $n", {"n": n})
    recs = []
    for rid, payload in raw.iter_rows():
        obj = json.loads(payload)
        obj["description"] = (obj.get("description") or "") + " (bench: đã cập nhật)"
        obj["updated_at"] = "2022-05-27T20:00:00+07:00"
        recs.append(RawRecord("report", "simulated", rid, obj))

    def run() -> None:
        ingested = ingest_batch(lake, SourceBatch(records=recs), prefix="bench")
        build.sync_silver(lake, [ingested.batch_id])
        build.build_gold(lake)

    return timed(run)


def _simulated_silver(lake: Lake, scale: float) -> None:
    """The simulator scaled up, straight into silver (no JSON bronze at this size). A function of its own
    so that the simulated frames are freed before gold reads silver back (5 M reports: about 20 GB)."""
    from pipelines.reports.conform import fold
    from pipelines.sources.admin_units import admin_units_frame
    from pipelines.sources.simulator import SimulatorConfig, simulate

    sim = simulate(SimulatorConfig(scale=scale))
    reports = sim.reports.unique("report_id", keep="first", maintain_order=True)
    events = sim.events.unique("event_id", keep="first").with_columns(source=pl.lit("simulated"))
    build.load_reference(lake, sim.units)
    lake.overwrite("silver.report_events", events)
    lake.overwrite("silver.reports", fold(reports, events, admin_units_frame()))


def big_lake(root: str, scale: float) -> tuple[Lake, float]:
    """The shared large lake: silver from the scaled simulator, then gold.

    Kept under data/bench/ (ignored by git) and reused when it is already there: building 5 M reports
    takes minutes, and the dashboards bench reads the same lake. A lake whose silver is there but whose
    gold is missing or has other columns than the catalog's (a build stopped half way, a gold table that
    changed since) only gets its gold again."""
    from lake import spec

    lake = Lake.open(root)
    gold = ("gold.kpi_daily", "gold.unit_performance", "gold.unit_transfers")
    if all(lake.exists(g) and lake.scan(g).collect_schema().names() == spec(g).schema.names for g in gold):
        return lake, float("nan")

    def run() -> None:
        if not lake.exists("silver.reports"):
            _simulated_silver(lake, scale)
            gc.collect()
        build.build_gold(lake)

    return lake, timed(run)


def large_lake_root(scale: float) -> str:
    return str(Path("data") / "bench" / f"scale{scale:g}")


def main() -> dict:
    scales = [float(s) for s in os.environ.get("HUE_BENCH_SCALES", "1,85").split(",")]
    out: dict = {"targets": {"rebuild_s": 60, "incremental_s": 5, "pg_over_duckdb_p95_3y": TARGET_3Y,
                             "pg_over_duckdb_p95_5m_scans": TARGET_5M_SCANS}, "rounds": ROUNDS,
                 "load_average_1_5_15": os.getloadavg()}
    table: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        lake = Lake.open(f"{tmp}/three_years")
        rebuild = timed(lambda: build.build_reports_lake(lake))
        inc = incremental_sync(lake)
        out["rebuild_3y_s"] = round(rebuild, 2)
        out["incremental_1000_s"] = round(inc, 2)
        print(f"full rebuild (3-year set, {lake.sql('select count(*) from silver.reports').item():,} reports): "
              f"{rebuild:.1f} s  |  incremental sync of 1,000 changed reports: {inc:.2f} s", flush=True)
        out["resident_form_3y"] = resident_forms(lake.root)
        print(f"one gold query, p50/p95 ms by how gold is held: {out['resident_form_3y']}", flush=True)
        table += query_latency(lake.root, "3y", scale_5m=False)
        for s in scales:
            if s == 1:
                continue
            big, secs = big_lake(large_lake_root(s), s)
            n = big.sql("SELECT count(*) FROM silver.reports WHERE is_valid").item()
            out[f"build_scale{s:g}_s"] = round(secs, 1)
            out[f"reports_scale{s:g}"] = n
            print(f"scale {s:g}: {n:,} valid reports, silver+gold built in {secs:.0f} s (nan = reused)", flush=True)
            table += query_latency(big.root, f"{n / 1e6:.1f}M", scale_5m=True)
    out["load_average_1_5_15_after"] = os.getloadavg()
    out["queries"] = table
    write("reports", out, table)
    return out


if __name__ == "__main__":
    main()
