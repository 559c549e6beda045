"""Thermostat thresholds, dry limits and auto changeover (MicroPython and CPython)."""

from check import eq
from heatpump import thermostat as T
from heatpump.config import defaults

SP = 220
CFG = defaults()  # start/stop 0.5 K, changeover 2 K, auto 10 min on a side, dry 2 K


def run(th, mode, room, dt=1000, ok=True):
    return th.update(mode, SP, room, ok, dt)


def test_heating_starts_half_a_degree_below_and_stops_half_above():
    th = T.Thermostat(CFG)
    eq(run(th, T.M_HEAT, 216), T.IDLE, "21.6: within the band")
    eq(run(th, T.M_HEAT, 215), T.HEAT, "21.5: starts")
    eq(run(th, T.M_HEAT, 224), T.HEAT, "22.4: keeps going")
    eq(run(th, T.M_HEAT, 225), T.IDLE, "22.5: stops")
    eq(run(th, T.M_HEAT, 218), T.IDLE, "21.8: stays off")


def test_cooling_mirrors_heating():
    th = T.Thermostat(CFG)
    eq(run(th, T.M_COOL, 224), T.IDLE, "22.4")
    eq(run(th, T.M_COOL, 225), T.COOL, "22.5 starts")
    eq(run(th, T.M_COOL, 216), T.COOL, "21.6 keeps going")
    eq(run(th, T.M_COOL, 215), T.IDLE, "21.5 stops")
    eq(th.side, T.SIDE_COOL, "valve side")


def test_dry_cools_from_the_setpoint_down_to_two_degrees_below():
    th = T.Thermostat(CFG)
    eq(run(th, T.M_DRY, 219), T.IDLE, "below setpoint: nothing")
    eq(run(th, T.M_DRY, 220), T.DRY, "at setpoint: dry")
    eq(run(th, T.M_DRY, 201), T.DRY, "still drying")
    eq(run(th, T.M_DRY, 200), T.IDLE, "2 C below: stops, the room is not overcooled")


def test_no_room_reading_no_call():
    th = T.Thermostat(CFG)
    eq(run(th, T.M_HEAT, 150), T.HEAT, "calling")
    eq(run(th, T.M_HEAT, 150, ok=False), T.IDLE, "sensor gone: idle")
    eq(run(th, T.M_FAN, 150, ok=False), T.FAN, "fan mode does not need it")
    eq(run(th, T.M_OFF, 150), T.OFF, "off")


def test_auto_changes_side_only_through_idle_after_the_hold():
    th = T.Thermostat(CFG)
    eq(run(th, T.M_AUTO, 210), T.HEAT, "cold room: heating side, calling")
    eq(th.side, T.SIDE_HEAT, "side")
    eq(run(th, T.M_AUTO, 250, dt=60_000), T.IDLE, "hot: heat call ends, side held")
    eq(th.side, T.SIDE_HEAT, "held by auto_min_mode_s")
    for _ in range(8):
        eq(run(th, T.M_AUTO, 250, dt=60_000), T.IDLE, "hold not over")
    eq(run(th, T.M_AUTO, 250, dt=60_000), T.COOL, "10 min on heat: cooling")
    eq(th.side, T.SIDE_COOL, "changed over")
    eq(run(th, T.M_AUTO, 215, dt=600_000), T.IDLE, "cooled down")
    eq(run(th, T.M_AUTO, 205, dt=600_000), T.IDLE, "1.5 C below: inside the changeover band")
    eq(th.side, T.SIDE_COOL, "no change yet")
    eq(run(th, T.M_AUTO, 200, dt=1000), T.HEAT, "2 C below: back to heating")


def test_auto_never_changes_side_during_a_call():
    th = T.Thermostat(CFG)
    th.update(T.M_AUTO, SP, 210, True, 1000)
    th.hold_ms = 0
    th.call = True  # as if heating were still running
    th._auto_side(SP, 260)
    eq(th.side, T.SIDE_HEAT, "a call pins the side")


def test_a_new_mode_starts_fresh():
    th = T.Thermostat(CFG)
    eq(run(th, T.M_HEAT, 215), T.HEAT, "heating")
    eq(run(th, T.M_COOL, 215), T.IDLE, "cool mode at 21.5: nothing")
    eq(run(th, T.M_HEAT, 218), T.IDLE, "back to heat, inside the band: no stale call")
