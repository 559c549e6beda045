"""The self-test's compressor runs: cooling and heating (Run) and the changeover
between them (the reversing valve's verdict on them: selftest_valve.py). Each is a
class made when its step starts (selftest.py: STEPS), with `update(ctl, dt_ms)` each
tick; it asks, says and checks through the step machine `t`, and formats text only at
events and when a progress line is due.
"""

from micropython import const

from heatpump import lazy
from heatpump import sensors as S
from heatpump import sequencer as Q
from heatpump import thermostat as T
from heatpump.supervisor import fan_window_ms
from heatpump.text import fmt_diff, fmt_temp, gpio_str, mmss

LET_GO = True  # lazy.call lets this module go once the call that loaded it returns

# Limits (tenths of a K or C, ms). A healthy 12,000 BTU/h unit in the plant model: the
# coil 16-17 K below the room after 180 s of cooling, 11-26 K above it in heating
# (-6..25 C outdoors); a unit with a third of that capacity: 7 K and 4-8 K.
COOL_DROP_dK = const(100)  # cooling: coil at least this far below room air ...
COOL_WINDOW_MS = const(180_000)  # ... within this long of the compressor start
HEAT_RISE_dK = const(90)  # heating: coil this far above room air at the window's end
HEAT_WINDOW_MS = const(180_000)  # (at least supervisor.fan_window_ms: the fan must run)
MOVED_dK = const(30)  # a coil that moved less than this: the compressor does not pump
# (selftest_valve.py asks each run's coil for as much the right way)
WRONG_dK = const(30)  # moved this far the wrong way: the valve is in the other position
NO_START_MS = const(10_000)  # nothing holds a wanted start this long: it failed


def _wait_text(ctl):
    # When the held compressor starts, for a progress line.
    seq = ctl.seq
    if seq.comp_on:
        return "(the compressor runs out its min run first, %s left)" % mmss(seq.min_run_left_ms())
    left = seq.wait_left_ms()
    if left > 0:
        return "in %s (%s)" % (mmss(left), Q.WAIT_NAMES[seq.held_by()] or "min off")
    return "any moment"


def _side_name(side):
    return "cooling" if side == T.SIDE_COOL else "heating"


class _Compressor:
    """What the steps that run the compressor share: waiting for its start, and a
    protection that stops it."""

    def __init__(self, t):
        self.t = t
        self.nostart_ms = 0  # nothing has held a wanted start this long

    def _blocked_fail(self, ctl, side, check):
        codes = ctl.active_codes()
        hints = []
        for c in codes:  # the texts load only when a step is blocked
            hints.append("%s %s" % (c, lazy.call("fault_text", "hint", c)))
        if "E7" in codes:
            check = "condensate switch"
        elif "E8" in codes:
            check = "reversing valve"
        self.t.fail(
            ctl,
            check,
            " ".join(codes) or "stopped",
            None,
            "no protection stops the run",
            "a protection stops %s: %s"
            % (_side_name(side), "; ".join(hints) or "see hp.faults()"),
        )

    def _wait_start(self, ctl, dt_ms, side):
        """While the compressor is not running on side: True once it is."""
        t = self.t
        seq = ctl.seq
        if seq.running() == side:
            return True
        pr = ctl.protect
        blocked = pr.cool_block if side == T.SIDE_COOL else pr.heat_block
        check = _side_name(side)
        if blocked:
            self._blocked_fail(ctl, side, check)
            return False
        if not seq.comp_on and seq.held_by() == Q.W_NONE:
            self.nostart_ms += dt_ms
            if self.nostart_ms >= NO_START_MS:
                t.fail(
                    ctl,
                    check,
                    "compressor not started",
                    None,
                    "starts when its timers allow",
                    "the compressor was not started: check hp.status() and hp.faults()",
                )
            return False
        self.nostart_ms = 0
        if t.due():
            t.say("waiting: compressor %s" % _wait_text(ctl))
        return False


class Run(_Compressor):
    """A cooling or heating run: the indoor coil must fall COOL_DROP_dK below room air
    within COOL_WINDOW_MS, or end the heating window HEAT_RISE_dK above it with the
    indoor fan running; a coil moving the wrong way is a valve in the other position."""

    def __init__(self, t, ctl, side):
        _Compressor.__init__(self, t)
        self.side = side
        self.running = False  # the compressor started: the run is judged
        self.run_ms = 0  # compressor run in this step
        self.reach_ms = -1  # when the coil first passed the limit
        self.room0 = 0  # room and coil at the compressor start
        self.coil0 = 0
        demand = T.COOL if side == T.SIDE_COOL else T.HEAT
        t.ask(demand, side, False, len(ctl.seq.air.taps))
        if side == T.SIDE_COOL or not ctl.seq.comp_on:  # after the changeover it runs
            t.say("the compressor starts %s" % _wait_text(ctl))

    def begin(self, ctl):
        """The compressor runs on this side: the window starts now."""
        sn = ctl.sensors
        self.running = True
        self.run_ms = 0
        self.reach_ms = -1
        self.room0 = sn.dC[S.ROOM]
        self.coil0 = sn.dC[S.INDOOR_COIL]
        out = " and the outdoor fan" if ctl.seq.air.has_outdoor_fan else ""
        self.t.say(
            "compressor on%s: room %s, indoor coil %s"
            % (out, fmt_temp(self.room0), fmt_temp(self.coil0))
        )

    def update(self, ctl, dt_ms):
        t = self.t
        if t.sensor_fault(ctl):
            return
        seq = ctl.seq
        side = self.side
        if not self.running:
            if self._wait_start(ctl, dt_ms, side):
                self.begin(ctl)
            return
        if seq.running() != side:
            self._blocked_fail(ctl, side, _side_name(side))
            return
        self.run_ms += dt_ms
        sn = ctl.sensors
        cool = side == T.SIDE_COOL
        coil = sn.dC[S.INDOOR_COIL]
        moved = coil - self.coil0
        if cool:
            d = sn.dC[S.ROOM] - coil  # the drop below room air
            wrong = moved >= WRONG_dK
            counts = True
        else:
            d = coil - sn.dC[S.ROOM]  # the rise above room air
            wrong = -moved >= WRONG_dK
            counts = seq.air.tap > 0  # judged with the indoor fan running only
        if wrong:
            self._valve_fail(ctl, moved)
            return
        limit_dK, window = self._limits(ctl)
        if self.reach_ms < 0 and counts and d >= limit_dK:
            self.reach_ms = self.run_ms
            t.say(
                "coil %s %s room air after %d s"
                % (fmt_diff(d), "below" if cool else "above", self.run_ms // 1000)
            )
        if self.run_ms < window:
            if t.due():
                self._say_progress(coil, d, limit_dK, window)
            return
        self._judge(ctl, d, moved, counts, limit_dK, window)

    def _limits(self, ctl):
        # (how far the coil must move past room air, dK; the window, ms)
        if self.side == T.SIDE_COOL:
            return COOL_DROP_dK, COOL_WINDOW_MS
        w = fan_window_ms(ctl.cfg)
        return HEAT_RISE_dK, w if w > HEAT_WINDOW_MS else HEAT_WINDOW_MS

    def _say_progress(self, coil, d, limit_dK, window):
        cool = self.side == T.SIDE_COOL
        self.t.say(
            "%d s: coil %s, %s %s room air (needs %s %s %d s)"
            % (
                self.run_ms // 1000,
                fmt_temp(coil),
                fmt_diff(d if d > 0 else -d),
                "below" if (d >= 0) == cool else "above",
                fmt_diff(limit_dK),
                "within" if cool else "with the fan on at",
                window // 1000,
            )
        )

    def _judge(self, ctl, d, moved, counts, limit_dK, window):
        t = self.t
        w_s = window // 1000
        if self.side == T.SIDE_COOL:
            t.cool_move = moved
            ok = self.reach_ms >= 0
            when = " (%s after %d s)" % (fmt_diff(limit_dK), self.reach_ms // 1000) if ok else ""
            measured = "%s below room after %d s%s" % (fmt_diff(d), w_s, when)
            limit = ">= %s below room within %d s" % (fmt_diff(limit_dK), w_s)
        else:
            t.heat_move = moved
            ok = d >= limit_dK and counts
            when = ""
            if self.reach_ms >= 0:
                when = " (%s with the fan on after %d s)" % (
                    fmt_diff(limit_dK),
                    self.reach_ms // 1000,
                )
            measured = "%s above room after %d s%s" % (fmt_diff(d), w_s, when)
            limit = ">= %s above room after %d s, indoor fan on" % (fmt_diff(limit_dK), w_s)
        msg = "" if ok else self._weak(d, moved, counts, limit_dK, w_s)
        if t.check(_side_name(self.side), measured, d / 10, limit, ok, msg):
            t.next(ctl)
        else:
            t.finish(ctl, "fail", msg)

    def _weak(self, d, moved, counts, limit_dK, w_s):
        # Why the run failed, and what to check.
        cool = self.side == T.SIDE_COOL
        if moved < MOVED_dK and -moved < MOVED_dK:
            return (
                "the indoor coil did not move (%s in %d s): the compressor does not "
                "seem to pump. Check that it runs (hum, warm discharge line), its "
                "contactor and the compressor relay's wiring, and that the coil sensor "
                "is clipped to the coil" % (fmt_diff(moved), w_s)
            )
        if not counts:
            return (
                "the indoor fan did not run in heating: check the indoor fan and its relay wiring"
            )
        return (
            "%s too weak: the indoor coil got only %s %s room air (needs %s). "
            "Check the filter and both coils are clean, the outdoor fan runs, the "
            "refrigerant charge (a technician's job), and that the unit is big "
            "enough (python -m tools.install.sizing)"
            % (
                _side_name(self.side),
                fmt_diff(d),
                "below" if cool else "above",
                fmt_diff(limit_dK),
            )
        )

    def _valve_fail(self, ctl, moved):
        cool = self.side == T.SIDE_COOL
        where = gpio_str(ctl.board.relays.get("reversing_valve"))
        self.t.fail(
            ctl,
            "reversing valve",
            "coil %s %s in %s"
            % (
                "rose" if moved > 0 else "fell",
                fmt_diff(moved if moved > 0 else -moved),
                _side_name(self.side),
            ),
            moved / 10,
            "coil falls in cooling, rises in heating",
            "the indoor coil %s in %s: the reversing valve is in the %s position. Check the "
            "valve coil and its relay's wiring%s; the board file's reversing_valve is \"%s\" "
            '("O": energised in cooling, "B": in heating): if the unit is the other kind, '
            "change it; a valve stuck in %s needs a technician"
            % (
                "warmed up" if cool else "cooled down",
                "cooling" if cool else "heating",
                "heating" if cool else "cooling",
                where,
                ctl.board.valve,
                "heating" if cool else "cooling",
            ),
        )


class Changeover(_Compressor):
    """Cooling to heating: the compressor stops after its min run, rests min off, and
    the valve moves only while it is off; the heating run follows without a stop."""

    def __init__(self, t, ctl, _arg):
        _Compressor.__init__(self, t)
        self.stop_seen = not ctl.seq.comp_on  # the cooling run ended
        self.off_ms = 0  # ... and the compressor has been off this long
        self.valve_ok = True  # the valve never moved with the compressor on
        self.valve_moved = False
        t.ask(T.HEAT, T.SIDE_HEAT, False, len(ctl.seq.air.taps))
        t.say(
            "to heating: the compressor stops after its min run, rests %d s (min off) "
            "and the valve moves while it is off" % (ctl.cfg["min_off_s"])
        )

    def update(self, ctl, dt_ms):
        t = self.t
        if t.sensor_fault(ctl):
            return
        seq = ctl.seq
        if seq.running() == T.SIDE_HEAT:
            self._judge(ctl)
            return
        if seq.comp_on:
            if t.due():
                t.say("cooling runs out its min run (%s left)" % mmss(seq.min_run_left_ms()))
        else:
            self.stop_seen = True
            self.off_ms += dt_ms
        if seq.valve_side() == T.SIDE_HEAT and not self.valve_moved:
            self.valve_moved = True
            self.valve_ok = not seq.comp_on
        self._wait_start(ctl, dt_ms, T.SIDE_HEAT)

    def _judge(self, ctl):
        # Heating runs: were the compressor's timers and the valve rule kept?
        t = self.t
        off_s = self.off_ms // 1000
        need = ctl.cfg["min_off_s"]
        ok = self.stop_seen and self.off_ms >= need * 1000 and self.valve_ok
        t.check(
            "changeover",
            "compressor off %d s, valve moved %s"
            % (off_s, "with the compressor off" if self.valve_ok else "WITH IT ON"),
            off_s,
            ">= %d s off (min_off_s); valve only with the compressor off" % need,
            ok,
            "" if ok else "the compressor timers or the valve rule were not kept",
        )
        if not ok:
            t.finish(ctl, "fail", "the compressor timers or the valve rule were not kept")
            return
        t.next(ctl)  # the heating run, which has begun already
        t.step.begin(ctl)
