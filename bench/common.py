"""Shared bench helpers: timing, percentiles, a results table and its JSON."""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def percentiles_ms(samples: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return {"p50_ms": round(statistics.median(ms), 2), "p95_ms": round(p95, 2), "n": len(ms)}


def write(area: str, payload: dict, rows: list[dict]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{area}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
    if rows:
        cols = list(rows[0])
        widths = [max(len(str(c)), *(len(str(r.get(c, ""))) for r in rows)) for c in cols]
        print("  ".join(str(c).ljust(w) for c, w in zip(cols, widths, strict=True)))
        for r in rows:
            print("  ".join(str(r.get(c, "")).ljust(w) for c, w in zip(cols, widths, strict=True)))
    print(f"→ {path}")
    return path


def _plain(value: object) -> object:
    """A result as plain comparable values: frames → sorted rows (row order of an unordered query is
    arbitrary), numbers → float, dict/tuple → the same of plain values."""
    import decimal

    import polars as pl

    if isinstance(value, pl.DataFrame):
        rows = [tuple(_plain(v) for v in r) for r in value.iter_rows()]
        return (tuple(value.columns), sorted(rows, key=repr))
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return tuple(_plain(v) for v in value)
    if isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool):
        return float(value)
    return value


def _close(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def same_result(a: object, b: object) -> bool:
    """Whether two engines gave the same answer to one view call (floats to 1e-9, rows in any order)."""
    return _close(_plain(a), _plain(b))
