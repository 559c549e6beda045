"""Room sizing: worked examples from the ENERGY STAR chart, the heating balance point,
and the errors a person sees for bad input."""

import math
import os
import subprocess
import sys

import pytest

from tools.install import sizing
from tools.install.sizing import SizingError, recommend

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cooling(area_ft2, **kw):
    return recommend(area_ft2=area_ft2, **kw).cooling.recommended_btu_h


def adjustment(rec, prefix):
    (adj,) = [a for a in rec.cooling.adjustments if a.what.startswith(prefix)]
    return adj.btu_h


# ---- the chart and its published adjustments ----


def test_500_ft2_normal_room_needs_12000():
    rec = recommend(area_ft2=500)
    assert rec.cooling.chart_row == (450, 550, 12000)
    assert rec.cooling.recommended_btu_h == 12000


def test_200_ft2_very_sunny_room_needs_6600():
    assert cooling(200, sun="sunny") == 6600


def test_200_ft2_heavily_shaded_room_needs_5400():
    assert cooling(200, sun="shaded") == 5400


def test_four_occupants_add_1200():
    rec = recommend(area_ft2=500, occupants=4)
    assert adjustment(rec, "occupants") == 1200
    assert rec.cooling.recommended_btu_h == 13200


def test_one_or_two_occupants_add_nothing():
    assert cooling(500, occupants=1) == cooling(500, occupants=2) == 12000
    assert cooling(500, occupants=3) == 12600


def test_kitchen_adds_4000():
    rec = recommend(area_ft2=500, kitchen=True)
    assert adjustment(rec, "kitchen") == 4000
    assert rec.cooling.recommended_btu_h == 16000


def test_percentages_apply_to_the_chart_figure_and_additions_come_after():
    # 300 ft2 row: 8,000; sunny +800; a third person +600; kitchen +4,000
    assert cooling(300, sun="sunny", occupants=3, kitchen=True) == 13400


@pytest.mark.parametrize(("lo", "hi", "btu_h"), sizing.CHART)
def test_each_chart_row_starts_at_its_lower_bound_and_stops_before_the_next(lo, hi, btu_h):
    assert cooling(lo) == btu_h
    assert cooling(hi - 0.01) == btu_h


@pytest.mark.parametrize(
    ("area_ft2", "btu_h"),
    [(149.9, 5000), (150, 6000), (249.9, 6000), (250, 7000), (550, 14000), (2500, 34000)],
)
def test_row_boundaries_belong_to_the_upper_row(area_ft2, btu_h):
    assert cooling(area_ft2) == btu_h


def test_a_room_below_the_chart_gets_its_smallest_size_and_says_so():
    rec = recommend(area_ft2=80)
    assert rec.cooling.recommended_btu_h == 5000
    assert rec.cooling.below_chart
    assert not recommend(area_ft2=100).cooling.below_chart


def test_metric_area_uses_the_same_chart():
    rec = recommend(area_m2=20)  # 215 ft2
    assert rec.cooling.chart_row == (150, 250, 6000)
    assert rec.cooling.area_ft2 == pytest.approx(215.28, abs=0.01)


# ---- our adjustments: ceiling height and insulation ----


def test_ceiling_height_scales_the_chart_figure_by_height_over_8_ft():
    assert cooling(500, ceiling_ft=10) == 15000
    assert cooling(500, ceiling_ft=8) == 12000
    # 2.4 m is 7.87 ft: 12,000 x 0.984 = 11,811 -> 11,800
    assert cooling(500, ceiling_m=2.4) == 11800


def test_insulation_moves_the_chart_figure_ten_percent():
    assert cooling(500, insulation="poor") == 13200
    assert cooling(500, insulation="good") == 10800
    # sun and insulation add up, both on the chart figure
    assert cooling(500, insulation="poor", sun="sunny") == 14400


# ---- the verdict on a given unit ----


@pytest.mark.parametrize(
    ("unit_btu_h", "size"),
    [
        (12000, "ok"),
        (11400, "ok"),  # 5% below still fits
        (11300, "too small"),
        (14400, "ok"),  # 20% above is the limit
        (14500, "too large"),
        (18000, "too large"),
    ],
)
def test_unit_verdict_against_a_12000_recommendation(unit_btu_h, size):
    v = recommend(area_ft2=500, unit_btu_h=unit_btu_h).verdict
    assert v is not None
    assert v.size == size
    assert (v.good_min_btu_h, v.good_max_btu_h) == (11400, 14400)


def test_no_unit_no_verdict():
    assert recommend(area_ft2=500).verdict is None


# ---- heating ----


@pytest.mark.parametrize(
    ("outdoor_f", "ratio"), [(62, 1.21), (47, 1.00), (35, 0.84), (17, 0.63), (5, 0.51)]
)
def test_heating_capacity_follows_the_nrel_ratios(outdoor_f, ratio):
    outdoor_c = (outdoor_f - 32) * 5 / 9
    assert sizing.heating_capacity_w(3000, outdoor_c) == pytest.approx(3000 * ratio)


def test_heating_capacity_is_interpolated_between_points_and_bounded_outside():
    assert sizing.heating_ratio(5.0) == pytest.approx(0.92)  # 41 F, halfway 35-47 F
    assert sizing.heating_ratio(30.0) == pytest.approx(1.21)  # no gain above 62 F
    assert sizing.heating_ratio(-25.0) == pytest.approx(0.33)  # 5-17 F slope continues
    assert sizing.heating_ratio(-45.0) == 0.0
    temps = [t / 2 for t in range(-100, 60)]
    ratios = [sizing.heating_ratio(t) for t in temps]
    assert ratios == sorted(ratios), "capacity never drops as it gets warmer"


@pytest.mark.parametrize(("point_c", "ratio"), [(-25 / 3, 0.63), (5 / 3, 0.84)])
def test_balance_point_where_capacity_meets_loss(point_c, ratio):
    # a 3,000 W unit gives 3000 * ratio at point_c; a room losing exactly that there
    ua = 3000 * ratio / (20 - point_c)
    assert sizing.balance_point_c(3000, ua, 20) == pytest.approx(point_c, abs=0.01)


def test_bigger_loss_or_smaller_unit_means_a_warmer_balance_point():
    assert sizing.balance_point_c(3000, 100, 20) > sizing.balance_point_c(3000, 50, 20)
    assert sizing.balance_point_c(2000, 50, 20) > sizing.balance_point_c(3000, 50, 20)


def test_room_heat_loss_estimate():
    # average insulation: 2.0 W/(m2 K) of floor at 8 ft; scales with ceiling height
    assert sizing.room_ua_w_per_k(20, 8 * 0.3048, "average") == pytest.approx(40.0)
    assert sizing.room_ua_w_per_k(20, 16 * 0.3048, "poor") == pytest.approx(140.0)


def test_design_day_covered_by_the_unit():
    rec = recommend(area_m2=20, unit_btu_h=12000, design_outdoor_c=-5, ua_w_per_k=40)
    h = rec.heating
    assert h.rated_assumed  # no heating rating given: the cooling size stands in
    assert h.design_loss_w == pytest.approx(1000)
    # -5 C is a third of the way from 17 F to 35 F: ratio 0.70
    assert h.design_capacity_w == pytest.approx(12000 * sizing.W_PER_BTU_H * 0.70)
    assert h.design_ok
    assert h.needed_rated_btu_h == pytest.approx(1000 / 0.70 / sizing.W_PER_BTU_H)


def test_design_day_short_of_heat():
    rec = recommend(area_m2=40, unit_heat_btu_h=6000, design_outdoor_c=-5, ua_w_per_k=150)
    assert not rec.heating.rated_assumed
    assert rec.heating.design_ok is False
    assert rec.heating.balance_c > -5


def test_below_the_heating_lockout_the_unit_gives_nothing():
    rec = recommend(area_m2=10, unit_heat_btu_h=12000, design_outdoor_c=-15, ua_w_per_k=20)
    h = rec.heating
    assert h.balance_c < sizing.HEAT_LOCKOUT_C
    assert h.warm_down_to_c == sizing.HEAT_LOCKOUT_C
    assert h.design_capacity_w == 0
    assert h.design_ok is False
    assert h.needed_rated_btu_h is None


# ---- bad input ----


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"area_m2": -5}, ["area_m2 -5", "1 to 232.2 m2"]),
        ({"area_m2": 0}, ["area_m2 0", "1 to 232.2"]),
        ({"area_m2": math.nan}, ["area_m2 nan", "1 to 232.2"]),
        ({"area_ft2": 3000}, ["area_ft2 3000", "10 to 2500 ft2"]),
        ({"area_m2": "20"}, ["must be a number", "1 to 232.2"]),
        ({"area_m2": 20, "ceiling_m": 30}, ["ceiling_m 30", "1.8 to 6 m"]),
        ({"area_m2": 20, "sun": "cloudy"}, ["sun 'cloudy'", "shaded, normal, sunny"]),
        ({"area_m2": 20, "insulation": "none"}, ["insulation 'none'", "good, average, poor"]),
        ({"area_m2": 20, "occupants": -1}, ["occupants -1", "0 to 20"]),
        ({"area_m2": 20, "occupants": 2.5}, ["whole number", "0 to 20"]),
        ({"area_m2": 20, "unit_btu_h": 100}, ["unit_btu_h 100", "3000 to 36000"]),
        ({"area_m2": 20, "design_outdoor_c": 60}, ["design_outdoor_c 60", "-40 to 15 C"]),
        ({"area_m2": 20, "area_ft2": 200}, ["either area_m2 or area_ft2"]),
        ({}, ["area_m2 or area_ft2"]),
    ],
)
def test_bad_input_names_the_problem_and_the_allowed_values(kwargs, words):
    with pytest.raises(SizingError) as err:
        recommend(**kwargs)
    for word in words:
        assert word in str(err.value)


# ---- the command line ----


def test_cli_prints_row_adjustments_verdict_and_balance_point(capsys):
    argv = "--area-m2 20 --ceiling-m 2.4 --sun normal --insulation average --occupants 3"
    argv += " --unit-btu 12000 --design-outdoor-c -5"
    assert sizing.main(argv.split()) == 0
    out = capsys.readouterr().out
    assert "ENERGY STAR" in out
    assert "chart row 150-250 ft2: 6,000 BTU/h" in out
    for prefix in ("ceiling 2.40 m", "sun: normal", "insulation: average", "occupants: 3"):
        assert prefix in out
    assert "+600" in out
    assert "recommended: 6,500 BTU/h" in out
    assert "TOO LARGE" in out and "short cycling" in out
    assert "balance point" in out
    assert "design day -5.0 C" in out


def test_cli_square_feet_and_kitchen(capsys):
    assert sizing.main(["--area-ft2", "500", "--kitchen", "--occupants", "4"]) == 0
    out = capsys.readouterr().out
    assert "recommended: 17,200 BTU/h" in out  # 12,000 + 1,200 + 4,000


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--area-m2", "abc"], ["--area-m2", "'abc' is not a number", "1 to 232.2 m2"]),
        (["--area-m2", "0"], ["--area-m2", "out of range", "1 to 232.2 m2"]),
        (["--area-m2", "-20"], ["--area-m2", "out of range"]),
        (["--area-m2", "20", "--ceiling-m", "30"], ["--ceiling-m", "1.8 to 6 m"]),
        (["--area-m2", "20", "--occupants", "two"], ["--occupants", "whole number"]),
        (["--area-m2", "20", "--sun", "cloudy"], ["--sun", "shaded", "sunny"]),
        (["--ceiling-m", "2.4"], ["--area-m2", "--area-ft2", "required"]),
    ],
)
def test_cli_bad_input_exits_2_with_the_allowed_range(capsys, argv, words):
    with pytest.raises(SystemExit) as exc:
        sizing.main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    for word in words:
        assert word in err


def test_cli_runs_as_a_module():
    run = subprocess.run(
        [sys.executable, "-m", "tools.install.sizing", "--area-ft2", "200", "--sun", "sunny"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert "recommended: 6,600 BTU/h" in run.stdout
