"""The floods of October–November 2020 and November 2025 bring SOS, inundation reports, hotline calls and
camera incidents in the flooded communes."""

from __future__ import annotations

import pytest

from views.sql import query

# wards and communes along the Hương and Bồ rivers (by name, from the map), where the floods reach
RIVERSIDE = ["Phường Phú Xuân", "Phường Kim Long", "Phường Thuận Hóa", "Phường Vỹ Dạ", "Phường An Cựu",
             "Phường Hương An", "Phường Thủy Xuân", "Phường Kim Trà", "Phường Hương Trà", "Phường Dương Nỗ",
             "Phường Mỹ Thượng", "Phường Thuận An", "Phường Hóa Châu", "Xã Quảng Điền", "Xã Bình Điền",
             "Phường Phong Thái", "Xã Đan Điền", "Phường Thanh Thủy"]
WINDOWS = {"2025": ("2025-11-15", "2025-11-21"), "2020": ("2020-10-01", "2020-12-01")}


@pytest.fixture(scope="module")
def riverside(timeline_lake) -> list[str]:
    codes = timeline_lake.sql("SELECT admin_unit_code FROM silver.admin_units WHERE list_contains($names, name) "
                              "AND valid_from = DATE '2025-07-01'", {"names": RIVERSIDE})["admin_unit_code"].to_list()
    assert len(codes) >= 15
    return codes


@pytest.mark.parametrize("flood", sorted(WINDOWS))
def test_sos_and_inundation_reports_in_the_flooded_communes(timeline_lake, riverside, flood):
    lo, hi = WINDOWS[flood]
    bounds = {"lo": lo, "hi": hi, "codes": riverside, "plain": [c.split("@")[0] for c in riverside]}
    local = "CAST(timezone('Asia/Ho_Chi_Minh', {}) AS DATE)"
    sos = query(timeline_lake, f"""SELECT count(*) FROM silver.sos_requests WHERE list_contains($plain, admin_unit_code_2025)
                                AND {local.format('requested_at')} >= CAST($lo AS DATE)
                                AND {local.format('requested_at')} < CAST($hi AS DATE)""", bounds).item()
    reports = query(timeline_lake, f"""SELECT count(*) FROM silver.reports WHERE category_code = 'flooding'
                                    AND list_contains($codes, admin_unit_code_2025)
                                    AND {local.format('received_at')} >= CAST($lo AS DATE)
                                    AND {local.format('received_at')} < CAST($hi AS DATE)""", bounds).item()
    calls = query(timeline_lake, f"""SELECT count(*) FROM silver.hotline_calls
                                  WHERE {local.format('started_at')} >= CAST($lo AS DATE)
                                    AND {local.format('started_at')} < CAST($hi AS DATE)""", bounds).item()
    incidents = query(timeline_lake, f"""SELECT count(*) FROM silver.violations WHERE category = 'incident'
                                      AND {local.format('start_at')} >= CAST($lo AS DATE)
                                      AND {local.format('start_at')} < CAST($hi AS DATE)""", bounds).item()
    assert sos > 0 and reports > 0 and calls > 0 and incidents > 0, (sos, reports, calls, incidents)


def test_the_2025_flood_peaks_with_the_gauge(timeline_lake):
    """More SOS on the days of the peak (16–18 Nov) than in the week after (22–28 Nov)."""
    day = "CAST(timezone('Asia/Ho_Chi_Minh', requested_at) AS DATE)"
    peak, after = timeline_lake.sql(f"""
        SELECT count(*) FILTER (WHERE {day} BETWEEN DATE '2025-11-16' AND DATE '2025-11-18'),
               count(*) FILTER (WHERE {day} BETWEEN DATE '2025-11-22' AND DATE '2025-11-28')
        FROM silver.sos_requests""").row(0)
    assert peak > 3 * max(after, 1)


def test_violations_run_to_the_end_of_the_timeline(timeline_lake):
    last = timeline_lake.sql("""SELECT max(CAST(timezone('Asia/Ho_Chi_Minh', start_at) AS DATE))
                                FROM silver.violations WHERE category = 'violation'""").item()
    assert str(last) == "2026-03-31"
    pending = timeline_lake.sql("SELECT count(*) FROM silver.violations WHERE review_status IS NULL").item()
    assert pending > 0
