"""The operators' review: decisions from the Duyệt vi phạm page reach silver, the audit table, gold and the
Vi phạm page at once; a leader sees no control and the action refuses a leader; two operators deciding at
once lose nothing. Every expected figure is worked out by hand from the four violations below."""

from __future__ import annotations

import datetime as dt
import threading

import polars as pl
import pytest

from dashboards.access import Actor, Refused
from dashboards.actions.review import decide
from lake import Lake
from lake.recompute import violations_daily
from tests.dashboards.conftest import metrics, no_errors, table_with

DAY = dt.date(2026, 11, 20)
AT = dt.datetime(2026, 11, 20, 1, 0, tzinfo=dt.UTC)  # 08:00 in Huế


def _violation(eid: str, cam: str, vtype: str, cls: str, fine: int, plate: str, minutes: int,
               status: str = "pending", at: dt.datetime = AT) -> dict:
    return {"event_id": eid, "camera_id": cam, "rule_id": f"z-{eid}:dwell", "rule": "dwell",
            "violation_type": vtype, "category": "violation", "class_name": cls, "track_id": 1,
            "start_at": at + dt.timedelta(minutes=minutes), "end_at": at + dt.timedelta(minutes=minutes + 1),
            "score": 0.9, "plate_text": plate, "plate_raw": plate, "plate_confidence": 0.8, "fine_vnd": fine,
            "source": "detector", "review_status": status}


@pytest.fixture
def review_lake(tmp_path) -> Lake:
    return make_review_lake(tmp_path / "lake")


def make_review_lake(root, at: dt.datetime = AT) -> Lake:
    """Two cameras; e1, e2 (c1) and e3 (c2) pending, e4 (c2) confirmed already: fines 250.000; the
    violations in the hour after ``at``."""
    lake = Lake.open(root)
    lake.append("silver.cameras", pl.DataFrame([
        {"camera_id": "c1", "name": "Lê Lợi", "location_name": "Ngã tư Lê Lợi", "lat": 16.46, "lon": 107.59,
         "enabled": True, "source": "config"},
        {"camera_id": "c2", "name": "Trần Hưng Đạo", "location_name": "Cầu Trường Tiền", "lat": 16.47,
         "lon": 107.58, "enabled": True, "source": "config"}]))
    lake.append("silver.violations", pl.DataFrame([
        _violation("e1", "c1", "red_light", "car", 4_000_000, "75A-111.11", 30, at=at),
        _violation("e2", "c1", "illegal_parking", "car", 900_000, "75A-222.22", 20, at=at),
        _violation("e3", "c2", "wrong_way", "motorbike", 1_500_000, "75B1-333.33", 10, at=at),
        _violation("e4", "c2", "encroachment", "motorbike", 250_000, "75B1-444.44", 0, "confirmed", at)]))
    lake.overwrite("gold.violations_daily", violations_daily(lake))
    return lake


def _open_review(make_app, lake: Lake, role: str):
    at = make_app(lake, role=role).run()
    at.selectbox(key="period_preset").set_value("custom").run()
    at.date_input(key="period_custom").set_value((DAY, DAY)).run()
    at.switch_page("app_pages/review.py").run()
    no_errors(at)
    return at


def test_operator_confirms_dismisses_corrects(review_lake: Lake, make_app, monkeypatch) -> None:
    monkeypatch.setenv("USER", "tester")
    lake = review_lake
    at = _open_review(make_app, lake, "operator")
    text = " ".join(m.value for m in at.markdown)
    assert text.index("75A-111.11") < text.index("75A-222.22") < text.index("75B1-333.33")  # newest first
    assert "75B1-444.44" not in text  # decided already
    at.button(key="confirm_e1").click().run()
    no_errors(at)
    at.selectbox(key="reason_e2").set_value("duplicate").run()
    at.button(key="dismiss_e2").click().run()
    no_errors(at)
    at.text_input(key="plate_e3").input("75B1-333.38").run()
    at.button(key="correct_e3").click().run()
    no_errors(at)
    assert [s.value for s in at.success] and not at.error

    got = lake.sql("SELECT event_id, review_status, plate_text, reviewed_by FROM silver.violations ORDER BY 1")
    assert got.rows() == [("e1", "confirmed", "75A-111.11", "tester"), ("e2", "dismissed", "75A-222.22", "tester"),
                          ("e3", "pending", "75B1-333.38", "tester"), ("e4", "confirmed", "75B1-444.44", None)]
    audit = lake.sql("""SELECT event_id, decision, reason, reviewer, role, previous_status, new_status,
        previous_plate, new_plate FROM silver.review_decisions ORDER BY event_id""")
    assert audit.rows() == [
        ("e1", "confirmed", "", "tester", "operator", "pending", "confirmed", "75A-111.11", "75A-111.11"),
        ("e2", "dismissed", "duplicate", "tester", "operator", "pending", "dismissed", "75A-222.22", "75A-222.22"),
        ("e3", "corrected", "", "tester", "operator", "pending", "pending", "75B1-333.33", "75B1-333.38")]
    gold = lake.sql("""SELECT camera_id, sum(confirmed), sum(dismissed), sum(pending), sum(fines_vnd)
        FROM gold.violations_daily GROUP BY 1 ORDER BY 1""")
    assert gold.rows() == [("c1", 1, 1, 0, 4_000_000), ("c2", 1, 0, 1, 250_000)]

    # the precision table: c1 red_light 1/1, c1 illegal_parking 0/1, c2 encroachment 1/1, c2 wrong_way none
    prec = table_with(at, "Camera", "Độ chính xác")
    assert sorted(zip(prec["Camera"], prec["Xác nhận"], prec["Loại bỏ"], prec["Độ chính xác"].fillna(-1),
                      strict=True)) == [("Lê Lợi", 0, 1, 0.0), ("Lê Lợi", 1, 0, 100.0),
                                        ("Trần Hưng Đạo", 0, 0, -1), ("Trần Hưng Đạo", 1, 0, 100.0)]

    at.switch_page("app_pages/violations.py").run()
    no_errors(at)
    m = metrics(at)
    assert m["Vi phạm ghi nhận"] == "4"
    assert m["Tiền phạt (VNĐ)"] == "4.250.000"  # e1 4.000.000 confirmed now + e4 250.000
    assert m["Chờ duyệt"] == "1"  # e3 only: a correction keeps it pending


def test_leader_sees_no_control_and_is_refused(review_lake: Lake, make_app) -> None:
    at = _open_review(make_app, review_lake, "leader")
    assert not [b for b in at.button if str(b.key).startswith(("confirm_", "dismiss_", "correct_"))]
    assert "75A-***.**" in " ".join(m.value for m in at.markdown)  # masked, as on the Vi phạm page
    for role in ("leader", "wall"):
        with pytest.raises(Refused):
            decide(review_lake, Actor(role, "someone"), "e1", "confirmed")
    assert review_lake.sql("SELECT review_status FROM silver.violations WHERE event_id = 'e1'").item() == "pending"
    assert not review_lake.exists("silver.review_decisions")


def test_dismissal_needs_a_reason_and_a_correction_a_change(review_lake: Lake) -> None:
    op = Actor("operator", "op")
    with pytest.raises(ValueError, match="reason"):
        decide(review_lake, op, "e2", "dismissed")
    with pytest.raises(ValueError, match="plate or a violation type"):
        decide(review_lake, op, "e2", "corrected")
    decide(review_lake, op, "e2", "corrected", violation_type="illegal_stopping")
    row = review_lake.sql("SELECT violation_type, fine_vnd FROM silver.violations WHERE event_id = 'e2'").row(0)
    assert row == ("illegal_stopping", 700_000)  # Decree 168/2024 Điều 6 khoản 2 điểm đ: by car, 600–800k
    decide(review_lake, op, "e3", "corrected", violation_type="encroachment")
    # Decree 168/2024 Điều 7 khoản 2 điểm d: parking a motorbike on the pavement, 400–600k
    assert review_lake.sql("SELECT fine_vnd FROM silver.violations WHERE event_id = 'e3'").item() == 500_000


def test_two_operators_at_once_lose_no_decision(review_lake: Lake) -> None:
    """Two operators (two threads, each with its own Lake object as two server sessions would have) confirm
    disjoint violations at the same moment: every decision lands in silver, the audit and gold."""
    extra = [_violation(f"x{i}", "c1" if i % 2 else "c2", "red_light", "car", 4_000_000, f"75A-9{i}", 40 + i)
             for i in range(6)]
    review_lake.append("silver.violations", pl.DataFrame(extra))
    review_lake.overwrite("gold.violations_daily", violations_daily(review_lake))
    ids = [f"x{i}" for i in range(6)] + ["e1", "e3"]
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def operator(name: str, mine: list[str]) -> None:
        lake = Lake.open(review_lake.root)
        start.wait()
        try:
            for eid in mine:
                decide(lake, Actor("operator", name), eid, "confirmed")
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=operator, args=("a", ids[0::2])),
               threading.Thread(target=operator, args=("b", ids[1::2]))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    lake = Lake.open(review_lake.root)
    assert lake.sql("SELECT count(*) FROM silver.violations WHERE review_status = 'confirmed'").item() == 9
    assert lake.sql("SELECT count(*) FROM silver.review_decisions").item() == 8
    # gold: 9 confirmed (8 now + e4), fines 6 × 4.000.000 + e1 4.000.000 + e3 1.500.000 + e4 250.000
    assert lake.sql("SELECT sum(confirmed), sum(fines_vnd) FROM gold.violations_daily").row(0) == (9, 29_750_000)
