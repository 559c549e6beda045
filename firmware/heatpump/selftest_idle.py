"""The self-test's steps with the compressor off: the sensors, the condensate switch,
the indoor fan at each speed. Each is a class made when its step starts (selftest.py:
STEPS), with `update(ctl, dt_ms)` each tick; it asks, says and checks through the
step machine `t`, and formats text only at events and when a progress line is due.
"""

from micropython import const

from heatpump import lazy
from heatpump import sensors as S
from heatpump import thermostat as T
from heatpump.text import fmt_diff, fmt_temp, gpio_str, mmss

LET_GO = True  # lazy.call lets this module go once the call that loaded it returns

AGREE_dK = const(30)  # room and indoor coil, idle with the fan on, agree within this
SETTLE_MS = const(60_000)  # compressor off and indoor fan on before they are compared
READ_WAIT_MS = const(10_000)  # every sensor has a reading (or a fault) by then
FAN_STEP_MS = const(10_000)  # each indoor fan speed runs this long


class Sensors:
    """Each sensor reads plausibly; then, after SETTLE_MS with the compressor off and
    the indoor fan on, room and indoor coil agree within AGREE_dK."""

    def __init__(self, t, ctl, _arg):
        self.t = t
        self.agreeing = False  # the readings passed: now the room and the coil
        self.settled_ms = 0  # the compressor off (and the fan on) this long
        t.ask(T.IDLE, T.SIDE_NONE, True, 1)
        t.say("reading the sensors")

    def update(self, ctl, dt_ms):
        t = self.t
        sn = ctl.sensors
        if not self.agreeing:
            self._readings(ctl)
            return
        if t.sensor_fault(ctl):
            return
        seq = ctl.seq
        if seq.comp_on:
            self.settled_ms = 0
            if t.due():
                left = "min run, %s left" % mmss(seq.min_run_left_ms())
                t.say("waiting for the compressor to stop (%s)" % left)
            return
        self.settled_ms += dt_ms
        if self.settled_ms < SETTLE_MS:
            return
        room = sn.dC[S.ROOM]
        coil = sn.dC[S.INDOOR_COIL]
        d = coil - room if coil >= room else room - coil
        ok = d <= AGREE_dK
        msg = ""
        if not ok:
            msg = (
                "room air reads %s and the indoor coil %s after %d s of fan with the "
                "compressor off; they should agree within %s: check that the room sensor "
                "sits in the return air at the filter and the coil sensor is clipped to the "
                "coil, and both sensors' parts and dividers in the board file"
                % (fmt_temp(room), fmt_temp(coil), SETTLE_MS // 1000, fmt_diff(AGREE_dK))
            )
        agreed = "%s apart" % fmt_diff(d)
        if t.check(
            "room and indoor coil agree", agreed, d / 10, "<= %s" % fmt_diff(AGREE_dK), ok, msg
        ):
            t.next(ctl)
        else:
            t.finish(ctl, "fail", msg)

    def _readings(self, ctl):
        # Every sensor read (or faulted), or READ_WAIT_MS passed: each one judged.
        t = self.t
        sn = ctl.sensors
        pending = False
        for i in range(S.N_SENSORS):
            if sn.present[i] and not (sn.ok[i] or sn.fault[i]):
                pending = True
        if pending and t.step_ms < READ_WAIT_MS:
            return
        for i in range(S.N_SENSORS):
            if sn.present[i] and not t.sensor_check(ctl, i):
                return
        self.agreeing = True
        t.say(
            "room and indoor coil must agree within %s after %d s with the compressor "
            "off and the indoor fan on" % (fmt_diff(AGREE_dK), SETTLE_MS // 1000)
        )


class Condensate:
    """The float switch, if the board has one, reads 'pan not full' before any cooling."""

    def __init__(self, t, ctl, _arg):
        self.t = t
        t.ask(T.IDLE, T.SIDE_NONE, True, 1)  # the fan keeps running into the fan step

    def update(self, ctl, _dt_ms):
        t = self.t
        name = "condensate switch"
        if not ctl.has_condensate:
            t.skip(name, "no condensate_full input in the board file")
        elif ctl.condensate_full:
            where = gpio_str(ctl.board.inputs.get("condensate_full"))
            hint = lazy.call("fault_text", "hint", "E7")
            t.fail(
                ctl,
                name,
                "pan full",
                True,
                "pan not full",
                "the condensate switch%s reads 'pan full' before any cooling: %s" % (where, hint),
            )
            return
        else:
            t.check(name, "pan not full", False, "pan not full", True)
        t.next(ctl)


class Fan:
    """The indoor fan at each of the board's speeds for FAN_STEP_MS: its relay closes
    (a person looks and listens that it runs)."""

    def __init__(self, t, ctl, _arg):
        self.t = t
        self.tap = 0  # the speed running now: ctl.speeds index
        self.ran_ms = 0
        self.ok = True  # every tap's relay closed
        t.ask(T.IDLE, T.SIDE_NONE, True, 1)
        self._say(ctl)

    def _say(self, ctl):
        both = " (one motor: both fans)" if ctl.seq.air.shared_fan else ""
        self.t.say(
            "indoor fan at %s for %d s%s: look and listen that it runs"
            % (ctl.speeds[self.tap], FAN_STEP_MS // 1000, both)
        )

    def update(self, ctl, dt_ms):
        t = self.t
        if t.sensor_fault(ctl):
            return
        self.ran_ms += dt_ms
        if self.ran_ms < FAN_STEP_MS:
            return
        taps = ctl.seq.air.taps
        if not ctl.hal.relay(taps[self.tap]):
            self.ok = False
        self.tap += 1
        self.ran_ms = 0
        if self.tap < len(taps):
            t.ask(T.IDLE, T.SIDE_NONE, True, self.tap + 1)
            self._say(ctl)
            return
        speeds = ", ".join(ctl.speeds)
        if t.check(
            "indoor fan",
            "%s on %d s each" % (speeds, FAN_STEP_MS // 1000),
            len(taps),
            "each speed runs (look and listen)",
            self.ok,
            "" if self.ok else "a fan relay did not switch on: check hp.faults()",
        ):
            t.next(ctl)
        else:
            t.finish(ctl, "fail", "a fan relay did not switch on")
