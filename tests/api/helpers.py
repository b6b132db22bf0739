"""The API served by uvicorn on 127.0.0.1 at a free port, and the throwaway signing key's files."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# A validated, open report whose citizen typed their own name, phone and e-mail into the description.
LEAKY_ID = "HUES-LEAK-0001"
LEAKY_NAME = "Nguyễn Thị Riêng Tư"
LEAKY_PHONE = "0912 345 678"
LEAKY_EMAIL = "rieng.tu@example.vn"
# A report whose description holds characters XML 1.0 cannot carry (a vertical tab, a form feed, NUL).
CONTROL_ID = "HUES-CTRL-0001"
CONTROL_TEXT = "Đèn đường hỏng\x0bở kiệt 5\x0c\x00Lê Lợi"


@dataclass(frozen=True)
class SigningKey:
    key_path: Path
    cert_path: Path
    cert_pem: bytes


@contextmanager
def serve(app) -> Iterator[str]:  # noqa: ANN001 - an ASGI app
    """Run ``app`` under uvicorn on 127.0.0.1 at a free port; yields its base URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, access_log=False, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
