"""Reconciliation as a property (hypothesis): for any batch of report payloads, good, broken, repeated and
edited at random, rows read = kept + superseded + rejected, and every report id given in a row ends up kept
or explained by a reject (issue 17 item 3)."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.reports.conform import conform_reports

NOW = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
GOOD = {"category_code": "GT", "received_at": "2024-05-30T01:00:00Z", "lat": 16.4637, "lon": 107.5909,
        "admin_unit_code": "19807", "is_valid": True}
# each fault turns a good payload into one that must be rejected
FAULTS = {
    "none": lambda p: p,
    "category": lambda p: {**p, "category_code": "??"},
    "half_position": lambda p: {**p, "lon": None},
    "far_away": lambda p: {**p, "lat": 10.77, "lon": 106.70},
    "admin": lambda p: {**p, "admin_unit_code": "nowhere"},
    "future": lambda p: {**p, "received_at": "2030-01-01T00:00:00Z"},
    "wrong_type": lambda p: {**p, "lat": "north"},
    "no_time": lambda p: {**p, "received_at": None},
}
rows = st.lists(st.tuples(st.integers(1, 6), st.sampled_from(sorted(FAULTS)), st.integers(0, 2),
                          st.booleans()), min_size=1, max_size=40)


def _payloads(spec: list[tuple[int, str, int, bool]]) -> list[str]:
    out = []
    for rid, fault, version, garbage in spec:
        if garbage:
            out.append("{not json")
            continue
        p = FAULTS[fault]({**GOOD, "report_id": f"R{rid}",
                           "updated_at": f"2024-05-30T0{2 + version}:00:00Z", "title": f"v{version}"})
        out.append(json.dumps(p))
    return out


@settings(max_examples=60, deadline=None)
@given(spec=rows)
def test_every_row_is_kept_superseded_or_rejected(spec: list[tuple[int, str, int, bool]]) -> None:
    payloads = _payloads(spec)
    raw = pl.DataFrame({"raw_id": [str(i) for i in range(len(payloads))], "source": ["t"] * len(payloads),
                        "batch_id": ["b"] * len(payloads), "ingested_at": [NOW] * len(payloads),
                        "payload": payloads})
    out = conform_reports(raw, categories={"GT"}, admin_codes={"19807"}, now=NOW)
    assert out.read == out.rows.height + out.superseded + out.rejects.height == len(spec)
    good_ids = {f"R{rid}" for rid, fault, _, garbage in spec if fault == "none" and not garbage}
    assert set(out.rows["report_id"]) == good_ids  # a good row is never lost, a bad one never kept
    broken = sum(1 for _, fault, _, garbage in spec if fault != "none" or garbage)
    assert out.rejects.height >= broken
