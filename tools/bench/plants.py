"""The runs of the control-quality bench: our plant's days, and a second plant's.

The firmware's defaults were chosen on the project's own plant (tools/plant defaults: a
20 m2 medium room losing 40 W/K, a 12,000 BTU/h unit at EER 11 / COP 3). A comparison
made only there could flatter them, so the same two controllers also run on PLANT_B,
which no default was tuned on: a larger, heavier and leakier room (about 50 W/K; 30 m2
of heavy mass against 20 m2 of medium) with a less efficient unit that builds its
capacity more slowly after a start and answers its coil temperatures differently
(the NREL curves scaled to another rating; short of the room's loss below about
-12 C). On it: every bundled day, a colder week and a humid winter week (hourly
tables with a daily swing and a trend, not one day repeated).

    runs(cq_h)  -> {label: validated scenario}
"""

import math
import os

from tools import REPO
from tools.plant import DailyWeather
from tools.sim import scenario as scenario_mod

PLANT_B = {
    "room": {
        "floor_m2": 30.0,
        "mass_class": "heavy",
        "ua_w_per_k": 35.0,  # with 0.6 air changes: about 50 W/K in all
        "ach": 0.6,
        "internal_gain_w": 150.0,
    },
    "unit": {
        "cool_rated_w": 3220.0,  # 11,000 BTU/h at EER 10
        "cool_rated_cop": 2.93,
        "heat_rated_w": 3520.0,  # 12,000 BTU/h at COP 2.8 (about 2 at -10 C)
        "heat_rated_cop": 2.8,
        "ramp_tau_s": 140.0,  # slower to build capacity after a start
        "suction_per_k": 0.035,
        "fixed_power_frac": 0.2,
        "outdoor_coil_j_per_k": 5000.0,
        "aux_heat_w": 2000.0,
    },
}


def _week(t_lo, t_hi, drift, rh_lo, rh_hi):
    """Hourly [hour, t_c, rh] rows for 7 days: each day's swing t_lo..t_hi (lowest at
    06:00, highest at 15:00, as DailyWeather), shifted by drift(day) C; the humidity is
    highest when it is coldest."""
    swing = DailyWeather(0.0, 1.0, 50.0).at
    rows = []
    for h in range(7 * 24 + 1):
        f = swing(h)[0]
        t = t_lo + (t_hi - t_lo) * f + drift(h / 24.0)
        rows.append([h, round(t, 2), round(rh_hi - (rh_hi - rh_lo) * f, 1)])
    return rows


def _cold_snap(day):
    return -3.0 * math.sin(math.pi * day / 7.0)  # 3 K colder mid-week


def _thaw(day):
    return 1.5 * math.sin(2.0 * math.pi * day / 7.0)


# label -> (bundled scenario, plant overrides or None for ours, scenario changes)
RUNS = {
    "summer-hot": ("summer-hot", None, {}),
    "shoulder-auto": ("shoulder-auto", None, {}),
    "winter-humid": ("winter-humid", None, {}),
    "winter-dry-cold": ("winter-dry-cold", None, {}),
    "B summer-hot": ("summer-hot", PLANT_B, {}),
    "B shoulder-auto": ("shoulder-auto", PLANT_B, {}),
    "B winter-humid": ("winter-humid", PLANT_B, {}),
    "B winter-dry-cold": ("winter-dry-cold", PLANT_B, {}),
    "B cold-week": (
        "winter-dry-cold",
        PLANT_B,
        {
            "duration_h": 168,
            "description": "B: a colder week, -15..-3 C with a cold snap, 55-75 % RH",
            "weather": {"kind": "table", "hours": _week(-12.0, -3.0, _cold_snap, 55, 75)},
        },
    ),
    "B humid-week": (
        "winter-humid",
        PLANT_B,
        {
            "duration_h": 168,
            "description": "B: a humid winter week, -4..5 C, 80-95 % RH",
            "weather": {"kind": "table", "hours": _week(-2.5, 3.5, _thaw, 80, 95)},
        },
    ),
}


def runs(cq_h=None):
    """{label: validated scenario} of every run; cq_h shortens each (None: its own)."""
    out = {}
    for label, (file, plant, changes) in RUNS.items():
        sc = scenario_mod.load(os.path.join(REPO, "scenarios", file + ".json"))
        raw = dict(sc, **changes)
        for part in ("room", "unit"):
            if plant:
                raw[part] = dict(sc.get(part) or {}, **plant[part])
        if cq_h:
            raw["duration_h"] = cq_h
        out[label] = scenario_mod.validate(raw, where=label)
    return out
