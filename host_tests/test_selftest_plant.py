"""The commissioning self-test in a closed loop: firmware + SimHAL + the plant model.

A healthy simulated unit passes; a stuck reversing valve, a broken sensor, a blocked
drain, an undersized unit (and a few installation mistakes) each fail it at the step
that finds them, with a message naming what to check. Every run also passes the
independent invariant checker (tools/sim/invariants.py): the self-test drives the relays
only through the sequencer, so the compressor timers and the valve rule hold.
"""

import json
import os

import pytest
from heatpump.api import Api
from heatpump.board import Board, load_board
from heatpump.controller import Controller
from heatpump.hal.sim import SimHAL
from heatpump.selftest import N_LINES, SelfTest
from hypothesis import given, settings
from hypothesis import strategies as st

from tools.plant import DailyWeather, Plant, UnitParams
from tools.sim.invariants import check_invariants, tick_context

SUMMER = {"room_c": 26.0, "outdoor_c": 30.0}
SPRING = {"room_c": 21.0, "outdoor_c": 14.0}
WINTER = {"room_c": 19.0, "outdoor_c": 2.0}
SMALL_UNIT = UnitParams(cool_rated_w=1200.0, heat_rated_w=1100.0)  # a third of the 12k default


class Bench:
    """The firmware against the plant, ticked once a second as the app does."""

    def __init__(
        self,
        room_c=26.0,
        outdoor_c=30.0,
        rh=50.0,
        unit=None,
        board="esp32-devkitc",
        plant_valve=None,
        path=None,
        config=None,
    ):
        self.board = board if isinstance(board, Board) else load_board(board)
        self.hal = SimHAL(self.board)
        self.plant = Plant(
            DailyWeather(outdoor_c, outdoor_c, rh),
            unit=unit or UnitParams(),
            start_room_c=room_c,
            start_room_rh=rh,
            valve=plant_valve or self.board.valve,
            shared_fan_motor=self.board.shared_fan_motor,
        )
        self.config = {"boot_delay_s": 0}
        self.config.update(config or {})
        self.ctl = Controller(self.hal, config=self.config)
        self.st = SelfTest(path)
        self.ctl.selftest = self.st
        self.hp = Api(self.ctl)
        self.coil_offset_c = 0.0  # a coil sensor that reads this much off
        self.broken = {}
        self.ticks = []
        self.printed = []  # progress lines, as the app prints them
        self._seen = 0
        self.run(5)

    def break_sensor(self, sensor, how):
        self.hal.break_sensor(sensor, how)
        self.broken[sensor] = how

    def step(self):
        relays = {name: self.hal.relay(name) for name in self.board.relays}
        self.plant.step(1.0, relays)
        for name, c in self.plant.sensor_temps().items():
            if name not in self.board.thermistors:
                continue  # a sensor this board has not got (supply air)
            if name == "indoor_coil":
                c += self.coil_offset_c
            self.hal.set_temp(name, c)
        if "condensate_full" in self.board.inputs:
            self.hal.set_input("condensate_full", self.plant.condensate_full)
        self.hal.advance(1000)
        self.ctl.tick()
        self.ticks.append(tick_context(self.ctl, self.hal, self.broken))
        lines, self._seen = self.st.new_lines(self._seen)
        self.printed += lines

    def run(self, seconds):
        for _ in range(seconds):
            self.step()

    def selftest(self, modes="both", limit_s=2400):
        started = self.hp.selftest(modes)
        assert started["started"], started.text
        return self.finish(limit_s)

    def finish(self, limit_s=2400):
        for _ in range(limit_s):
            if not self.st.active:
                break
            self.step()
        assert not self.st.active, f"self-test still running after {limit_s} s"
        return self.hp.selftest_report()

    @property
    def now_s(self):
        return self.hal.elapsed_ms // 1000

    def relays_on(self):
        return [name for name in self.board.relays if self.hal.relay(name)]

    def starts(self):
        return [ms // 1000 for ms, name, on in self.hal.relay_log if name == "compressor" and on]

    def violations(self):
        return check_invariants(self.hal.relay_log, self.board, self.config, self.ticks)


def by_check(report):
    return {c["check"]: c for c in report["checks"]}


def failed(report):
    """(step, check, message) of the failing check."""
    bad = [c for c in report["checks"] if c["result"] == "fail"]
    assert len(bad) == 1, report["checks"]
    return bad[0]["step"], bad[0]["check"], bad[0]["message"]


# ---- a healthy unit ------------------------------------------------------------------


@pytest.mark.parametrize("weather", [SUMMER, SPRING], ids=["summer", "spring"])
def test_healthy_unit_passes_both_modes(weather):
    b = Bench(**weather)
    rep = b.selftest()
    assert rep["result"] == "pass", rep.text
    assert [c["step"] for c in rep["checks"]] == ["sensors"] * 6 + [
        "condensate",
        "fan",
        "cooling",
        "changeover",
        "heating",
        "valve",
    ]
    assert all(c["result"] == "pass" for c in rep["checks"])
    checks = by_check(rep)
    assert checks["cooling"]["value"] >= 15.0  # K below room air after 180 s
    assert checks["heating"]["value"] >= 15.0  # K above room air
    assert checks["changeover"]["value"] >= 180  # s the compressor rested
    assert rep["not_run"] == [] and rep["failed_step"] is None
    # Two starts, min off between them, the test ends as the heating run's min run does.
    first, second = b.starts()
    assert first == 180  # min off after power-up (boot_delay_s=0)
    stop = [ms // 1000 for ms, n, on in b.hal.relay_log if n == "compressor" and not on][0]
    assert stop - first >= 180 and second - stop >= 180
    assert 11 * 60 <= rep["duration_s"] <= 13 * 60
    assert b.violations() == []
    # Printed as it went, ending with the verdict; afterwards the unit is off.
    assert any("4/7 cooling" in line for line in b.printed)
    assert "self-test PASS" in b.printed[-2]
    b.run(120)
    assert b.relays_on() == [] and b.ctl.mode == "off"
    assert "PASS" in rep.text and "reversing valve" in rep.text


def test_shared_fan_motor_board_passes_and_tests_each_speed():
    b = Bench(board="esp32-relay-x4", **SUMMER)
    rep = b.selftest()
    assert rep["result"] == "pass", rep.text
    assert by_check(rep)["indoor fan"]["measured"] == "low, high on 10 s each"
    taps = [(ms // 1000, n) for ms, n, on in b.hal.relay_log if n.startswith("fan_indoor") and on]
    assert tuple(n for _t, n in taps[:2]) == ("fan_indoor_low", "fan_indoor_high")
    assert b.violations() == []


def test_status_shows_the_step_while_running_and_progress_is_kept():
    b = Bench(**SUMMER)
    b.hp.selftest()
    b.run(75)  # 60 s of sensor settling, then the fan speeds
    status = b.hp.status()
    assert status["selftest"].startswith("step 3/7 fan")
    assert b.ctl.state == "self-test"
    assert "self-test running: step 3/7 fan" in status.text
    lines = b.hp.selftest_progress()
    assert lines[0].startswith("self-test started") and "indoor fan at low" in lines.text
    b.finish()
    assert b.hp.status()["selftest"] is None


def test_progress_ring_keeps_the_latest_lines():
    st = SelfTest()
    for k in range(N_LINES + 5):
        st.line(f"line {k}")
    lines, seen = st.new_lines(0)
    assert seen == N_LINES + 5 and lines[0] == "line 5" and lines[-1] == f"line {N_LINES + 4}"
    assert st.new_lines(seen) == ([], seen)
    st.line("one more")
    assert st.new_lines(seen) == (["one more"], seen + 1)


# ---- refusals ------------------------------------------------------------------------


def test_winter_refuses_cooling_offers_heating_and_heating_alone_passes():
    b = Bench(**WINTER)
    out = b.hp.selftest()
    assert out["started"] is False
    assert "cooling cannot be tested at 2.0 C outdoors" in out["reason"]
    assert "below 10.0 C outdoors" in out["reason"]
    assert 'hp.selftest(modes="heat")' in out["reason"]
    assert not b.st.active and b.ctl.mode == "off" and b.hal.relay_log == []
    rep = b.selftest("heat")
    assert rep["result"] == "pass", rep.text
    steps = [c["step"] for c in rep["checks"]]
    assert "cooling" not in steps and "heating" in steps
    # The board's valve is "O" (energised in cooling): heating never energised it, and
    # the report says that its coil and relay were not proven.
    valve = by_check(rep)["reversing valve"]
    assert valve["limit"].endswith("(heating only: at rest; energised (coil, relay) not tested)")
    assert [on for _ms, n, on in b.hal.relay_log if n == "reversing_valve" and on] == []
    assert max(len(line) for line in rep.text.split("\n")) <= 80, rep.text  # a terminal's
    assert b.violations() == []


def test_hot_day_refuses_heating_offers_cooling():
    b = Bench(room_c=28.0, outdoor_c=35.0)
    out = b.hp.selftest()
    assert out["started"] is False and "heating cannot be tested at 35.0 C" in out["reason"]
    assert 'hp.selftest(modes="cool")' in out["reason"]
    rep = b.selftest("cool")
    assert rep["result"] == "pass", rep.text
    assert b.violations() == []


def test_too_cold_for_either_mode():
    # Below the unit's heating envelope (-15 C in the devkitc board file's unit).
    b = Bench(room_c=18.0, outdoor_c=-18.0)
    out = b.hp.selftest("heat")
    assert out["started"] is False
    assert "heat pump is locked out below -15.0 C outdoors" in out["reason"], out["reason"]
    assert "neither mode can be tested" in b.hp.selftest()["reason"]


def test_the_refusal_keeps_the_lockouts_hysteresis():
    # -6 C outdoors, locked out at -5 C; the limit then lowered to -7 C (resume above
    # -5 C): the heat pump stays locked out until -5 C, so heating cannot be tested.
    b = Bench(room_c=18.0, outdoor_c=-6.0, config={"heat_lockout_dC": -50, "heat_unlock_dC": -40})
    b.hp.config(heat_lockout_dC=-70, heat_unlock_dC=-50)
    b.run(5)
    why = b.hp.selftest("heat")["reason"]
    assert "heating cannot be tested at -6.0 C" in why, why
    assert "locked out below -7.0 C outdoors, until it is above -5.0 C" in why, why


def test_bad_modes_name_the_allowed_values_and_change_nothing():
    b = Bench(**SUMMER)
    with pytest.raises(ValueError, match=r"modes='warm' is not allowed: allowed both, cool, heat"):
        b.hp.selftest("warm")
    assert not b.st.active and b.st.n_lines == 0


def test_a_second_start_while_running_is_refused():
    b = Bench(**SUMMER)
    b.hp.selftest()
    b.run(30)
    out = b.hp.selftest("cool")
    assert out["started"] is False and "already running (step sensors)" in out["reason"]
    assert b.st.modes == "both"


def test_no_start_during_a_defrost():
    class AlwaysDefrosting:
        def update(self, dt_ms, heat_side, heat_ok, seq, sensors):
            return True

    b = Bench(**SPRING)
    b.ctl.defrost = AlwaysDefrosting()
    b.run(1)
    out = b.hp.selftest()
    assert out["started"] is False and "a defrost is running" in out["reason"]


# ---- injected faults: each fails at its step, with what to check -------------------------


@pytest.mark.parametrize("stuck", ["heat", "cool"])
def test_stuck_reversing_valve(stuck):
    b = Bench(**SUMMER)
    b.plant.set_stuck_valve(stuck)
    rep = b.selftest()
    assert rep["result"] == "fail"
    step, check, msg = failed(rep)
    want_step = "cooling" if stuck == "heat" else "heating"
    assert (step, check, rep["failed_step"]) == (want_step, "reversing valve", want_step)
    assert f"the reversing valve is in the {stuck}ing position" in msg
    assert "GPIO22" in msg and 'reversing_valve is "O"' in msg
    assert rep["message"] == msg and f"FAIL at step {want_step}" in b.printed[-2]
    assert b.violations() == []


def devkitc_with_valve(valve):
    with open(os.path.join("boards", "esp32-devkitc.json")) as f:
        d = json.load(f)
    d["reversing_valve"] = valve
    return Board.from_dict(d)


def test_a_b_valve_unit_with_a_b_board_file_passes():
    b = Bench(board=devkitc_with_valve("B"), plant_valve="B", **SUMMER)
    rep = b.selftest()
    assert rep["result"] == "pass", rep.text
    # "B": energised in heating only, and never with the compressor on
    assert [on for _ms, n, on in b.hal.relay_log if n == "reversing_valve"] == [True, False]
    assert b.violations() == []


def test_board_file_with_the_wrong_valve_convention_fails_at_cooling():
    b = Bench(board=devkitc_with_valve("B"), plant_valve="O", **SUMMER)  # an "O" unit
    step, check, msg = failed(b.selftest())
    assert (step, check) == ("cooling", "reversing valve")
    assert 'reversing_valve is "B"' in msg and "change it" in msg


@pytest.mark.parametrize(
    "sensor,how,pin",
    [
        ("room", "open", 36),
        ("indoor_coil", "short", 39),
        ("outdoor", "open", 34),
        ("outdoor_coil", "open", 35),
    ],
)
def test_broken_sensor_fails_at_the_sensor_step(sensor, how, pin):
    b = Bench(**SPRING)
    b.break_sensor(sensor, how)
    b.run(5)
    rep = b.selftest()
    step, check, msg = failed(rep)
    assert (step, check) == ("sensors", sensor.replace("_", " ") + " sensor")
    assert f"{how} circuit" in msg and f"GPIO{pin}" in msg
    assert rep["not_run"][0] == "condensate"
    assert (rep["outdoor_c"] is None) == (sensor == "outdoor")
    assert b.starts() == []
    assert b.violations() == []


def test_sensor_breaking_during_cooling_stops_it_and_fails_the_test():
    b = Bench(**SUMMER)
    b.hp.selftest()
    while not b.ctl.seq.comp_on:
        b.step()
    b.run(30)
    b.break_sensor("indoor_coil", "open")
    rep = b.finish()
    step, check, msg = failed(rep)
    assert (step, check) == ("cooling", "indoor coil sensor")
    assert "open circuit (S2)" in msg
    assert not b.hal.relay("compressor")  # the protection stopped it within min run
    assert b.violations() == []


def test_coil_sensor_off_the_coil_fails_the_agreement_check():
    b = Bench(**SPRING)
    b.coil_offset_c = 6.0  # reads 6 K warm: not clipped to the coil, or a wrong part
    step, check, msg = failed(b.selftest())
    assert (step, check) == ("sensors", "room and indoor coil agree")
    assert "clipped to the coil" in msg


def test_blocked_drain_fails_at_the_condensate_switch():
    b = Bench(room_c=27.0, outdoor_c=29.0, rh=60.0)
    b.plant.set_drain_blocked(True)
    b.hp.set(mode="cool", setpoint=18)
    b.run(45 * 60)  # cooling with a blocked drain fills the pan
    assert b.plant.condensate_full
    b.hp.set(mode="off")
    b.run(300)
    rep = b.selftest()
    step, check, msg = failed(rep)
    assert (step, check) == ("condensate", "condensate switch")
    assert "drain outlet is clear" in msg and "GPIO27" in msg
    assert b.violations() == []


def test_undersized_unit_fails_at_cooling():
    b = Bench(unit=SMALL_UNIT, **SUMMER)
    rep = b.selftest()
    step, check, msg = failed(rep)
    assert (step, check) == ("cooling", "cooling")
    assert by_check(rep)["cooling"]["value"] < 10.0
    assert "cooling too weak" in msg and "tools.install.sizing" in msg
    assert b.violations() == []


def test_undersized_unit_fails_heating_alone_too():
    b = Bench(unit=SMALL_UNIT, **WINTER)
    rep = b.selftest("heat")
    step, check, msg = failed(rep)
    assert (step, check) == ("heating", "heating")
    assert "heating too weak" in msg


# ---- the report on flash ---------------------------------------------------------------


def test_report_is_kept_on_flash_and_read_back_after_a_restart(tmp_path):
    path = str(tmp_path / "selftest.json")
    b = Bench(path=path, **SPRING)
    assert b.hp.selftest_report().text.startswith("no self-test report yet")
    rep = b.selftest("cool")
    assert b.st.save() is False  # selftest_report() saved it already
    assert sorted(os.listdir(tmp_path)) == ["selftest.json"]  # written via temp + rename
    with open(path) as f:
        assert json.load(f)["values"]["result"] == "pass"
    # After a restart: a new controller and self-test object find it on flash.
    again = Bench(path=path, **SPRING)
    back = again.hp.selftest_report()
    assert dict(back) == json.loads(json.dumps(dict(rep)))
    assert back.text == rep.text


def test_a_corrupt_report_file_is_set_aside(tmp_path):
    path = tmp_path / "selftest.json"
    path.write_text("{not json")
    b = Bench(path=str(path), **SPRING)
    assert b.hp.selftest_report().text.startswith("no self-test report yet")
    assert (tmp_path / "selftest.bad.json").exists()
    assert b.st.store_faults and "not valid JSON" in b.st.store_faults[0][1]


# ---- cancelling ------------------------------------------------------------------------


def test_cancel_when_nothing_runs_says_so():
    b = Bench(**SPRING)
    out = b.hp.selftest_cancel()
    assert out["cancelled"] is False and out.text == "no self-test is running"


@settings(max_examples=settings().max_examples // 4)  # 125; 1250 with make test-long
@given(
    cancel_s=st.integers(0, 800),
    modes=st.sampled_from(["both", "cool"]),
    weather=st.sampled_from([SUMMER, SPRING]),
    how=st.sampled_from(["cancel=True", "selftest_cancel"]),
)
def test_cancel_at_any_time_leaves_relays_off_and_timers_kept(cancel_s, modes, weather, how):
    b = Bench(**weather)
    b.hp.selftest(modes)
    for _ in range(cancel_s):
        if not b.st.active:
            break
        b.step()
    running = b.st.active
    step = b.st.name() if running else None
    out = b.hp.selftest(cancel=True) if how == "cancel=True" else b.hp.selftest_cancel()
    assert out["cancelled"] is running
    at = b.now_s
    starts_before = len(b.starts())
    b.run(180 + 60 + 5)  # the longest tail: min run, then the fan overrun
    assert b.relays_on() == []
    assert len(b.starts()) == starts_before  # nothing started after the cancel
    stops = [ms / 1000 for ms, n, on in b.hal.relay_log if n == "compressor" and not on]
    if b.starts():
        # Stopped as soon as min run allowed it, not later.
        assert stops and stops[-1] <= max(at, b.starts()[-1] + 180) + 1
    assert b.violations() == []
    if running:
        rep = b.hp.selftest_report()
        assert rep["result"] == "cancelled" and rep["not_run"][0] == step
        assert "not a verdict on the unit" in rep["message"]
