"""The only writer of relays: compressor timers, reversing valve, fans, aux heat.

The compressor's timers belong to the compressor, whatever the mode asked for:
- min_off_s after every stop (pressures equalise), also between heating and
  cooling, and after boot plus a random 0..boot_delay_s (a street of units does not
  restart together after an outage);
- min_run_s after every start (oil returns), cut short only by force_stop (a
  protection or fault) or a defrost step;
- at most max_starts_per_hour starts in any hour (its part `tally`, tally.py, keeps
  the last hour's starts and early stops, and the history the app keeps on flash);
- every stop before min_run_s, whatever caused it (a protection, a fault, the app's
  way out), is an early stop, and too many in an hour lock the compressor out (E9,
  protect.py). The end of a defrost's melt run is the defrost's own bounded step,
  not an early stop.
A change of min_off_s or min_run_s applies to the rest or the run under way,
measured from its start.
The reversing valve moves only while the compressor is off. A defrost step (the
hook for defrost.py) does a soft shift: compressor off, valve to cooling, restart
after valve_shift_s instead of min_off_s, fans off; the same on the way back. Those
restarts do not count as starts.
The air side (indoor fan taps, outdoor fan, aux heat) is its part `air` (air.py):
with it, the sequencer is the only writer of relays.
Relays are written only when they change, in a safe order: on a start the valve
and fans first, the compressor last; on a stop the compressor first. Just before the
compressor relay closes, the start is already counted and `before_start(fn)`'s fn
runs (the app writes the history to flash then: a contactor's inrush that browns the
board out must not take the start with it, or the starts-per-hour rule forgets it).

View: the other parts ask the sequencer through its methods (running(), in_shift(),
heating(), melting(), ...), and read only these attributes (read-only):
`comp_on`; and, fixed when it is built, `air` and `tally` (each with its own view)
and `hal` (a bench may swap the HAL). host_tests/test_part_views.py holds every
module to this.
"""

from micropython import const

from heatpump.air import Air
from heatpump.tally import Tally
from heatpump.thermostat import SIDE_COOL, SIDE_HEAT, SIDE_NONE

_RUN_CAP_MS = const(1 << 22)  # run_ms saturates here (70 min, beyond every check)

# Why a wanted start is held (status).
W_NONE = const(0)
W_BOOT = const(1)
W_MIN_OFF = const(2)
W_STARTS = const(3)
W_SHIFT = const(4)
WAIT_NAMES = ("", "restart delay after power-up", "min off", "starts per hour", "valve shift")


class Sequencer:
    def __init__(self, hal, board, cfg):
        self.hal = hal
        self.valve_is_O = board.valve == "O"  # valve energised in cooling ("O") or heating ("B")
        self.has_valve = board.has_relay("reversing_valve")
        self.air = Air(hal, board, cfg)  # fans and aux heat
        # What the relays hold (logical on/off).
        self.comp_on = False
        self.valve_on = False
        self._before_start = None  # runs just before the compressor relay closes
        # Timers (ms, counting down) and run state.
        self.off_ms = 0  # left before a normal start is allowed
        self.run_left_ms = 0  # min run left
        self.run_ms = 0  # since the current run started (saturating)
        self.stopped_ms = 0  # since the last stop (saturating)
        self.shift_ms = 0  # defrost valve-shift pause left
        self.shift_pending = False  # the next start is the restart after a valve shift ...
        self.shift_side = SIDE_NONE  # ... on this side
        self.shift_stop = False  # this tick's stop was a defrost soft shift
        self.warm = False  # heating: the coil is warm enough for the indoor fan
        self.run_side = SIDE_NONE  # side of the current (or last) run
        self.run_defrost = False  # the current run is a defrost run
        self.booting = True  # no start since power-up yet
        self.wait = W_NONE  # why a wanted start is held
        self.holding = False  # a stop is wanted but min_run holds the compressor on
        self.tally = Tally(cfg)  # starts, early stops, run time
        self.configure(cfg)
        self.all_off()

    def configure(self, cfg):
        # A new min_off_s / min_run_s applies to the rest or run under way: its timer
        # moves by the change, so it still counts from the stop or the start.
        min_off = cfg["min_off_s"] * 1000
        min_run = cfg["min_run_s"] * 1000
        if getattr(self, "min_off_ms", None) is not None:
            if self.off_ms:  # (it may hold the boot delay's extra too)
                t = self.off_ms + min_off - self.min_off_ms
            else:
                t = min_off - self.stopped_ms
            self.off_ms = t if t > 0 and not self.comp_on else 0
            t = min_run - self.run_ms
            self.run_left_ms = t if t > 0 and self.comp_on else 0
        self.min_off_ms = min_off
        self.min_run_ms = min_run
        self.tally.configure(cfg)
        self.cold_blow_dC = cfg["cold_blow_dC"]
        self.cold_blow_ms = cfg["cold_blow_max_s"] * 1000
        self.shift_set_ms = cfg["valve_shift_s"] * 1000
        self.air.configure(cfg)

    def boot(self, extra_ms):
        """After power-up: as if the compressor had just stopped, plus extra_ms."""
        self.off_ms = self.min_off_ms + extra_ms
        self.stopped_ms = 0
        self.booting = True

    # ---- time ---------------------------------------------------------------

    def age(self, dt_ms):
        """Count every timer down (and every age up) by dt_ms; the tick's first step."""
        t = self.off_ms - dt_ms
        self.off_ms = t if t > 0 else 0
        t = self.run_left_ms - dt_ms
        self.run_left_ms = t if t > 0 else 0
        t = self.shift_ms - dt_ms
        self.shift_ms = t if t > 0 else 0
        self.air.age(dt_ms)
        self.tally.age(dt_ms, self.comp_on)
        if self.comp_on:
            t = self.run_ms + dt_ms
            self.run_ms = t if t < _RUN_CAP_MS else _RUN_CAP_MS
        else:
            t = self.stopped_ms + dt_ms
            self.stopped_ms = t if t < _RUN_CAP_MS else _RUN_CAP_MS

    def run_now_s(self):
        """How long the compressor has run since its start (0 when off)."""
        return self.tally.run_length_s() if self.comp_on else 0

    def in_shift_pause(self):
        """A defrost valve-shift pause is under way (its restart not yet due)."""
        return self.shift_pending and self.shift_ms > 0

    # ---- what the other parts ask of the compressor's run ----------------------

    def running(self):
        """The side the compressor runs on now (a melt runs on SIDE_COOL), SIDE_NONE
        when it is off."""
        return self.run_side if self.comp_on else SIDE_NONE

    def in_shift(self):
        """A defrost's valve shift is under way: its stop this tick, or its pause."""
        return self.shift_pending or self.shift_stop

    def heating(self):
        """The compressor runs heating now, outside a defrost step's melt."""
        return self.comp_on and self.run_side == SIDE_HEAT and not self.run_defrost

    def heats_room(self):
        """The compressor heats and its indoor air blows warm (the coil warmed up)."""
        return self.heating() and self.warm

    def boot_wait(self):
        """No start since power-up yet: a call waits the restart delay."""
        return self.booting

    def melting(self):
        """The compressor runs a defrost step's melt (the valve in cooling)."""
        return self.comp_on and self.run_defrost

    def run_age_ms(self):
        """How long the current run has lasted, saturating past 70 min (0: off)."""
        return self.run_ms if self.comp_on else 0

    def min_run_left_ms(self):
        """What is left of the current run's min run (0: off, or done)."""
        return self.run_left_ms

    def min_run_holds(self):
        """A stop is wanted, but min run holds the compressor on (status)."""
        return self.holding

    def held_by(self):
        """Why a wanted start is held: W_NONE, W_BOOT, W_MIN_OFF, W_STARTS, W_SHIFT."""
        return self.wait

    def dripping(self):
        """A defrost's melt has ended: the compressor off while the coil drips."""
        return self.shift_pending and self.run_side == SIDE_COOL

    def shift_left_ms(self):
        """What is left of a defrost's valve-shift pause (0: none)."""
        return self.shift_ms

    def wait_left_ms(self):
        """Time until the held start may go, by whatever holds it (status text)."""
        if self.wait == W_STARTS:
            return self.tally.starts_wait_ms()
        if self.wait == W_SHIFT:
            return self.shift_ms
        return self.off_ms

    # ---- the tick -----------------------------------------------------------

    def apply(self, want, side, force_stop, defrost, level, fan_on, aux_want, coil_ok, coil_dC):
        """Decide and write the relays for this tick, in a safe order: a stop first,
        then the valve (only with the compressor off), then the fans and aux heat, the
        compressor's start last.

        want: the compressor should run on `side` (SIDE_HEAT/SIDE_COOL; SIDE_NONE
        parks the valve de-energised); force_stop: a protection or fault stops it now;
        defrost: a defrost step is active; level: the indoor fan tap the user's speed
        maps to (1 = slowest); fan_on: the indoor fan should run without the
        compressor (fan mode, continuous fan, a protection); aux_want: aux heat;
        coil_ok, coil_dC: the indoor coil's reading (anti-cold-blow).
        """
        on = self._stop(want, side, force_stop, defrost)
        self.wait = W_NONE
        self._end_shift(want, side, defrost)
        if not on:
            self._valve(side)
        start = not on and self._start(want, side, force_stop, defrost)
        self._air(on or start, defrost, level, fan_on, aux_want, coil_ok, coil_dC)
        if start:
            self._comp(True)

    def _stop(self, want, side, force_stop, defrost):
        # Stops the compressor if it must stop now; returns whether it runs on.
        on = self.comp_on
        stop = shift = False
        if on:
            if force_stop:
                stop = True
            elif defrost and self.run_side == SIDE_HEAT:
                stop = shift = True  # into defrost: soft shift
            elif self.run_defrost and not defrost:
                stop = shift = True  # out of defrost: soft shift back
            elif not want or side != self.run_side:
                stop = self.run_left_ms == 0
        # A stop is wanted but min_run holds the compressor on (status).
        self.holding = on and not stop and (not want or side != self.run_side)
        self.shift_stop = shift
        if not stop:
            return on
        melt_end = shift and self.run_defrost  # the defrost's own bounded step
        if self.run_ms < self.min_run_ms and not melt_end:
            self.tally.note_early()
        self.off_ms = self.min_off_ms
        self.shift_pending = shift
        self.shift_side = SIDE_COOL if defrost else SIDE_HEAT
        self.shift_ms = self.shift_set_ms if shift else 0
        if self.run_side == SIDE_COOL and not self.run_defrost:
            self.air.run_on()
        self.run_defrost = False
        self._comp(False)
        return False

    def _valve(self, side):
        # The compressor is off: the valve may move to the side asked for.
        if self.has_valve:
            energise = side == (SIDE_COOL if self.valve_is_O else SIDE_HEAT)
            if energise != self.valve_on:
                self.valve_on = energise
                self.hal.set_relay("reversing_valve", energise)

    def _end_shift(self, want, side, defrost):
        # The short pause holds only for the defrost's own shift: into the melt while the
        # defrost step lasts, back to heating once it has ended. Anything else (a mode
        # change, an aborted defrost) is a normal stop that waits min_off_s.
        if self.shift_pending and (
            side != self.shift_side
            or defrost != (self.shift_side == SIDE_COOL)
            or (not want and not self.shift_ms)
        ):
            self.shift_pending = False

    def _start(self, want, side, force_stop, defrost):
        # The compressor is off: whether it starts now (the relay is written last, by
        # apply), or what holds it (self.wait).
        if not want or force_stop or side == SIDE_NONE or self.valve_side() != side:
            return False
        counted = False
        if self.shift_pending:
            if self.shift_ms:
                self.wait = W_SHIFT
                return False
        elif self.off_ms:
            self.wait = W_BOOT if self.booting else W_MIN_OFF
            return False
        elif self.tally.starts_wait_ms() > 0:
            self.wait = W_STARTS
            return False
        else:
            counted = True
        self.run_side = side
        self.run_defrost = defrost
        self.run_left_ms = self.min_run_ms
        self.run_ms = 0
        self.warm = False
        self.booting = False
        self.shift_pending = False
        self.tally.note_start(counted)
        return True

    def _air(self, on, defrost, level, fan_on, aux_want, coil_ok, coil_dC):
        # Anti-cold-blow: in heating the indoor air waits for a warm coil, or
        # cold_blow_max_s; then the air side.
        if on and self.run_side == SIDE_HEAT and not self.warm:
            self.warm = (coil_ok and coil_dC >= self.cold_blow_dC) or (
                self.run_ms >= self.cold_blow_ms
            )
        blow = self.run_side == SIDE_COOL or self.warm
        self.air.apply(on, blow, defrost, self.shift_pending, level, fan_on, aux_want)

    def valve_side(self):
        # The side the valve is in now (SIDE_HEAT/SIDE_COOL); no valve: cooling only.
        cool = self.valve_on == self.valve_is_O or not self.has_valve
        return SIDE_COOL if cool else SIDE_HEAT

    def before_start(self, fn):
        """fn() runs at each start, counted and running, before the relay closes."""
        self._before_start = fn

    def _comp(self, on):
        self.comp_on = on
        if on and self._before_start is not None:
            self._before_start()
        self.hal.set_relay("compressor", on)
        if not on:
            self.stopped_ms = 0
            self.tally.note_stop()

    def all_off(self):
        """Every relay off, compressor first (construction, shutdown, fatal errors)."""
        hal = self.hal
        hal.set_relay("compressor", False)
        self.air.all_off()
        if self.has_valve:
            hal.set_relay("reversing_valve", False)
        self.shift_pending = False  # whatever comes next waits min_off_s from the stop
        if self.comp_on:
            self.off_ms = self.min_off_ms
            self.stopped_ms = 0
            if self.run_ms < self.min_run_ms:
                self.tally.note_early()
            self.tally.note_stop()
        self.comp_on = self.valve_on = False
