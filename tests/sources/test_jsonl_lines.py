"""JSON-lines files: each line read on its own within limits, so no bad line stops the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.sources.jsonl_file import JsonLinesReportSource, nesting_depth

GOOD = {"kind": "report", "report_id": "R-1", "received_at": "2022-05-20T08:00:00+07:00", "lat": 16.46,
        "lon": 107.59, "category_code": "roads"}


def _line(**changes: object) -> str:
    return json.dumps({**GOOD, **changes}, ensure_ascii=False)


def _read(path: Path, **kw) -> tuple[list[str], dict[int, str]]:
    batch = JsonLinesReportSource(path, **kw).fetch()
    reasons = {}
    for r in batch.rejects:
        name, lineno, reason = r.reason.split(":", 2)
        assert name == path.name
        reasons[int(lineno)] = reason.strip()
    return [r.record_id for r in batch.records], reasons


def test_a_line_nested_100000_levels_deep_does_not_stop_the_file(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    deep = '{"kind": "report", "report_id": "DEEP", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path.write_text("\n".join([_line(report_id="A"), deep, _line(report_id="B")]) + "\n")
    ids, reasons = _read(path)
    assert ids == ["A", "B"]
    assert reasons == {2: "nested deeper than 32 levels"}


def test_a_lone_surrogate_does_not_stop_the_file(tmp_path: Path) -> None:
    path = tmp_path / "surrogate.jsonl"
    lone = '{"kind": "report", "report_id": "S", "title": "\\ud800 alone"}'
    paired = '{"kind": "report", "report_id": "P", "title": "\\ud83d\\ude00 paired"}'  # an emoji: fine
    raw_surrogate = b'{"kind": "report", "report_id": "RAW", "title": "\xed\xa0\x80"}'  # CESU bytes
    path.write_bytes("\n".join([_line(report_id="A"), lone, paired]).encode() + b"\n" + raw_surrogate + b"\n"
                     + _line(report_id="B").encode() + b"\n")
    ids, reasons = _read(path)
    assert ids == ["A", "P", "B"]
    assert reasons[2].startswith("lone surrogate")
    bad_at = raw_surrogate.index(bytes([0xED]))
    assert reasons[4] == f"not UTF-8: byte {bad_at} of the line"


def test_a_byte_order_mark_keeps_the_first_record(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + (_line(report_id="FIRST") + "\n" + _line(report_id="SECOND")).encode())
    ids, reasons = _read(path)
    assert (ids, reasons) == (["FIRST", "SECOND"], {})


@pytest.mark.parametrize(("line", "reason"), [
    (_line(report_id="Y1", received_at="0001-01-01T00:00:00+00:00"),
     "implausible time: received_at 0001-01-01T00:00:00+00:00 is before 2000-01-01 (setting earliest_plausible)"),
    (_line(report_id="Y1900", updated_at="1900-01-01T07:00:00+07:00"),
     "implausible time: updated_at 1900-01-01T07:00:00+07:00 is before 2000-01-01"),
    ('{"kind": "event", "event_id": "E", "report_id": "R-1", "event_type": "received", "at": "1900-06-01"}',
     "implausible time: at 1900-06-01 is before 2000-01-01"),
    (_line(report_id="FAR", deadline_at="2999-01-01T00:00:00+07:00"), "implausible time: deadline_at 2999-01-01T00:00:00+07:00 is in the future"),
    ('{"kind": "report", "report_id": "NAN", "lat": NaN, "lon": 107.5}', "NaN is not a number JSON allows"),
    ('{"kind": "report", "report_id": "INF", "lat": 16.4, "lon": -Infinity}',
     "-Infinity is not a number JSON allows"),
    (_line(report_id="SNAN", lat="NaN"), "coordinate lat is not a finite number: 'NaN'"),
])
def test_implausible_times_and_coordinates_are_rejected_with_reasons(tmp_path: Path, line: str,
                                                                     reason: str) -> None:
    path = tmp_path / "odd.jsonl"
    path.write_text(_line(report_id="OK") + "\n" + line + "\n")
    ids, reasons = _read(path)
    assert ids == ["OK"]
    assert reasons[2].startswith(reason)


def test_the_plausible_range_is_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.jsonl"
    path.write_text(_line(report_id="OLD", received_at="2005-03-01T00:00:00+07:00") + "\n")
    assert _read(path)[0] == ["OLD"]
    monkeypatch.setenv("HUE_IOC_EARLIEST_PLAUSIBLE", "2010-01-01")
    assert _read(path)[1] == {1: "implausible time: received_at 2005-03-01T00:00:00+07:00 is before "
                                 "2010-01-01 (setting earliest_plausible)"}


def test_a_line_over_the_size_limit_is_skipped_whole(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    long = _line(report_id="LONG", description="x" * 5000)
    path.write_text("\n".join([_line(report_id="A"), long, _line(report_id="B")]) + "\n")
    ids, reasons = _read(path, max_line_bytes=1000)
    assert ids == ["A", "B"]
    assert reasons == {2: f"line of {len(long) + 1} bytes is over the 1000-byte limit"}


def test_nesting_depth_ignores_brackets_in_strings() -> None:
    assert nesting_depth('{"a": "[[[{{{", "b": [1, {"c": "\\"]"}]}', 99) == 3
