"""Defrost: each transition driven by scripted coil temperatures, read as relay timelines.

Runs under MicroPython and CPython. The rig ticks once a second (bigger steps where a
test waits through hours); times in the timelines are seconds of sim time. Unless a
test says otherwise: esp32-devkitc (aux heat, three fan taps), heating to 22 C in a
19 C room (the call never ends), 0 C outdoors, the outdoor coil at -5 C, no random
restart delay, so the first start is at 180 s (min_off_s after power-up).
"""

import gc
import sys

from check import eq, raises
from heatpump import defrost as D
from replay_rig import Rig

HEAT = {"mode": "heat", "setpoint": 22}
WINTER = {"room": 19, "indoor_coil": 19, "outdoor": 0, "outdoor_coil": -5}
FANS = ("fan_indoor_low", "fan_indoor_med", "fan_indoor_high", "fan_outdoor")


def rig(config=None, board="esp32-devkitc", settings=None, temps=None):
    cfg = {"boot_delay_s": 0}
    for k in config or {}:
        cfg[k] = config[k]
    t = {}
    for k in WINTER:
        t[k] = WINTER[k]
    for k in temps or {}:
        t[k] = temps[k]
    r = Rig(board, settings=settings or HEAT, config=cfg, temps=t)
    return r


def dstate(r):
    return r.ctl.defrost


def relays_on(r):
    return [n for n in r.board.relays if r.on(n)]


def run_until_defrost(r, limit_s, step_ms=1000):
    return r.wait_until(lambda x: x.ctl.defrost_active, limit_s, step_ms)


def valve_moves_only_with_compressor_off(r):
    comp = False
    for _ms, name, on in r.hal.relay_log:
        if name == "compressor":
            comp = on
        elif name == "reversing_valve":
            assert not comp, "valve moved with the compressor on: %r" % (r.hal.relay_log,)


def melt(r, to_c=15, c_per_s=0.5):
    """The coil warms as the frost melts: ramp it up until the defrost ends."""
    while r.ctl.defrost_active:
        now = r.temps["outdoor_coil"]
        r.set_temp("outdoor_coil", min(to_c, now + c_per_s))
        r.step(1000)
    return r.now_s


# ---- timed -----------------------------------------------------------------------


def test_timed_defrost_full_sequence_with_its_pauses():
    # aux_delay_s at its maximum: the room (scripted, it never warms) stays 3 K below the
    # setpoint, so aux heat is staged only by the defrost's own rule.
    r = rig({"defrost_mode": "timed", "defrost_interval_s": 1800, "aux_delay_s": 3600})
    r.run(1979)
    eq(r.ctl.defrost_active, False, "1800 s of frozen-coil run not reached at 1979 s")
    r.run(1)
    eq(r.ctl.state, "defrost", "state")
    r.run(40)  # into the melt
    r.set_temp("outdoor_coil", 0)  # the frost melts at 0 C ...
    r.run(60)
    end = melt(r)  # ... then the bare coil warms to 13 C
    r.run(100)
    eq(
        r.timeline(since_s=1900),
        [
            (1980, "compressor", False),  # compressor off first ...
            (1980, "reversing_valve", True),  # ... the valve moves while it is off
            (1980, "fan_indoor_high", False),
            (1980, "fan_indoor_low", True),  # aux heat needs air: lowest tap
            (1980, "fan_outdoor", False),  # the heat goes into the ice
            (1980, "aux_heat", True),  # the room is over aux_pause_dK below
            (2010, "compressor", True),  # valve_shift_s (30 s) later: melting
            (end, "compressor", False),  # coil at 13 C: off ...
            (end, "reversing_valve", False),  # ... valve back while off
            # drip: the outdoor fan stays off; aux heat (the room still 3 K low) keeps
            # its air at the lowest tap
            (end + 30, "fan_indoor_low", False),  # drip time over: heating again, the
            (end + 30, "fan_indoor_high", True),  # user's speed for aux heat's air
            (end + 30, "fan_outdoor", True),
            (end + 30, "compressor", True),
            (end + 53, "aux_heat", False),  # the coil warm: the heat pump heats the room
        ],
        "timeline",
    )
    valve_moves_only_with_compressor_off(r)
    d = dstate(r)
    eq((d.counts[D.R_TIMED], d.ends[D.E_TEMP], d.frozen_ms), (1, 1, 0), "counting afresh")
    eq(r.ctl.seq.tally.starts_in_hour(), 1, "the restarts after a valve shift are not counted")


def test_only_frozen_coil_run_counts_towards_the_interval():
    r = rig({"defrost_mode": "timed", "defrost_interval_s": 1800})
    r.set_temp("outdoor_coil", 2)  # above defrost_start_dC: no frost
    r.run(1180)
    eq(dstate(r).frozen_ms, 0, "a coil above 0 C does not count")
    r.set_temp("outdoor_coil", 0)  # at the initiation temperature: counts
    t = run_until_defrost(r, 2000)
    eq(t, 1180 + 1800, "defrost after 1800 s of frozen-coil run")


def test_time_limit_ends_a_defrost_and_three_in_a_row_raise_D1():
    r = rig({"defrost_mode": "timed", "defrost_interval_s": 1800, "defrost_max_s": 300})
    ends = []
    for _ in range(3):
        start = run_until_defrost(r, 4000)
        r.wait_until(lambda x: not x.ctl.defrost_active, 400)
        ends.append(r.now_s - start)
        eq(r.ctl.fault_active("D1"), len(ends) == 3, "D1 after %d timeouts" % len(ends))
    eq(ends, [330, 330, 330], "30 s pause + 300 s of melting, the coil never clears")
    eq(r.hp.faults()[0]["code"], "D1", "logged")
    eq(r.ctl.state, "defrost", "drip pause after the third")
    r.run(60)
    eq(r.ctl.state, "heating", "heating goes on: D1 warns, it does not stop the unit")
    run_until_defrost(r, 4000)
    r.run(40)
    melt(r)
    eq(r.ctl.fault_active("D1"), False, "a defrost that clears the coil clears D1")
    eq(dstate(r).ends[D.E_TIME], 3, "three by time")


# ---- demand ----------------------------------------------------------------------


def test_demand_learns_the_clean_coil_then_defrosts_on_the_margin():
    r = rig()  # demand is the default
    r.run(180 + 600)  # 10 min of run: the learning window begins
    d = dstate(r)
    eq((d.ref.ok, d.rule), (False, D.RULE_LEARNING), "learning")
    r.run(120)
    eq((d.ref.ok, d.ref.dK), (True, 50), "clean coil: 5.0 K below the air")
    r.set_temp("outdoor_coil", -7.5)  # frost: 7.5 K below, short of 5 + 3 K
    r.run(1200)
    eq(r.ctl.defrost_active, False, "2.5 K beyond the reference: not yet")
    r.set_temp("outdoor_coil", -8.5)  # 8.5 K: beyond the 3 K margin
    beyond = r.now_s + 1  # from the next reading
    t = run_until_defrost(r, 600)
    eq(t, beyond + 119, "after 2 min beyond the margin")
    eq(d.reason, D.R_DEMAND, "reason")


def test_demand_waits_30_min_of_run_after_the_last_defrost():
    r = rig()
    r.run(180 + 1000)  # learned at 12 min of run
    eq(dstate(r).ref.ok, True, "learned")
    r.set_temp("outdoor_coil", -10)  # heavy frost already at 17 min
    t = run_until_defrost(r, 2000)
    eq(t, 180 + 1800, "not before 30 min of run since power-up")


def test_demand_on_a_dry_day_defrosts_only_at_the_6_h_limit():
    r = rig()  # the coil stays at its clean value all day: no frost forms
    t = run_until_defrost(r, 8 * 3600, step_ms=10_000)
    eq(t, 180 + 6 * 3600, "6 h of frozen-coil run")
    eq(dstate(r).reason, D.R_FORCED, "the 6 h limit")
    eq(dstate(r).counts, [0, 0, 1, 0], "no timed, no demand defrost before it")


def test_a_6_h_defrost_that_finds_no_ice_waits_12_h_for_the_next():
    r = rig()  # dry all day: the coil stays at its clean value
    first = run_until_defrost(r, 8 * 3600, step_ms=10_000)
    melt(r, c_per_s=1.0)  # a bare coil: through 0 C in 2 s, no ice to melt
    eq(dstate(r).timed_left_ms(), 12 * 3_600_000, "no ice found: the next limit is 12 h")
    r.set_temp("outdoor_coil", -5)  # heating again: the coil back at its clean value
    second = run_until_defrost(r, 14 * 3600, step_ms=10_000)
    eq(second - first > 12 * 3600, True, "12 h of frozen-coil run later: %d s" % (second - first))
    eq(dstate(r).reason, D.R_FORCED, "the limit again")
    r.run(40)  # into the melt
    r.set_temp("outdoor_coil", 0)  # ice: the coil sits at 0 C while it melts
    r.run(60)
    melt(r)
    eq(dstate(r).timed_left_ms(), 6 * 3_600_000, "ice found: back to 6 h")


def test_unstable_learning_falls_back_to_timed():
    r = rig({"defrost_interval_s": 2400})
    d = dstate(r)
    r.run(180 + 600)
    t = 0
    while d.rule == D.RULE_LEARNING:  # the coil reading jumps about: no clean value
        r.set_temp("outdoor_coil", -5 if t % 20 < 10 else -7)
        r.step(1000)
        t += 1
    eq((d.rule, d.ref.tries, d.ref.ok), (D.RULE_FALLBACK, 3, False), "three windows failed")
    eq(t, 360, "three 2-min windows")
    r.set_temp("outdoor_coil", -5)
    t = run_until_defrost(r, 3000)
    eq(t, 180 + 2400, "timed: defrost_interval_s of frozen-coil run")
    eq(d.reason, D.R_TIMED, "reason")


def test_short_runs_learn_over_several_runs():
    # A room that warms quickly: 4 min runs, of which the last minute is settled.
    r = rig()
    d = dstate(r)
    runs = 0
    while not d.ref.ok and runs < 10:
        r.set_temp("room", 19)
        r.wait_until(lambda x: x.on("compressor"), 3600)  # (6 starts an hour)
        r.run(240)
        r.set_temp("room", 23)
        r.wait_until(lambda x: not x.on("compressor"), 60)
        runs += 1
    eq((runs, d.ref.ok, d.ref.dK), (4, True, 50), "a settled minute of the 3rd and 4th runs")


# ---- sensors, modes, service -------------------------------------------------------


def test_coil_sensor_fault_defrosts_by_the_clock_and_ends_by_time():
    r = rig({"defrost_interval_s": 1800, "defrost_max_s": 300})
    r.run(200)
    r.break_sensor("outdoor_coil", "open")
    r.run(10)
    eq(r.ctl.active_codes(), ("S4",), "the sensor fault is raised")
    eq(r.ctl.state, "heating", "heating goes on without the coil sensor")
    eq(dstate(r).rule, D.RULE_SENSOR, "rule")
    start = run_until_defrost(r, 3000)
    eq(start, 180 + 1800, "by the clock (the outdoor air is cold enough to frost)")
    r.wait_until(lambda x: not x.ctl.defrost_active, 400)
    eq(r.now_s - start, 330, "time termination only")
    for _ in range(2):
        run_until_defrost(r, 3000)
        r.wait_until(lambda x: not x.ctl.defrost_active, 400)
    eq(r.ctl.fault_active("D1"), False, "no D1 without a coil reading")
    valve_moves_only_with_compressor_off(r)


def test_coil_sensor_fault_on_a_mild_day_no_defrost():
    r = rig({"defrost_interval_s": 1800}, temps={"outdoor": 8})
    r.break_sensor("outdoor_coil", "short")
    r.run(4000)
    eq(dstate(r).frozen_ms, 0, "no frost above 6 C outdoors")
    eq(r.ctl.state, "heating", "heating")


def test_no_defrost_in_cooling():
    r = rig(
        {"defrost_mode": "timed", "defrost_interval_s": 1800},
        settings={"mode": "cool", "setpoint": 20},
        temps={"room": 24, "outdoor": 15, "outdoor_coil": -2},
    )
    r.run(5000)
    eq(r.ctl.state, "cooling", "state")
    eq(dstate(r).counts, [0, 0, 0, 0], "never started in cooling")
    msg = str(raises(ValueError, r.hp.defrost))
    assert "only in heating" in msg and "cool" in msg, msg


def test_mode_change_aborts_a_defrost():
    r = rig({"defrost_mode": "timed", "defrost_interval_s": 1800})
    t = run_until_defrost(r, 3000)
    r.run(60)  # melting
    r.hp.set(mode="off")
    r.run(1)
    eq(r.ctl.defrost_active, False, "aborted")
    eq(r.on("compressor"), False, "compressor off")
    r.run(300)
    eq(r.on("reversing_valve"), False, "valve parked")
    eq(relays_on(r), [], "everything off")
    d = dstate(r)
    eq((d.ends[D.E_ABORT], d.frozen_ms >= 1_800_000), (1, True), "the frost is still there")
    r.hp.set(mode="heat")
    t = r.wait_until(lambda x: x.on("compressor"), 600)
    eq(r.ctl.defrost_active, False, "heating first ...")
    t = run_until_defrost(r, 600)
    eq(t, r.starts()[-1] + 180, "... a defrost after min_run_s")
    valve_moves_only_with_compressor_off(r)


def test_service_defrost_and_status():
    r = rig()
    r.run(300)
    st = r.hp.status()
    assert st["defrost"]["state"] == "watching", st["defrost"]
    assert "until the reference is learned" in st.text, st.text
    out = r.hp.defrost()
    assert "defrost starts once the heating run has done its min run" in out.text, out.text
    msg = str(raises(ValueError, r.hp.defrost))
    assert "already" in msg, msg
    r.run(60)  # the heating run (from 180 s) first does its min run
    eq(r.ctl.state, "defrost", "started after the min run")
    r.run(40)
    st = r.hp.status()
    eq(st["defrost"]["state"], "melting", "melting")
    eq(st["defrost"]["reason"], "manual", "reason")
    assert "defrost melting (manual)" in st.text, st.text
    r.run(20)
    melt(r)
    st = r.hp.status()
    eq(st["defrost"]["state"], "dripping", "dripping")
    s = r.hp.stats()
    eq(s["defrosts"]["manual"], 1, "stats by reason")
    assert "manual 1" in s.text, s.text


def test_defrost_config_is_checked_and_followed():
    r = rig()
    msg = str(raises(ValueError, r.hp.config, defrost_mode="clock"))
    assert "defrost_mode" in msg and "demand, timed" in msg, msg
    msg = str(raises(ValueError, r.hp.config, defrost_interval_s=600))
    assert "1800..7200" in msg, msg
    r.hp.config(defrost_mode="timed", defrost_interval_s=1800)
    eq(dstate(r).demand_mode, False, "hp.config reaches the defrost")
    t = run_until_defrost(r, 3000)
    eq(t, 180 + 1800, "timed at the new interval")


def test_indoor_fan_low_in_defrost_by_config_shared_motor_stays_off():
    r = rig({"defrost_mode": "timed", "defrost_interval_s": 1800, "defrost_fan": "low"})
    run_until_defrost(r, 3000)
    r.run(40)
    eq(relays_on(r), ["compressor", "reversing_valve", "fan_indoor_low", "aux_heat"], "devkitc")
    r = rig({"defrost_mode": "timed", "defrost_interval_s": 1800}, board="esp32-relay-x4")
    run_until_defrost(r, 3000)
    r.run(40)
    eq(relays_on(r), ["compressor", "reversing_valve"], "one motor: every fan off")


def test_update_allocates_nothing_in_steady_state():
    if sys.implementation.name != "micropython":
        return  # gc.mem_alloc is MicroPython's
    r = rig()
    r.run(180 + 900)  # heating, reference learned, watching
    ctl = r.ctl
    d = dstate(r)
    eq(d.ref.ok, True, "watching")
    d.update(1000, True, True, ctl.seq, ctl.sensors)
    gc.collect()
    gc.disable()
    try:
        before = gc.mem_alloc()  # pyright: ignore[reportAttributeAccessIssue]
        for _ in range(200):
            d.update(1000, True, True, ctl.seq, ctl.sensors)
        used = gc.mem_alloc() - before  # pyright: ignore[reportAttributeAccessIssue]
    finally:
        gc.enable()
    eq(used, 0, "bytes allocated by 200 updates")


def test_counters_survive_a_restart_through_the_snapshot():
    r = rig()
    r.run(300)
    r.hp.defrost()
    r.run(60)
    melt(r)
    saved = r.ctl.snapshot()["counters"]
    eq(saved["defrosts"]["manual"], 1, "in the snapshot")
    eq(saved["defrost_ends"]["coil clear"], 1, "how it ended")
    r2 = rig()
    saved["defrosts"]["timed"] = -4  # a damaged value is dropped, the rest kept
    saved["defrost_s"] = "x"
    r2.ctl.restore_counters(saved)
    d = dstate(r2)
    eq((d.counts, d.ends[D.E_TEMP], d.melt_s), ([0, 0, 0, 1], 1, 0), "restored")
