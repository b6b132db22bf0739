"""The live service polls the configured CAP feeds on its schedule: a document that appears in a feed (served
from loopback) reaches silver.warnings on a later poll, and documents already read are not stored twice."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from lake import Lake
from pipelines.live.service import LiveConfig
from tests.live.conftest import SYSTEM_BROKER, RunningService, wait_for


def atom(*links: str) -> bytes:
    entries = "".join(f"<entry><title>{x}</title><link href='{x}'/></entry>" for x in links)
    return f"<feed xmlns='http://www.w3.org/2005/Atom'><title>NCHMF</title>{entries}</feed>".encode()


@pytest.fixture
def feed(data_dir: Path) -> Iterator[tuple[str, dict[str, bytes]]]:
    cap = data_dir / "cap"
    files = {"/feed.xml": atom("/cap/a2.xml"),
             "/cap/a2.xml": (cap / "cap12_spec_A2_severe_thunderstorm_polygon.xml").read_bytes(),
             "/cap/a3.xml": (cap / "cap12_spec_A3_earthquake_update_circle.xml").read_bytes()}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            body = files.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", files
    httpd.shutdown()
    httpd.server_close()


def test_cap_feed_polled_on_schedule(lake: Lake, feed: tuple[str, dict[str, bytes]]):
    url, files = feed
    config = LiveConfig(batch_wait_s=0.2, cap_feeds=[f"{url}/feed.xml"], cap_every_s=0.5)
    received = "SELECT identifier FROM silver.warnings WHERE direction = 'received' ORDER BY identifier"
    with RunningService(lake, SYSTEM_BROKER, config, consume=False):
        wait_for(lambda: lake.exists("silver.warnings") and lake.sql(received).height == 1, "the first alert")
        files["/feed.xml"] = atom("/cap/a2.xml", "/cap/a3.xml")  # the agency publishes a second alert
        wait_for(lambda: lake.sql(received).height == 2, "the second alert on a later poll")
    # the identifiers written in the two CAP 1.2 specification examples
    assert lake.sql(received)["identifier"].to_list() == ["KSTO1055887203", "TRI13970876.2"]


def test_a_cap_alert_for_hue_drafts_a_relay_and_issues_nothing(lake: Lake, feed: tuple[str, dict[str, bytes]]):
    from tests.disasters.test_disasters_warnings import HUE_ALERT

    url, files = feed
    files["/cap/hue.xml"] = HUE_ALERT.encode()
    files["/feed.xml"] = atom("/cap/a2.xml", "/cap/hue.xml")  # a US sample (not for Huế) and one for Huế
    config = LiveConfig(batch_wait_s=0.2, cap_feeds=[f"{url}/feed.xml"], cap_every_s=0.5)
    with RunningService(lake, SYSTEM_BROKER, config, consume=False):
        wait_for(lambda: lake.exists("silver.warning_drafts"), "a relay drafted")
    drafts = lake.sql("SELECT kind, status, severity, headline_vi, xml FROM silver.warning_drafts").rows(named=True)
    assert [(d["kind"], d["status"], d["severity"]) for d in drafts] == [("relay", "draft", "Severe")]
    assert "Mưa rất to khu vực Huế" in drafts[0]["headline_vi"]
    assert "NCHMF-2025-1117-01" in drafts[0]["xml"]
    assert lake.sql("SELECT count(*) FROM silver.warnings WHERE direction = 'issued'").item() == 0
