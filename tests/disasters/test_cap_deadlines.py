"""`hue-ioc cap ingest` against a loopback server: a trickling feed ends at its deadline, a URL may be one
alert, and paths that do not exist end the command with one line and a non-zero exit."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hue_ioc.cli import main
from lake import Lake

TRICKLE_BYTES = 40  # the server gives up by itself after this many bytes (80 s at most)


@pytest.fixture(scope="module")
def server(cap_dir: Path) -> Iterator[str]:
    alert = (cap_dir / "cap12_spec_A2_severe_thunderstorm_polygon.xml").read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            if self.path == "/alert.xml":
                body = alert
            elif self.path == "/index.xml":
                links = "".join(f'<entry><link href="{base}/trickle-{n}.xml"/></entry>' for n in range(3))
                body = f'<feed xmlns="http://www.w3.org/2005/Atom">{links}</feed>'.encode()
            elif self.path.startswith("/trickle"):
                self.send_response(200)
                self.send_header("Content-Type", "application/cap+xml")
                self.send_header("Content-Length", str(len(alert)))
                self.end_headers()
                try:
                    for byte in alert[:TRICKLE_BYTES]:  # one byte every two seconds
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(2)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up: what the test wants
                return
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _run(lake_dir: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict | None, str]:
    code = main(["--lake", str(lake_dir), "cap", "ingest", *args])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


def test_a_trickling_alert_ends_at_the_fetch_deadline(tmp_path: Path, server: str, capsys) -> None:
    code, summary, err = _run(tmp_path / "lake", f"{server}/trickle-0.xml", "--fetch-deadline", "3",
                              capsys=capsys)
    assert code == 1
    assert summary is not None and (summary["inserted"], summary["rejected"]) == (0, 1)
    reason = Lake.open(tmp_path / "lake").sql("SELECT reason FROM silver.rejects").item()
    assert reason.startswith("deadline of 3 s passed after ") and reason.endswith("bytes (download stopped)")
    assert "trickle-0.xml" in err and len(err.strip().splitlines()) == 1


def test_the_run_deadline_stops_the_links_not_fetched_yet(tmp_path: Path, server: str, capsys) -> None:
    code, summary, _ = _run(tmp_path / "lake", f"{server}/index.xml", "--fetch-deadline", "3",
                            "--deadline", "4", capsys=capsys)
    assert code == 1 and summary is not None and summary["rejected"] == 3
    reasons = dict(Lake.open(tmp_path / "lake").sql("SELECT record_ref, reason FROM silver.rejects").rows())
    assert reasons[f"{server}/trickle-0.xml"].startswith("deadline of 3 s passed")
    assert "run deadline" in reasons[f"{server}/trickle-2.xml"]


def test_a_url_may_point_at_one_alert(tmp_path: Path, server: str, capsys) -> None:
    code, summary, err = _run(tmp_path / "lake", f"{server}/alert.xml", capsys=capsys)
    assert (code, err) == (0, "")
    assert summary is not None and summary["inserted"] == 1
    assert Lake.open(tmp_path / "lake").sql("SELECT identifier, origin FROM silver.warnings").row(0) == (
        "KSTO1055887203", f"{server}/alert.xml")


def test_a_path_that_does_not_exist_exits_non_zero(tmp_path: Path, capsys) -> None:
    code, summary, err = _run(tmp_path / "lake", "/nonexistent", capsys=capsys)
    assert code == 2 and summary is None
    assert err.strip().splitlines() == [
        "hue-ioc cap ingest: không có tệp hay thư mục / no such file or folder: /nonexistent"]


def test_an_unreachable_feed_exits_non_zero(tmp_path: Path, server: str, capsys) -> None:
    code, summary, err = _run(tmp_path / "lake", f"{server}/missing.xml", capsys=capsys)
    assert code == 1 and summary is not None and summary["rejected"] == 1
    assert "404" in err and len(err.strip().splitlines()) == 1
