"""The heat pump the board drives: its name, rating and operating envelope.

The envelope is the unit's, not a setting: the outdoor temperatures its maker lets the
compressor heat and cool in. It comes from the board file's "unit" section, so no REPL
command can run the compressor outside it (hp.config may only narrow it: E4, E5, E6).

    "unit": {"name": "...", "heat_w": 3220, "cool_w": 3517,
             "heat_min_outdoor_c": -15, "cool_min_outdoor_c": 10, "cool_max_outdoor_c": 46}

An unnamed unit (no section, or a key left out) gets the rating points every heat pump
and room air conditioner is tested at, so it runs only where any unit runs: heating
down to 17 F (-8 C, the low-temperature heating test of AHRI 210/240), cooling up to
115 F (46 C, the maximum-operating test of AHAM RAC-1) and down to 10 C.
"""

LET_GO = True  # board validation and start-up ask, then let it go (lazy.py)

# key -> (unnamed unit's value, lowest, highest, what it is)
LIMITS = (
    ("heat_min_outdoor_c", -8, -30, 10, "the lowest outdoor temperature it heats at"),
    ("cool_min_outdoor_c", 10, -10, 25, "the lowest outdoor temperature it cools at"),
    ("cool_max_outdoor_c", 46, 35, 55, "the highest outdoor temperature it cools at"),
)
RATINGS = (("heat_w", "its rated heating in W"), ("cool_w", "its rated cooling in W"))
KEYS = ("name", "note") + tuple(r[0] for r in LIMITS) + tuple(r[0] for r in RATINGS)


def _number(v):
    return not isinstance(v, bool) and isinstance(v, (int, float)) and v == v


def problems(unit):
    """What is wrong with a board file's "unit" section (None: unnamed), as messages."""
    if unit is None:
        return []
    if not isinstance(unit, dict):
        return ['unit must be an object like {"name": ..., "heat_min_outdoor_c": -15}']
    out = []
    for k in unit:
        if k not in KEYS:
            out.append("unit: unknown key %r (allowed: %s)" % (k, ", ".join(KEYS)))
    if not isinstance(unit.get("name", ""), str):
        out.append('unit.name must be a string, e.g. "12,000 BTU/h window heat pump"')
    for key, _default, lo, hi, what in LIMITS:
        v = unit.get(key, lo)
        if not (_number(v) and lo <= v <= hi):
            out.append("unit.%s must be %s, %d..%d C; got %r" % (key, what, lo, hi, v))
    for key, what in RATINGS:
        v = unit.get(key, 500)
        if not (_number(v) and 500 <= v <= 20000):
            out.append("unit.%s must be %s, 500..20000; got %r" % (key, what, v))
    lo, hi = unit.get("cool_min_outdoor_c", 10), unit.get("cool_max_outdoor_c", 46)
    if not out and lo >= hi:
        out.append("unit: cool_min_outdoor_c %r must be below cool_max_outdoor_c %r" % (lo, hi))
    return out


def envelope_dC(unit):
    """(heat_min, cool_min, cool_max) outdoors in 0.1 C, from a valid "unit" section."""
    unit = unit or {}
    return tuple(int(round(unit.get(r[0], r[1]) * 10)) for r in LIMITS)
