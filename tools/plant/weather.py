"""Outdoor weather for the plant: a daily profile, a table of values, or a synthetic year.

Every weather object answers `at(hour) -> (t_c, rh_pct)` for `hour` counted from its own
midnight of day 0 (the plant adds its `start_hour`). Relative humidity is a percentage.

- `DailyWeather(t_min_c, t_max_c, rh_pct)`: the same day every day. Temperature follows a
  half cosine up from the minimum at `min_hour` (06:00) to the maximum at `max_hour`
  (15:00) and a slower half cosine back down over the 15 h to the next minimum, the usual
  shape of a clear-sky day. Relative humidity is held constant.
- `TableWeather(t_c, rh_pct, step_h=1.0)`: values every `step_h` hours, interpolated
  linearly, repeating after the last one (a table of 24 hourly values is a repeating day,
  8760 values a repeating year).
- `synthetic_year(seed=1, ...)`: 8760 hourly values built from an annual cosine of the
  daily mean, seeded day-to-day anomalies, a daily cosine and a daily dew point; see the
  function for the recipe.
"""

import math
import random
from collections.abc import Sequence

from tools.plant.checks import number as _number
from tools.plant.psychro import p_water_pa

_TWO_PI = 2.0 * math.pi


def _rh(name: str, value: object) -> float:
    rh = _number(name, value, 0.0, 100.0, "%")
    if rh < 1.0:
        raise ValueError(
            f"{name} is a percentage, 1..100; got {rh:g} (a fraction? write {rh * 100:g})"
        )
    return rh


class DailyWeather:
    """One repeating day: min/max temperature (C), constant relative humidity (%)."""

    def __init__(
        self,
        t_min_c: float,
        t_max_c: float,
        rh_pct: float,
        min_hour: float = 6.0,
        max_hour: float = 15.0,
    ):
        self.t_min_c = _number("t_min_c", t_min_c, -60.0, 60.0, "C")
        self.t_max_c = _number("t_max_c", t_max_c, -60.0, 60.0, "C")
        if self.t_max_c < self.t_min_c:
            raise ValueError(f"t_max_c ({t_max_c:g}) must be >= t_min_c ({t_min_c:g})")
        self.rh_pct = _rh("rh_pct", rh_pct)
        self.min_hour = _number("min_hour", min_hour, 0.0, 24.0, "h")
        self.max_hour = _number("max_hour", max_hour, 0.0, 24.0, "h")
        self._rise_h = (self.max_hour - self.min_hour) % 24.0
        if self._rise_h == 0.0:
            raise ValueError(f"min_hour and max_hour must differ; both are {min_hour:g}")
        self._fall_h = 24.0 - self._rise_h
        self._mean = 0.5 * (self.t_min_c + self.t_max_c)
        self._half = 0.5 * (self.t_max_c - self.t_min_c)

    def at(self, hour: float) -> tuple[float, float]:
        since_min = (hour - self.min_hour) % 24.0
        if since_min < self._rise_h:
            phase = math.pi * since_min / self._rise_h  # 0 at the minimum, pi at the maximum
        else:
            phase = math.pi * (1.0 + (since_min - self._rise_h) / self._fall_h)
        return self._mean - self._half * math.cos(phase), self.rh_pct


class TableWeather:
    """Temperatures (C) and relative humidities (%) every `step_h` hours, repeating."""

    def __init__(self, t_c: Sequence[float], rh_pct: float | Sequence[float], step_h: float = 1.0):
        if len(t_c) < 2:
            raise ValueError(f"t_c needs at least 2 values; got {len(t_c)}")
        temps = [_number(f"t_c[{i}]", t, -60.0, 60.0, "C") for i, t in enumerate(t_c)]
        if isinstance(rh_pct, int | float):
            rhs = [_rh("rh_pct", rh_pct)] * len(temps)
        else:
            if len(rh_pct) != len(temps):
                raise ValueError(
                    f"rh_pct has {len(rh_pct)} values but t_c has {len(temps)}; "
                    "give one each, or one number"
                )
            rhs = [_rh(f"rh_pct[{i}]", rh) for i, rh in enumerate(rh_pct)]
        self.step_h = _number("step_h", step_h, 1e-3, 1e4, "h")
        self.t_c = temps
        self.rh_pct = rhs
        self.period_h = self.step_h * len(temps)

    def at(self, hour: float) -> tuple[float, float]:
        x = (hour % self.period_h) / self.step_h
        i = int(x)
        n = len(self.t_c)
        if i >= n:  # float rounding at the very end of the period
            i = n - 1
        j = i + 1 if i + 1 < n else 0
        f = x - i
        t, rh = self.t_c, self.rh_pct
        return t[i] + f * (t[j] - t[i]), rh[i] + f * (rh[j] - rh[i])


def synthetic_year(
    seed: int = 1,
    t_mean_c: float = 10.0,
    t_annual_amp_k: float = 10.0,
    coldest_day: int = 20,
    day_sd_k: float = 3.0,
    day_persistence: float = 0.7,
    t_daily_range_k: float = 8.0,
    dew_depression_k: tuple[float, float] = (0.5, 5.0),
) -> TableWeather:
    """A year of hourly weather (8760 values from 1 January 00:00), the same for a seed.

    Recipe:
    1. Daily mean temperature: `t_mean_c - t_annual_amp_k * cos(2 pi (day - coldest_day)
       / 365)` plus a day-to-day anomaly, an AR(1) series with standard deviation
       `day_sd_k` and lag-one correlation `day_persistence` (weather comes in spells).
    2. Daily range: `t_daily_range_k` times a seeded factor in 0.5..1.5 (cloudy and clear
       days). Hour by hour the day mean and range are interpolated between the middays of
       neighbouring days, so midnight has no step, and the hour's temperature is
       `mean - range / 2 * cos(2 pi (hour - 3) / 24)`: coldest at 03:00, warmest at 15:00.
    3. Humidity: each day's dew point is its coldest temperature minus a seeded depression
       in `dew_depression_k` (nights close to saturation, as in humid climates); relative
       humidity is the water saturation pressure at the dew point over that at the hour's
       temperature, capped at 100 %.
    The defaults give a temperate humid climate: January about 0 C, July about 20 C.
    """
    rng = random.Random(seed)
    _number("t_annual_amp_k", t_annual_amp_k, 0.0, 40.0, "K")
    _number("day_sd_k", day_sd_k, 0.0, 20.0, "K")
    _number("day_persistence", day_persistence, 0.0, 0.99, "")
    _number("t_daily_range_k", t_daily_range_k, 0.0, 30.0, "K")
    lo_dep, hi_dep = dew_depression_k
    _number("dew_depression_k[0]", lo_dep, 0.0, 30.0, "K")
    _number("dew_depression_k[1]", hi_dep, lo_dep, 30.0, "K")
    days = 365
    means, ranges, depressions = [], [], []
    anomaly = 0.0
    innovation_sd = day_sd_k * math.sqrt(1.0 - day_persistence**2)
    for day in range(days):
        anomaly = day_persistence * anomaly + rng.gauss(0.0, innovation_sd)
        season = -t_annual_amp_k * math.cos(_TWO_PI * (day - coldest_day) / days)
        means.append(t_mean_c + season + anomaly)
        ranges.append(t_daily_range_k * rng.uniform(0.5, 1.5))
        depressions.append(rng.uniform(lo_dep, hi_dep))
    temps, rhs = [], []
    for hour in range(days * 24):
        day_pos = hour / 24.0 - 0.5  # 0 at midday of day 0
        d0 = math.floor(day_pos)
        f = day_pos - d0
        a, b = d0 % days, (d0 + 1) % days
        mean = means[a] + f * (means[b] - means[a])
        rng_k = ranges[a] + f * (ranges[b] - ranges[a])
        t = mean - 0.5 * rng_k * math.cos(_TWO_PI * (hour % 24 - 3) / 24.0)
        t = max(-60.0, min(60.0, t))
        today = (hour // 24) % days
        dew = means[today] - 0.5 * ranges[today] - depressions[today]
        rh = min(100.0, 100.0 * p_water_pa(dew) / p_water_pa(t))
        temps.append(t)
        rhs.append(max(1.0, rh))
    return TableWeather(temps, rhs, step_h=1.0)
