"""Camera commands: ``detect`` (run one camera), ``cameras check`` (validate + draw zones), ``assets fetch``."""

from __future__ import annotations

import argparse
import hashlib
import sys
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from detectors.config import CameraConfig
    from detectors.model_cache import ModelCache
    from lake import Lake


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("detect", help="run the camera pipeline for one camera / chạy phân tích cho một camera")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--camera", help="camera id in the config")
    which.add_argument("--all", action="store_true", help="every enabled camera, each in its own thread")
    p.add_argument("--config", default="configs/cameras.example.yaml", help="cameras YAML")
    p.add_argument("--source", help="override the camera's source: a file path or an rtsp:// / http(s):// URL")
    p.add_argument("--max-frames", type=int, help="stop after this many sampled frames")
    p.add_argument("--show-progress", action="store_true", help="print progress while running")
    p.add_argument("--precision", help="OpenVINO INFERENCE_PRECISION_HINT (f32, bf16, f16); default: device's")
    p.add_argument("--reconnect-attempts", type=int, default=5, help="stream reconnect attempts")
    p.add_argument("--no-lake", action="store_true", help="detect and print only, write nothing")
    p.set_defaults(func=cmd_detect)

    p = sub.add_parser("cameras", help="camera configuration tools / công cụ cấu hình camera")
    csub = p.add_subparsers(dest="action", required=True)
    c = csub.add_parser("check", help="validate a cameras YAML and draw each camera's zones and lines to a PNG")
    c.add_argument("config")
    c.add_argument("--out", default="data/camera_check", help="folder for the PNGs")
    c.set_defaults(func=cmd_check)

    r = csub.add_parser("review", help="confirm or dismiss a violation, audited in silver.review_decisions "
                                       "(the same action as the Duyệt vi phạm page)")
    r.add_argument("event_id")
    r.add_argument("status", choices=["confirmed", "dismissed"])
    r.add_argument("--by", required=True, help="the reviewing officer")
    r.add_argument("--note", default="", help="the reason (required to dismiss)")
    r.set_defaults(func=cmd_review)

    p = sub.add_parser("assets", help="model files / tệp mô hình")
    asub = p.add_subparsers(dest="action", required=True)
    f = asub.add_parser("fetch", help="download the Open Model Zoo models (pinned sha256) into the assets folder")
    f.add_argument("--dest", help="assets folder (default: HUE_IOC_ASSETS or ./assets)")
    f.add_argument("--models", nargs="*", help="model names (default: all)")
    f.add_argument("--dry-run", action="store_true", help="list what would be downloaded")
    f.set_defaults(func=cmd_fetch)


def _models(args: argparse.Namespace) -> ModelCache:
    from core.settings import assets_dir
    from detectors.model_cache import ModelCache

    return ModelCache(assets_dir(), inference_precision=args.precision)


def _lake(args: argparse.Namespace) -> Lake | None:
    from lake import SERVICE, Lake

    return None if args.no_lake else Lake.open(role=SERVICE)


def cmd_detect(args: argparse.Namespace) -> int:
    from detectors.config import camera_by_id, load_cameras
    from detectors.runner import CameraPipeline
    from detectors.writer import record_failures, register_cameras

    cams = load_cameras(args.config)
    if args.all:
        return _detect_all(args, cams)
    cam = camera_by_id(cams, args.camera)
    lake = _lake(args)
    if lake is not None:
        register_cameras(lake, [cam])
    progress = None
    if args.show_progress:
        def progress(n: int, t: float) -> None:
            if n % 25 == 0:
                print(f"  {cam.id}: {n} frames, t={t:.1f}s", file=sys.stderr, flush=True)
    # one named camera runs even when the config disables it: the operator asked for it
    res = CameraPipeline(cam, lake, _models(args), source=args.source, max_frames=args.max_frames,
                         base=Path(args.config).parent, reconnect_attempts=args.reconnect_attempts,
                         progress=progress).run()
    for e in res.events:
        extra = f" plate={e['plate_text']}" if e.get("plate_text") else ""
        print(f"  t={e['t']:6.2f}s {e['event_type']:<16} {e['rule_id']:<28} track={e['track_id']:<3} "
              f"{e['class_name']} {e['direction']}{extra}")
    print(res.summary())
    print(f"timings (s): {res.timings}; written: {res.written}")
    if lake is not None:
        record_failures(lake, [res])
    if res.status == "error":
        print(f"hue-ioc detect: camera '{cam.id}': {res.error}", file=sys.stderr)
        return 1
    return 0


def _detect_all(args: argparse.Namespace, cams: list[CameraConfig]) -> int:
    from detectors.runner import run_cameras

    if args.source:
        raise ValueError("--source applies to one --camera, not to --all")
    results = run_cameras(cams, _lake(args), _models(args), parallel=True, max_frames=args.max_frames,
                          base=Path(args.config).parent, reconnect_attempts=args.reconnect_attempts)
    for r in results:
        print(r.summary())
    failed = [r.camera_id for r in results if r.status == "error"]
    if failed:
        print(f"hue-ioc detect: cameras failed / camera lỗi: {failed}", file=sys.stderr)
    return 1 if failed and len(failed) == len(results) else 0


def cmd_check(args: argparse.Namespace) -> int:
    import cv2
    import numpy as np
    import supervision as sv

    from core.settings import assets_dir
    from detectors.config import ConfigError, load_cameras, resolve_source
    from detectors.video import VideoError, VideoSource

    try:
        cams = load_cameras(args.config)
    except ConfigError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    colors = {"dwell": (0, 165, 255), "encroachment": (255, 0, 255), "congestion": (0, 255, 255),
              "count": (0, 255, 0), "wrong_way": (0, 0, 255), "stop_line": (0, 0, 200)}
    for cam in cams:
        note = ""
        try:
            src = VideoSource(resolve_source(cam.source, assets_dir()), max_frames=1, reconnect_attempts=0)
            frame = next(iter(src)).image
        except (VideoError, FileNotFoundError, StopIteration) as exc:
            frame = np.full((432, 768, 3), 40, np.uint8)
            note = f" (no frame: {exc}; drawn on a blank canvas)"
        h, w = frame.shape[:2]
        for z in cam.zones:
            poly = np.round(np.array(z.polygon) * [w, h]).astype(np.int32)
            col = colors.get(z.rule.type, (255, 255, 255))
            frame = sv.draw_filled_polygon(frame, poly, sv.Color(*col[::-1]), opacity=0.15)
            cv2.polylines(frame, [poly], True, col, 2)
            k = [q.id for q in cam.zones].index(z.id)
            x0, y0 = poly.min(0)
            cv2.putText(frame, f"{z.id}:{z.rule.type}", (int(x0) + 5, int(y0) + 18 + 20 * k), 0, 0.5, col, 2)
        for ln in cam.lines:
            (ax, ay), (bx, by) = ln.points
            a = (int(ax * (w - 1)), int(ay * (h - 1)))
            b = (int(bx * (w - 1)), int(by * (h - 1)))
            col = colors.get(ln.rule.type, (255, 255, 255))
            cv2.line(frame, a, b, col, 2)
            mid = ((a[0] + b[0]) // 2, (a[1] + b[1]) // 2)
            dx, dy = {"up": (0, -40), "down": (0, 40), "left": (-40, 0), "right": (40, 0)}[ln.direction]
            off = 20 * (list(c.id for c in cam.lines).index(ln.id))
            cv2.arrowedLine(frame, (mid[0] + off, mid[1]), (mid[0] + off + dx, mid[1] + dy), col, 2, tipLength=0.3)
            cv2.putText(frame, f"{ln.id}:{ln.rule.type}", (a[0] + 5 + off * 4, a[1] - 6), 0, 0.45, col, 1)
        path = out / f"{cam.id}.png"
        cv2.imwrite(str(path), frame)
        print(f"✓ {cam.id} ({cam.name}): {len(cam.zones)} zones, {len(cam.lines)} lines → {path}{note}")
    print(f"OK: {len(cams)} cameras valid / cấu hình hợp lệ")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from dashboards.access import Actor
    from dashboards.actions.review import decide
    from lake import SERVICE, Lake

    lake = Lake.open(role=SERVICE)
    # whoever runs the CLI on the server holds the lake already: they act as an operator, by name
    decide(lake, Actor("operator", args.by), args.event_id, args.status, reason=args.note)
    row = lake.sql("select event_id, violation_type, review_status, reviewed_by, reviewed_at from silver.violations "
                   "where event_id = $id", {"id": args.event_id}).row(0, named=True)
    print(f"✓ {row['event_id']} {row['violation_type']}: {row['review_status']} bởi / by {row['reviewed_by']} "
          f"({row['reviewed_at']:%Y-%m-%d %H:%M} UTC)")
    return 0


def fetch_plan(models: list[str] | None = None) -> list[tuple[str, str, str]]:
    """(relative path, url, sha256) of every file to download."""
    from detectors.model_catalog import MODELS, PINNED_SHA256

    plan = []
    for name, spec in MODELS.items():
        if models and name not in models:
            continue
        for prec in spec.precisions:
            rel_xml = spec.relpath(prec)
            rels = [rel_xml, rel_xml[:-4] + ".bin"] if rel_xml.endswith(".xml") else [rel_xml]
            for rel in rels:
                fname = rel.rsplit("/", 1)[1]
                url = f"{spec.url_base}/{prec}/{fname}" if spec.decoder == "ssd" or not spec.labels or \
                    rel.startswith("models/intel") else f"{spec.url_base}/{fname}"
                plan.append((rel, url, PINNED_SHA256[rel]))
    return plan


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def cmd_fetch(args: argparse.Namespace) -> int:
    from core.settings import settings

    dest = Path(args.dest or settings().assets or "assets")
    plan = fetch_plan(args.models)
    failed = 0
    for rel, url, sha in plan:
        target = dest / rel
        if target.exists() and _sha256(target) == sha:
            print(f"✓ {rel} (đã có / present)")
            continue
        if args.dry_run:
            print(f"→ {url} → {target}")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".part")
        try:
            with urllib.request.urlopen(url, timeout=60) as resp, tmp.open("wb") as out:  # noqa: S310 - pinned hosts
                while chunk := resp.read(1 << 20):
                    out.write(chunk)
        except OSError as exc:
            print(f"✗ {rel}: download failed / tải thất bại: {exc}", file=sys.stderr)
            tmp.unlink(missing_ok=True)
            failed += 1
            continue
        got = _sha256(tmp)
        if got != sha:
            print(f"✗ {rel}: sha256 {got} ≠ pinned {sha}; file discarded", file=sys.stderr)
            tmp.unlink(missing_ok=True)
            failed += 1
            continue
        tmp.replace(target)
        print(f"✓ {rel} ← {url}")
    print(f"{len(plan) - failed}/{len(plan)} files OK in {dest}" + ("" if not failed else " — some failed"))
    return 1 if failed else 0
