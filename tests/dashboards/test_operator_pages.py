"""Cases and moderation on the small simulator lake: a report's timeline and the operators' follow-ups, the
moderation flags (duplicates measured against the simulator's labels, spam and inciting words on hand cases)
and decisions; a leader sees no control and every action function refuses a leader."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from dashboards.access import Actor, Refused
from dashboards.actions.cases import follow_up
from dashboards.actions.moderation import moderate
from lake import Lake
from tests.dashboards.conftest import no_errors
from views import cases, moderation

OPERATOR = Actor("operator", "op.cases")
LEADER = Actor("leader", "lead")


OPEN = "is_valid AND resolved_at IS NULL AND status <> 'withdrawn' AND deadline_at IS NOT NULL"


def _clock(lake: Lake) -> dt.datetime:
    """A moment after every open report's deadline in force: they are all overdue then."""
    return lake.sql(f"SELECT max(coalesce(extended_deadline_at, deadline_at)) t FROM silver.reports WHERE {OPEN}")[
        "t"][0] + dt.timedelta(days=1)


def _open_overdue_id(lake: Lake) -> str:
    """An open report (withdrawn ones are closed), found with plain SQL."""
    return lake.sql(f"SELECT report_id FROM silver.reports WHERE {OPEN} ORDER BY report_id LIMIT 1")["report_id"][0]


# ---- cases -------------------------------------------------------------------------------------------------
def test_timeline_is_the_report_events_in_order(reports_lake: Lake) -> None:
    rid = reports_lake.sql("""SELECT report_id FROM silver.reports WHERE transfers > 0
                              AND extension_granted_at IS NOT NULL AND rating IS NOT NULL
                              ORDER BY report_id LIMIT 1""")["report_id"][0]
    events = reports_lake.sql('SELECT "at", event_type FROM silver.report_events WHERE report_id = $id',
                              {"id": rid})
    steps = cases.timeline(reports_lake, rid)
    assert sorted(steps["step"].to_list()) == sorted(events["event_type"].to_list())
    assert steps["at"].is_sorted()
    seen = steps["step"].to_list()
    for a, b in [("received", "validated"), ("validated", "assigned"), ("assigned", "transferred"),
                 ("extension_requested", "extension_granted"), ("resolved", "rated")]:
        assert seen.index(a) < seen.index(b), seen
    granted = steps.filter(pl.col("step") == "extension_granted").row(0, named=True)
    expected = reports_lake.sql("SELECT extended_deadline_at FROM silver.reports WHERE report_id = $id",
                                {"id": rid}).item()
    assert granted["deadline_at"] == expected  # the extension's deadline is on its step
    transfer = steps.filter(pl.col("step") == "transferred").row(0, named=True)
    assert transfer["unit"] and transfer["to_unit"]  # units by name


def test_overdue_list_matches_plain_sql(reports_lake: Lake) -> None:
    at = _clock(reports_lake)
    expected = set(reports_lake.sql(f"""SELECT report_id FROM silver.reports WHERE {OPEN}
        AND coalesce(extended_deadline_at, deadline_at) < $at""", {"at": at})["report_id"])
    got = cases.open_overdue(reports_lake, at, limit=10_000)
    assert set(got["report_id"]) == expected and expected
    assert got["days_overdue"].is_sorted(descending=True)


def test_reminder_and_escalation_are_ioc_events(reports_lake: Lake) -> None:
    rid = _open_overdue_id(reports_lake)
    follow_up(reports_lake, OPERATOR, rid, "reminder", note="gọi điện đơn vị")
    follow_up(reports_lake, OPERATOR, rid, "escalation", escalated_to="Phó Chủ tịch UBND phường")
    rows = reports_lake.sql("SELECT * FROM silver.case_actions WHERE report_id = $id ORDER BY acted_at", {"id": rid})
    assert rows["action"].to_list() == ["reminder", "escalation"]
    assert set(rows["actor"]) == {"op.cases"} and set(rows["role"]) == {"operator"}
    unit = reports_lake.sql("SELECT current_unit_id FROM silver.reports WHERE report_id = $id", {"id": rid}).item()
    assert set(rows["unit_id"]) == {unit}
    steps = cases.timeline(reports_lake, rid)["step"].to_list()
    assert steps[-2:] == ["ioc_reminder", "ioc_escalation"]
    assert cases.open_overdue(reports_lake, _clock(reports_lake), 10_000).filter(
        pl.col("report_id") == rid)["ioc_actions"].item() == 2


def test_follow_up_refusals(reports_lake: Lake) -> None:
    rid = _open_overdue_id(reports_lake)
    before = reports_lake.sql("SELECT count(*) FROM silver.case_actions").item()
    with pytest.raises(Refused):
        follow_up(reports_lake, LEADER, rid, "reminder")
    with pytest.raises(ValueError, match="whom"):
        follow_up(reports_lake, OPERATOR, rid, "escalation")
    for where in ("resolved_at IS NOT NULL", "status = 'withdrawn'"):
        closed = reports_lake.sql(f"SELECT report_id FROM silver.reports WHERE {where} LIMIT 1").item()
        with pytest.raises(ValueError, match="closed"):
            follow_up(reports_lake, OPERATOR, closed, "reminder")
    assert reports_lake.sql("SELECT count(*) FROM silver.case_actions").item() == before


def test_cases_page_by_url(reports_lake: Lake, make_app) -> None:
    rid = _open_overdue_id(reports_lake)
    for role, controls in (("operator", True), ("leader", False)):
        at = make_app(reports_lake, role=role)
        at.query_params["report"] = rid
        at.switch_page("app_pages/cases.py").run()
        no_errors(at)
        assert any(rid in s.value for s in at.subheader)
        keys = {b.key for b in at.button}
        assert ("case_remind" in keys) is controls and ("case_escalate" in keys) is controls


# ---- moderation --------------------------------------------------------------------------------------------
def test_duplicate_flag_precision_and_recall(reports_lake: Lake) -> None:
    """Against the simulator's labels (invalid_reason = 'duplicate'), over every report."""
    b = reports_lake.sql("SELECT min(received_at) a, max(received_at) b FROM silver.reports").row(0)
    flagged = set(moderation.duplicate_candidates(reports_lake, b[0], b[1] + dt.timedelta(seconds=1))["report_id"])
    truth = set(reports_lake.sql("SELECT report_id FROM silver.reports WHERE invalid_reason = 'duplicate'")[
        "report_id"])
    assert len(truth) >= 20
    precision, recall = len(flagged & truth) / len(flagged), len(flagged & truth) / len(truth)
    assert precision >= 0.8 and recall >= 0.8, (precision, recall, len(flagged), len(truth))


@pytest.mark.parametrize(("title", "flags"), [
    ("Quảng cáo vay tiền nhanh, lãi suất thấp", ["spam"]),
    ("QUANG CAO vay tien nhanh", ["spam"]),  # without diacritics, upper case
    ("Xem tại https://bit.ly/abc", ["spam"]),
    ("Kêu gọi biểu tình, lật đổ chính quyền", ["inciting"]),
    ("keu goi bieu tinh lat do", ["inciting"]),
    ("Đánh chết nó đi, quảng cáo zalo 0905", ["spam", "inciting"]),
    ("Rác thải tồn đọng trên đường Lê Lợi", []),
    ("Giết mổ gia súc trái phép trong khu dân cư", ["inciting"]),  # a word list flags; the operator judges
    ("Cá độ bóng đá tại quán", ["spam"]),
    ("Cà phê lấn chiếm vỉa hè", []),  # "ca" alone is no word of the lists
])
def test_content_flags(title: str, flags: list[str]) -> None:
    assert moderation.content_flags(title, "") == flags


def test_fold() -> None:
    assert moderation.fold("Quảng CÁO — Đường Lê Lợi!") == "quang cao duong le loi"


def test_moderation_decisions_and_block(reports_lake: Lake) -> None:
    rows = reports_lake.sql("""SELECT report_id, reporter_phone FROM silver.reports WHERE reporter_phone IS NOT NULL
                               ORDER BY received_at DESC LIMIT 3""")
    a, b, c = rows["report_id"].to_list()
    with pytest.raises(Refused):
        moderate(reports_lake, LEADER, a, "accepted")
    with pytest.raises(ValueError, match="reason"):
        moderate(reports_lake, OPERATOR, a, "invalid")
    with pytest.raises(ValueError, match="original"):
        moderate(reports_lake, OPERATOR, a, "merged")
    moderate(reports_lake, OPERATOR, a, "merged", duplicate_of=b, flags=["duplicate"])
    moderate(reports_lake, OPERATOR, c, "blocked", reason="spam: quảng cáo")
    got = reports_lake.sql("SELECT report_id, decision, duplicate_of, moderator FROM silver.moderation_decisions "
                           "ORDER BY decided_at")
    assert got.rows() == [(a, "merged", b, "op.cases"), (c, "blocked", None, "op.cases")]
    phone = rows["reporter_phone"][2]
    assert reports_lake.sql("SELECT reporter_phone FROM silver.blocked_reporters").to_series().to_list() == [phone]
    counts = dict(moderation.decisions(reports_lake).rows())
    assert counts == {"merged": 1, "blocked": 1}


def test_blocked_reporter_is_flagged_and_decided_leave_the_queue(tmp_path) -> None:
    lake = Lake.open(tmp_path / "lake")
    t0 = dt.datetime(2026, 11, 20, 1, 0, tzinfo=dt.UTC)
    base = {"source": "simulated", "category_code": "waste", "is_valid": True, "status": "open",
            "admin_unit_code": "x", "lat": 16.46, "lon": 107.59}
    lake.merge("silver.reports", pl.DataFrame([
        base | {"report_id": "r1", "received_at": t0, "title": "Rác thải tồn đọng trên đường Lê Lợi",
                "reporter_phone": "0901"},
        base | {"report_id": "r2", "received_at": t0 + dt.timedelta(hours=3), "lat": 16.4605,
                "title": "Phản ánh lại: Rác thải tồn đọng trên đường Lê Lợi", "reporter_phone": "0902"},
        base | {"report_id": "r3", "received_at": t0 + dt.timedelta(hours=4), "category_code": "lighting",
                "title": "Đèn đường không sáng trên đường Hùng Vương", "reporter_phone": "0903"},
        base | {"report_id": "r4", "received_at": t0 + dt.timedelta(hours=5), "category_code": "waste",
                "lat": 16.50, "title": "Rác thải tồn đọng trên đường Lê Lợi", "reporter_phone": "0904"},  # 4.4 km
        base | {"report_id": "r5", "received_at": t0 + dt.timedelta(days=3), "title": "Rác thải tồn đọng trên "
                "đường Lê Lợi", "reporter_phone": "0905"},  # 3 days later: a new report
    ]), update=True)
    at = t0 + dt.timedelta(days=4)
    q = moderation.queue(lake, at)
    assert dict(zip(q["report_id"], q["flags"].to_list(), strict=True)) == {"r2": ["duplicate"]}
    assert q.filter(pl.col("report_id") == "r2")["duplicate_of"].item() == "r1"
    moderate(lake, OPERATOR, "r3", "blocked", reason="spam")
    moderate(lake, OPERATOR, "r2", "merged", duplicate_of="r1")
    lake.merge("silver.reports", pl.DataFrame([base | {"report_id": "r6", "received_at": at - dt.timedelta(hours=1),
                                                       "title": "Ổ gà", "category_code": "roads",
                                                       "reporter_phone": "0903"}]), update=True)
    q = moderation.queue(lake, at)
    assert dict(zip(q["report_id"], q["flags"].to_list(), strict=True)) == {"r6": ["blocked"]}


def test_moderation_page_roles(reports_lake: Lake, make_app) -> None:
    at = make_app(reports_lake, role="leader")
    at.switch_page("app_pages/moderation.py").run()
    no_errors(at)
    assert not at.button and not [s for s in at.selectbox if s.key.startswith("mreason_")]
    at = make_app(reports_lake, role="operator")
    at.switch_page("app_pages/moderation.py").run()
    no_errors(at)
    assert at.info or any(b.key.startswith("maccept_") for b in at.button)


def test_report_counts_moderation_and_camera_precision(tmp_path) -> None:
    """The report's operations part, against counts worked out by hand on a tiny lake."""
    from views.period import Period
    from views.report_sections import operations_for

    lake = Lake.open(tmp_path / "lake")
    at = dt.datetime(2026, 5, 10, 3, 0, tzinfo=dt.UTC)
    lake.merge("silver.violations", pl.DataFrame([
        {"event_id": f"e{i}", "camera_id": "c1", "violation_type": "red_light", "category": "violation",
         "start_at": at, "review_status": status, "source": "detector"}
        for i, status in enumerate(["confirmed", "confirmed", "confirmed", "dismissed", "pending"])]))
    lake.append("silver.moderation_decisions", pl.DataFrame([
        {"decision_id": str(i), "report_id": f"r{i}", "decision": d, "moderator": "op", "role": "operator",
         "decided_at": at + dt.timedelta(days=i)} for i, d in enumerate(["merged", "merged", "invalid"])]
        + [{"decision_id": "x", "report_id": "r9", "decision": "accepted", "moderator": "op", "role": "operator",
            "decided_at": at + dt.timedelta(days=40)}]))  # next month: not counted
    prec, mod = operations_for(lake, Period.month(2026, 5))
    assert prec.frame.select("camera_name", "violation_type", "confirmed", "dismissed", "precision_rate").rows() == [
        ("c1", "red_light", 3, 1, 0.75)]
    assert dict(mod.frame.rows()) == {"merged": 2, "invalid": 1}
