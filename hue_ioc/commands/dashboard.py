"""`hue-ioc dashboard [--wall] [--port] [--address 127.0.0.1] [--role]`: the Streamlit dashboards."""

from __future__ import annotations

import argparse

from dashboards.access import ROLES
from dashboards.serve import command, serve

__all__ = ["command", "register", "serve"]


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("dashboard", help="serve the IOC dashboards (Streamlit), on 127.0.0.1 by default")
    p.add_argument("--wall", action="store_true", help="wall mode: full screen, dark, rotating pages, no personal data")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default="127.0.0.1",
                   help="interface to bind (default 127.0.0.1; 0.0.0.0 exposes it to the network)")
    p.add_argument("--role", choices=ROLES, help="role without OIDC login (default HUE_IOC_ROLE or leader)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    return serve(wall=args.wall, port=args.port, address=args.address, role=args.role)
