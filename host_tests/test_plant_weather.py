"""Weather: the daily profile, hourly tables and the synthetic year."""

import statistics

import pytest

from tools.plant import DailyWeather, TableWeather, synthetic_year


def test_daily_profile_hits_min_at_dawn_and_max_mid_afternoon_every_day():
    w = DailyWeather(-4.0, 6.0, 85.0)
    assert w.at(6.0) == (pytest.approx(-4.0), 85.0)
    assert w.at(15.0)[0] == pytest.approx(6.0)
    assert w.at(24 * 3 + 15.0)[0] == pytest.approx(6.0)  # the same day, repeated
    temps = [w.at(h / 10.0)[0] for h in range(240)]
    assert min(temps) == pytest.approx(-4.0, abs=1e-3) and max(temps) == pytest.approx(6.0)
    # No step at midnight, and the evening fall is slower than the morning rise.
    assert abs(w.at(23.999)[0] - w.at(24.0)[0]) < 0.01
    assert w.at(10.5)[0] - w.at(9.5)[0] > w.at(20.5)[0] - w.at(21.5)[0] > 0.0


def test_constant_day_is_constant():
    w = DailyWeather(2.0, 2.0, 90.0)
    assert {w.at(h)[0] for h in (0.0, 5.0, 13.3, 40.0)} == {2.0}


def test_table_interpolates_and_repeats():
    w = TableWeather([0.0, 10.0, 4.0], [80.0, 60.0, 70.0], step_h=1.0)
    assert w.at(0.5) == (pytest.approx(5.0), pytest.approx(70.0))
    assert w.at(2.5) == (pytest.approx(2.0), pytest.approx(75.0))  # last -> first
    assert w.at(3.25)[0] == pytest.approx(2.5)  # the table repeats every 3 h
    assert TableWeather([1.0, 3.0], 50.0, step_h=2.0).at(1.0) == (2.0, 50.0)


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: DailyWeather(5.0, 0.0, 80.0), "t_max_c (0) must be >= t_min_c (5)"),
        (lambda: DailyWeather(0.0, 5.0, 0.85), "a fraction? write 85"),
        (lambda: DailyWeather(0.0, 5.0, 120.0), "rh_pct must be in 0..100"),
        (lambda: TableWeather([1.0], 50.0), "t_c needs at least 2 values"),
        (lambda: TableWeather([1.0, 2.0], [50.0]), "rh_pct has 1 values but t_c has 2"),
        (lambda: TableWeather([1.0, 99.0], 50.0), "t_c[1] must be in -60..60"),
    ],
)
def test_bad_weather_is_refused_with_the_allowed_values(make, words):
    with pytest.raises(ValueError) as err:
        make()
    assert words in str(err.value)


def test_synthetic_year_has_seasons_days_and_humid_nights():
    year = synthetic_year(seed=3)
    assert len(year.t_c) == 8760
    jan = year.t_c[: 31 * 24]
    jul = year.t_c[181 * 24 : 212 * 24]
    assert statistics.mean(jan) == pytest.approx(0.0, abs=3.0)
    assert statistics.mean(jul) == pytest.approx(20.0, abs=3.0)
    assert statistics.mean(year.t_c) == pytest.approx(10.0, abs=1.0)
    ranges = [
        max(year.t_c[d * 24 : d * 24 + 24]) - min(year.t_c[d * 24 : d * 24 + 24])
        for d in range(365)
    ]
    assert statistics.mean(ranges) == pytest.approx(8.0, rel=0.25)
    assert all(1.0 <= rh <= 100.0 for rh in year.rh_pct)
    dawn = statistics.mean(year.rh_pct[h] for h in range(3, 8760, 24))
    afternoon = statistics.mean(year.rh_pct[h] for h in range(15, 8760, 24))
    assert dawn > 75.0 and afternoon < dawn - 15.0
    # Day-to-day spells: neighbouring daily means are correlated.
    means = [statistics.mean(year.t_c[d * 24 : d * 24 + 24]) for d in range(365)]
    anomalies = [m - statistics.mean(means[max(0, d - 15) : d + 15]) for d, m in enumerate(means)]
    assert statistics.correlation(anomalies[:-1], anomalies[1:]) > 0.4


def test_synthetic_year_is_the_same_for_a_seed_and_differs_between_seeds():
    a, b, c = synthetic_year(seed=1), synthetic_year(seed=1), synthetic_year(seed=2)
    assert a.t_c == b.t_c and a.rh_pct == b.rh_pct
    assert a.t_c != c.t_c
    assert a.at(8759.5)[0] == pytest.approx((a.t_c[-1] + a.t_c[0]) / 2)  # wraps to January


def test_synthetic_year_follows_its_parameters():
    hot = synthetic_year(t_mean_c=25.0, t_annual_amp_k=3.0, day_sd_k=0.0)
    assert min(hot.t_c) > 25.0 - 3.0 - 6.5 and max(hot.t_c) < 25.0 + 3.0 + 6.5
    with pytest.raises(ValueError, match="day_persistence must be in 0..0.99"):
        synthetic_year(day_persistence=1.5)
