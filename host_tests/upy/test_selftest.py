"""The self-test under both interpreters, against the replay rig's scripted unit.

The rig's indoor coil follows the relays the way a working unit's does (12 K below the
room in cooling, 20 K above in heating), so the same run passes on CPython and under
MicroPython; the plant-model runs are in host_tests/test_selftest.py.
"""

import sys

from check import eq, raises
from heatpump import lazy
from heatpump.selftest import SelfTest
from heatpump.selftest_report import report_text
from replay_rig import Rig

MILD = {"room": 24, "indoor_coil": 24, "outdoor": 20, "outdoor_coil": 20}


def rig(temps=None):
    r = Rig(config={"boot_delay_s": 0}, temps=temps or MILD)
    r.ctl.selftest = SelfTest()
    r.run(5)
    return r


def finish(r, limit_s=1500):
    n = 0
    while r.ctl.selftest.active:
        r.step(1000)
        n += 1
        if n > limit_s:
            raise AssertionError("self-test still running after %d s" % limit_s)
    return r.hp.selftest_report()


def test_passes_on_a_working_unit():
    r = rig()
    out = r.hp.selftest()
    eq(out["started"], True, "started")
    rep = finish(r)
    eq(rep["result"], "pass", report_text(rep))
    eq(len(rep["checks"]), 12, "checks")
    starts = r.starts()
    eq(len(starts), 2, "compressor starts")
    stop = [t for t, on in r.changes("compressor") if not on][0]
    if not (stop - starts[0] >= 180 and starts[1] - stop >= 180):
        raise AssertionError("timers not kept: %r" % r.changes("compressor"))
    valve = r.changes("reversing_valve")
    for t, _on in valve:
        if t in starts:
            raise AssertionError("valve moved as the compressor started: %r" % valve)
    r.run(120)
    eq([n for n in r.board.relays if r.on(n)], [], "relays on after the test")
    text = report_text(rep)
    if not text.startswith("self-test PASS (both,"):
        raise AssertionError(text)


def test_the_longest_heating_window_the_config_allows_is_not_cut_by_the_supervisor():
    # cold_blow_max_s=600 (its top) makes the heating window 660 s; the supervisor
    # bounded a test run at min_run_s + 300 s, stopped it, logged A3 (a "firmware
    # fault") and cancelled the test.
    r = Rig(
        config={"boot_delay_s": 0, "cold_blow_max_s": 600, "min_run_s": 60},
        temps={"room": 20, "indoor_coil": 20, "outdoor": 10, "outdoor_coil": 10},
    )
    r.ctl.selftest = SelfTest()
    r.run(5)
    eq(r.hp.selftest(modes="heat")["started"], True, "started")
    rep = finish(r)
    eq(rep["result"], "pass", report_text(rep))
    eq([f["code"] for f in r.hp.faults()], [], "faults")


def test_no_defrost_is_asked_for_during_a_self_test_nor_carried_into_one():
    # Asked during the test's heating run, hp.defrost() was accepted, did nothing in the
    # test and started a defrost on a clean coil minutes after it; one asked just before
    # the test did the same.
    frosty = {"room": 20, "indoor_coil": 20, "outdoor": 2, "outdoor_coil": -4}
    r = Rig(config={"boot_delay_s": 0}, temps=frosty, settings={"mode": "heat"})
    r.ctl.selftest = SelfTest()
    r.wait_until(lambda r: r.ctl.seq.heating(), 600)
    r.run(30)  # inside min run: the defrost waits for it
    eq(r.hp.defrost()["defrost"], "requested", "asked while heating")
    eq(r.hp.selftest(modes="heat")["started"], True, "the test takes over")
    r.wait_until(lambda r: r.ctl.seq.heating(), 900)
    r.run(200)
    msg = str(raises(ValueError, r.hp.defrost))
    assert "a self-test is running: no defrost until it ends" in msg, msg
    r.hp.set(mode="heat")  # a person's setting for after the test
    finish(r)
    r.set_temp("outdoor_coil", 8)  # clean: only a carried-over request would defrost now
    for _ in range(1800):
        r.step(1000)
        eq(r.ctl.defrost_active, False, "a defrost after the test")


def test_refuses_cooling_in_winter_and_changes_nothing():
    r = rig({"room": 19, "indoor_coil": 19, "outdoor": 2, "outdoor_coil": 0})
    out = r.hp.selftest()
    eq(out["started"], False, "started")
    if 'hp.selftest(modes="heat")' not in out["reason"]:
        raise AssertionError(out["reason"])
    eq(r.ctl.selftest.active, False, "active")
    eq(r.hal.relay_log, [], "relay log")


def test_coil_warming_in_cooling_fails_at_the_valve():
    r = rig()
    r.coil_follows = False
    r.hp.selftest()
    while r.ctl.selftest.active:
        if r.ctl.seq.comp_on:
            r.set_temp("indoor_coil", r.temps["indoor_coil"] + 0.5)  # heats, not cools
        r.step(1000)
    rep = r.hp.selftest_report()
    eq(rep["failed_step"], "cooling", "failed step")
    eq(rep["checks"][-1]["check"], "reversing valve", "check")


def test_cancel_lets_min_run_finish_then_all_off():
    r = rig()
    r.hp.selftest()
    r.wait_until(lambda x: x.ctl.seq.comp_on, 400)
    started = r.now_s
    r.run(30)
    eq(r.hp.selftest(cancel=True)["cancelled"], True, "cancelled")
    r.run(100)
    eq(r.on("compressor"), True, "compressor inside its min run")
    r.run(200)
    eq([n for n in r.board.relays if r.on(n)], [], "relays on")
    stop = r.changes("compressor")[-1]
    eq(stop, (started + 180, False), "stop at min run")
    eq(r.hp.selftest_report()["result"], "cancelled", "result")


def test_the_tick_imports_nothing_while_the_test_runs():
    # Every step's module comes in when the test starts (at the REPL); the control
    # tick, which runs the steps, does no file I/O.
    r = rig()
    eq(r.hp.selftest()["started"], True, "started")
    before = set(sys.modules)
    rep = finish(r)
    eq(rep["result"], "pass", report_text(rep))
    eq(sorted(set(sys.modules) - before), [], "modules imported by the ticks")


def test_a_heap_too_full_for_the_steps_refuses_the_start_and_changes_nothing():
    r = rig()
    r.hp.set(mode="cool", setpoint=22)
    real = lazy.use

    def full(name):
        if name == "selftest_runs":
            raise MemoryError("memory allocation failed, allocating 5939 bytes")
        return real(name)

    lazy.use = full
    try:
        e = raises(MemoryError, r.hp.selftest)
    finally:
        lazy.use = real
    assert "not enough free heap" in str(e) and "runs on" in str(e), e
    eq(r.ctl.mode, "cool", "the mode stays")
    eq(r.ctl.selftest.active, False, "no test running")
    eq(r.hp.selftest()["started"], True, "once there is room, it starts")
