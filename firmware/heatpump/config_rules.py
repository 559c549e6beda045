"""The config's rules: every value checked, every ordered pair kept in order.

Loaded when a value is checked (a REPL change, a file read at start-up) or the schema
is read (start-up sizes the rings by its maxima), and let go after (lazy.py): the
running unit needs only its config dict. What each key means is config_help.py.
"""

from heatpump.config import (
    FANS,
    MODES,
    SETTING_KEYS,
    SPEEDS,
    SETPOINT_MAX_dC,
    SETPOINT_MIN_dC,
    setpoint_range,
    setting_defaults,
)

LET_GO = True  # lazy.call lets this module go once the call that loaded it returns

# key, default, min (or a tuple of allowed values), max (None for a choice), unit. What
# each key means is config_help.HELP (hp.config_help() shows it). Read by every core part
# (defrost_*: defrost.py, watchdog_s: app.py).
SCHEMA = (
    ("units", "C", ("C", "F"), None, ""),
    ("min_off_s", 180, 60, 1800, "s"),
    ("min_run_s", 180, 60, 1800, "s"),
    ("max_starts_per_hour", 6, 1, 12, "/h"),
    ("boot_delay_s", 30, 0, 120, "s"),
    ("start_dK", 5, 1, 30, "0.1K"),
    ("stop_dK", 5, 0, 30, "0.1K"),
    ("cycles_per_hour", 3, 0, 6, "/h"),
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
    ("heat_lockout_dC", -250, -250, 100, "0.1C"),
    ("heat_unlock_dC", -230, -230, 120, "0.1C"),
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
    ("aux_droop_dK", 10, 3, 50, "0.1K"),
    ("aux_delay_s", 600, 0, 3600, "s"),
    ("aux_max_outdoor_dC", 100, -100, 250, "0.1C"),
    ("aux_pause_dK", 7, 3, 50, "0.1K"),
    ("watchdog_s", 10, 8, 120, "s"),
)

_BY_KEY = {}
for _row in SCHEMA:
    _BY_KEY[_row[0]] = _row


def schema():
    return SCHEMA


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


# Pairs (low key, high key) that must stay in this order: low below high. Each value
# alone is in range, but these pairs are read together, and out of order they defeat
# each other (merge refuses them, check puts both back to their defaults).
# Hysteresis pairs (protect.py, defrost.py): the trip must lie below the release, or
# the code would rise and fall on one reading (or never clear).
ORDERED = (
    ("freeze_dC", "freeze_resume_dC"),
    ("overheat_resume_dC", "overheat_dC"),
    ("heat_lockout_dC", "heat_unlock_dC"),
    ("cool_min_outdoor_dC", "cool_max_outdoor_dC"),
    ("defrost_start_dC", "defrost_end_dC"),
    # Anti-cold-blow (sequencer.py) against E3 (protect.py): in heating the indoor fan
    # waits for the coil to reach cold_blow_dC, and the coil heats fastest without air.
    # A release at or above overheat_dC trips E3 before the fan ever runs (72 trips in
    # 12 h); one at or above overheat_resume_dC starts the air only inside E3's band,
    # where it no longer counts as cool, with no margin for the overshoot while the fan
    # spins up. So cold_blow < overheat_resume < overheat, a chain (check iterates).
    ("cold_blow_dC", "overheat_resume_dC"),
    # Auto (thermostat.py): a heating call ends at setpoint + stop_dK, and the side
    # changes to cooling at setpoint + changeover_dK (cooling mirrored). A stop at or
    # beyond the changeover ends every call on the other side's changeover: heat, cool,
    # heat, ... (70 changeovers a day). start_dK has no such rule: a start beyond the
    # changeover only means the new side's call begins later.
    ("stop_dK", "changeover_dK"),
)

# Pairs (low key, high key) where low may equal high but not exceed it.
# The defrost's valve-shift pause (sequencer.py) is the one compressor stop allowed
# shorter than min_off_s: the exception exists to make a defrost's two reversals quick
# (the room is not heated and the fans are off meanwhile). One longer than min_off_s is
# no exception but a mistake: twice each defrost the unit would sit stopped longer than
# its own rest rule asks. Equal is fine.
NOT_ABOVE = (("valve_shift_s", "min_off_s"),)
# Checked and left without a rule: min_run_s and min_off_s against max_starts_per_hour
# (at worst the starts limit never binds); valve_check_s against min_run_s or
# cold_blow_max_s (a run shorter than the check just ends without a verdict; no air
# heats the coil faster, which only helps the check); freeze_dC against dry_overcool_dK
# (E1 stops a run that ices, whatever the thermostat asks); defrost_max_s and
# defrost_interval_s against the compressor timers (a defrost ends by a soft shift and
# waits for min_run_s to start); every other key is read alone.


def _unknown(kind, key, names, listed_by=None):
    from heatpump import suggest  # only for a refusal; let go with this module

    return suggest.unknown(kind, key, names, listed_by)


def _shown(value):
    from heatpump import text  # only for a refusal; let go with this module

    return text.short(value)


def validate(key, value):
    """Return the canonical value of one config key, or raise ValueError naming the rule."""
    r = row(key)
    if r is None:
        raise _unknown("config key", key, keys())
    if r[3] is None:
        return _choice(key, value, r[2])
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(
            "%s=%s is not a whole number: allowed %s" % (key, _shown(value), allowed(key))
        )
    if not r[2] <= value <= r[3]:
        raise ValueError("%s=%s is out of range: allowed %s" % (key, _shown(value), allowed(key)))
    return value


def _choice(key, value, options):
    # The canonical (interned) string, so the tick compares by identity and a
    # string read from a file is not kept alive twice.
    for opt in options:
        if value == opt:
            return opt
    raise ValueError("%s=%s is not allowed: allowed %s" % (key, _shown(value), ", ".join(options)))


def _order_errors(cfg):
    """(low key, high key, message) for each pair out of order in cfg."""
    errors = []
    for lo, hi in ORDERED:
        if not cfg[lo] < cfg[hi]:
            errors.append((lo, hi, "%s=%r must be below %s=%r" % (lo, cfg[lo], hi, cfg[hi])))
    for lo, hi in NOT_ABOVE:
        if cfg[lo] > cfg[hi]:
            errors.append((lo, hi, "%s=%r must not exceed %s=%r" % (lo, cfg[lo], hi, cfg[hi])))
    return errors


def merge(current, changes) -> dict:
    """current with changes applied, all checked first; ValueError (every problem) if any."""
    new = dict(current)
    problems = []
    for key in changes:
        try:
            new[key] = validate(key, changes[key])
        except ValueError as e:
            problems.append(str(e))
    if not problems:
        problems = [msg for _lo, _hi, msg in _order_errors(new)]
    if problems:
        raise ValueError("; ".join(problems) + " (nothing changed)")
    return new


def check(cfg):
    """Check a whole config dict (e.g. read from flash) value by value.

    Returns (accepted, errors): accepted is a complete config where every value
    that failed (unknown key, wrong type, out of range, out of order) is left at
    its default; errors lists one message per refused value.
    """
    accepted = defaults()
    errors = []
    if not isinstance(cfg, dict):
        return accepted, [
            "config is %s, not a dict: every value left at its default" % (type(cfg).__name__)
        ]
    for key in cfg:
        try:
            accepted[key] = validate(key, cfg[key])
        except ValueError as e:
            errors.append(str(e))
    # A pair out of order goes back to its defaults; that may break a pair it shares a
    # key with (cold_blow < overheat_resume < overheat), so again until none is. Ends:
    # the defaults are in order, so each pass puts at least one more key at its default.
    default = defaults()
    while True:
        bad = _order_errors(accepted)
        if not bad:
            return accepted, errors
        for lo, hi, msg in bad:
            accepted[lo] = default[lo]
            accepted[hi] = default[hi]
            errors.append(msg + ": both left at their defaults")


def validate_setting(key, value, speeds=SPEEDS):
    """Canonical value of one setting (setpoint in dC), or ValueError naming the rule."""
    if key == "mode":
        return _choice("mode", value, MODES)
    if key == "fan":
        return _choice("fan", value, FANS)
    if key == "speed":
        return _choice("speed", value, speeds)
    if key == "setpoint_dC":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(
                "setpoint_dC=%s is not a whole number: allowed %d..%d"
                % (_shown(value), SETPOINT_MIN_dC, SETPOINT_MAX_dC)
            )
        if not SETPOINT_MIN_dC <= value <= SETPOINT_MAX_dC:
            raise ValueError(
                "setpoint_dC=%s is out of range: allowed %d..%d"
                % (_shown(value), SETPOINT_MIN_dC, SETPOINT_MAX_dC)
            )
        return value
    raise _unknown("setting", key, SETTING_KEYS)


def setpoint_to_dC(value, units="C"):
    """A setpoint in degrees of `units` (int or float) -> dC, or ValueError naming the range."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(
            "setpoint=%s is not a number: allowed %s" % (_shown(value), setpoint_range(units))
        )
    # inf, nan and 1e308 would reach round() (OverflowError, ValueError) and a huge int
    # the float division: no temperature is beyond 1000 degrees in either unit, and
    # nan fails every comparison, so this refuses them all before any arithmetic.
    if not -1000 <= value <= 1000:
        raise ValueError(
            "setpoint=%s is out of range: allowed %s" % (_shown(value), setpoint_range(units))
        )
    if units == "F":
        dC = round((value - 32) * 50 / 9)
    else:
        dC = round(value * 10)
    if not SETPOINT_MIN_dC <= dC <= SETPOINT_MAX_dC:
        raise ValueError(
            "setpoint=%s is out of range: allowed %s" % (_shown(value), setpoint_range(units))
        )
    return dC


def check_settings(settings, speeds=SPEEDS):
    """Like check() for settings; also takes 'setpoint' in C instead of setpoint_dC."""
    accepted = setting_defaults(speeds)
    errors = []
    if not isinstance(settings, dict):
        return accepted, ["settings are %s, not a dict: defaults used" % type(settings).__name__]
    for key in settings:
        try:
            if key == "setpoint":
                accepted["setpoint_dC"] = setpoint_to_dC(settings[key], "C")
            else:
                accepted[key] = validate_setting(key, settings[key], speeds)
        except ValueError as e:
            errors.append(str(e))
    return accepted, errors
