"""The self-test's compressor runs: the cooling and heating runs, the changeover, the valve.

`RunSteps` is the base class of `SelfTest` (selftest.py): its methods are the steps
that run the compressor, wait for its timers and judge the indoor coil. They live here
to keep each module a few hundred lines; they use the step machine's helpers
(`_say`, `_check`, `_fail`, `_next`, `_finish`, `_enter`, `_sensor_fault`) and its
attributes, and format text only at events and every PROGRESS_MS, as the rest does.
"""

# The helpers and most attributes are SelfTest's: pyright cannot see them from here.
# pyright: reportAttributeAccessIssue=false

from micropython import const

from heatpump import lazy
from heatpump import sensors as S
from heatpump import sequencer as Q
from heatpump import thermostat as T
from heatpump.selftest_report import gpio_str, k_str, mmss, t_str

LET_GO = True  # lazy.call lets this module go once the call that loaded it returns

# Limits (tenths of a K or C, ms). A healthy 12,000 BTU/h unit in the plant model: the
# coil 16-17 K below the room after 180 s of cooling, 11-26 K above it in heating
# (-6..25 C outdoors); a unit with a third of that capacity: 7 K and 4-8 K.
COOL_DROP_dK = const(100)  # cooling: coil at least this far below room air ...
COOL_WINDOW_MS = const(180_000)  # ... within this long of the compressor start
HEAT_RISE_dK = const(90)  # heating: coil this far above room air at the window's end
HEAT_WINDOW_MS = const(180_000)  # (at least cold_blow_max_s + 60 s: the fan must run)
MOVED_dK = const(30)  # a coil that moved less than this: the compressor does not pump
WRONG_dK = const(30)  # moved this far the wrong way: the valve is in the other position
NO_START_MS = const(10_000)  # nothing holds a wanted start this long: it failed
PROGRESS_MS = const(30_000)  # a progress line this often while a step waits or runs


class RunSteps:
    """The compressor-run steps of SelfTest (its base class; not used alone)."""

    def _hold_text(self, ctl):
        seq = ctl.seq
        if seq.comp_on:
            return "min run, %s left" % mmss(seq.run_left_ms)
        return "starting"

    def _wait_text(self, ctl):
        seq = ctl.seq
        if seq.comp_on:
            return "(the compressor runs out its min run first, %s left)" % mmss(seq.run_left_ms)
        left = seq.wait_left_ms()
        if left > 0:
            return "in %s (%s)" % (mmss(left), Q.WAIT_NAMES[seq.wait] or "min off")
        return "any moment"

    def _blocked_fail(self, ctl, side, check):
        codes = ctl.active_codes()
        hints = []
        for c in codes:  # the texts load only when a step is blocked
            hints.append("%s %s" % (c, lazy.call("fault_text", "hint", c)))
        what = "cooling" if side == T.SIDE_COOL else "heating"
        if "E7" in codes:
            check = "condensate switch"
        elif "E8" in codes:
            check = "reversing valve"
        self._fail(
            ctl,
            check,
            " ".join(codes) or "stopped",
            None,
            "no protection stops the run",
            "a protection stops %s: %s" % (what, "; ".join(hints) or "see hp.faults()"),
        )

    def _wait_start(self, ctl, dt_ms, side):
        """While the compressor is not running on side: True once it is."""
        seq = ctl.seq
        if seq.comp_on and seq.run_side == side:
            return True
        pr = ctl.protect
        blocked = pr.cool_block if side == T.SIDE_COOL else pr.heat_block
        check = "cooling" if side == T.SIDE_COOL else "heating"
        if blocked:
            self._blocked_fail(ctl, side, check)
            return False
        if not seq.comp_on and seq.wait == Q.W_NONE:
            self.nostart_ms += dt_ms
            if self.nostart_ms >= NO_START_MS:
                self._fail(
                    ctl,
                    check,
                    "compressor not started",
                    None,
                    "starts when its timers allow",
                    "the compressor was not started: check hp.status() and hp.faults()",
                )
            return False
        self.nostart_ms = 0
        if self.line_ms >= PROGRESS_MS:
            self._say("waiting: compressor %s" % self._wait_text(ctl))
        return False

    def _begin_run(self, ctl):
        sn = ctl.sensors
        self.phase = 1
        self.run_ms = 0
        self.reach_ms = -1
        self.room0 = sn.dC[S.ROOM]
        self.coil0 = sn.dC[S.INDOOR_COIL]
        out = " and the outdoor fan" if ctl.seq.has_outdoor_fan else ""
        self._say(
            "compressor on%s: room %s, indoor coil %s"
            % (out, t_str(self.room0), t_str(self.coil0))
        )

    def _run(self, ctl, dt_ms, side):
        if self._sensor_fault(ctl):
            return
        seq = ctl.seq
        cool = side == T.SIDE_COOL
        check = "cooling" if cool else "heating"
        if self.phase == 0:
            if self._wait_start(ctl, dt_ms, side):
                self._begin_run(ctl)
            return
        if not (seq.comp_on and seq.run_side == side):
            self._blocked_fail(ctl, side, check)
            return
        self.run_ms += dt_ms
        sn = ctl.sensors
        room = sn.dC[S.ROOM]
        coil = sn.dC[S.INDOOR_COIL]
        moved = coil - self.coil0
        if cool:
            d = room - coil  # the drop below room air
            wrong = moved >= WRONG_dK
            limit_dK = COOL_DROP_dK
            window = COOL_WINDOW_MS
            counts = True
        else:
            d = coil - room  # the rise above room air
            wrong = -moved >= WRONG_dK
            limit_dK = HEAT_RISE_dK
            window = HEAT_WINDOW_MS
            w = ctl.cfg["cold_blow_max_s"] * 1000 + 60_000
            if w > window:
                window = w
            counts = seq.tap > 0  # judged with the indoor fan running only
        if wrong:
            self._valve_fail(ctl, side, moved)
            return
        if self.reach_ms < 0 and counts and d >= limit_dK:
            self.reach_ms = self.run_ms
            self._say(
                "coil %s %s room air after %d s"
                % (k_str(d), "below" if cool else "above", self.run_ms // 1000)
            )
        if self.run_ms < window:
            if self.line_ms >= PROGRESS_MS:
                self._say(
                    "%d s: coil %s, %s %s room air (needs %s %s %d s)"
                    % (
                        self.run_ms // 1000,
                        t_str(coil),
                        k_str(d if d > 0 else -d),
                        "below" if (d >= 0) == cool else "above",
                        k_str(limit_dK),
                        "within" if cool else "with the fan on at",
                        window // 1000,
                    )
                )
            return
        if cool:
            self.cool_move = moved
            ok = self.reach_ms >= 0
            when = " (%s after %d s)" % (k_str(limit_dK), self.reach_ms // 1000) if ok else ""
            measured = "%s below room after %d s%s" % (k_str(d), window // 1000, when)
            limit = ">= %s below room within %d s" % (k_str(limit_dK), window // 1000)
        else:
            self.heat_move = moved
            ok = d >= limit_dK and counts
            when = (
                " (%s with the fan on after %d s)" % (k_str(limit_dK), self.reach_ms // 1000)
                if self.reach_ms >= 0
                else ""
            )
            measured = "%s above room after %d s%s" % (k_str(d), window // 1000, when)
            limit = ">= %s above room after %d s, indoor fan on" % (
                k_str(limit_dK),
                window // 1000,
            )
        msg = ""
        if not ok:
            if moved < MOVED_dK and -moved < MOVED_dK:
                msg = (
                    "the indoor coil did not move (%s in %d s): the compressor does not "
                    "seem to pump. Check that it runs (hum, warm discharge line), its "
                    "contactor and the compressor relay's wiring, and that the coil sensor "
                    "is clipped to the coil" % (k_str(moved), window // 1000)
                )
            elif not counts:
                msg = (
                    "the indoor fan did not run in heating: check the indoor fan and its "
                    "relay wiring"
                )
            else:
                msg = (
                    "%s too weak: the indoor coil got only %s %s room air (needs %s). "
                    "Check the filter and both coils are clean, the outdoor fan runs, the "
                    "refrigerant charge (a technician's job), and that the unit is big "
                    "enough (python -m tools.sizing)"
                    % (check, k_str(d), "below" if cool else "above", k_str(limit_dK))
                )
        if self._check(check, measured, d / 10, limit, ok, msg):
            self._next(ctl)
        else:
            self._finish(ctl, "fail", msg)

    def _valve_fail(self, ctl, side, moved):
        cool = side == T.SIDE_COOL
        where = gpio_str(ctl.board.relays.get("reversing_valve"))
        conv = ctl.board.valve
        self._fail(
            ctl,
            "reversing valve",
            "coil %s %s in %s"
            % (
                "rose" if moved > 0 else "fell",
                k_str(moved if moved > 0 else -moved),
                "cooling" if cool else "heating",
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
                conv,
                "heating" if cool else "cooling",
            ),
        )

    def _changeover(self, ctl, dt_ms):
        if self._sensor_fault(ctl):
            return
        seq = ctl.seq
        if seq.comp_on and seq.run_side == T.SIDE_HEAT:
            off_s = self.off_ms // 1000
            need = ctl.cfg["min_off_s"]
            ok = self.stop_seen and self.off_ms >= need * 1000 and self.valve_ok
            self._check(
                "changeover",
                "compressor off %d s, valve moved %s"
                % (off_s, "with the compressor off" if self.valve_ok else "WITH IT ON"),
                off_s,
                ">= %d s off (min_off_s); valve only with the compressor off" % need,
                ok,
                "" if ok else "the compressor timers or the valve rule were not kept",
            )
            if not ok:
                self._finish(ctl, "fail", "the compressor timers or the valve rule were not kept")
                return
            self.i += 1
            self._enter(ctl)
            self._begin_run(ctl)
            return
        if seq.comp_on:
            if self.line_ms >= PROGRESS_MS:
                self._say("cooling runs out its min run (%s left)" % mmss(seq.run_left_ms))
        else:
            self.stop_seen = True
            self.off_ms += dt_ms
        if seq.valve_side() == T.SIDE_HEAT and not self.valve_moved:
            self.valve_moved = True
            self.valve_ok = not seq.comp_on
        self._wait_start(ctl, dt_ms, T.SIDE_HEAT)

    def _valve(self, ctl):
        parts = []
        if self.cool_move is not None:
            parts.append("cooling %s" % k_str(self.cool_move))
        if self.heat_move is not None:
            sign = "+" if self.heat_move > 0 else ""
            parts.append("heating %s%s" % (sign, k_str(self.heat_move)))
        ok = (self.cool_move is None or self.cool_move <= -MOVED_dK) and (
            self.heat_move is None or self.heat_move >= MOVED_dK
        )
        tested = "both modes" if self.modes == "both" else self.modes + "ing only"
        self._check(
            "reversing valve",
            "coil moved " + ", ".join(parts),
            None,
            "falls in cooling, rises in heating (%s)" % tested,
            ok,
            "" if ok else "the coil did not move the right way",
        )
        if ok:
            self._next(ctl)
        else:
            self._finish(ctl, "fail", "the coil did not move the right way")
