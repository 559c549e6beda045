"""Config and settings: one schema table, one validator for the REPL and the file.

Config is how the unit is tuned (timers, thresholds); settings are what a person
asks of it (mode, setpoint, fan). Both are plain dicts of ints and short strings,
so the persistence layer can write them as JSON. Every value goes through
`validate` (REPL) or `check` (a whole dict from flash), which name the key, the
value and what is allowed; the rules live in config_rules.py, loaded for a check and
let go after. Temperatures are integer tenths: `_dC` a temperature
in 0.1 C, `_dK` a difference in 0.1 K; durations are whole seconds (`_s`).
"""

# key, default, min (or a tuple of allowed values), max (None for a choice), unit. What
# each key means is config_rules.HELP (hp.config() shows it). Read by every core part
# (defrost_*: defrost.py, watchdog_s: app.py).
SCHEMA = (
    ("units", "C", ("C", "F"), None, ""),
    ("min_off_s", 180, 60, 1800, "s"),
    ("min_run_s", 180, 60, 1800, "s"),
    ("max_starts_per_hour", 6, 1, 12, "/h"),
    ("boot_delay_s", 30, 0, 120, "s"),
    ("start_dK", 5, 1, 30, "0.1K"),
    ("stop_dK", 5, 0, 30, "0.1K"),
    ("changeover_dK", 20, 5, 50, "0.1K"),
    ("auto_min_mode_s", 600, 60, 7200, "s"),
    ("dry_overcool_dK", 20, 5, 50, "0.1K"),
    ("fan_overrun_s", 60, 0, 600, "s"),
    ("cold_blow_dC", 300, 200, 450, "0.1C"),
    ("cold_blow_max_s", 120, 0, 600, "s"),
    ("freeze_dC", 0, -50, 50, "0.1C"),
    ("freeze_s", 300, 60, 1800, "s"),
    ("freeze_resume_dC", 100, 30, 200, "0.1C"),
    ("freeze_trips", 5, 1, 20, "/h"),
    ("overheat_dC", 600, 450, 700, "0.1C"),
    ("overheat_resume_dC", 500, 300, 650, "0.1C"),
    ("heat_lockout_dC", -70, -250, 100, "0.1C"),
    ("heat_unlock_dC", -50, -230, 120, "0.1C"),
    ("cool_min_outdoor_dC", 100, -100, 200, "0.1C"),
    ("cool_max_outdoor_dC", 520, 350, 600, "0.1C"),
    ("valve_check_dK", 30, 10, 100, "0.1K"),
    ("valve_check_s", 300, 60, 1200, "s"),
    ("sensor_bad_readings", 3, 2, 10, ""),
    ("sensor_jump_dK", 100, 20, 500, "0.1K/s"),
    ("sensor_clear_s", 30, 5, 600, "s"),
    ("valve_shift_s", 30, 30, 120, "s"),
    ("max_early_stops", 3, 2, 6, "/h"),
    ("defrost_mode", "demand", ("demand", "timed"), None, ""),
    ("defrost_interval_s", 3600, 1800, 7200, "s"),
    ("defrost_start_dC", 0, -100, 50, "0.1C"),
    ("defrost_end_dC", 130, 50, 250, "0.1C"),
    ("defrost_max_s", 600, 120, 900, "s"),
    ("defrost_margin_dK", 30, 10, 100, "0.1K"),
    ("defrost_fan", "off", ("off", "low"), None, ""),
    ("watchdog_s", 10, 8, 120, "s"),
)

MODES = ("off", "cool", "heat", "auto", "fan", "dry")
FANS = ("auto", "continuous")
SPEEDS = ("low", "medium", "high")
SETPOINT_MIN_dC = 160
SETPOINT_MAX_dC = 300

_BY_KEY = {}
for _row in SCHEMA:
    _BY_KEY[_row[0]] = _row


def keys():
    return tuple(row[0] for row in SCHEMA)


def defaults() -> dict:
    """A new dict of every config key at its default."""
    return {row[0]: row[1] for row in SCHEMA}


def row(key):
    """The schema row of key (key, default, min or choices, max or None, unit), or None."""
    return _BY_KEY.get(key)


def allowed(key):
    """What key accepts, for messages and hp.config(): '60..1800 s' or 'C, F'."""
    row = _BY_KEY[key]
    if row[3] is None:
        return ", ".join(row[2])
    return ("%d..%d %s" % (row[2], row[3], row[4])).rstrip()


def maximum(key):
    """The largest value a number key accepts (sizes the rings that must hold it)."""
    return _BY_KEY[key][3]


def _rules(fn, *args):
    from heatpump import lazy

    return lazy.call("config_rules", fn, *args)


def validate(key, value):
    """Return the canonical value of one config key, or raise ValueError naming the rule."""
    return _rules("validate", key, value)


def merge(current, changes) -> dict:
    """current with changes applied, all checked first; ValueError (every problem) if any."""
    return _rules("merge", current, changes)


def check(cfg):
    """Check a whole config dict (e.g. read from flash) value by value.

    Returns (accepted, errors): accepted is a complete config where every value
    that failed (unknown key, wrong type, out of range, out of order) is left at
    its default; errors lists one message per refused value.
    """
    return _rules("check", cfg)


# ---- settings: what a person asks of the unit ----------------------------------

SETTING_KEYS = ("mode", "setpoint_dC", "fan", "speed")


def setting_defaults(speeds=SPEEDS):
    """Off, 22 C, fan auto, the fastest speed the board has."""
    return {"mode": "off", "setpoint_dC": 220, "fan": "auto", "speed": speeds[-1]}


def validate_setting(key, value, speeds=SPEEDS):
    """Canonical value of one setting (setpoint in dC), or ValueError naming the rule."""
    return _rules("validate_setting", key, value, speeds)


def setpoint_to_dC(value, units="C"):
    """A setpoint in degrees of `units` (int or float) -> dC, or ValueError naming the range."""
    return _rules("setpoint_to_dC", value, units)


def setpoint_range(units="C"):
    if units == "F":
        # 16 C = 60.8 F and 30 C = 86 F: the whole degrees that round inside.
        return "61..86 F"
    return "16..30 C"


def check_settings(settings, speeds=SPEEDS):
    """Like check() for settings; also takes 'setpoint' in C instead of setpoint_dC."""
    return _rules("check_settings", settings, speeds)
