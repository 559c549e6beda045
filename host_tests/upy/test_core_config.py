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
    msg = str(raises(ValueError, C.merge, C.defaults(), {"heat_lockout_dC": -100}))
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


# ---- issue 12, finding 8: values each in range but inconsistent together ---------------


def tuned():
    """A consistent config with every value off its default (a tuned unit): each number
    one step from its default, each choice on its other option."""
    cfg = {}
    for row in C.schema():
        key, default, lo, hi = row[0], row[1], row[2], row[3]
        if hi is None:
            cfg[key] = lo[1] if default == lo[0] else lo[0]
        else:
            cfg[key] = default + 1 if default < hi else default - 1
    return cfg


def test_finding_8_cold_blow_release_at_or_above_overheat_is_refused():
    cur = C.defaults()
    for changes in (
        {"cold_blow_dC": 450, "overheat_resume_dC": 440, "overheat_dC": 450},  # == E3 limit
        {"cold_blow_dC": 450, "overheat_resume_dC": 400},  # above the E3 resume level
        {"cold_blow_dC": 400, "overheat_resume_dC": 400},  # at it
    ):
        msg = str(raises(ValueError, C.merge, cur, changes))
        assert "cold_blow_dC=%d" % changes["cold_blow_dC"] in msg, msg
        assert "overheat_resume_dC=%d" % changes["overheat_resume_dC"] in msg, msg
        assert "nothing changed" in msg, msg
    eq(cur, C.defaults(), "nothing changed")
    new = C.merge(cur, {"cold_blow_dC": 399, "overheat_resume_dC": 400})
    eq((new["cold_blow_dC"], new["overheat_resume_dC"]), (399, 400), "just below: accepted")


def test_finding_8_stop_offset_at_or_beyond_the_auto_changeover_gap_is_refused():
    # In auto a heating call ends at setpoint + stop_dK and the side changes to cooling
    # at setpoint + changeover_dK: a stop at or beyond the changeover lands every
    # finished call on the other side's changeover (heat, cool, heat, ... all day).
    for stop, changeover in ((30, 20), (20, 20), (25, 5)):
        changes = {"stop_dK": stop, "changeover_dK": changeover}
        msg = str(raises(ValueError, C.merge, C.defaults(), changes))
        for part in ("stop_dK=%d" % stop, "changeover_dK=%d" % changeover, "nothing changed"):
            assert part in msg, msg
    new = C.merge(C.defaults(), {"stop_dK": 19, "changeover_dK": 20})
    eq((new["stop_dK"], new["changeover_dK"]), (19, 20), "a stop inside the gap")
    # start_dK has no such rule: beyond the changeover the call just starts later.
    eq(C.merge(C.defaults(), {"start_dK": 30})["start_dK"], 30, "start beyond changeover")


def test_finding_8_valve_shift_longer_than_min_off_is_refused():
    msg = str(raises(ValueError, C.merge, C.defaults(), {"min_off_s": 60, "valve_shift_s": 90}))
    assert "valve_shift_s=90" in msg and "min_off_s=60" in msg, msg
    eq(C.merge(C.defaults(), {"min_off_s": 60, "valve_shift_s": 60})["valve_shift_s"], 60, "=")


def test_finding_8_every_default_is_consistent_and_check_keeps_every_good_value():
    eq(C.check(C.defaults()), (C.defaults(), []), "defaults")
    cfg = tuned()
    eq(C.check(cfg), (cfg, []), "a tuned config is kept whole")
    # One pair out of order: those two at their defaults, every other value kept.
    bad = dict(cfg)
    bad["stop_dK"] = 25
    acc, errors = C.check(bad)
    eq(len(errors), 1, "one error")
    assert "stop_dK=25" in errors[0] and "changeover_dK=21" in errors[0], errors
    want = dict(cfg)
    want["stop_dK"] = 5
    want["changeover_dK"] = 20
    eq(acc, want, "only the inconsistent pair reset")


def test_finding_8_check_iterates_until_the_chain_is_consistent():
    # cold_blow < overheat_resume < overheat: resetting the first pair to its defaults
    # (300, 500) breaks the second (500 against the stored 450): it is reset too.
    acc, errors = C.check({"cold_blow_dC": 420, "overheat_resume_dC": 400, "overheat_dC": 450})
    eq(
        (acc["cold_blow_dC"], acc["overheat_resume_dC"], acc["overheat_dC"]),
        (300, 500, 600),
        "the whole chain at its defaults",
    )
    eq(len(errors), 2, "both pairs named")
    eq(C.check(acc), (acc, []), "the result is consistent")
    # valve_shift <= min_off: both at their defaults, the unrelated min_run kept.
    acc, errors = C.check({"min_off_s": 60, "valve_shift_s": 120, "min_run_s": 300})
    eq((acc["min_off_s"], acc["valve_shift_s"], acc["min_run_s"]), (180, 30, 300), "pair")
    eq(len(errors), 1, "one error")


# ---- issue 12, finding 10: setpoints no number can reach -------------------------------


def test_finding_10_non_finite_or_absurd_setpoint_is_refused_clearly():
    inf = float("inf")
    for value in (inf, -inf, float("nan"), 1e308, -1e308, 10**400, 1e30):
        for units, allowed in (("C", "16..30 C"), ("F", "61..86 F")):
            msg = str(raises(ValueError, C.setpoint_to_dC, value, units))
            assert msg.startswith("setpoint=") and "is out of range" in msg, msg
            assert "allowed " + allowed in msg, msg
    eq(C.setpoint_to_dC(30.0), 300, "the top of the range still works")
    eq(C.setpoint_to_dC(61, "F"), 161, "and in F")


def test_every_key_has_its_help_line_and_no_other_key_does():
    from heatpump.config_help import HELP

    keys = [row[0] for row in C.schema()]
    eq(sorted(HELP), sorted(keys), "the keys hp.config() explains")
    for key in keys:
        assert HELP[key] and len(HELP[key]) < 80, key


def test_the_freeze_trip_ring_holds_what_freeze_trips_allows():
    # Sized from the schema's maximum at start-up: raising the maximum makes the ring
    # larger, never leaves the rule counting fewer trips than it was set to.
    from heatpump import sensors as S
    from heatpump.protect import Protect

    cfg = C.defaults()
    pr = Protect(S.Sensors([None] * S.N_SENSORS, cfg), cfg, False, (-80, 100, 460))
    most = C.maximum("freeze_trips")
    for _ in range(most + 1):
        pr._trips.note()
    eq(pr._trips.count() >= most, True, "freeze trips counted: as many as freeze_trips allows")
