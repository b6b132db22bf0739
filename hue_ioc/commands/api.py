"""`hue-ioc api [--host 127.0.0.1] [--port 8311]`: the HTTP API for partners (Open311 out, CAP Atom)."""

from __future__ import annotations

import argparse

from api.serve import DEFAULT_HOST, DEFAULT_PORT, serve


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("api", help="serve the partner API (Open311 GeoReport v2, CAP Atom), "
                                          "on 127.0.0.1 by default")
    p.add_argument("--host", default=DEFAULT_HOST,
                   help="interface to bind (default 127.0.0.1; 0.0.0.0 exposes it to the network)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT)
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    return serve(host=args.host, port=args.port)
