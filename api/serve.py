"""Run the API under uvicorn, on 127.0.0.1 unless told otherwise.

uvicorn's own access log is off: it prints the query string, which may hold a partner's ``api_key``;
``api.access`` logs each request with keys masked instead.
"""

from __future__ import annotations

import ipaddress
import logging
import sys

from api.config import ApiConfig

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8311


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> int:
    import uvicorn  # imported here, with the app, so that other `hue-ioc` commands start fast

    from api.app import create_app

    config = ApiConfig.from_settings()
    app = create_app(config=config)
    if not _is_loopback(host):
        print(f"hue-ioc api: listening on {host}, reachable from the network", file=sys.stderr)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    print(f"hue-ioc api: http://{host}:{port}/docs ({len(config.keys)} partner key(s), anonymous "
          f"{'allowed' if config.allow_anonymous else 'refused'}, CAP alerts "
          f"{'signed' if config.signing_key else 'unsigned'})", file=sys.stderr)
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="info")
    return 0
