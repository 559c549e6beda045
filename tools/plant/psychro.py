"""Moist-air relations the plant needs: saturation pressure, humidity ratio, RH, wet bulb.

Saturation vapour pressure is the Magnus form with the Alduchov & Eskridge (1996)
coefficients (within about 0.4 % of the Goff-Gratch values from -40 to 50 C). Relative
humidity is always relative to liquid water, as weather services report it, also below
0 C; a coil surface below 0 C collects frost, so its saturation is taken over ice
(`w_sat`). The wet-bulb relation is the psychrometric equation of ASHRAE Fundamentals
(chapter 1). Sea-level pressure throughout.
"""

import math

P_ATM_PA = 101325.0
CP_AIR = 1006.0  # J/(kg K), dry air
H_FG = 2.45e6  # J/kg, condensing water vapour near room temperature
H_SG = 2.834e6  # J/kg, vapour to ice (frost)
H_SF = 334e3  # J/kg, melting ice
_EPS = 0.621945  # molar mass ratio water / dry air

_exp = math.exp


def p_water_pa(t_c: float) -> float:
    """Saturation vapour pressure (Pa) over liquid water (supercooled below 0 C)."""
    return 610.94 * _exp(17.625 * t_c / (t_c + 243.04))


def p_sat_pa(t_c: float) -> float:
    """Saturation vapour pressure (Pa) over the surface's phase: water >= 0 C, ice below."""
    if t_c < -100.0:
        t_c = -100.0  # the Magnus form diverges near -274 C
    if t_c >= 0.0:
        return 610.94 * _exp(17.625 * t_c / (t_c + 243.04))
    return 611.21 * _exp(22.587 * t_c / (t_c + 273.86))


def w_sat(t_c: float) -> float:
    """Humidity ratio (kg water / kg dry air) at a wet or frosted surface at t_c."""
    p = p_sat_pa(t_c)
    return _EPS * p / (P_ATM_PA - p)


def w_from_rh(t_c: float, rh_pct: float) -> float:
    """Humidity ratio of air at t_c with relative humidity rh_pct (0..100, over water)."""
    p = p_water_pa(t_c) * rh_pct / 100.0
    return _EPS * p / (P_ATM_PA - p)


def rh_from_w(t_c: float, w: float) -> float:
    """Relative humidity (%, over water) of air at t_c holding w kg/kg."""
    p = P_ATM_PA * w / (_EPS + w)
    return 100.0 * p / p_water_pa(t_c)


def dew_point_c(w: float) -> float:
    """Temperature (C) at which air holding w kg/kg saturates over water."""
    p = P_ATM_PA * w / (_EPS + w)
    x = math.log(p / 610.94)
    return 243.04 * x / (17.625 - x)


def w_from_wet_bulb(t_db_c: float, t_wb_c: float) -> float:
    """Humidity ratio from dry and wet bulb (C), ASHRAE psychrometric equation."""
    ws = w_sat(t_wb_c)
    if t_wb_c >= 0.0:
        num = (2501.0 - 2.326 * t_wb_c) * ws - 1.006 * (t_db_c - t_wb_c)
        return num / (2501.0 + 1.86 * t_db_c - 4.186 * t_wb_c)
    num = (2830.0 - 0.24 * t_wb_c) * ws - 1.006 * (t_db_c - t_wb_c)
    return num / (2830.0 + 1.86 * t_db_c - 2.1 * t_wb_c)


def wet_bulb_c(t_db_c: float, w: float) -> float:
    """Wet-bulb temperature (C) of air at t_db_c holding w kg/kg (bisection, 1 mK)."""
    lo, hi = -60.0, t_db_c
    while hi - lo > 1e-3:
        mid = 0.5 * (lo + hi)
        if w_from_wet_bulb(t_db_c, mid) > w:
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


def f_to_c(t_f: float) -> float:
    return (t_f - 32.0) / 1.8


def c_to_f(t_c: float) -> float:
    return t_c * 1.8 + 32.0


def w_sat_slope(t_c: float) -> float:
    """d w_sat / dT (1/K) at a wet or frosted surface at t_c (for Newton solves)."""
    if t_c >= 0.0:
        b, c = 17.625, 243.04
    else:
        b, c = 22.587, 273.86
    p = p_sat_pa(t_c)
    dp = p * b * c / ((t_c + c) * (t_c + c))
    return _EPS * P_ATM_PA / ((P_ATM_PA - p) * (P_ATM_PA - p)) * dp


def wet_bulb_newton_c(t_db_c: float, w: float, guess_c: float) -> float:
    """Wet bulb (C, at or above 0 C) by Newton from a nearby guess; a few microseconds."""
    t = guess_c
    for _ in range(8):
        ws = w_sat(t)
        num = (2501.0 - 2.326 * t) * ws - 1.006 * (t_db_c - t)
        den = 2501.0 + 1.86 * t_db_c - 4.186 * t
        dnum = (2501.0 - 2.326 * t) * w_sat_slope(t) - 2.326 * ws + 1.006
        g = num / den - w
        dg = (dnum * den + 4.186 * num) / (den * den)
        step = g / dg
        t -= step
        if t < 0.0:
            t = 0.0
        if -1e-4 < step < 1e-4:
            break
    return t
