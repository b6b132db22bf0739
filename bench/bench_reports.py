"""Reports: full rebuild, incremental sync of 1,000 changed reports, and gold query latency in DuckDB
over Delta versus the same queries on PostgreSQL (same data, with indexes), at the 3-year scale and at
5 million reports (the simulator scaled up). Environment: HUE_BENCH_SCALES="1,85" (85 ≈ 5 M valid reports)."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import tempfile
from functools import partial
from pathlib import Path

import polars as pl

from bench.common import percentiles_ms, timed, write
from core.settings import settings
from lake import Lake
from pipelines.reports import build
from pipelines.reports.conform import fold
from pipelines.sources.admin_units import admin_units_frame
from pipelines.sources.simulator import SimulatorConfig, simulate

QUERIES = {
    "headline_period": ("SELECT sum(received) r, sum(processed) p, sum(on_time) o, sum(rated) ra, sum(satisfied) s, "
                        "sum(open_overdue) oo FROM {kpi} WHERE date BETWEEN {a} AND {b}"),
    "headline_area_category": ("SELECT sum(received) r, sum(processed) p, sum(on_time) o FROM {kpi} "
                               "WHERE date BETWEEN {a} AND {b} AND admin_unit_code_2025 = {area} "
                               "AND category_code = {cat}"),
    "daily_trend": "SELECT date, sum(received) r, sum(processed) p FROM {kpi} WHERE date BETWEEN {a} AND {b} "
                   "GROUP BY date ORDER BY date",
    "by_category": "SELECT category_code, sum(received) r FROM {kpi} WHERE date BETWEEN {a} AND {b} "
                   "GROUP BY 1 ORDER BY 2 DESC",
    "unit_ranking_month": "SELECT unit_id, unit_name, score, score_on_time, score_satisfaction FROM {up} "
                          "WHERE month = {m} ORDER BY score DESC NULLS LAST",
    "unit_trend": "SELECT month, received, on_time_rate, score FROM {up} WHERE unit_id = {u} ORDER BY month",
}


def _params(rng: random.Random, months: list[str], units: list[str], areas: list[str], cats: list[str]) -> dict:
    m = rng.choice(months)
    a = dt.date.fromisoformat(m + "-01")
    return {"a": a, "b": a + dt.timedelta(days=rng.choice([6, 29, 90])), "m": m, "u": rng.choice(units),
            "area": rng.choice(areas), "cat": rng.choice(cats)}


def _duck(lake: Lake, name: str, p: dict) -> None:
    q = QUERIES[name].format(kpi="gold.kpi_daily", up="gold.unit_performance", a="$a", b="$b", m="$m", u="$u",
                             area="$area", cat="$cat")
    used = {k: v for k, v in p.items() if f"${k}" in q}
    lake.sql(q, used)


def _pg(cur, name: str, p: dict) -> None:
    q = QUERIES[name].format(kpi="kpi_daily", up="unit_performance", a="%(a)s", b="%(b)s", m="%(m)s",
                             u="%(u)s", area="%(area)s", cat="%(cat)s")
    cur.execute(q, p)
    cur.fetchall()


def _load_pg(dsn: str, schema: str, lake: Lake) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        con.execute(f"CREATE SCHEMA {schema}")
        con.execute(f"SET search_path TO {schema}")
        con.execute("CREATE TABLE kpi_daily (date date, category_code text, channel text, admin_unit_code_2025 "
                    "text, unit_id text, received bigint, invalid bigint, processed bigint, on_time bigint, late_with_extension "
                    "bigint, overdue bigint, open_overdue bigint, rated bigint, satisfied bigint, "
                    "hours_to_resolve_sum double precision)")
        up_cols = lake.read("gold.unit_performance").drop("as_of")
        types = {pl.String: "text", pl.Int64: "bigint", pl.Float64: "double precision"}
        con.execute("CREATE TABLE unit_performance (" + ", ".join(
            f"{c} {types.get(t, 'text')}" for c, t in up_cols.schema.items()) + ")")
        for table, frame in (("kpi_daily", lake.read("gold.kpi_daily")), ("unit_performance", up_cols)):
            buf = io.BytesIO()
            frame.write_csv(buf)
            with con.cursor().copy(f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)") as cp:
                cp.write(buf.getvalue())
        con.execute("CREATE INDEX ON kpi_daily (date)")
        con.execute("CREATE INDEX ON kpi_daily (admin_unit_code_2025, category_code, date)")
        con.execute("CREATE INDEX ON unit_performance (month)")
        con.execute("CREATE INDEX ON unit_performance (unit_id, month)")
        con.execute("ANALYZE")


def query_latency(lake: Lake, label: str, rounds: int = 40) -> list[dict]:
    import psycopg

    dsn = settings().pg_dsn
    schema = "bench_gold_" + "".join(ch if ch.isalnum() else "_" for ch in label).lower()
    _load_pg(dsn, schema, lake)
    months = lake.sql("SELECT DISTINCT month FROM gold.unit_performance")["month"].to_list()
    units = lake.sql("SELECT DISTINCT unit_id FROM gold.unit_performance")["unit_id"].to_list()
    areas = lake.sql("SELECT DISTINCT admin_unit_code_2025 a FROM gold.kpi_daily WHERE a IS NOT NULL")["a"].to_list()
    cats = lake.sql("SELECT DISTINCT category_code FROM gold.kpi_daily")["category_code"].to_list()
    rows = []
    # "fresh": the Delta log is read before every query; "1s": the dashboards' setting, a picture at
    # most one second old (PostgreSQL is always fresh, so the fresh column is the strict comparison)
    fresh = Lake.open(lake.root)
    relaxed = Lake.open(lake.root, max_staleness_s=1.0)
    with psycopg.connect(dsn, options=f"-c search_path={schema}") as con, con.cursor() as cur:
        for name in QUERIES:
            rng = random.Random(1)
            plist = [_params(rng, months, units, areas, cats) for _ in range(rounds)]
            runners = {"fresh": partial(_duck, fresh, name), "1s": partial(_duck, relaxed, name),
                       "pg": partial(_pg, cur, name)}
            for run in runners.values():
                run(plist[0])  # warm views and caches on every side alike
            duck, duck1, pg = (percentiles_ms([timed(partial(run, p)) for p in plist]) for run in runners.values())
            rows.append({"scale": label, "query": name, "duckdb_fresh_p50": duck["p50_ms"],
                         "duckdb_fresh_p95": duck["p95_ms"], "duckdb_1s_p50": duck1["p50_ms"],
                         "duckdb_1s_p95": duck1["p95_ms"], "pg_p50": pg["p50_ms"], "pg_p95": pg["p95_ms"],
                         "pg/duck_fresh_p95": round(pg["p95_ms"] / max(duck["p95_ms"], 1e-6), 2),
                         "pg/duck_1s_p95": round(pg["p95_ms"] / max(duck1["p95_ms"], 1e-6), 2)})
    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    return rows


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
        ingest_batch(lake, SourceBatch(records=recs), prefix="bench")
        build.catch_up(lake)  # silver from its watermark, then gold

    return timed(run)


def big_lake(root: str, scale: float) -> tuple[Lake, float]:
    """The simulator scaled up, straight into silver (no JSON bronze at this size), then gold.

    Kept under data/bench/ (ignored by git) and reused when it is already there: building 5 M reports
    takes minutes, and the dashboards bench reads the same lake."""
    lake = Lake.open(root)
    if lake.exists("gold.kpi_daily"):
        return lake, float("nan")

    def run() -> None:
        sim = simulate(SimulatorConfig(scale=scale))
        admin = admin_units_frame()
        reports = sim.reports.unique("report_id", keep="first", maintain_order=True)
        events = sim.events.unique("event_id", keep="first").with_columns(source=pl.lit("simulated"))
        build.load_reference(lake, sim.units)
        lake.overwrite("silver.report_events", events)
        lake.overwrite("silver.reports", fold(reports, events, admin))
        build.build_gold(lake)

    return lake, timed(run)


def large_lake_root(scale: float) -> str:
    return str(Path("data") / "bench" / f"scale{scale:g}")


def main() -> dict:
    scales = [float(s) for s in os.environ.get("HUE_BENCH_SCALES", "1,85").split(",")]
    out: dict = {"targets": {"rebuild_s": 60, "incremental_s": 5, "gold_p95_ms": 50}}
    table: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        lake = Lake.open(f"{tmp}/three_years")
        rebuild = timed(lambda: build.build_reports_lake(lake))
        inc = incremental_sync(lake)
        out["rebuild_3y_s"] = round(rebuild, 2)
        out["incremental_1000_s"] = round(inc, 2)
        print(f"full rebuild (3-year set, {lake.sql('select count(*) from silver.reports').item():,} reports): "
              f"{rebuild:.1f} s  |  incremental sync of 1,000 changed reports: {inc:.2f} s")
        table += query_latency(lake, "3y")
        for s in scales:
            if s == 1:
                continue
            big, secs = big_lake(large_lake_root(s), s)
            n = big.sql("SELECT count(*) FROM silver.reports WHERE is_valid").item()
            out[f"build_scale{s:g}_s"] = round(secs, 1)
            out[f"reports_scale{s:g}"] = n
            print(f"scale {s:g}: {n:,} valid reports, silver+gold built in {secs:.0f} s (nan = reused)")
            table += query_latency(big, f"{n / 1e6:.1f}M")
    out["queries"] = table
    write("reports", out, table)
    return out


if __name__ == "__main__":
    main()
