"""Atom and RSS index feeds served from a loopback http.server: links followed, failures become rejects."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from hue_ioc.defs.disasters import run_request_for
from pipelines.disasters.cap_ingest import ingest_documents
from pipelines.disasters.feeds import feed_documents, feed_links, http_fetch
from pipelines.disasters.watch import scan_sources

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>alerts</title><id>urn:x</id><updated>2025-11-17T00:00:00Z</updated>
<entry><id>a2</id><title>A2</title><updated>2025-11-17T00:00:00Z</updated>
  <link rel="alternate" type="text/html" href="/page/a2.html"/>
  <link rel="related" type="application/cap+xml" href="/cap/a2.xml"/></entry>
<entry><id>a3</id><title>A3</title><updated>2025-11-17T00:00:00Z</updated><link href="cap/a3.xml"/></entry>
<entry><id>gone</id><title>missing</title><updated>2025-11-17T00:00:00Z</updated><link href="/cap/missing.xml"/></entry>
<entry><id>big</id><title>big</title><updated>2025-11-17T00:00:00Z</updated><link href="/cap/big.xml"/></entry>
</feed>"""
RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>alerts</title>
<item><title>A4</title><link>http://example.invalid/ignored.html</link>
  <enclosure url="/cap/a4.xml" type="application/cap+xml" length="1"/></item>
<item><title>A2 again</title><link>/cap/a2.xml</link></item>
</channel></rss>"""


@pytest.fixture
def server(cap_dir: Path) -> Iterator[str]:
    release = threading.Event()
    files = {
        "/atom.xml": ATOM.encode(), "/rss.xml": RSS.encode(),
        "/cap/a2.xml": (cap_dir / "cap12_spec_A2_severe_thunderstorm_polygon.xml").read_bytes(),
        "/cap/a3.xml": (cap_dir / "cap12_spec_A3_earthquake_update_circle.xml").read_bytes(),
        "/cap/a4.xml": (cap_dir / "cap12_spec_A4_amber_multilingual_en_es.xml").read_bytes(),
        "/cap/big.xml": b"<alert>" + b" " * 3_000_000 + b"</alert>",
        "/bad-feed.xml": b"<!DOCTYPE x [<!ENTITY a 'b'>]><feed xmlns='http://www.w3.org/2005/Atom'/>",
    }

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            if self.path == "/slow.xml":  # answers after the client has given up
                release.wait(5)
                return
            body = files.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client refused an oversize body by its Content-Length and hung up: intended

        def log_message(self, *args) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    release.set()
    httpd.shutdown()
    httpd.server_close()


def test_feed_links_atom_and_rss(server: str) -> None:
    atom = feed_links(ATOM.encode(), f"{server}/atom.xml")
    assert atom == [f"{server}/cap/a2.xml", f"{server}/cap/a3.xml", f"{server}/cap/missing.xml",
                    f"{server}/cap/big.xml"]
    assert feed_links(RSS.encode(), f"{server}/rss.xml") == [f"{server}/cap/a4.xml", f"{server}/cap/a2.xml"]


def test_feeds_into_lake(lake, server: str) -> None:
    docs = [*feed_documents(f"{server}/atom.xml"), *feed_documents(f"{server}/rss.xml"),
            *feed_documents(f"{server}/bad-feed.xml"), *feed_documents(f"{server}/nope.xml")]
    res = ingest_documents(lake, docs)
    assert res.inserted == 3 and res.duplicates == 1  # A2 is in both feeds
    rej = lake.read("silver.rejects")
    reasons = dict(zip(rej["record_ref"], rej["reason"], strict=True))
    assert "404" in reasons[f"{server}/cap/missing.xml"]
    assert "too large" in reasons[f"{server}/cap/big.xml"]
    assert "forbidden XML construct" in reasons[f"{server}/bad-feed.xml"]
    assert "404" in reasons[f"{server}/nope.xml"]
    assert res.read == res.inserted + res.duplicates + res.rejected
    assert set(lake.read("silver.warnings")["source"]) == {"feed"}
    before = lake.versions(["silver.warnings", "silver.rejects"])
    ingest_documents(lake, [*feed_documents(f"{server}/atom.xml"), *feed_documents(f"{server}/rss.xml")])
    assert lake.versions(["silver.warnings", "silver.rejects"]) == before


def test_http_fetch_refuses_by_content_length(server: str) -> None:
    from pipelines.disasters.cap.rules import CapError

    with pytest.raises(CapError, match="Content-Length"):
        http_fetch(f"{server}/cap/big.xml", max_bytes=1000)


def test_sensor_scan_sees_new_files_and_feed_changes(tmp_path: Path, server: str, cap_dir: Path) -> None:
    inbox, gin = tmp_path / "cap", tmp_path / "gauges"
    inbox.mkdir()
    gin.mkdir()
    changes, cursor = scan_sources({}, [str(inbox)], [str(gin)], [f"{server}/atom.xml"])
    assert changes == {"cap_files": [], "gauge_files": [], "feeds": [f"{server}/atom.xml"]}
    (inbox / "a.xml").write_bytes((cap_dir / "cap12_spec_A2_severe_thunderstorm_polygon.xml").read_bytes())
    (gin / "r.csv").write_text("station_code,observed_at,water_level_m\n71520,2025-11-17T00:00:00+07:00,2.5\n")
    changes, cursor = scan_sources(cursor, [str(inbox)], [str(gin)], [f"{server}/atom.xml"])
    assert changes["cap_files"] == [str(inbox / "a.xml")] and changes["gauge_files"] == [str(gin / "r.csv")]
    assert changes["feeds"] == []  # index unchanged
    req = run_request_for(changes)
    assert req is not None
    assert req.run_config["ops"]["cap_warnings"]["config"]["files"] == [str(inbox / "a.xml")]
    changes, _ = scan_sources(cursor, [str(inbox)], [str(gin)], [f"{server}/atom.xml"])
    assert not any(changes.values()) and run_request_for(changes) is None


def test_rejects_only_hold_trimmed_payloads(lake, server: str) -> None:
    ingest_documents(lake, feed_documents(f"{server}/atom.xml"))
    assert lake.read("silver.rejects").select(pl.col("payload").str.len_chars().max()).item() <= 4000


def test_slow_feed_times_out_into_a_reject(lake, server: str) -> None:
    def impatient(url: str, max_bytes: int) -> bytes:
        return http_fetch(url, max_bytes, timeout=(1.0, 0.2))

    res = ingest_documents(lake, feed_documents(f"{server}/slow.xml", fetch=impatient))
    assert res.rejected == 1
    assert "Timeout" in lake.read("silver.rejects")["reason"][0]


def test_sensor_evaluation(tmp_path: Path, cap_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dagster as dg

    from hue_ioc.defs.disasters import disasters_inbox_sensor

    inbox = tmp_path / "cap"
    inbox.mkdir()
    monkeypatch.setenv("HUE_IOC_CAP_INBOX", str(inbox))
    monkeypatch.delenv("HUE_IOC_CAP_FEEDS", raising=False)
    monkeypatch.delenv("HUE_IOC_GAUGE_INBOX", raising=False)
    ctx = dg.build_sensor_context()
    assert isinstance(disasters_inbox_sensor(ctx), dg.SkipReason)
    (inbox / "a4.xml").write_bytes((cap_dir / "cap12_spec_A4_amber_multilingual_en_es.xml").read_bytes())
    ctx = dg.build_sensor_context(cursor=ctx.cursor)
    req = disasters_inbox_sensor(ctx)
    assert isinstance(req, dg.RunRequest)
    assert req.run_config["ops"]["cap_warnings"]["config"]["files"] == [str(inbox / "a4.xml")]
    assert isinstance(disasters_inbox_sensor(dg.build_sensor_context(cursor=ctx.cursor)), dg.SkipReason)


def test_record_then_replay_offline(lake, server: str, tmp_path: Path) -> None:
    from pipelines.disasters.feeds import RecordedFetcher, RecordingFetcher

    live = list(feed_documents(f"{server}/atom.xml", fetch=RecordingFetcher(tmp_path / "rec")))
    offline = list(feed_documents(f"{server}/atom.xml", fetch=RecordedFetcher(tmp_path / "rec")))
    assert [d.data for d in live if d.data] == [d.data for d in offline if d.data]
    assert len([d for d in offline if d.data]) == 2
    assert any("not in the recording" in (d.error or "") for d in offline)  # the 404 was never recorded
