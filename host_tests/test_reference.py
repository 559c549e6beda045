"""The reference "standard" controller: relay timelines of an ESPHome-style thermostat
with a timed defrost board, driven on the simulated board without a plant."""

import json
import os

import pytest
from heatpump.hal.sim import SimHAL

from tools import REPO
from tools.sim.reference import StandardThermostat, check_config


def make(board="esp32-devkitc", config=None, room=20.0, coil=10.0, **settings):
    hal = SimHAL(board)
    hal.set_temp("room", room)
    hal.set_temp("outdoor_coil", coil)
    return hal, StandardThermostat(hal, config or {}, settings)


def run(hal, ctl, seconds, **temps):
    """Hold the given temperatures for `seconds` simulated seconds, one tick each."""
    for sensor, c in temps.items():
        hal.set_temp(sensor, c)
    for _ in range(seconds):
        hal.advance(1000)
        ctl.tick()


def run_until(hal, ctl, relay, on, limit_s):
    """Seconds until `relay` reads `on` (ticking), or fail after limit_s."""
    for s in range(1, limit_s + 1):
        hal.advance(1000)
        ctl.tick()
        if hal.relay(relay) == on:
            return s
    raise AssertionError(f"{relay} not {'on' if on else 'off'} within {limit_s} s")


def changes(hal, name):
    """[(t_s, on)] of one relay from the log."""
    return [(ms / 1000, on) for ms, n, on in hal.relay_log if n == name]


# ---- thermostat: deadband and overrun -----------------------------------------------


def test_heating_starts_half_a_degree_below_and_stops_half_a_degree_above_setpoint():
    hal, ctl = make(room=20.6, mode="heat", setpoint=21.0)
    run(hal, ctl, 120)
    assert not hal.relay("compressor") and ctl.view()["state"] == "idle"
    run(hal, ctl, 1, room=20.5)
    assert hal.relay("compressor") and ctl.view()["state"] == "heating"
    assert hal.relay("fan_indoor_med") and hal.relay("fan_outdoor")
    assert not hal.relay("reversing_valve")  # an "O" board: de-energised in heat
    run(hal, ctl, 600, room=21.4)  # well past the min run: the overrun keeps it on
    assert hal.relay("compressor")
    run(hal, ctl, 1, room=21.5)
    assert not hal.relay("compressor") and not hal.relay("fan_indoor_med")
    assert not hal.relay("fan_outdoor")
    assert ctl.view() == {
        "mode": "heat",
        "state": "idle",
        "defrost": False,
        "faults": (),
        "setpoint_c": 21.0,
    }


def test_cooling_starts_half_a_degree_above_and_stops_half_a_degree_below_setpoint():
    hal, ctl = make(room=24.4, mode="cool", setpoint=24.0)
    run(hal, ctl, 60)
    assert not hal.relay("compressor")
    run(hal, ctl, 1, room=24.5)
    assert hal.relay("compressor") and hal.relay("reversing_valve")  # "O": on in cool
    run(hal, ctl, 600, room=23.6)
    assert hal.relay("compressor")
    run(hal, ctl, 1, room=23.5)
    assert not hal.relay("compressor")


def test_dry_is_cooling():
    hal, ctl = make(room=25.0, mode="dry", setpoint=24.0)
    run(hal, ctl, 1)
    assert hal.relay("compressor") and hal.relay("reversing_valve")
    assert ctl.view()["state"] == "cooling"


def test_auto_heats_and_cools_around_setpoints_half_a_degree_apart():
    # ESPHome's heat_cool needs its two setpoints >= 0.5 C apart: 21.75 and 22.25 here.
    hal, ctl = make(room=21.3, mode="auto", setpoint=22.0)
    run(hal, ctl, 60)
    assert not hal.relay("compressor")
    run(hal, ctl, 1, room=21.2)
    assert hal.relay("compressor") and ctl.view()["state"] == "heating"

    hal, ctl = make(room=22.7, mode="auto", setpoint=22.0)
    run(hal, ctl, 60)
    assert not hal.relay("compressor")
    run(hal, ctl, 1, room=22.8)
    assert ctl.view()["state"] == "cooling"


def test_auto_with_no_differential_heats_below_and_cools_above_setpoint_by_half_a_degree():
    hal, ctl = make(config={"auto_differential_c": 0}, room=21.6, mode="auto", setpoint=22.0)
    run(hal, ctl, 30)
    assert not hal.relay("compressor")
    run(hal, ctl, 1, room=21.5)
    assert ctl.view()["state"] == "heating"


# ---- timers ----------------------------------------------------------------------------


def test_heating_runs_at_least_min_run_even_when_the_room_is_warm():
    hal, ctl = make(room=19.0, mode="heat", setpoint=21.0)
    run(hal, ctl, 1)
    run(hal, ctl, 10, room=25.0)
    assert run_until(hal, ctl, "compressor", False, 400) == 290  # 300 s after the start
    assert changes(hal, "compressor") == [(1.0, True), (301.0, False)]


def test_heating_rests_min_off_before_heating_again():
    hal, ctl = make(room=19.0, mode="heat", setpoint=21.0)
    run(hal, ctl, 1)
    run(hal, ctl, 300, room=22.0)
    assert changes(hal, "compressor")[-1] == (301.0, False)
    hal.set_temp("room", 19.0)
    assert run_until(hal, ctl, "compressor", True, 400) == 300


def test_cooling_rests_min_off_before_cooling_again():
    hal, ctl = make(room=26.0, mode="cool", setpoint=24.0, config={"min_off_s": 420})
    run(hal, ctl, 1)
    run(hal, ctl, 300, room=23.0)
    assert not hal.relay("compressor")
    hal.set_temp("room", 26.0)
    assert run_until(hal, ctl, "compressor", True, 500) == 420


def test_after_heat_to_cool_changeover_only_min_idle_holds_the_compressor():
    # The weakness the firmware fixes: heating's off-timer does not hold cooling, so
    # the compressor restarts reversed after min_idle_s (30 s), not after min_off_s.
    hal, ctl = make(room=20.0, mode="auto", setpoint=22.0)
    run(hal, ctl, 1)
    assert ctl.view()["state"] == "heating"
    run(hal, ctl, 300, room=23.0)  # the sun comes out: the room asks for cooling
    assert changes(hal, "compressor")[-1] == (301.0, False)  # heating held to its min run
    assert run_until(hal, ctl, "compressor", True, 400) == 30
    start = changes(hal, "compressor")[-1]
    assert start == (331.0, True) and ctl.view()["state"] == "cooling"
    # The valve reversed in the same tick, just before the compressor started.
    assert changes(hal, "reversing_valve") == [(331.0, True)]
    names = [n for ms, n, on in hal.relay_log if ms == 331_000]
    assert names.index("reversing_valve") < names.index("compressor")


def test_after_cool_to_heat_changeover_by_mode_only_min_idle_holds_the_compressor():
    hal, ctl = make(room=26.0, mode="cool", setpoint=24.0)
    run(hal, ctl, 400)
    ctl.set(mode="heat", setpoint=28.0)
    run(hal, ctl, 1)
    assert changes(hal, "compressor")[-1] == (401.0, False)
    assert run_until(hal, ctl, "compressor", True, 400) == 30
    assert changes(hal, "reversing_valve") == [(1.0, True), (431.0, False)]


def test_compressor_may_start_at_power_up_unless_startup_delay():
    hal, ctl = make(room=19.0, mode="heat", setpoint=21.0)
    run(hal, ctl, 1)
    assert hal.relay("compressor")
    hal, ctl = make(room=19.0, mode="heat", setpoint=21.0, config={"startup_delay": True})
    assert run_until(hal, ctl, "compressor", True, 400) == 300


# ---- defrost ---------------------------------------------------------------------------


def start_heating_with_cold_coil(coil=-5.0, **config):
    hal, ctl = make(room=18.0, coil=coil, mode="heat", setpoint=22.0, config=config)
    run(hal, ctl, 1)
    assert hal.relay("compressor")
    return hal, ctl


def test_timed_defrost_after_60_min_of_cold_running_shifts_the_valve_with_compressor_on():
    hal, ctl = start_heating_with_cold_coil()
    run(hal, ctl, 3599)
    assert not ctl.view()["defrost"]
    run(hal, ctl, 1)
    assert ctl.view()["defrost"] and ctl.view()["state"] == "defrost"
    # Hard shift: valve to cooling with the compressor running, both fans stopped.
    assert changes(hal, "compressor") == [(1.0, True)]
    assert changes(hal, "reversing_valve") == [(3601.0, True)]
    assert not hal.relay("fan_indoor_med") and not hal.relay("fan_outdoor")
    # The coil stays cold: it ends on the 10 min limit.
    run(hal, ctl, 599)
    assert ctl.view()["defrost"]
    run(hal, ctl, 1)
    assert not ctl.view()["defrost"]
    assert changes(hal, "reversing_valve") == [(3601.0, True), (4201.0, False)]
    assert hal.relay("compressor") and hal.relay("fan_indoor_med") and hal.relay("fan_outdoor")
    # And the next one comes 60 min of cold running later.
    run(hal, ctl, 3599)
    assert not ctl.view()["defrost"]
    run(hal, ctl, 1)
    assert ctl.view()["defrost"] and ctl.defrosts == 2


def test_defrost_ends_when_the_coil_reaches_13_c():
    hal, ctl = start_heating_with_cold_coil()
    run(hal, ctl, 3600)
    assert ctl.view()["defrost"]
    run(hal, ctl, 120, outdoor_coil=12.9)
    assert ctl.view()["defrost"]
    run(hal, ctl, 1, outdoor_coil=13.0)
    assert not ctl.view()["defrost"]
    assert changes(hal, "reversing_valve") == [(3601.0, True), (3722.0, False)]


def test_defrost_counts_only_compressor_run_with_the_coil_at_or_below_0_c():
    hal, ctl = start_heating_with_cold_coil(coil=0.5)
    run(hal, ctl, 7200)
    assert ctl.defrosts == 0
    # 30 min cold, a 20 min rest (room satisfied), 30 min more cold: then defrost.
    hal, ctl = start_heating_with_cold_coil(coil=0.0)
    run(hal, ctl, 1799)
    run(hal, ctl, 1200, room=23.0)
    run(hal, ctl, 1, room=18.0)
    assert changes(hal, "compressor") == [(1.0, True), (1801.0, False), (3001.0, True)]
    run(hal, ctl, 1799)
    assert not ctl.view()["defrost"]
    run(hal, ctl, 1)
    assert ctl.view()["defrost"]  # at 4801 s: 1800 + 1800 s of cold running


def test_a_coil_warm_enough_to_end_a_defrost_restarts_the_count():
    hal, ctl = start_heating_with_cold_coil()
    run(hal, ctl, 3000)
    run(hal, ctl, 60, outdoor_coil=13.0)  # a mild spell: the defrost thermostat opens
    run(hal, ctl, 3600, outdoor_coil=-5.0)  # the count starts on the first cold reading
    assert ctl.defrosts == 0
    run(hal, ctl, 1)
    assert ctl.view()["defrost"]


def test_a_satisfied_thermostat_ends_the_defrost():
    hal, ctl = start_heating_with_cold_coil()
    run(hal, ctl, 3600)
    assert ctl.view()["defrost"]
    run(hal, ctl, 1, room=23.0)
    assert not hal.relay("compressor") and not ctl.view()["defrost"]


def test_shared_fan_motor_board_stops_its_one_fan_in_defrost_and_uses_one_tap():
    hal, ctl = make("esp32-relay-x4", room=18.0, coil=-5.0, mode="heat", setpoint=22.0)
    run(hal, ctl, 1)
    # No medium tap on this board: the next faster one.
    assert hal.relay("fan_indoor_high") and not hal.relay("fan_indoor_low")
    ctl.set(fan="low")
    run(hal, ctl, 1)
    assert hal.relay("fan_indoor_low") and not hal.relay("fan_indoor_high")
    run(hal, ctl, 3599)
    assert ctl.view()["defrost"]
    assert not hal.relay("fan_indoor_low") and not hal.relay("fan_indoor_high")
    assert hal.relay("compressor")


# ---- sensors, fans, valve convention -----------------------------------------------------


def test_an_open_room_sensor_forces_idle():
    hal, ctl = make(room=19.0, mode="heat", setpoint=21.0)
    run(hal, ctl, 400)
    hal.break_sensor("room", "open")
    run(hal, ctl, 1)
    assert not hal.relay("compressor")
    assert ctl.view()["state"] == "idle" and ctl.view()["faults"] == ("S1",)
    run(hal, ctl, 3600)
    assert changes(hal, "compressor") == [(1.0, True), (401.0, False)]
    hal.break_sensor("room", None)
    assert run_until(hal, ctl, "compressor", True, 10) == 1  # heating's off-timer is long gone
    assert ctl.view()["faults"] == ()


def test_an_open_room_sensor_during_min_run_stops_at_its_end():
    # ESPHome refuses the idle action while the run timer holds the heating action.
    hal, ctl = make(room=19.0, mode="heat", setpoint=21.0)
    run(hal, ctl, 100)
    hal.break_sensor("room", "short")
    run(hal, ctl, 400)
    assert changes(hal, "compressor") == [(1.0, True), (301.0, False)]
    assert ctl.view()["faults"] == ("S1",)


def test_an_open_coil_sensor_stops_defrost_counting_and_is_reported():
    hal, ctl = start_heating_with_cold_coil()
    hal.break_sensor("outdoor_coil", "open")
    run(hal, ctl, 7200)
    assert ctl.defrosts == 0 and hal.relay("compressor")
    assert ctl.view()["faults"] == ("S4",)


def test_fan_mode_and_continuous_fan_run_the_indoor_fan_without_the_compressor():
    hal, ctl = make(room=22.0, mode="fan", setpoint=22.0, fan="high")
    run(hal, ctl, 60, room=30.0)
    assert hal.relay("fan_indoor_high") and not hal.relay("compressor")
    assert not hal.relay("fan_outdoor") and ctl.view()["state"] == "fan"
    hal, ctl = make(room=22.0, mode="heat", setpoint=22.0, fan="continuous", speed="low")
    run(hal, ctl, 10)
    assert hal.relay("fan_indoor_low") and not hal.relay("compressor")
    ctl.set(mode="off")
    run(hal, ctl, 1)
    assert not hal.relay("fan_indoor_low") and ctl.view()["state"] == "off"


def test_a_b_board_energises_the_valve_in_heat():
    with open(os.path.join(REPO, "boards", "esp32-devkitc.json")) as f:
        board = json.load(f)
    board["reversing_valve"] = "B"
    hal, ctl = make(board, room=19.0, coil=-5.0, mode="heat", setpoint=21.0)
    run(hal, ctl, 1)
    assert hal.relay("reversing_valve") and hal.relay("compressor")
    run(hal, ctl, 3600)
    assert ctl.view()["defrost"] and not hal.relay("reversing_valve")


# ---- settings and config ---------------------------------------------------------------


def test_defaults_are_the_esphome_style_standard():
    cfg = check_config({})
    assert (cfg["deadband_c"], cfg["overrun_c"]) == (0.5, 0.5)
    assert (cfg["min_run_s"], cfg["min_off_s"], cfg["min_idle_s"]) == (300, 300, 30)
    assert (cfg["defrost_interval_min"], cfg["defrost_end_c"], cfg["defrost_max_min"]) == (
        60,
        13.0,
        10,
    )


def test_firmware_config_keys_are_ignored_and_shared_timer_names_apply():
    cfg = check_config({"start_dK": 10, "boot_delay_s": 30, "min_off_s": 180})
    assert cfg["min_off_s"] == 180 and "start_dK" not in cfg


@pytest.mark.parametrize(
    "config, message",
    [
        ({"deadband": 1}, "unknown config key 'deadband': allowed deadband_c, overrun_c"),
        ({"min_run_s": 0}, r"min_run_s=0: expected a whole number in 1\.\.3600"),
        ({"min_idle_s": 2.5}, "min_idle_s=2.5: expected a whole number"),
        ({"defrost_end_c": "hot"}, r"defrost_end_c='hot': expected a number in 5\.0\.\.30\.0"),
        ({"startup_delay": 1}, "startup_delay=1: expected true or false"),
    ],
)
def test_bad_config_is_refused_naming_the_key_and_the_allowed_values(config, message):
    with pytest.raises(ValueError, match=message):
        make(config=config)


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"mode": "eco"}, "mode='eco' is not allowed: allowed off, heat, cool, auto, fan, dry"),
        ({"setpoint": 40}, r"setpoint=40 is out of range: allowed 16\.\.30 C"),
        ({"fan": "turbo"}, "fan='turbo' is not allowed: allowed auto, continuous"),
        ({"swing": True}, "unknown setting 'swing': allowed mode, setpoint"),
    ],
)
def test_bad_settings_are_refused_and_change_nothing(settings, message):
    with pytest.raises(ValueError, match=message):
        make(**settings)
    hal, ctl = make(room=19.0, mode="heat", setpoint=21.0)
    with pytest.raises(ValueError, match=r"\(nothing changed\)"):
        ctl.set(**{"fan": "continuous", "setpoint": 18, **settings})
    run(hal, ctl, 1)
    assert ctl.view()["setpoint_c"] == 21.0 and hal.relay("compressor")
    assert ctl.settings["fan"] == "auto"
