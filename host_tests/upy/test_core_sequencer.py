"""The sequencer alone: compressor timers, valve, fans (MicroPython and CPython).

A fake board and a HAL that records every write; time moves by calling age().
"""

from check import eq
from heatpump.sequencer import W_BOOT, W_MIN_OFF, W_STARTS, Sequencer
from heatpump.thermostat import SIDE_COOL, SIDE_HEAT, SIDE_NONE


class Board:
    def __init__(self, relays, valve="O", shared=False):
        self.relays = relays
        self.valve = valve
        self.shared_fan_motor = shared

    def has_relay(self, name):
        return name in self.relays


FULL = (
    "compressor",
    "reversing_valve",
    "fan_indoor_low",
    "fan_indoor_med",
    "fan_indoor_high",
    "fan_outdoor",
    "aux_heat",
)


class Hal:
    def __init__(self):
        self.t = 0
        self.state = {}
        self.log = []

    def set_relay(self, name, on):
        if self.state.get(name, False) != on:
            self.log.append((self.t, name, on))
        self.state[name] = on

    def on(self, name):
        return self.state.get(name, False)

    def taps_on(self):
        return [n for n in self.state if n.startswith("fan_indoor") and self.state[n]]


def make(board=None, **cfg):
    from heatpump.config import defaults

    c = defaults()
    c["boot_delay_s"] = 0
    c.update(cfg)
    hal = Hal()
    seq = Sequencer(hal, board or Board(FULL), c)
    seq.boot(0)
    return hal, seq


def step(hal, seq, secs, *args):
    """Age by secs, then apply(*args); args default to: want cooling at full speed."""
    ms = int(secs * 1000)
    hal.t += ms
    seq.age(ms)
    a = list(args) + [None] * (9 - len(args))
    defaults = (True, SIDE_COOL, False, False, 3, False, False, True, 200)
    a = [defaults[i] if a[i] is None else a[i] for i in range(9)]
    seq.apply(*a)


def test_boot_waits_min_off_then_starts_fans_first():
    hal, seq = make()
    step(hal, seq, 179)
    eq(hal.on("compressor"), False, "179 s after boot")
    eq(seq.wait, W_BOOT, "waiting: restart delay after power-up")
    step(hal, seq, 1)
    eq(hal.on("compressor"), True, "180 s")
    names = [n for t, n, on in hal.log if t == 180_000]
    eq(names[-1], "compressor", "compressor written last")
    eq(hal.on("fan_indoor_high") and hal.on("fan_outdoor"), True, "fans with it")


def test_min_run_holds_then_min_off_waits_whatever_the_side():
    hal, seq = make()
    step(hal, seq, 180)
    step(hal, seq, 60, False)
    eq(hal.on("compressor"), True, "min run holds it on")
    eq(seq.holding, True, "holding")
    step(hal, seq, 120, True, SIDE_HEAT)
    eq(hal.on("compressor"), False, "stops at 180 s of run")
    eq(hal.on("reversing_valve"), False, "valve to heat only once it is off")
    step(hal, seq, 179, True, SIDE_HEAT)
    eq(hal.on("compressor"), False, "a reversal still waits min off")
    eq(seq.wait, W_MIN_OFF, "waiting for min off")
    step(hal, seq, 1, True, SIDE_HEAT)
    eq(hal.on("compressor"), True, "restart in heating at 180 s")


def test_force_stop_cuts_min_run_short():
    hal, seq = make()
    step(hal, seq, 180)
    step(hal, seq, 5, True, SIDE_COOL, True)
    eq(hal.on("compressor"), False, "forced off after 5 s")
    eq(seq.off_ms, 180_000, "and min off starts again")


def test_valve_never_moves_with_the_compressor_on():
    hal, seq = make()
    step(hal, seq, 180)
    for _ in range(10):
        step(hal, seq, 1, True, SIDE_HEAT)
        eq(hal.on("reversing_valve") and hal.on("compressor"), True, "valve stays")
    step(hal, seq, 200, True, SIDE_HEAT)
    moves = [t for t, n, on in hal.log if n == "reversing_valve"]
    comp = [(t, on) for t, n, on in hal.log if n == "compressor"]
    eq(moves, [180_000, 390_000], "moved before the start and after the stop")
    eq(comp[1], (390_000, False), "stop at the same tick, written first")


def test_six_starts_an_hour_at_most():
    hal, seq = make(min_off_s=60, min_run_s=60)
    starts = []
    t = 0
    for _ in range(3000):
        step(hal, seq, 10, not hal.on("compressor"))
        t += 10
        if hal.log and hal.log[-1][1:] == ("compressor", True) and hal.log[-1][0] == t * 1000:
            starts.append(t)
    eq(starts[:7], [60, 180, 300, 420, 540, 660, 3660], "7th start an hour after the 1st")
    eq(seq.tally.starts_in_hour() <= 6, True, "ring")


def test_starts_wait_reason():
    hal, seq = make(min_off_s=60, min_run_s=60, max_starts_per_hour=1)
    step(hal, seq, 60)
    step(hal, seq, 60, False)
    step(hal, seq, 60, True)
    eq(seq.wait, W_STARTS, "second start held by the hourly limit")
    eq(seq.tally.starts_wait_ms(), 3_600_000 - 120_000, "time left")


def test_speed_taps_break_before_make():
    hal, seq = make()
    step(hal, seq, 180)
    for level in (1, 3, 2, 1, 3):
        n0 = len(hal.log)
        step(hal, seq, 1, True, SIDE_COOL, False, False, level)
        eq(len(hal.taps_on()), 1, "one tap")
        writes = hal.log[n0:]
        eq([on for t, n, on in writes], [False, True], "off, then on")


def test_overrun_after_cooling():
    hal, seq = make()
    step(hal, seq, 180)
    step(hal, seq, 180, False)
    eq(hal.on("compressor"), False, "stopped")
    step(hal, seq, 59, False)
    eq(hal.on("fan_indoor_high"), True, "fan runs on")
    step(hal, seq, 1, False)
    eq(hal.on("fan_indoor_high"), False, "for 60 s")


def test_anti_cold_blow_and_the_shared_motor():
    hal, seq = make()
    step(hal, seq, 180, True, SIDE_HEAT, False, False, 3, False, False, True, 200)
    eq((hal.on("compressor"), hal.on("fan_outdoor")), (True, True), "heating")
    eq(hal.taps_on(), [], "indoor fan waits for a warm coil")
    step(hal, seq, 10, True, SIDE_HEAT, False, False, 3, False, False, True, 300)
    eq(hal.taps_on(), ["fan_indoor_high"], "coil at 30 C: fan on")
    shared = Board(
        ("compressor", "reversing_valve", "fan_indoor_low", "fan_indoor_high"), shared=True
    )
    hal, seq = make(shared)
    eq(seq.air.speeds, ("low", "high"), "this board's speeds")
    step(hal, seq, 180, True, SIDE_HEAT, False, False, 2, False, False, True, 200)
    eq(hal.taps_on(), ["fan_indoor_low"], "shared motor: low while the coil is cold")
    step(hal, seq, 120, True, SIDE_HEAT, False, False, 2, False, False, True, 200)
    eq(hal.taps_on(), ["fan_indoor_high"], "120 s: the user's speed")


def test_idle_valve_parks_de_energised():
    hal, seq = make()
    step(hal, seq, 1, False, SIDE_COOL)
    eq(hal.on("reversing_valve"), True, "O board: energised for cooling")
    step(hal, seq, 1, False, SIDE_NONE)
    eq(hal.on("reversing_valve"), False, "mode off: parked")
    hal, seq = make(Board(FULL, valve="B"))
    step(hal, seq, 1, False, SIDE_HEAT)
    eq(hal.on("reversing_valve"), True, "B board: energised for heating")


def test_defrost_soft_shift_both_ways():
    hal, seq = make()
    step(hal, seq, 180, True, SIDE_HEAT, False, False, 3, False, False, True, 400)
    starts = seq.tally.starts_in_hour()
    step(hal, seq, 600, True, SIDE_HEAT)  # (ages; side heat)
    step(hal, seq, 1, True, SIDE_COOL, False, True)
    eq((hal.on("compressor"), hal.on("reversing_valve")), (False, True), "off, valve to cool")
    eq(hal.taps_on() + [n for n in ("fan_outdoor",) if hal.on(n)], [], "fans off")
    step(hal, seq, 29, True, SIDE_COOL, False, True)
    eq(hal.on("compressor"), False, "30 s pause")
    step(hal, seq, 1, True, SIDE_COOL, False, True)
    eq(hal.on("compressor"), True, "melting: compressor on in cooling, fans off")
    eq(hal.taps_on() + [n for n in ("fan_outdoor",) if hal.on(n)], [], "still no fans")
    step(hal, seq, 60, True, SIDE_HEAT, False, False)
    eq((hal.on("compressor"), hal.on("reversing_valve")), (False, False), "back: off, valve heat")
    step(hal, seq, 30, True, SIDE_HEAT, False, False)
    eq(hal.on("compressor"), True, "heating again after 30 s")
    eq(seq.tally.starts_in_hour(), starts, "shift restarts are not counted")


def test_the_rings_hold_as_many_as_the_config_maxima_allow():
    # Sized from the schema's maxima at start-up: raising a maximum makes them larger,
    # never leaves a rule counting fewer than it was set to.
    from heatpump.config import maximum

    _hal, seq = make()
    starts, early = maximum("max_starts_per_hour"), maximum("max_early_stops")
    seq.tally.restore(list(range(starts)), list(range(early)), False)
    kept_starts, kept_early, _running = seq.tally.history(seq.comp_on)
    eq(len(kept_starts), starts, "start ages kept: as many as max_starts_per_hour allows")
    eq(len(kept_early), early, "early stops kept: as many as max_early_stops allows")
