"""The one vi/en catalog: complete pairs, Vietnamese first, coded values named once."""

from __future__ import annotations

import pytest

from core import labels


def test_every_pair_has_both_languages() -> None:
    catalogs = [labels.TEXT, labels.COLUMNS, labels.CARD_LABELS, labels.UNIT_TYPES_SHORT, labels.ALARM_LEVELS,
                *labels.VALUE_LABELS.values()]
    for catalog in catalogs:
        for key, pair in catalog.items():
            assert len(pair) == 2 and all(pair), key
    for k in labels.KPIS:
        assert k.vi and k.en and k.kind in ("count", "rate") and k.better in ("up", "down", "neutral"), k


def test_screen_texts() -> None:
    assert labels.text("page_overview") == "Tổng quan"
    assert labels.text("page_overview", "en") == "Overview"
    assert labels.text("n_reports", "vi", n="3") == "3 phản ánh"
    assert labels.text("n_reports", "en", n="3") == "3 reports"
    assert labels.text("above_alarm", "vi", level=2, diff="0,35") == "trên báo động 2 0,35 m"
    with pytest.raises(KeyError):
        labels.text("no_such_key")
    assert labels.text_or("channel_zalo", "zalo") == "Zalo"
    assert labels.text_or("channel_fax", "fax") == "fax"


def test_coded_values_are_the_screen_keys() -> None:
    # the screens' keys are built from the code dictionaries, so a word is written once
    assert labels.text("vt_red_light") == "Vượt đèn đỏ"
    assert labels.text("vt_red_light", "en") == "Red light"
    assert labels.text("status_pending") == "Chờ phân công"
    assert labels.text("alarm_3") == "Báo động 3"
    assert labels.text("unit_type_enterprise", "en") == "Organisation or enterprise"
    assert labels.text("rating_khong_hai_long") == "Không hài lòng"
    assert labels.text("channel_hotline") == "Tổng đài 1900 1075"


def test_value_labels_of_table_columns() -> None:
    assert labels.value_label("violation_type", "no_helmet") == "Không đội mũ bảo hiểm"
    assert labels.value_label("severity", "Severe") == "Nghiêm trọng"
    assert labels.value_label("severity", "Severe", "en") == "Severe"
    assert labels.value_label("status", "cancelled") == "Đã hủy"
    assert labels.value_label("overdue_kind", "closed_late") == "Đóng sau hạn, không gia hạn"
    assert labels.value_label("direction", "issued", "en") == "Issued by the IOC"
    assert labels.value_label("status", "archived") == "archived"  # unknown code: shown as is
    assert labels.value_label("title", "Ngập đường Lê Lợi") == "Ngập đường Lê Lợi"  # not a coded column


def test_columns_and_pick() -> None:
    assert labels.column_label("on_time_rate") == ("Tỷ lệ đúng hạn", "On-time rate")
    assert labels.column_label("brand_new_column") == ("brand_new_column", "brand_new_column")
    assert labels.pick(("Hạng", "Rank")) == "Hạng"
    assert labels.pick(("Hạng", "Rank"), "en") == "Rank"
    assert labels.KPI_BY_KEY["open_overdue"].vi == "Đang tồn quá hạn"


def test_definitions_state_the_configured_weights(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUE_IOC_CONFIG", "/nonexistent.toml")
    monkeypatch.delenv("HUE_IOC_SCORE_WEIGHTS", raising=False)
    score = next(d for d in labels.definitions() if d["name_en"] == "Unit score")
    # default weights 0.4 / 0.3 / 0.2 / 0.1
    assert "đúng hạn nghiêm ngặt (40\u00a0%)" in score["vi"] and "tốc độ (10\u00a0%:" in score["vi"]
    assert "strict on-time (40%)" in score["en"] and "satisfaction (30%)" in score["en"]
