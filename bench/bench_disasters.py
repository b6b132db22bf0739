"""Disasters bench: CAP alerts parsed per second and gauge readings loaded per second, side by side.

CAP: the full safe path (defusedxml parse + CAP 1.2 validation + model) against plain defusedxml
parsing and the plain xml.etree.ElementTree baseline (unsafe: no DTD/entity protection).
Gauges: the vectorised polars alarm computation against a row-by-row Python loop on the same rows,
and the end-to-end load of the VNDMS file into a fresh lake.

Run: .venv/bin/python bench/bench_disasters.py   → table on stdout, JSON in bench/results/disasters.json
"""

from __future__ import annotations

import csv
import io
import json
import os
import platform
import sys
import tempfile
import time
import xml.etree.ElementTree as StdET
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("HUE_IOC_ASSETS", str(REPO.parent / "shared" / "assets"))

import defusedxml.ElementTree as SafeET  # noqa: E402
import polars as pl  # noqa: E402

from core.settings import data_path  # noqa: E402
from core.tz import VN_TZ  # noqa: E402
from lake import Lake  # noqa: E402
from pipelines.disasters import alarms, gauges  # noqa: E402
from pipelines.disasters.cap.parse import parse_cap  # noqa: E402
from pipelines.disasters.cap.write import build_cap_xml  # noqa: E402

RESULTS = REPO / "bench" / "results" / "disasters.json"


def _rate(fn, n: int, repeat: int = 3) -> float:
    """Best-of-``repeat`` items per second of ``fn()`` which processes ``n`` items."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return n / best


def _cap_documents() -> list[bytes]:
    docs = [p.read_bytes() for p in sorted(data_path("cap").glob("*.xml"))]
    # plus Vietnamese IOC flood alerts (two languages, commune polygons): the documents the IOC sends
    with tempfile.TemporaryDirectory() as tmp:
        lake = Lake.open(Path(tmp) / "lake")
        gauges.load_stations(lake)
        gauges.load_vndms_file(lake)
        from pipelines.disasters.warnings_issuer import flood_warnings_for

        readings = lake.read("silver.gauge_readings")
        for alert, _ in flood_warnings_for(readings, lake.read("silver.gauge_stations"))[:3]:
            docs.append(build_cap_xml(alert, tz=VN_TZ))
    return docs


def bench_cap(rounds: int = 300) -> list[dict]:
    docs = _cap_documents()
    n = len(docs) * rounds
    size = sum(len(d) for d in docs) / len(docs)

    def full() -> None:
        for _ in range(rounds):
            for d in docs:
                parse_cap(d)

    def safe_parse_only() -> None:
        for _ in range(rounds):
            for d in docs:
                SafeET.fromstring(d, forbid_dtd=True)

    def plain_etree() -> None:
        for _ in range(rounds):
            for d in docs:
                StdET.fromstring(d)

    # end-to-end: distinct alerts (new identifiers) into a fresh lake: bronze, silver.warnings, supersession
    from pipelines.disasters.cap_ingest import ingest_documents
    from pipelines.disasters.feeds import CapDocument

    distinct = [d.replace(b"<identifier>", f"<identifier>B{k}-".encode(), 1)
                for k in range(40) for d in docs]

    def end_to_end() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            ingest_documents(Lake.open(Path(tmp) / "lake"),
                             [CapDocument(f"bench/{k}.xml", "file", data=d) for k, d in enumerate(distinct)])

    rows = []
    base = _rate(plain_etree, n)
    for name, fn in (("defusedxml + CAP 1.2 validation + model (parse_cap)", full),
                     ("defusedxml parse only", safe_parse_only),
                     ("xml.etree.ElementTree parse only (unsafe baseline)", plain_etree)):
        r = base if fn is plain_etree else _rate(fn, n)
        rows.append({"bench": "cap_parse", "variant": name, "items": n, "avg_doc_bytes": round(size),
                     "per_second": round(r, 1), "vs_baseline": round(r / base, 3)})
    e2e = _rate(end_to_end, len(distinct), repeat=2)
    rows.append({"bench": "cap_parse", "variant": "end-to-end ingest into a fresh lake (bronze+silver)",
                 "items": len(distinct), "avg_doc_bytes": round(size), "per_second": round(e2e, 1),
                 "vs_baseline": round(e2e / base, 3)})
    return rows


def bench_gauges(replicate: int = 10) -> list[dict]:
    path = data_path(gauges.CENTRAL_FILE)
    with tempfile.TemporaryDirectory() as tmp:
        lake = Lake.open(Path(tmp) / "lake")
        gauges.load_stations(lake)
        stations = lake.read("silver.gauge_stations")
    text = path.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    thresholds = {r[0]: r[1:] for r in stations.select("station_code", "alarm1_m", "alarm2_m", "alarm3_m",
                                                       "historic_level_m").iter_rows()}
    big = text + "".join(text.split("\n", 1)[1] for _ in range(replicate - 1))
    n = big.count("\n") - 1

    def vectorised() -> None:
        df = pl.read_csv(io.StringIO(big), infer_schema=False)
        df = df.select(pl.col("Mã trạm/LakeCode").alias("station_code"),
                       pl.col("Thời gian (UTC)").str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M", strict=False)
                       .alias("t"),
                       pl.col("Mực nước (m)").cast(pl.Float64, strict=False).alias("water_level_m"))
        alarms.with_alarms(df.drop_nulls(), stations)

    def row_by_row() -> None:
        import datetime as dt

        out = []
        for rec in csv.DictReader(io.StringIO(big)):
            try:
                t = dt.datetime.strptime(rec["Thời gian (UTC)"], "%Y-%m-%d %H:%M")
                lv = float(rec["Mực nước (m)"])
            except ValueError:
                continue
            a1, a2, a3, hist = thresholds.get(rec["Mã trạm/LakeCode"], (None, None, None, None))
            al, ref, d = alarms.alarm_row(lv, a1, a2, a3)
            out.append((rec["Mã trạm/LakeCode"], t, lv, al, ref, d, alarms.bulletin_text(al, ref, d),
                        *alarms.nearest_row(lv, a1, a2, a3), hist is not None and lv > hist))

    base = _rate(row_by_row, n)
    vec = _rate(vectorised, n)

    def end_to_end() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            lk = Lake.open(Path(tmp) / "lake")
            gauges.load_stations(lk)
            gauges.load_vndms_file(lk, path)

    file_rows = text.count("\n") - 1
    e2e = _rate(end_to_end, file_rows, repeat=2)
    return [
        {"bench": "gauge_load", "variant": "vectorised polars (read + UTC + alarms + bulletin)", "items": n,
         "per_second": round(vec, 1), "vs_baseline": round(vec / base, 3)},
        {"bench": "gauge_load", "variant": "row-by-row Python (csv + same rule) baseline", "items": n,
         "per_second": round(base, 1), "vs_baseline": 1.0},
        {"bench": "gauge_load", "variant": "end-to-end into a fresh lake (stations, rejects, Delta merge)",
         "items": file_rows, "per_second": round(e2e, 1), "vs_baseline": round(e2e / base, 3)},
    ]


def main() -> dict:
    rows = bench_cap() + bench_gauges()
    out = {"area": "disasters", "python": platform.python_version(), "machine": platform.machine(),
           "cpus": os.cpu_count(), "results": rows}
    print(f"{'bench':<11} {'variant':<64} {'items':>7} {'per second':>12} {'× baseline':>10}")
    for r in rows:
        print(f"{r['bench']:<11} {r['variant']:<64} {r['items']:>7} {r['per_second']:>12,.0f} {r['vs_baseline']:>10.2f}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"→ {RESULTS.relative_to(REPO)}")
    return out


if __name__ == "__main__":
    main()
