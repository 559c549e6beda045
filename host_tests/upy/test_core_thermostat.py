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


def _cycles(config, rise, fall, hours, mode=T.M_HEAT):
    """A room with no lag, stepped 10 s at a time: it warms rise (0.001 K a step) while
    the call is on and cools fall while it is off (mirrored for cooling). Returns the
    calls started in the last hour, and the thermostat."""
    cfg = dict(CFG)
    for k in config:
        cfg[k] = config[k]
    th = T.Thermostat(cfg)
    room = SP * 100  # 0.001 K
    sign = 1 if mode == T.M_HEAT else -1
    starts = []
    was = False
    for s10 in range(hours * 360):
        d = th.update(mode, SP, room // 100, True, 10_000)
        on = d != T.IDLE
        if on and not was:
            starts.append(s10)
        was = on
        room += sign * (rise if on else -fall)
    return len([s for s in starts if s >= (hours - 1) * 360]), th


def test_a_half_load_room_is_brought_to_the_cycle_rate_by_a_wider_band():
    # 1 K band crossed in 300 s each way: 6 cycles an hour with the band fixed.
    fixed, th = _cycles({"cycles_per_hour": 0}, 33, 33, 4)
    eq(fixed, 6, "fixed band: 6 cycles an hour at half load")
    eq(th.thresholds(T.SIDE_HEAT), (5, 5), "fixed band: as configured")
    rated, th = _cycles({}, 33, 33, 6)
    # 2x would give 3/h; the widening stops at 0.8 K a side: 1.6 K, 3.75/h.
    eq(th.thresholds(T.SIDE_HEAT), (8, 8), "widened to 0.8 K a side")
    eq(rated <= 4, True, "3-4 cycles an hour: %d" % rated)
    eq(th.thresholds(T.SIDE_COOL), (5, 5), "the cooling side learns for itself")


def test_a_slow_room_keeps_the_configured_band():
    # 1 K crossed in 1500 s each way: 1.2 cycles an hour already, never narrower.
    n, th = _cycles({}, 7, 7, 8)
    eq(th.thresholds(T.SIDE_HEAT), (5, 5), "not narrowed below the config")
    eq(n <= 2, True, "slow cycles stay slow: %d" % n)


def test_a_light_load_is_not_mistaken_for_fast_cycling():
    # Duty 0.1 (long rests, short calls): outside 0.2..0.8, no estimate is made.
    _n, th = _cycles({}, 90, 10, 6)
    eq(th.thresholds(T.SIDE_HEAT), (5, 5), "light load: band as configured")


def test_cooling_learns_its_own_band_and_auto_keeps_stop_before_changeover():
    _n, th = _cycles({"changeover_dK": 7}, 33, 33, 6, mode=T.M_COOL)
    start, stop = th.thresholds(T.SIDE_COOL)
    eq(start, 8, "cooling band widened")
    eq(stop, 6, "stop kept below changeover_dK (0.7 K)")
