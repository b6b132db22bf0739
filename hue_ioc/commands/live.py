"""`hue-ioc live`: the long-running ingest service (MQTT, PostgreSQL, CAP feeds) → the lake, within seconds.

    hue-ioc live                                   # broker from HUE_IOC_MQTT_URL (mqtt://host:port)
    hue-ioc live --mqtt mqtt://127.0.0.1:1883 --postgres --pg-schema public --cap-feed URL
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from pathlib import Path

from core.settings import repo_root, settings
from detectors.config import CameraConfig, load_cameras
from pipelines.live.zones import Cameras, CameraZones, ZoneRule

DEFAULT_CAMERAS = "configs/cameras.example.yaml"


def camera_zones(cams: list[CameraConfig]) -> Cameras:
    """The zone rules the live ingest applies, from the camera configuration."""
    return {c.id: CameraZones(c.id, c.labels, tuple(
        ZoneRule(z.id, z.rule.type, z.rule.classes, z.rule.seconds, z.rule.event_type) for z in c.zones))
        for c in cams}


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("live", help="run the live ingest service (MQTT, PostgreSQL, CAP feeds)")
    p.add_argument("--mqtt", help="broker URL mqtt://host:port (default HUE_IOC_MQTT_URL)")
    p.add_argument("--client-id", default="hue-ioc-live",
                   help="MQTT client id: fixed, so the broker keeps the session while the service is away")
    p.add_argument("--cameras", help="camera configuration (default HUE_IOC_CAMERAS, then "
                   f"{DEFAULT_CAMERAS})")
    p.add_argument("--batch-max", type=int, default=1000, help="messages per micro-batch at most")
    p.add_argument("--batch-wait", type=float, default=1.0, help="seconds a micro-batch waits at most")
    p.add_argument("--postgres", action="store_true", help="poll the citizen app's PostgreSQL (HUE_IOC_PG_DSN)")
    p.add_argument("--pg-schema", default=None, help="the app's schema (default: setting pg_schema)")
    p.add_argument("--pg-every", type=float, default=5.0, help="seconds between PostgreSQL polls")
    p.add_argument("--pg-notify-install", action="store_true",
                   help="install the NOTIFY triggers on the app's tables (pipelines/live/pg_notify.sql) first; "
                        "the service LISTENs and polls at once on a change")
    p.add_argument("--cap-feed", action="append", default=[],
                   help="CAP Atom/RSS feed URL, polled every minute (also HUE_IOC_CAP_FEEDS, comma separated)")
    p.add_argument("--compact-every", type=float, default=600.0, help="seconds between compactions")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from lake import SERVICE, Lake
    from pipelines.live.mqtt import MqttConsumer
    from pipelines.live.service import LiveConfig, LiveService
    from pipelines.sources.mapping import load_mapping
    from pipelines.sources.postgres import PostgresReportSource

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    s = settings()
    cams = camera_zones(load_cameras(Path(args.cameras or s.cameras or repo_root() / DEFAULT_CAMERAS)))
    url = args.mqtt or s.mqtt_url
    if args.postgres and args.pg_notify_install:
        from pipelines.live.pg_notify import install_notify

        install_notify(s.pg_dsn, args.pg_schema or s.pg_schema)
    feeds = [*args.cap_feed, *[u.strip() for u in (s.cap_feeds or "").split(",") if u.strip()]]
    config = LiveConfig(batch_max=args.batch_max, batch_wait_s=args.batch_wait,
                        postgres=PostgresReportSource(s.pg_dsn, args.pg_schema or s.pg_schema,
                                                      load_mapping(s.pg_mapping)) if args.postgres else None,
                        postgres_every_s=args.pg_every, cap_feeds=feeds, compact_every_s=args.compact_every)
    consumer = MqttConsumer(url, client_id=args.client_id) if url else None
    if consumer is None and config.postgres is None and not feeds:
        raise ValueError("nothing to ingest: give a broker (--mqtt or HUE_IOC_MQTT_URL), --postgres or a CAP feed")
    service = LiveService(Lake.open(role=SERVICE), cams, consumer, config)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    print(f"hue-ioc live: broker {url or '—'}, cameras {sorted(cams)}, PostgreSQL "
          f"{'on' if config.postgres else 'off'}, CAP feeds {len(feeds)}", flush=True)
    service.run(stop)
    print(f"hue-ioc live: stopped after {service.stats}", flush=True)
    return 0
