"""The unit score on hand-made cases: prior, weights, speed, parts adding up (every answer worked by hand)."""

from __future__ import annotations

import pytest

from core.kpis import SPEED_REFERENCE_HOURS, score_parts, shrunk, speed_part, unit_score
from core.settings import Settings

# The weights the leaders' ranking uses unless configured otherwise.
W = {"on_time": 0.4, "satisfaction": 0.3, "processed": 0.2, "speed": 0.1}


def test_default_weights_are_the_published_ones():
    # One part at 1 and the others at 0 scores exactly that part's weight in points: swapping the on-time and
    # satisfaction weights (0.4 ↔ 0.3) moves 10 points from one line to the other.
    w = Settings().score_weights
    only = {"on_time": 0.0, "satisfaction": 0.0, "processed": 0.0, "speed": 0.0}
    assert unit_score({**only, "on_time": 1.0}, w)[0] == pytest.approx(40.0)
    assert unit_score({**only, "satisfaction": 1.0}, w)[0] == pytest.approx(30.0)
    assert unit_score({**only, "processed": 1.0}, w)[0] == pytest.approx(20.0)
    assert unit_score({**only, "speed": 1.0}, w)[0] == pytest.approx(10.0)


def test_prior_weighs_ten_reports_at_the_city_rate():
    # 2 of 2 on time, city at 50 %: (2 + 10·0.5) / (2 + 10) = 7/12. With a prior of 1 report it would be
    # (2 + 0.5) / 3 = 0.833, with no prior 1.0.
    assert shrunk(2, 2, 0.5) == pytest.approx(7 / 12)
    # 90 of 100, city at 50 %: (90 + 5) / 110 = 0.8636...
    assert shrunk(90, 100, 0.5) == pytest.approx(95 / 110)
    # so the unit with 2 lucky reports ranks below the one with 90 of 100
    assert shrunk(2, 2, 0.5) < shrunk(90, 100, 0.5)
    # no reports at all: the city's rate
    assert shrunk(0, 0, 0.3) == pytest.approx(0.3)
    assert shrunk(None, None, 0.3) == pytest.approx(0.3)
    # an explicit k wins over the default
    assert shrunk(1, 4, 0.5, k=4) == pytest.approx((1 + 2) / 8)


def test_no_city_rate_leaves_the_raw_rate():
    assert shrunk(3, 4, None) == pytest.approx(0.75)
    assert shrunk(3, 0, None) is None


def test_speed_part():
    assert SPEED_REFERENCE_HOURS == 48.0
    assert speed_part(0.5) == 1.0
    assert speed_part(48.0) == 1.0  # within the reference: full marks
    assert speed_part(48.5) == pytest.approx(48 / 48.5)  # just beyond: reference / median
    assert speed_part(72) == pytest.approx(2 / 3)
    assert speed_part(96) == pytest.approx(0.5)
    assert speed_part(30, reference_hours=24) == pytest.approx(0.8)
    assert speed_part(24, reference_hours=24) == 1.0
    assert speed_part(None) is None


def test_a_unit_scored_by_hand():
    # Unit: 20 received, 16 processed, 12 on time, 4 open overdue, 8 rated, 6 satisfied, median 72 h.
    # City that month: strict on-time 50 %, satisfaction 75 %, processed 80 %.
    on_time = shrunk(12, 16 + 4, 0.5)  # (12 + 5) / 30 = 0.56667
    satisfaction = shrunk(6, 8, 0.75)  # (6 + 7.5) / 18 = 0.75
    processed = shrunk(16, 20, 0.8)  # (16 + 8) / 30 = 0.8
    speed = speed_part(72)  # 48 / 72 = 0.66667
    assert (on_time, satisfaction, processed, speed) == pytest.approx((17 / 30, 0.75, 0.8, 2 / 3))
    score, points = unit_score({"on_time": on_time, "satisfaction": satisfaction, "processed": processed,
                                "speed": speed}, W)
    # points: 40·17/30 = 22.667, 30·0.75 = 22.5, 20·0.8 = 16, 10·2/3 = 6.667 → 67.833
    assert points == pytest.approx({"on_time": 68 / 3, "satisfaction": 22.5, "processed": 16.0, "speed": 20 / 3})
    assert score == pytest.approx(67.8333333)
    assert score == pytest.approx(sum(points.values()))


def test_missing_part_renormalises_the_others():
    # No ratings: satisfaction drops out, the other weights (0.4, 0.2, 0.1) are scaled to 100 points.
    score, points = unit_score({"on_time": 0.5, "satisfaction": None, "processed": 1.0, "speed": 0.0}, W)
    # on time 100·0.4·0.5/0.7 = 28.571, processed 100·0.2/0.7 = 28.571, speed 0
    assert points["satisfaction"] is None
    assert points["on_time"] == pytest.approx(200 / 7)
    assert points["processed"] == pytest.approx(200 / 7)
    assert points["speed"] == 0.0
    assert score == pytest.approx(400 / 7)


def test_zero_weight_part_does_not_count():
    score, points = unit_score({"on_time": 0.5, "speed": 1.0}, {"on_time": 1.0, "speed": 0.0})
    assert score == pytest.approx(50.0)
    assert points == {"on_time": pytest.approx(50.0), "speed": None}


def test_part_without_weight_is_ignored():
    # a part the configuration does not weigh neither scores nor appears among the points
    score, points = unit_score({"on_time": 0.5, "bonus": 1.0}, {"on_time": 1.0})
    assert score == pytest.approx(50.0) and set(points) == {"on_time"}


def test_nothing_to_score():
    assert unit_score({"on_time": None, "satisfaction": None}, W) == (None, {k: None for k in W})
    assert unit_score({}, W) == (None, {k: None for k in W})


def test_score_parts_pull_with_the_weight_given():
    # Unit: 20 received, 16 processed, 12 on time, 4 open overdue, 8 rated, 4 satisfied, median 72 h.
    # City: 100 received, 50 processed, 30 on time, 10 open overdue (strict on time 30/60 = 0.5), 40 rated,
    # 30 satisfied (0.75), processed rate 0.5, median 24 h (speed part 1).
    unit = {"received": 20, "processed": 16, "on_time": 12, "open_overdue": 4, "rated": 8, "satisfied": 4}
    city = {"received": 100, "processed": 50, "on_time": 30, "open_overdue": 10, "rated": 40, "satisfied": 30}
    # k = 5: on time (12 + 2.5)/(20 + 5) = 0.58, satisfaction (4 + 3.75)/(8 + 5) = 31/52,
    # processed (16 + 2.5)/(20 + 5) = 0.74, speed (2/3 * 16 + 5 * 1)/(16 + 5) = 47/63
    assert score_parts(unit, 72.0, city, 24.0, k=5) == pytest.approx(
        {"on_time": 0.58, "satisfaction": 31 / 52, "processed": 0.74, "speed": 47 / 63})
    # k = 0: the unit's own rates, 12/20, 4/8, 16/20 and 48/72
    assert score_parts(unit, 72.0, city, 24.0, k=0) == pytest.approx(
        {"on_time": 0.6, "satisfaction": 0.5, "processed": 0.8, "speed": 2 / 3})
    # the default is SCORE_PRIOR_REPORTS = 10: (12 + 5)/30, (4 + 7.5)/18, (16 + 5)/30, (32/3 + 10)/26
    assert score_parts(unit, 72.0, city, 24.0) == pytest.approx(
        {"on_time": 17 / 30, "satisfaction": 11.5 / 18, "processed": 0.7, "speed": 62 / 78})


def test_speed_part_without_a_city_median_is_the_units_own():
    # no city median (no report of the period resolved): the unit's speed part is not pulled anywhere.
    # Median 72 h: 48/72 = 2/3 whatever k; the other parts are still pulled toward the city's rates
    unit = {"received": 20, "processed": 16, "on_time": 12, "open_overdue": 4, "rated": 8, "satisfied": 4}
    city = {"received": 100, "processed": 50, "on_time": 30, "open_overdue": 10, "rated": 40, "satisfied": 30}
    assert score_parts(unit, 72.0, city, None, k=5) == pytest.approx(
        {"on_time": 0.58, "satisfaction": 31 / 52, "processed": 0.74, "speed": 2 / 3})
    # and no median of its own: no speed part
    assert score_parts(unit, None, city, 24.0, k=5)["speed"] is None
