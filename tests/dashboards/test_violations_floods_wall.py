"""Vi phạm, Thiên tai & ngập lụt and the wall against the lake; plate masking; version-keyed cache."""

from __future__ import annotations

import polars as pl

from core import fmt
from dashboards.data import versioned
from lake import Lake
from tests.dashboards.conftest import metrics, no_errors


def test_violations_page(full_lake: Lake, make_app) -> None:
    at = make_app(full_lake).run()
    at.selectbox(key="period_preset").set_value("all").run()
    at.switch_page("app_pages/violations.py").run()
    no_errors(at)
    lo, hi = full_lake.sql("SELECT min(date) lo, max(date) hi FROM gold.kpi_daily WHERE received + invalid > 0").row(0)
    row = full_lake.sql("""SELECT count(*) n, sum(fine_vnd) FILTER (WHERE review_status = 'confirmed') fines
        FROM silver.violations WHERE category = 'violation'
          AND CAST(timezone('Asia/Ho_Chi_Minh', start_at) AS DATE) BETWEEN $lo AND $hi""",
                        {"lo": lo, "hi": hi}).row(0, named=True)
    m = metrics(at)
    assert row["n"] > 0
    assert m["Vi phạm ghi nhận"] == fmt.num(row["n"])
    assert m["Tiền phạt (VNĐ)"] == fmt.num(row["fines"])
    # what waits for review does not depend on the period: every pending violation
    assert m["Chờ duyệt"] == fmt.num(full_lake.sql("""SELECT count(*) FROM silver.violations
        WHERE category = 'violation' AND coalesce(review_status, 'pending') = 'pending'""").item())
    assert m["Camera hoạt động"] == fmt.num(full_lake.sql("SELECT count(*) n FROM silver.cameras WHERE enabled")["n"][0])
    cams = [c for c in at.get("deck_gl_json_chart")]
    assert cams, "camera map missing"


def test_review_queue_masks_plates_for_leaders(full_lake: Lake, make_app, tmp_path) -> None:
    """A pending detection (as the detector writes it) shows in the queue: masked for leaders, full for
    operators. Written to a copy-free second lake so the session lake stays as the simulator made it."""
    lake = Lake.open(tmp_path / "lake")
    for name in ("silver.cameras", "silver.admin_units"):
        lake.overwrite(name, full_lake.read(name))
    one = full_lake.sql("SELECT * FROM silver.violations ORDER BY start_at DESC, event_id LIMIT 1")
    one = one.with_columns(pl.lit("pending").alias("review_status"), pl.lit("75A-123.45").alias("plate_text"),
                           pl.lit(None, pl.String).alias("reviewed_by"))
    lake.append("silver.violations", one)
    day = fmt.to_local(one["start_at"][0]).date()
    for role, plate in (("leader", "75A-***.**"), ("operator", "75A-123.45")):
        at = make_app(lake, role=role).run()
        at.selectbox(key="period_preset").set_value("custom").run()
        at.date_input(key="period_custom").set_value((day, day)).run()
        at.switch_page("app_pages/violations.py").run()
        no_errors(at)
        text = " ".join(m.value for m in at.markdown)
        assert plate in text, role
        assert metrics(at)["Chờ duyệt"] == "1"
        if role == "leader":
            assert "75A-123.45" not in text


def test_flood_page_replays_the_event(full_lake: Lake, make_app) -> None:
    at = make_app(full_lake).run()
    at.switch_page("app_pages/floods.py").run()
    no_errors(at)
    # default moment: the flood peak, with the Bồ river at Phú Ốc above alarm 3
    peak = full_lake.sql("""SELECT observed_at FROM silver.gauge_readings WHERE alarm_level IS NOT NULL
        AND station_code IN (SELECT station_code FROM silver.gauge_stations WHERE in_hue)
        ORDER BY alarm_level DESC, diff_m DESC NULLS LAST, observed_at LIMIT 1""")["observed_at"][0]
    slider = at.slider(key="flood_at")
    assert slider.value == fmt.to_local(peak).replace(tzinfo=None, minute=0, second=0, microsecond=0)
    alarmed = metrics(at)["Trạm đo mực nước"]
    assert alarmed.startswith("1 /") or alarmed.startswith("2 /")
    deck_types = {layer["@@type"] for layer in __import__("json").loads(at.get("deck_gl_json_chart")[0].proto.json)["layers"]}
    assert "ScatterplotLayer" in deck_types
    # move the slider back to before the flood: no gauge above alarm any more
    lo = fmt.to_local(full_lake.sql("SELECT min(observed_at) t FROM silver.gauge_readings")["t"][0])
    at.slider(key="flood_at").set_value(lo.replace(tzinfo=None, minute=0, second=0, microsecond=0)).run()
    no_errors(at)
    start_levels = full_lake.sql("""SELECT count(*) n FROM (SELECT station_code, arg_min(alarm_level, observed_at) a
        FROM silver.gauge_readings GROUP BY 1) WHERE a >= 1""")["n"][0]
    assert metrics(at)["Trạm đo mực nước"].startswith(f"{start_levels} /")


def test_wall_mode_rotates_without_personal_data(full_lake: Lake, make_app) -> None:
    at = make_app(full_lake, role="operator", wall=True).run()  # wall mode wins over the configured role
    no_errors(at)
    assert at.session_state["role"] == "wall"
    assert not at.sidebar.radio and not at.sidebar.selectbox  # no filters on the wall
    seen = set()
    names = full_lake.sql("SELECT reporter_name n FROM silver.reports WHERE reporter_name IS NOT NULL LIMIT 50")["n"]
    # the floods panel: Huế's gauges at the newest reading, each with its own last level
    last = full_lake.sql("""SELECT s.name, arg_max(r.water_level_m, r.observed_at) lv
        FROM silver.gauge_readings r JOIN silver.gauge_stations s USING (station_code)
        WHERE s.in_hue AND s.kind = 'river' GROUP BY 1 ORDER BY 1""")
    for _ in range(4):
        seen.add(at.title[0].value)
        if at.title[0].value == "Thiên tai & ngập lụt":
            levels = at.table[0].value["Mực nước (m)"].to_dict()
            assert levels == {n: fmt.num(lv, 2) for n, lv in last.iter_rows()}
        shown = (" ".join(str(df.value.to_dict()) for df in at.dataframe) + " ".join(m.value for m in at.markdown)
                 + " ".join(str(tb.value.to_dict()) + str(list(tb.value.columns)) for tb in at.table))
        assert not any(n in shown for n in names)
        assert "Người phản ánh" not in shown and "Số điện thoại" not in shown
        at.run()
        no_errors(at)
    assert seen == {"Tổng quan", "Phản ánh hiện trường", "Thiên tai & ngập lụt", "Vi phạm"}


def test_cache_rereads_only_when_the_version_changes(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HUE_IOC_DASHBOARD_VERSION_TTL", "0")
    lake = Lake.open(tmp_path / "lake")
    calls = []

    @versioned("silver.categories")
    def count_categories(lake: Lake, tag: str) -> int:
        calls.append(tag)
        return int(lake.sql("SELECT count(*) n FROM silver.categories")["n"][0])

    from dashboards import data

    data._version.clear()
    assert count_categories(lake, "a") == 0 and count_categories(lake, "a") == 0
    assert calls == ["a"]
    row = {"category_code": "x", "name_vi": "X", "name_en": "X", "process_type": "timed",
           "deadline_hours": None, "deadline_working_days": 5, "source": "test"}
    lake.merge("silver.categories", pl.DataFrame([row]))
    data._version.clear()  # the version lookup is cached a few seconds in the app
    assert count_categories(lake, "a") == 1
    assert calls == ["a", "a"]
    data._version.clear()
    assert count_categories(lake, "a") == 1 and calls == ["a", "a"]
