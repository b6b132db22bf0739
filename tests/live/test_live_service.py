"""The service loop without a broker (the in-process source): a message the code cannot handle ends as a
reject once its batch has failed and is retried message by message; the rest of the batch lands."""

from __future__ import annotations

import json
import threading

import pytest

from lake import Lake
from pipelines.live import batch as batch_module
from pipelines.live import service as service_module
from pipelines.live.inprocess import InProcessConsumer
from pipelines.live.service import LiveConfig, LiveService
from tests.live.conftest import CAMERA, wait_for, zone_rules

pytestmark = pytest.mark.mqtt


def event(i: int, **extra) -> bytes:
    return json.dumps({"event_id": f"e{i}", "camera_id": CAMERA, "rule_id": "sidewalk:encroachment",
                       "category": "violation", "class_name": "bike", "start_at": "2025-11-17T08:00:00+07:00",
                       **extra}).encode()


def test_a_poison_message_becomes_a_reject_and_the_rest_lands(lake: Lake, monkeypatch):
    real = batch_module.process_batch

    def failing(lake, messages, cams, now=None, draft_warnings=True):  # fault injection: e2 breaks the code
        if any(b'"e2"' in m.payload for m in messages):
            raise RuntimeError("boom")
        return real(lake, messages, cams, now, draft_warnings)

    monkeypatch.setattr(service_module, "process_batch", failing)
    source = InProcessConsumer()
    for i in range(4):
        source.publish(f"hue-ioc/cameras/{CAMERA}/events", event(i))
    source.publish(f"hue-ioc/cameras/{CAMERA}/events", event(9, score="high"))  # a field of the wrong type
    svc = LiveService(lake, zone_rules(), source, LiveConfig(batch_wait_s=0.2, batch_max=100, retry_max_s=0.2))
    stop = threading.Event()
    t = threading.Thread(target=svc.run, args=(stop,), daemon=True)
    t.start()
    try:
        wait_for(lambda: len(source.acked) == 5, "all five messages acknowledged", 60)
    finally:
        stop.set()
        t.join(30)
    assert sorted(lake.sql("SELECT event_id FROM silver.violations")["event_id"].to_list()) == ["e0", "e1", "e3"]
    rejects = dict(lake.sql("SELECT reason, payload FROM silver.rejects").rows())
    assert rejects["could not be processed: RuntimeError: boom"] == event(2).decode()
    assert rejects["score: expected int or float, got 'high'"] == event(9, score="high").decode()
    assert svc.stats["failures"] == service_module.ALONE_AFTER
