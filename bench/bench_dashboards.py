"""Dashboards: per-page query time (p50/p95) on the demo lake and on a larger simulator lake, and the
server's memory (RSS) with the large lake after every page was opened in a real browser.

What is timed: every query a page issues for one render, uncached (the ``.raw`` functions; the app's
version-keyed cache would make repeats free), for the default period (last 30 days) and all data.

    .venv/bin/python -m bench dashboards
    HUE_IOC_BENCH_DEMO_LAKE=data/lake HUE_IOC_BENCH_SCALE=5 .venv/bin/python -m bench dashboards

Demo lake: HUE_IOC_BENCH_DEMO_LAKE (default ./data/lake, built by ``hue-ioc demo --no-serve``).
Large lake: the simulator at HUE_IOC_BENCH_SCALE (default 85 ≈ 5 M valid reports, the lake of
`bench reports`, kept under data/bench/) + the disasters demo + the simulated camera history.
Targets: p95 ≤ 150 ms per page on the demo lake and on the 5 M-report lake, server RSS ≤ 1 GB.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import percentiles_ms, write

REPO = Path(__file__).resolve().parent.parent
REPEATS = int(os.environ.get("HUE_IOC_BENCH_REPEATS", "20"))
TARGET_DEMO_MS, TARGET_LARGE_MS, TARGET_RSS_MB = 150.0, 150.0, 1024.0

logging.getLogger("streamlit").setLevel(logging.ERROR)


def _page_queries(lake, f) -> dict[str, Callable[[], object]]:  # noqa: ANN001
    """One render's queries per page, uncached, as the pages issue them."""
    from dashboards import reads
    from views import floods as fv
    from views import floods_layers, review, trends, warnings
    from views import violations as vv

    def shell() -> None:
        reads.data_bounds.raw(lake)
        reads.communes.raw(lake)

    def overview() -> None:
        shell()
        reads.categories.raw(lake)
        reads.channels.raw(lake)
        reads.headline.raw(lake, f.start, f.end)
        reads.headline.raw(lake, f.previous().start, f.previous().end)
        sl = reads.slices.raw(lake, f)
        trends.trend_of(sl)
        trends.channels_of(sl)
        trends.categories_of(sl, reads.categories.raw(lake))
        reads.newest_reports.raw(lake, f.areas, 10)
        warnings.newest(lake, 10)

    def units() -> None:
        shell()
        ranking = reads.ranking.raw(lake, f.period, f.areas)
        if ranking.height:
            unit = ranking["unit_id"][0]
            reads.unit_trend.raw(lake, unit, f)
            reads.unit_categories.raw(lake, unit, f)
            reads.unit_open_reports.raw(lake, unit, f, reads.data_clock.raw(lake))
            reads.unit_transfers.raw(lake, unit, f)

    def reports(overdue_only: bool = False) -> None:
        shell()
        reads.categories.raw(lake)
        reads.channels.raw(lake)
        at = reads.data_clock.raw(lake)
        points = reads.map_reports.raw(lake, f, overdue_only=overdue_only, at=at, limit=20_000)
        if overdue_only:  # as the page counts them (dashboards/app_pages/reports_map.py)
            if points.height >= 20_000:
                reads.map_reports.raw(lake, f, overdue_only=True, at=at)
        else:
            reads.map_reports_total.raw(lake, f)
        reads.unlocated_count.raw(lake, f, overdue_only=overdue_only, at=at)
        reads.report_details.raw(lake, tuple(points["report_id"].head(200).to_list()), True)
        reads.commune_geometries.raw(lake, f.areas)

    def violations() -> None:
        shell()
        sl = vv.slices(lake, f.start, f.end, f.areas)
        cams = vv.cameras(lake)
        vv.summary_of(sl)
        vv.by_type_of(sl)
        vv.by_camera_of(sl, cams)
        vv.by_hour_of(sl)
        vv.by_day_of(sl)
        review.pending(lake, f.areas)
        review.pending_count(lake, f.areas)
        vv.traffic_flow(lake, f.start, f.end, f.areas)

    def floods() -> None:
        shell()
        bounds = fv.replay_bounds(lake)
        if bounds is None:
            return
        at = bounds[2] or bounds[1]
        layers = floods_layers.map_layers(lake, at)
        reads.commune_geometries.raw(lake, f.areas)
        if layers["gauges"]:
            fv.hydrograph(lake, layers["gauges"][0]["station_code"], bounds[0], bounds[1])

    return {"overview": overview, "units": units, "reports_map": reports,
            "reports_map · overdue only": lambda: reports(overdue_only=True), "violations": violations,
            "floods": floods}


def time_pages(root: str, label: str) -> list[dict]:
    from dashboards.data import VERSION_TTL_S
    from dashboards.filters import period_for
    from dashboards.reads import data_bounds
    from lake import Lake
    from views.filters import Filters

    # opened as the app opens it (dashboards.data): the Delta log is re-read at most every VERSION_TTL_S;
    # the page-level result cache is not used here, so every sample runs its queries in DuckDB
    lake = Lake.open(root, max_staleness_s=VERSION_TTL_S)
    bounds = data_bounds.raw(lake)
    rows = []
    for period in ("30", "all"):
        start, end = period_for(period, bounds)
        f = Filters.of(start, end)
        for page, fn in _page_queries(lake, f).items():
            fn()  # first render: DuckDB views over the current Delta snapshots
            samples = []
            for _ in range(REPEATS):
                t0 = time.perf_counter()
                fn()
                samples.append(time.perf_counter() - t0)
            rows.append({"lake": label, "period": "30 ngày" if period == "30" else "toàn bộ", "page": page,
                         **percentiles_ms(samples)})
    lake.close()
    return rows


def build_large(scale: float) -> str:
    """The large lake: the reports bench's simulator lake at this scale (5 M valid reports at 85, kept under
    data/bench/ and shared with `bench reports`), plus the disasters demo and the simulated camera history."""
    from bench.bench_reports import big_lake, large_lake_root
    from pipelines.disasters.demo import build_demo_disasters
    from pipelines.sources.camera_simulator import load_camera_history

    root = os.environ.get("HUE_IOC_BENCH_LARGE_LAKE") or large_lake_root(scale)
    t0 = time.perf_counter()
    lake, _ = big_lake(root, scale)
    if not lake.exists("gold.flood_status"):
        build_demo_disasters(lake)
    if not lake.exists("silver.violations"):
        load_camera_history(lake)
    print(f"large lake (scale {scale:g}) ready in {time.perf_counter() - t0:.0f} s at {root}", flush=True)
    return root


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_rss(root: str) -> dict:
    """Start the app on the lake, open every page in chromium, then read the server's RSS."""
    import psutil

    from dashboards.serve import command, environment, stop, wait_until_healthy

    port = _free_port()
    env = environment(role="operator") | {"HUE_IOC_LAKE": root}
    proc = subprocess.Popen(command(port=port), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=REPO)
    url = f"http://127.0.0.1:{port}"
    out: dict = {}
    try:
        wait_until_healthy(url)
        ps = psutil.Process(proc.pid)
        out["rss_idle_mb"] = round(ps.memory_info().rss / 2**20, 1)
        if Path("/usr/bin/chromium").exists():
            from playwright.sync_api import sync_playwright

            with sync_playwright() as p:
                b = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
                    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"])
                page = b.new_page(viewport={"width": 1920, "height": 1080})
                loads = {}
                for path in ("", "units", "reports", "violations", "floods", "wall"):
                    t0 = time.perf_counter()
                    page.goto(f"{url}/{path}")
                    page.locator("h1").first.wait_for(timeout=120_000)
                    page.wait_for_timeout(500)
                    # the script has finished when streamlit's "running" widget is gone
                    page.wait_for_function(
                        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=180_000)
                    page.wait_for_timeout(1000)
                    loads[path or "overview"] = round(time.perf_counter() - t0, 2)
                b.close()
            out["browser_page_load_s"] = loads
        out["rss_after_pages_mb"] = round(ps.memory_info().rss / 2**20, 1)
    finally:
        stop(proc)
    return out


def main() -> dict:
    from lake import Lake

    demo = os.environ.get("HUE_IOC_BENCH_DEMO_LAKE", str(REPO / "data" / "lake"))
    scale = float(os.environ.get("HUE_IOC_BENCH_SCALE", "85"))  # 85 ≈ 5 M valid reports
    rows = []
    lakes = {}
    if Path(demo).exists():
        rows += time_pages(demo, "demo")
        lakes["demo"] = {"root": demo, "reports": int(Lake.open(demo).sql(
            "SELECT count(*) n FROM silver.reports")["n"][0])}
    large = build_large(scale)
    rows += time_pages(large, f"large ×{scale:g}")
    lakes["large"] = {"root": large, "scale": scale,
                      "reports": int(Lake.open(large).sql("SELECT count(*) n FROM silver.reports")["n"][0])}
    memory = server_rss(large)
    for r in rows:
        target = TARGET_DEMO_MS if r["lake"] == "demo" else TARGET_LARGE_MS
        r["target_ms"] = target
        r["ok"] = "✓" if r["p95_ms"] <= target else "✗"
    payload = {"at": dt.datetime.now(dt.UTC).isoformat(), "repeats": REPEATS,
               "load_average_1_5_15": os.getloadavg(), "cpus": os.cpu_count(), "lakes": lakes, "pages": rows,
               "server": memory, "targets": {"p95_demo_ms": TARGET_DEMO_MS, "p95_large_ms": TARGET_LARGE_MS,
                                             "rss_mb": TARGET_RSS_MB},
               "rss_ok": memory.get("rss_after_pages_mb", 0) <= TARGET_RSS_MB}
    write("dashboards", payload, rows)
    print(f"server RSS with the large lake: idle {memory.get('rss_idle_mb')} MB, after opening every page "
          f"{memory.get('rss_after_pages_mb')} MB (target ≤ {TARGET_RSS_MB:.0f} MB); "
          f"page loads {memory.get('browser_page_load_s')}")
    return payload


if __name__ == "__main__":
    main()
