"""Config and settings validation (runs under MicroPython and CPython)."""

from check import eq, raises
from heatpump import config as C


def test_every_default_is_valid_and_in_the_schema():
    d = C.defaults()
    eq(sorted(d), sorted(C.keys()), "keys")
    for key in d:
        eq(C.validate(key, d[key]), d[key], key)
    eq(d["min_off_s"], 180, "min_off_s")
    eq(d["min_run_s"], 180, "min_run_s")
    eq(d["max_starts_per_hour"], 6, "max_starts_per_hour")
    eq(d["fan_overrun_s"], 60, "fan_overrun_s")


def test_out_of_range_names_key_value_and_range():
    e = raises(ValueError, C.validate, "min_off_s", -1)
    msg = str(e)
    for part in ("min_off_s", "-1", "60..1800 s"):
        assert part in msg, msg


def test_wrong_types_are_refused():
    for bad in ("180", 180.0, True, None, [180]):
        msg = str(raises(ValueError, C.validate, "min_off_s", bad))
        assert "whole number" in msg and "60..1800" in msg, msg


def test_unknown_key_lists_the_known_ones():
    msg = str(raises(ValueError, C.validate, "min_of_s", 200))
    assert "min_of_s" in msg and "min_off_s" in msg and "fan_overrun_s" in msg, msg


def test_choice_returns_the_canonical_string():
    v = C.validate("units", "".join(["F"]))
    assert v is C.validate("units", "F")
    msg = str(raises(ValueError, C.validate, "units", "K"))
    assert "C, F" in msg, msg


def test_merge_is_all_or_nothing():
    cur = C.defaults()
    e = raises(ValueError, C.merge, cur, {"min_off_s": 240, "min_run_s": 5, "bogus": 1})
    msg = str(e)
    assert "min_run_s=5" in msg and "bogus" in msg and "nothing changed" in msg, msg
    eq(cur["min_off_s"], 180, "current untouched")
    new = C.merge(cur, {"min_off_s": 240})
    eq(new["min_off_s"], 240, "merged")
    eq(cur["min_off_s"], 180, "current still untouched")


def test_merge_keeps_thresholds_in_order():
    msg = str(raises(ValueError, C.merge, C.defaults(), {"heat_unlock_dC": -80}))
    assert "heat_lockout_dC" in msg and "heat_unlock_dC" in msg, msg
    new = C.merge(C.defaults(), {"heat_lockout_dC": -100, "heat_unlock_dC": -80})
    eq(new["heat_unlock_dC"], -80, "both moved together")


def test_check_refuses_values_one_by_one():
    acc, errors = C.check({"min_off_s": 300, "min_run_s": "x", "nope": 1, "units": "F"})
    eq(acc["min_off_s"], 300, "good value kept")
    eq(acc["min_run_s"], 180, "bad value left at default")
    eq(acc["units"], "F", "choice kept")
    eq(len(errors), 2, "one error per refused value")
    acc, errors = C.check({"freeze_dC": 40, "freeze_resume_dC": 30})
    eq((acc["freeze_dC"], acc["freeze_resume_dC"]), (0, 100), "out-of-order pair -> defaults")
    eq(len(errors), 1, "one error for the pair")
    acc, errors = C.check([1, 2])
    eq(acc, C.defaults(), "not a dict -> defaults")
    eq(len(errors), 1, "and says so")


def test_settings():
    eq(C.validate_setting("mode", "heat"), "heat", "mode")
    msg = str(raises(ValueError, C.validate_setting, "mode", "warm"))
    assert "warm" in msg and "off, cool, heat, auto, fan, dry" in msg, msg
    msg = str(raises(ValueError, C.validate_setting, "speed", "medium", ("low", "high")))
    assert "low, high" in msg, msg
    eq(C.setpoint_to_dC(21.5), 215, "C")
    eq(C.setpoint_to_dC(72, "F"), 222, "F")
    msg = str(raises(ValueError, C.setpoint_to_dC, 99))
    assert "16..30 C" in msg, msg
    msg = str(raises(ValueError, C.setpoint_to_dC, 99, "F"))
    assert "61..86 F" in msg, msg
    raises(ValueError, C.setpoint_to_dC, "22")
    acc, errors = C.check_settings({"mode": "cool", "setpoint": 23, "fan": "sometimes"})
    eq((acc["mode"], acc["setpoint_dC"], acc["fan"]), ("cool", 230, "auto"), "accepted")
    eq(len(errors), 1, "fan refused")
