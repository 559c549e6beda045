"""Scenarios that read as specifications: a scripted run, the relay timeline expected.

Times are seconds of sim time; the controller ticks once a second. Unless a test
says otherwise the random restart delay after power-up is off (boot_delay_s=0), so
the first start comes exactly min_off_s (180 s) after power-up. Every scenario
also passes the independent invariant checker.
"""

import json
import math
import os

import pytest
from heatpump.board import load_board
from heatpump.hal.sim import SimHAL
from heatpump.ticks import PERIOD
from replay_rig import Rig

from tools import REPO
from tools.sim.invariants import check_invariants

NO_DELAY = {"boot_delay_s": 0}
COOL = {"mode": "cool", "setpoint": 23}
HEAT = {"mode": "heat", "setpoint": 22}
SUMMER = {"room": 26, "outdoor": 30, "outdoor_coil": 35}
WINTER = {"room": 19, "outdoor": 5, "outdoor_coil": 0, "indoor_coil": 19}


def rig(settings, temps, config=None, **kw):
    cfg = dict(NO_DELAY)
    cfg.update(config or {})
    return Rig(settings=settings, temps=temps, config=cfg, **kw)


def assert_invariants(r):
    assert check_invariants(r.hal.relay_log, r.board, r.config, r.ticks) == []


def faults(r):
    return r.ctl.active_codes()


# ---- compressor timers --------------------------------------------------------------


def test_cooling_cycle_min_off_after_boot_min_run_and_fan_overrun():
    r = rig(COOL, SUMMER)
    r.run(200)
    r.set_temp("room", 22)  # satisfied 20 s into the run
    r.run(300)
    assert r.timeline() == [
        (1, "reversing_valve", True),  # "O" board: energised for cooling, compressor off
        (180, "fan_indoor_high", True),  # fans first ...
        (180, "fan_outdoor", True),
        (180, "compressor", True),  # ... compressor last, min_off_s after power-up
        (360, "compressor", False),  # min_run_s holds it to 180 s
        (360, "fan_outdoor", False),
        (420, "fan_indoor_high", False),  # fan_overrun_s dries the coil
    ]
    assert_invariants(r)


def test_turning_off_still_waits_for_min_run():
    r = rig(COOL, SUMMER)
    r.run(200)
    r.hp.set(mode="off")
    r.run(10)
    assert r.ctl.state == "cooling" and "min run" in r.hp.status()["compressor"]
    r.run(200)
    assert r.changes("compressor") == [(180, True), (360, False)]
    assert r.changes("reversing_valve") == [(1, True), (360, False)]  # parked once off
    assert_invariants(r)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_power_up_waits_min_off_plus_a_random_delay(seed):
    r = Rig(settings=COOL, temps=SUMMER, seed=seed)  # boot_delay_s at its default, 30
    delay_ms = SimHAL(load_board("esp32-devkitc"), seed=seed).random_ms(30_000)
    r.run(250)
    first = r.starts()[0]
    assert first == math.ceil((180_000 + delay_ms) / 1000)
    assert 180 <= first <= 210
    assert_invariants(r)


def test_a_street_of_units_does_not_restart_together():
    firsts = set()
    for seed in range(1, 9):
        r = Rig(settings=COOL, temps=SUMMER, seed=seed)
        r.run(215)
        firsts.add(r.starts()[0])
    assert len(firsts) >= 6


def test_heat_to_cool_reversal_waits_min_off():
    r = rig(HEAT, WINTER | {"outdoor": 15})  # mild enough to cool
    r.run(300)
    assert r.on("compressor") and not r.on("reversing_valve")
    r.hp.set(mode="cool")
    r.set_temp("room", 26)  # a sudden call for cooling
    r.run(300)
    assert r.timeline(since_s=300) == [
        (360, "compressor", False),  # heating finishes its min run first
        (360, "reversing_valve", True),  # the valve moves only once it is off
        (360, "fan_indoor_high", False),
        (360, "fan_outdoor", False),
        (540, "fan_indoor_high", True),  # cooling waits min_off_s like any restart
        (540, "fan_outdoor", True),
        (540, "compressor", True),
    ]
    assert_invariants(r)


def test_at_most_six_starts_an_hour():
    r = rig(COOL, SUMMER, config={"min_off_s": 60, "min_run_s": 60})
    waited = False
    for _ in range(3800):
        r.set_temp("room", 21 if r.on("compressor") else 26)  # the call comes and goes
        r.step(1000)
        if 700 < r.now_s < 3600 and not waited:
            waited = "starts per hour" in r.hp.status()["compressor"]
    assert r.starts()[:7] == [60, 180, 300, 420, 540, 660, 3660]
    assert waited, "hp.status() says why the compressor waits"
    assert_invariants(r)


def test_timers_are_exact_across_the_clock_wrap():
    r = rig(COOL, SUMMER, start_ms=PERIOD - 100_000)  # ticks_ms() wraps 100 s after boot
    r.run(400)
    assert r.changes("compressor") == [(180, True)]
    assert_invariants(r)


# ---- fans ----------------------------------------------------------------------------


def test_anti_cold_blow_waits_for_a_warm_coil():
    # the indoor coil warms 0.5 K/s once running. The room calls but is less
    # than aux_droop_dK low, so no aux heat runs (and needs air) in the power-up wait.
    r = rig(HEAT, dict(WINTER, room=21.4))
    r.run(240)
    assert r.timeline() == [
        (180, "fan_outdoor", True),  # heating: the outdoor fan runs with the compressor
        (180, "compressor", True),
        (198, "fan_indoor_high", True),  # coil (at the room, 21.4 C) at 30 C after 18 s
    ]
    assert_invariants(r)


def test_anti_cold_blow_gives_up_after_two_minutes():
    r = rig(HEAT, dict(WINTER, room=21.4), coil_follows=False)
    r.set_temp("indoor_coil", 25)  # warm enough to pass the valve check, not for the fan
    r.run(320)
    assert r.changes("fan_indoor_high") == [(300, True)]
    assert_invariants(r)


def test_shared_motor_runs_slow_while_the_coil_is_cold():
    r = Rig("esp32-relay-x4", settings=HEAT, temps=WINTER, config=NO_DELAY, coil_follows=False)
    r.set_temp("indoor_coil", 25)
    r.run(320)
    assert r.timeline() == [
        (180, "fan_indoor_low", True),  # one motor: the outdoor coil needs air
        (180, "compressor", True),
        (300, "fan_indoor_low", False),  # break ...
        (300, "fan_indoor_high", True),  # ... before make, the user's speed
    ]
    assert_invariants(r)


def test_fan_mode_and_continuous_fan():
    r = rig({"mode": "fan", "speed": "medium"}, SUMMER)
    r.run(5)
    assert r.timeline() == [(1, "fan_indoor_med", True)]
    r.hp.set(mode="cool", fan="continuous", speed="low")
    r.set_temp("room", 23)  # no call: the fan alone keeps running
    r.run(5)
    assert r.timeline(since_s=5) == [
        (6, "reversing_valve", True),
        (6, "fan_indoor_med", False),
        (6, "fan_indoor_low", True),
    ]
    assert not r.on("compressor")
    r.hp.set(mode="off")
    r.run(2)
    assert not r.on("fan_indoor_low")
    assert_invariants(r)


def test_dry_cools_at_low_fan_and_stops_two_degrees_below():
    r = rig({"mode": "dry", "setpoint": 24, "speed": "high"}, {"room": 24.5, "outdoor": 28})
    r.run(200)
    assert r.on("compressor") and r.on("fan_indoor_low") and not r.on("fan_indoor_high")
    assert r.ctl.state == "drying"
    r.ramp("room", 22.5, 0.05)
    assert r.on("compressor"), "still above setpoint - 2 C"
    r.ramp("room", 21.9, 0.05)
    r.run(120)
    assert r.changes("compressor") == [(180, True), (360, False)]  # after its min run
    assert_invariants(r)


# ---- auto ----------------------------------------------------------------------------


def test_auto_changes_over_through_idle_after_the_minimum_time():
    r = rig({"mode": "auto", "setpoint": 22}, WINTER | {"room": 20, "outdoor": 15})
    r.run(210)
    assert r.ctl.state == "heating"
    r.set_temp("room", 24.5)  # overshoot: 2.5 C above, past the changeover band
    r.run(500)
    assert r.timeline(since_s=210) == [
        (360, "compressor", False),  # heat call over, min run done
        (360, "fan_indoor_high", False),
        (360, "fan_outdoor", False),
        (601, "reversing_valve", True),  # auto_min_mode_s (600 s) on heating first
        (601, "fan_indoor_high", True),
        (601, "fan_outdoor", True),
        (601, "compressor", True),
    ]
    assert_invariants(r)


# ---- protections ---------------------------------------------------------------------


def test_e1_coil_freeze_stops_cooling_fan_keeps_running_resumes_when_thawed():
    r = rig(COOL, SUMMER)
    r.run(200)
    r.coil_follows = False
    t0 = r.ramp("indoor_coil", -0.5)  # iced: the first reading below 0 C
    r.run(299)
    assert r.on("compressor") and "E1" not in faults(r)
    r.run(1)
    assert "E1" in faults(r) and not r.on("compressor")
    stop = r.now_s
    assert stop == t0 + 300
    assert r.on("fan_indoor_high") and not r.on("fan_outdoor")  # air thaws the coil
    r.ramp("indoor_coil", 9.7, 0.1)
    assert "E1" in faults(r), "still iced below 10 C"
    r.ramp("indoor_coil", 10.3)
    assert "E1" not in faults(r) and not r.on("compressor")
    r.coil_follows = True
    restart = r.wait_until(lambda r: r.on("compressor"), 300)
    assert restart == stop + 180  # thawed long before: min_off_s decides
    assert r.hp.faults()[0]["code"] == "E1"
    assert_invariants(r)


def test_e2_five_freezes_in_an_hour_lock_cooling_out_until_cleared():
    # Each run outlasts its min run, so these are not early stops (E9 would lock first).
    r = rig(COOL, SUMMER, config={"freeze_s": 60, "min_run_s": 60})
    for _ in range(5):
        r.coil_follows = True
        r.wait_until(lambda r: r.on("compressor"), 400)
        r.coil_follows = False
        r.ramp("indoor_coil", -1, 1)
        r.wait_until(lambda r: "E1" in faults(r), 120)
        r.ramp("indoor_coil", 12, 1)
    assert r.now_s < 3600
    assert "E2" in faults(r)
    r.coil_follows = True
    r.run(1200)
    assert not r.on("compressor") and r.ctl.state == "lockout"
    assert r.hp.clear() == ["E2"]
    r.run(1)
    assert r.on("compressor") and faults(r) == ()  # long past min_off_s: at once
    assert len(r.starts()) == 6 and r.hp.stats()["fault_counts"] == {"E1": 5, "E2": 1}
    assert_invariants(r)


def test_e3_coil_overheat_stops_heating_until_below_50():
    r = rig(HEAT, WINTER)
    r.run(300)
    r.coil_follows = False
    r.ramp("indoor_coil", 59.7)
    assert "E3" not in faults(r) and r.on("compressor")
    r.set_temp("indoor_coil", 60.3)
    r.run(1)
    assert "E3" in faults(r) and r.changes("compressor")[-1] == (r.now_s, False)
    assert r.on("fan_indoor_high") and not r.on("fan_outdoor")  # air cools the coil
    r.ramp("indoor_coil", 50.3)
    r.run(200)
    assert "E3" in faults(r) and not r.on("compressor")
    r.ramp("indoor_coil", 49.7)
    assert "E3" not in faults(r)
    r.coil_follows = True
    r.run(5)
    assert r.on("compressor")  # min off long over
    assert_invariants(r)


def test_e4_cold_outdoors_stops_the_heat_pump_and_aux_heat_takes_over():
    r = rig(HEAT, WINTER)
    r.run(400)
    # The board file's unit heats down to -15 C outdoors (its envelope), back 2 K above.
    r.ramp("outdoor", -14.7)
    assert "E4" not in faults(r) and r.on("compressor")
    r.set_temp("outdoor", -15.3)
    r.run(1)
    assert "E4" in faults(r) and r.changes("compressor")[-1] == (r.now_s, False)
    assert r.on("aux_heat") and r.on("fan_indoor_high") and r.ctl.state == "aux heat"
    r.ramp("outdoor", -13.3)
    assert "E4" in faults(r), "back only above -13 C"
    r.ramp("outdoor", -12.7)
    # The only heat until the heat pump heats again (after its min off), then off.
    assert "E4" not in faults(r) and r.on("aux_heat") and not r.on("compressor")
    r.run(200)
    assert r.on("compressor") and not r.on("aux_heat")
    assert_invariants(r)


def test_e4_without_aux_heat_the_unit_waits():
    r = Rig("esp32-relay-x4", settings=HEAT, temps=WINTER | {"outdoor": -10}, config=NO_DELAY)
    r.run(300)
    assert r.ctl.state == "lockout" and faults(r) == ("E4",) and r.timeline() == []
    assert_invariants(r)


def test_e5_e6_cooling_refused_outside_10_to_52_outdoors():
    r = rig(COOL, SUMMER | {"outdoor": 9, "outdoor_coil": 9})
    r.run(200)
    assert faults(r) == ("E5",) and r.ctl.state == "lockout" and not r.on("compressor")
    r.ramp("outdoor", 10.7)
    r.run(5)
    assert faults(r) == ("E5",), "hysteresis: back at 11 C"
    r.ramp("outdoor", 11.3)
    r.run(1)
    assert faults(r) == () and r.on("compressor")
    r.ramp("outdoor", 51.7)
    assert faults(r) == () and r.on("compressor")
    r.set_temp("outdoor", 52.3)
    r.run(1)
    assert faults(r) == ("E6",) and r.changes("compressor")[-1] == (r.now_s, False)
    assert_invariants(r)


def test_e7_full_condensate_pan_stops_cooling_at_once_and_resumes_when_it_drains():
    r = rig(COOL, SUMMER)
    r.run(200)
    r.hal.set_input("condensate_full", True)
    r.run(1)
    assert faults(r) == () and r.on("compressor")  # one reading may be a bounce
    r.run(1)
    assert faults(r) == ("E7",) and r.changes("compressor")[-1] == (202, False)
    r.run(100)
    r.hal.set_input("condensate_full", False)
    r.run(119)
    assert faults(r) == ("E7",), "the pan must read clear for 2 min"
    r.run(1)
    assert faults(r) == ()
    restart = r.wait_until(lambda r: r.on("compressor"), 200)
    assert restart == 302 + 120  # min off (180 s) ended before the pan drained
    assert_invariants(r)


def test_finding_3_a_chattering_float_switch_stops_the_compressor_once():
    r = rig(COOL, SUMMER)
    r.run(400)
    assert r.on("compressor")
    full = True
    for period_s in (2, 5, 3, 6, 4) * 60:  # 20 min of a switch flipping every 2-6 s
        r.hal.set_input("condensate_full", full)
        r.run(period_s)
        full = not full
    stops = [t for t, on in r.changes("compressor") if not on]
    assert len(stops) == 1 and faults(r) == ("E7",)
    assert_invariants(r)


def test_e7_does_not_stop_heating():
    r = rig(HEAT, WINTER)
    r.hal.set_input("condensate_full", True)
    r.run(200)
    assert r.on("compressor") and faults(r) == ()


@pytest.mark.parametrize("settings,temps", [(HEAT, WINTER), (COOL, SUMMER)])
def test_e8_stuck_valve_stops_the_compressor_until_cleared(settings, temps):
    r = rig(settings, temps | {"indoor_coil": temps["room"]}, coil_follows=False)
    r.run(479)
    assert r.on("compressor") and faults(r) == ()
    r.run(1)
    assert faults(r) == ("E8",) and r.changes("compressor") == [(180, True), (480, False)]
    r.run(600)
    assert not r.on("compressor") and r.ctl.state in ("lockout", "aux heat")
    if settings is HEAT:
        assert r.on("aux_heat"), "emergency heat while the heat pump is locked out"
    assert r.hp.clear() == ["E8"]
    r.coil_follows = True
    r.run(2)
    assert r.on("compressor")
    assert_invariants(r)


def test_sensor_fault_on_a_needed_sensor_stops_within_the_third_reading():
    r = rig(COOL, SUMMER)
    r.run(200)
    r.break_sensor("room", "open")
    r.run(2)
    assert r.on("compressor"), "two bad readings are held"
    r.run(1)
    assert not r.on("compressor") and faults(r) == ("S1",)
    assert r.hp.status()["temps"]["room"] is None
    r.break_sensor("room", None)
    r.run(30)
    assert faults(r) == ("S1",), "30 s of sane readings, counted from the first"
    r.run(1)
    assert faults(r) == ()
    assert r.hp.faults()[0]["text"].endswith("(open)")
    assert_invariants(r)


def test_sensor_fault_on_a_sensor_the_mode_does_not_need():
    r = rig(COOL, SUMMER)
    r.run(200)
    r.break_sensor("outdoor", "short")
    r.run(60)
    assert r.on("compressor") and faults(r) == ("S3",)  # cooling does without it
    r.hp.set(mode="heat")  # heating needs it (the heat-pump lockout reads it)
    r.run(1)
    assert not r.on("compressor")
    assert_invariants(r)


def test_impossible_jump_is_a_sensor_fault():
    r = rig(COOL, SUMMER)
    r.run(200)
    r.set_temp("indoor_coil", 60)  # 45 K in a second: a loose connector, not physics
    r.run(3)
    assert faults(r) == ("S2",) and not r.on("compressor")
    assert r.hp.faults()[0]["text"].endswith("(jump)")
    assert_invariants(r)


# ---- the defrost hook ----------------------------------------------------------------


class ScriptedDefrost:
    """Stands in for defrost.py: active between two times (s) of the rig's clock."""

    def __init__(self, hal, start_s, end_s):
        self.hal, self.start_s, self.end_s = hal, start_s, end_s

    def update(self, dt_ms, heat_side, heat_ok, seq, sensors):
        t = self.hal.elapsed_ms / 1000
        return self.start_s <= t < self.end_s


def test_defrost_step_soft_shifts_the_valve_both_ways():
    r = rig(HEAT, WINTER)  # the devkit board has aux heat
    r.ctl.defrost = ScriptedDefrost(r.ctl.hal, 600, 900)
    r.run(1100)
    starts_counted = r.ctl.seq.tally.starts_in_hour()
    assert r.timeline(since_s=500) == [
        (600, "compressor", False),  # soft shift: compressor off ...
        (600, "reversing_valve", True),  # ... valve to cooling while it is off
        (600, "fan_indoor_high", False),  # fans off in defrost ...
        (600, "fan_indoor_low", True),  # ... but aux heat tempers the air at low fan
        (600, "fan_outdoor", False),
        (600, "aux_heat", True),
        (630, "compressor", True),  # valve_shift_s (30 s), not min_off_s
        (900, "compressor", False),  # end: off again ...
        (900, "reversing_valve", False),  # ... valve back to heating
        (930, "fan_indoor_low", False),  # aux heat runs on (the room 3 K low) through
        (930, "fan_indoor_high", True),  # the drip and the coil's warm-up, with air
        (930, "fan_outdoor", True),
        (930, "compressor", True),  # 30 s later, heating again
        (953, "aux_heat", False),  # the coil warm: the heat pump heats the room
    ]
    assert starts_counted == 1, "the restarts after a valve shift are not counted"
    assert [c["state"] for c in r.ticks if c["ms"] in (600_000, 615_000, 915_000)] == [
        "defrost"
    ] * 3
    assert_invariants(r)


def test_power_up_in_a_cold_room_aux_heat_bridges_the_restart_wait():
    r = rig(HEAT, WINTER)  # 3 K below the setpoint: out of the 1 C comfort band already
    r.run(240)
    assert r.timeline() == [
        (1, "fan_indoor_high", True),  # aux heat needs air, at the user's speed
        (1, "aux_heat", True),  # the compressor must wait min_off_s after power-up
        (180, "fan_outdoor", True),
        (180, "compressor", True),
        (203, "aux_heat", False),  # the coil warm: the heat pump heats the room
    ]
    assert_invariants(r)


@pytest.mark.parametrize("room, aux", [(21.7, False), (21.4, False), (21.2, True)])
def test_a_defrost_takes_aux_heat_only_with_the_room_aux_pause_dk_low(room, aux):
    r = rig(HEAT, dict(WINTER, room=21.4))  # a call (21.5 C and below), 0.6 K low
    r.ctl.defrost = ScriptedDefrost(r.ctl.hal, 600, 900)
    r.run(300)
    r.set_temp("room", room)  # the call holds until 22.5 C
    r.run(650)
    # aux_pause_dK (0.7 K) or more below the setpoint: the room leaving the comfort band
    want = [(600, True), (949, False)] if aux else []
    assert r.changes("aux_heat") == want
    assert r.changes("compressor")[-3:] == [(630, True), (900, False), (930, True)]
    assert_invariants(r)


def test_defrost_without_aux_heat_keeps_both_fans_off():
    r = Rig("esp32-relay-x4", settings=HEAT, temps=WINTER, config=NO_DELAY)
    r.ctl.defrost = ScriptedDefrost(r.ctl.hal, 600, 900)
    r.run(950)
    assert r.timeline(since_s=500) == [
        (600, "compressor", False),
        (600, "reversing_valve", True),
        (600, "fan_indoor_high", False),  # the shared motor stops: no air in defrost
        (630, "compressor", True),
        (900, "compressor", False),
        (900, "reversing_valve", False),
        (930, "fan_indoor_low", True),  # shared motor, cold coil: low tap
        (930, "compressor", True),
    ]
    assert_invariants(r)


def test_a_shared_fan_motor_gets_no_aux_heat_in_a_defrost_or_its_drip(tmp_path):
    # The heater needs air, and one motor for both coils would turn the outdoor fan on
    # a melting or dripping coil: aux heat waits for the heating restart there.
    with open(os.path.join(REPO, "boards", "esp32-devkitc.json")) as f:
        board = json.load(f)
    board["shared_fan_motor"] = True
    del board["relays"]["fan_outdoor"]  # one motor: its taps drive both fans
    path = tmp_path / "shared.json"
    path.write_text(json.dumps(board))
    r = Rig(str(path), settings=HEAT, temps=WINTER, config=NO_DELAY)  # the room 3 K low
    r.ctl.defrost = ScriptedDefrost(r.ctl.hal, 600, 900)
    r.run(960)
    assert r.changes("aux_heat") == [
        (1, True),  # the power-up wait, the room 3 K low
        (203, False),  # the heat pump blows warm air
        (930, True),  # the defrost (600-900) and its drip (900-930) without it
        (953, False),  # warm air again
    ]
    for tap in ("fan_indoor_low", "fan_indoor_med", "fan_indoor_high"):
        assert not any(600 <= t < 930 and on for t, on in r.changes(tap)), tap
    assert_invariants(r)


def test_defrost_ending_with_the_room_warm_is_a_normal_stop_after_the_drip_pause():
    r = rig(HEAT, WINTER)
    r.ctl.defrost = ScriptedDefrost(r.ctl.hal, 600, 900)
    r.run(880)
    r.set_temp("room", 23)  # the call ends during the defrost
    r.run(60)
    assert r.changes("compressor")[-1] == (900, False)
    assert [c["state"] for c in r.ticks if c["ms"] in (900_000, 929_000, 931_000)] == [
        "defrost",
        "defrost",
        "idle",
    ]
    r.set_temp("room", 19)  # a new call: an ordinary start, min_off_s after the stop
    r.run(180)
    assert r.changes("compressor")[-1] == (1080, True)
    assert_invariants(r)
