"""Config and settings: one schema table, one validator for the REPL and the file.

Config is how the unit is tuned (timers, thresholds); settings are what a person
asks of it (mode, setpoint, fan). Both are plain dicts of ints and short strings,
so the persistence layer can write them as JSON. Every value goes through
`validate` (REPL) or `check` (a whole dict from flash), which name the key, the
value and what is allowed. The schema and the rules live in config_rules.py, loaded
for a check and let go after: only start-up and the REPL read them, the running core
reads its config dict. Temperatures are integer tenths: `_dC` a temperature
in 0.1 C, `_dK` a difference in 0.1 K; durations are whole seconds (`_s`).
"""

MODES = ("off", "cool", "heat", "auto", "fan", "dry")
FANS = ("auto", "continuous")
SPEEDS = ("low", "medium", "high")
SETPOINT_MIN_dC = 160
SETPOINT_MAX_dC = 300


def schema():
    """The schema: (key, default, min or a tuple of choices, max or None, unit) rows."""
    return _rules("schema")


def keys():
    return _rules("keys")


def defaults() -> dict:
    """A new dict of every config key at its default."""
    return _rules("defaults")


def allowed(key):
    """What key accepts, for messages and hp.config(): '60..1800 s' or 'C, F'."""
    return _rules("allowed", key)


def maximum(key):
    """The largest value a number key accepts (sizes the rings that must hold it)."""
    return _rules("maximum", key)


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
