"""The commissioning self-test: a step machine the control tick carries out.

    st = SelfTest(path="/selftest.json")   # path None: the report stays in RAM
    ctl.selftest = st                      # the controller's hook (controller.py)
    st.start(ctl, "both")                  # "cool" / "heat"; a refusal is returned as text
    st.update(ctl, dt_ms)                  # by the tick, while st.active
    st.cancel(ctl)                         # the unit goes to idle, timers respected
    lines, seen = st.new_lines(seen)       # progress lines the app prints
    st.save()                              # the last report to flash (never in the tick)

While it runs the self-test stands in for the thermostat: each tick it sets `demand`,
`side`, `fan_on` and `level`, and the controller hands them to the protections and the
sequencer exactly as it hands the thermostat's. So the sequencer stays the only writer
of relays (min off, min run, starts per hour, the valve only with the compressor off),
the protections stop the compressor as always, and the watchdog keeps being fed.

Steps: sensors (each reads plausibly; after 60 s with the compressor off and the indoor
fan on, room and indoor coil agree), condensate switch, indoor fan at each speed,
cooling (the indoor coil must fall COOL_DROP_dK below room air within the window),
changeover (the compressor stops after its min run, the valve moves while it is off,
min off passes), heating (the coil must end the window HEAT_RISE_dK above room air
with the indoor fan running), reversing valve (the coil moved the right way in each
mode). A failed check ends the test at once; the remaining steps are listed as not run.

Progress: the core does not print. Each event appends a line to a ring of N_LINES
preallocated slots with a running serial; the app prints what is new after each tick
(`new_lines`), `hp.selftest_progress()` shows the ring. Lines are formatted only at
events and every PROGRESS_MS, never on an ordinary tick.
Temperatures in the report and the lines are in C and K, whatever `units` says.
The compressor-run steps (cooling, changeover, heating, valve) and their limits are the
base class RunSteps in selftest_runs.py; the report itself (its entries, its text, its
file) is selftest_report.py.
"""

from micropython import const

from heatpump import faults as F
from heatpump import lazy
from heatpump import sensors as S
from heatpump import thermostat as T
from heatpump.selftest_report import (
    check_entry,
    finished_report,
    gpio_str,
    k_str,
    load_report,
    save_report,
    t_str,
)
from heatpump.selftest_runs import PROGRESS_MS, RunSteps

LET_GO = True  # lazy.call lets this module go once the call that loaded it returns

MODES = ("both", "cool", "heat")
N_LINES = const(24)  # progress lines kept

# Limits (tenths of a K or C, ms); the compressor runs' are in selftest_runs.py.
AGREE_dK = const(30)  # room and indoor coil, idle with the fan on, agree within this
SETTLE_MS = const(60_000)  # compressor off and indoor fan on before they are compared
READ_WAIT_MS = const(10_000)  # every sensor has a reading (or a fault) by then
FAN_STEP_MS = const(10_000)  # each indoor fan speed runs this long
HEAT_MAX_OUTDOOR_dC = const(300)  # above this outdoors a heating run can trip the overload

# Plausible readings (dC) per sensor, in sensors.NAMES order.
PLAUSIBLE = ((0, 450), (-100, 700), (-400, 550), (-450, 750), (-100, 700))

# Steps.
SENSORS = const(0)
CONDENSATE = const(1)
FAN = const(2)
COOLING = const(3)
CHANGEOVER = const(4)
HEATING = const(5)
VALVE = const(6)
STEP_NAMES = ("sensors", "condensate", "fan", "cooling", "changeover", "heating", "valve")
PLANS = (
    (SENSORS, CONDENSATE, FAN, COOLING, CHANGEOVER, HEATING, VALVE),
    (SENSORS, CONDENSATE, FAN, COOLING, VALVE),
    (SENSORS, CONDENSATE, FAN, HEATING, VALVE),
)


class SelfTest(RunSteps):
    def __init__(self, path=None, fs=None):
        self.path = path  # the report's file on flash; None: RAM only
        self.fs = fs  # filesystem for store.Store (None: the real one)
        self.active = False
        # What the controller uses instead of the thermostat's answer while active.
        self.demand = T.IDLE
        self.side = T.SIDE_NONE
        self.fan_on = False  # indoor fan without the compressor
        self.level = 1  # indoor fan tap (1 = slowest)
        # Progress ring.
        self._lines = [""] * N_LINES
        self.n_lines = 0  # serial of the next line
        # The last report (dict) and whether it still has to go to flash.
        self.report = None
        self.unsaved = False
        self.store_faults = []  # (code, message) from the store, for the app to raise
        self._loaded = False
        self.plan = PLANS[0]
        self.modes = "both"
        self.checks = []
        self._clear()

    def _clear(self):
        self.i = 0  # index into plan
        self.step_ms = 0  # in the current step
        self.total_ms = 0
        self.phase = 0  # inside a step
        self.t_ms = 0  # a phase timer
        self.line_ms = 0  # since the last periodic progress line
        self.nostart_ms = 0
        self.run_ms = 0  # compressor run in this step
        self.room0 = 0  # room and coil at the compressor start
        self.coil0 = 0
        self.reach_ms = -1  # when the coil first passed the limit
        self.cool_move = None  # coil movement at the end of each run (dK) for the valve check
        self.heat_move = None
        self.stop_seen = False  # changeover: the cooling run ended
        self.off_ms = 0  # ... and the compressor has been off this long
        self.valve_ok = True  # ... the valve never moved with the compressor on
        self.valve_moved = False
        self.fan_ok = True
        self.start_up_s = 0
        self.outdoor0 = None  # dC at the start (None: no reading)

    # ---- progress ------------------------------------------------------------

    def line(self, text):
        self._lines[self.n_lines % N_LINES] = text
        self.n_lines += 1

    def new_lines(self, since):
        """(lines with serial >= since, the next serial): what the app prints."""
        n = self.n_lines
        first = since if since > n - N_LINES else n - N_LINES
        if first < 0:
            first = 0
        return [self._lines[k % N_LINES] for k in range(first, n)], n

    def lines(self):
        return self.new_lines(0)[0]

    def _say(self, text):
        self.line("self-test %d/%d %s: %s" % (self.i + 1, len(self.plan), self.name(), text))
        self.line_ms = 0

    def name(self):
        return STEP_NAMES[self.plan[self.i]]

    # ---- start, cancel ---------------------------------------------------------

    def refusal(self, ctl, modes):
        """None if the self-test may start with these modes, else why not (text)."""
        if modes not in MODES:
            raise ValueError("modes=%r is not allowed: allowed %s" % (modes, ", ".join(MODES)))
        if self.active:
            return (
                "a self-test is already running (step %s): hp.selftest(cancel=True) stops it"
                % self.name()
            )
        if ctl.defrost_active or ctl.state == "defrost":
            return "a defrost is running: start the self-test when it has ended (hp.status())"
        sn = ctl.sensors
        if not sn.ok[S.OUTDOOR]:
            return None  # the sensors step reports the outdoor sensor
        out = sn.dC[S.OUTDOOR]
        cfg = ctl.cfg
        why_cool = None
        if out < cfg["cool_min_outdoor_dC"]:
            why_cool = "the unit does not cool below %s outdoors (cool_min_outdoor_dC, E5)" % (
                t_str(cfg["cool_min_outdoor_dC"])
            )
        elif out > cfg["cool_max_outdoor_dC"]:
            why_cool = "the unit does not cool above %s outdoors (cool_max_outdoor_dC, E6)" % (
                t_str(cfg["cool_max_outdoor_dC"])
            )
        why_heat = None
        if out < cfg["heat_lockout_dC"]:
            why_heat = "the heat pump is locked out below %s outdoors (heat_lockout_dC, E4)" % (
                t_str(cfg["heat_lockout_dC"])
            )
        elif out > HEAT_MAX_OUTDOOR_dC:
            why_heat = (
                "a heating run on a day this warm can trip the compressor's overload "
                "(the self-test heats up to %s outdoors)" % t_str(HEAT_MAX_OUTDOOR_dC)
            )
        msgs = []
        if why_cool and modes != "heat":
            msgs.append("cooling cannot be tested at %s outdoors: %s" % (t_str(out), why_cool))
        if why_heat and modes != "cool":
            msgs.append("heating cannot be tested at %s outdoors: %s" % (t_str(out), why_heat))
        if not msgs:
            return None
        if why_cool and why_heat:
            msgs.append("neither mode can be tested now: run the self-test on a milder day")
        elif why_cool:
            msgs.append('heating can: hp.selftest(modes="heat")')
        else:
            msgs.append('cooling can: hp.selftest(modes="cool")')
        return "; ".join(msgs)

    def start(self, ctl, modes="both"):
        """Start (returns None) or refuse (returns the reason); ValueError for bad modes."""
        why = self.refusal(ctl, modes)
        if why is not None:
            return why
        self._clear()
        self.modes = modes
        self.plan = PLANS[MODES.index(modes)]
        self.checks = []
        self.start_up_s = ctl.uptime_s
        sn = ctl.sensors
        self.outdoor0 = sn.dC[S.OUTDOOR] if sn.ok[S.OUTDOOR] else None
        # The test decides what runs; afterwards the unit stays off until hp.set(mode=...).
        s = ctl.settings()
        s["mode"] = "off"
        ctl.apply_settings(s)
        self.active = True
        self.line(
            "self-test started (%s): %s; about 10-12 min"
            % (
                "cooling and heating" if modes == "both" else modes + "ing only",
                ", ".join(STEP_NAMES[k] for k in self.plan),
            )
        )
        self._enter(ctl)
        return None

    def cancel(self, ctl):
        """Stop now: the compressor stops after its min run, the fans after their overrun."""
        if not self.active:
            return False
        self._finish(
            ctl, "cancelled", "cancelled during step %s: not a verdict on the unit" % (self.name())
        )
        return True

    # ---- the tick --------------------------------------------------------------

    def update(self, ctl, dt_ms):
        """One tick (controller.py): decide what this tick asks of the sequencer."""
        self.step_ms += dt_ms
        self.total_ms += dt_ms
        self.line_ms += dt_ms
        s = self.plan[self.i]
        if s == SENSORS:
            self._sensors(ctl, dt_ms)
        elif s == CONDENSATE:
            self._condensate(ctl)
        elif s == FAN:
            self._fan(ctl, dt_ms)
        elif s == COOLING:
            self._run(ctl, dt_ms, T.SIDE_COOL)
        elif s == CHANGEOVER:
            self._changeover(ctl, dt_ms)
        elif s == HEATING:
            self._run(ctl, dt_ms, T.SIDE_HEAT)
        else:
            self._valve(ctl)

    def _ask(self, demand, side, fan_on, level):
        self.demand = demand
        self.side = side
        self.fan_on = fan_on
        self.level = level

    def _enter(self, ctl):
        self.step_ms = self.t_ms = self.run_ms = self.nostart_ms = 0
        self.phase = 0
        self.reach_ms = -1
        s = self.plan[self.i]
        top = len(ctl.seq.taps)
        if s == SENSORS:
            self._ask(T.IDLE, T.SIDE_NONE, True, 1)
            self._say("reading the sensors")
        elif s == CONDENSATE:
            self._ask(T.IDLE, T.SIDE_NONE, True, 1)  # the fan keeps running into the fan step
        elif s == FAN:
            self._ask(T.IDLE, T.SIDE_NONE, True, 1)
            self._say_fan(ctl)
        elif s == COOLING:
            self._ask(T.COOL, T.SIDE_COOL, False, top)
            self._say("the compressor starts %s" % self._wait_text(ctl))
        elif s == CHANGEOVER:
            self._ask(T.HEAT, T.SIDE_HEAT, False, top)
            self.stop_seen = not ctl.seq.comp_on
            self.off_ms = 0
            self.valve_ok = True
            self.valve_moved = False
            self._say(
                "to heating: the compressor stops after its min run, rests %d s (min off) "
                "and the valve moves while it is off" % (ctl.cfg["min_off_s"])
            )
        elif s == HEATING:
            self._ask(T.HEAT, T.SIDE_HEAT, False, top)
            if not ctl.seq.comp_on:  # after the changeover it runs already
                self._say("the compressor starts %s" % self._wait_text(ctl))
        else:
            self._ask(T.IDLE, T.SIDE_NONE, False, 1)

    def _next(self, ctl):
        self.i += 1
        if self.i >= len(self.plan):
            self._finish(ctl, "pass", "all checks passed")
        else:
            self._enter(ctl)

    # ---- checks and the end ------------------------------------------------------

    def _check(self, check, measured, value, limit, ok, message=""):
        self.checks.append(
            check_entry(
                self.name(), check, measured, value, limit, "pass" if ok else "fail", message
            )
        )
        if ok:
            self._say("%s %s: pass" % (check, measured))
        return ok

    def _skip(self, check, why):
        self.checks.append(check_entry(self.name(), check, None, None, None, "skip", why))
        self._say("%s: skipped (%s)" % (check, why))

    def _fail(self, ctl, check, measured, value, limit, message):
        self._check(check, measured, value, limit, False, message)
        self._finish(ctl, "fail", message)

    def _finish(self, ctl, result, message):
        failed = self.name() if result == "fail" else None
        # pass: i is past the end; fail: the failed step ran; cancelled: it did not finish
        first = self.i + 1 if result == "fail" else self.i
        not_run = [STEP_NAMES[k] for k in self.plan[first:]]
        self.report = finished_report(
            result,
            self.modes,
            failed,
            message,
            self.checks,
            not_run,
            self.start_up_s,
            self.total_ms,
            self.outdoor0,
        )
        self.unsaved = True
        self.active = False
        self._ask(T.IDLE, T.SIDE_NONE, False, ctl.level)  # the user's speed: no tap change
        if result == "fail":
            self.line("self-test FAIL at step %s: %s" % (failed, message))
        elif result == "pass":
            self.line("self-test PASS: %d checks passed" % len(self.checks))
        else:
            self.line("self-test CANCELLED during step %s" % STEP_NAMES[self.plan[self.i]])
        self.line(
            "the compressor stops after its min run; the unit stays off "
            "(hp.set(mode=...)); hp.selftest_report() shows the report"
        )

    # ---- steps --------------------------------------------------------------------

    def _sensor_fault(self, ctl):
        """Fail the test if a sensor has a confirmed fault; True if it did."""
        sn = ctl.sensors
        for i in range(S.N_SENSORS):
            if sn.present[i] and sn.fault[i]:
                self._sensor_check(ctl, i)
                return True
        return False

    def _sensor_check(self, ctl, i):
        sn = ctl.sensors
        name = S.NAMES[i]
        title = name.replace("_", " ") + " sensor"
        lo, hi = PLAUSIBLE[i]
        limit = "%s..%s" % (t_str(lo), t_str(hi))
        where = gpio_str(ctl.board.thermistors.get(name))
        if sn.fault[i]:
            kind = S.KIND_NAMES[sn.fault[i]]
            what = {"open": "open circuit", "short": "short circuit", "jump": "jumping"}[kind]
            code = F.ORDER[F.SENSOR_ROOM + i]
            return self._fail(
                ctl,
                title,
                what,
                None,
                limit,
                "the %s reads %s (%s): check its plug and wiring%s, the thermistor itself "
                "and its divider resistor" % (title, what, code, where),
            )
        if not sn.ok[i]:
            return self._fail(
                ctl,
                title,
                "no reading",
                None,
                limit,
                "the %s gives no steady reading: check its plug and wiring%s" % (title, where),
            )
        v = sn.dC[i]
        if not lo <= v <= hi:
            return self._fail(
                ctl,
                title,
                t_str(v),
                v / 10,
                limit,
                "the %s reads %s, not a plausible value here: check the thermistor type and "
                "divider in the board file, and the wiring%s" % (title, t_str(v), where),
            )
        return self._check(title, t_str(v), v / 10, limit, True)

    def _sensors(self, ctl, dt_ms):
        sn = ctl.sensors
        seq = ctl.seq
        if self.phase == 0:
            pending = False
            for i in range(S.N_SENSORS):
                if sn.present[i] and not (sn.ok[i] or sn.fault[i]):
                    pending = True
            if pending and self.step_ms < READ_WAIT_MS:
                return
            for i in range(S.N_SENSORS):
                if sn.present[i] and not self._sensor_check(ctl, i):
                    return
            self.phase = 1
            self.t_ms = 0
            self._say(
                "room and indoor coil must agree within %s after %d s with the compressor "
                "off and the indoor fan on" % (k_str(AGREE_dK), SETTLE_MS // 1000)
            )
            return
        if self._sensor_fault(ctl):
            return
        if seq.comp_on:
            self.t_ms = 0
            if self.line_ms >= PROGRESS_MS:
                self._say("waiting for the compressor to stop (%s)" % self._hold_text(ctl))
            return
        self.t_ms += dt_ms
        if self.t_ms < SETTLE_MS:
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
                % (t_str(room), t_str(coil), SETTLE_MS // 1000, k_str(AGREE_dK))
            )
        if self._check(
            "room and indoor coil agree",
            "%s apart" % k_str(d),
            d / 10,
            "<= %s" % k_str(AGREE_dK),
            ok,
            msg,
        ):
            self._next(ctl)
        else:
            self._finish(ctl, "fail", msg)

    def _condensate(self, ctl):
        if not ctl.has_condensate:
            self._skip("condensate switch", "no condensate_full input in the board file")
        elif ctl.condensate_full:
            self._fail(
                ctl,
                "condensate switch",
                "pan full",
                True,
                "pan not full",
                "the condensate switch%s reads 'pan full' before any cooling: %s"
                % (
                    gpio_str(ctl.board.inputs.get("condensate_full")),
                    lazy.call("fault_text", "hint", "E7"),
                ),
            )
            return
        else:
            self._check("condensate switch", "pan not full", False, "pan not full", True)
        self._next(ctl)

    def _say_fan(self, ctl):
        seq = ctl.seq
        speed = ctl.speeds[self.phase]
        both = " (one motor: both fans)" if seq.shared_fan else ""
        self._say(
            "indoor fan at %s for %d s%s: look and listen that it runs"
            % (speed, FAN_STEP_MS // 1000, both)
        )

    def _fan(self, ctl, dt_ms):
        if self._sensor_fault(ctl):
            return
        self.t_ms += dt_ms
        if self.t_ms < FAN_STEP_MS:
            return
        taps = ctl.seq.taps
        if not ctl.hal.relay(taps[self.phase]):
            self.fan_ok = False
        self.phase += 1
        self.t_ms = 0
        if self.phase < len(taps):
            self.level = self.phase + 1
            self._say_fan(ctl)
            return
        speeds = ", ".join(ctl.speeds)
        if self._check(
            "indoor fan",
            "%s on %d s each" % (speeds, FAN_STEP_MS // 1000),
            len(taps),
            "each speed runs (look and listen)",
            self.fan_ok,
            "" if self.fan_ok else "a fan relay did not switch on: check hp.faults()",
        ):
            self._next(ctl)
        else:
            self._finish(ctl, "fail", "a fan relay did not switch on")

    # ---- status, persistence (REPL and app; they allocate) ------------------------------

    def status(self):
        """One line for hp.status() while the test runs, else None."""
        if not self.active:
            return None
        return "step %d/%d %s, %d s in" % (
            self.i + 1,
            len(self.plan),
            self.name(),
            self.step_ms // 1000,
        )

    def save(self):
        """Write a new report to flash (the app's persistence task, or the REPL)."""
        if not self.unsaved or not self.path:
            return False
        if save_report(self.path, self.fs, self.store_faults, self.report):
            self.unsaved = False
            return True
        return False

    def last_report(self):
        """The last report: this boot's, or the one on flash; None if there is none."""
        if self.report is None and self.path and not self._loaded:
            self._loaded = True
            self.report = load_report(self.path, self.fs, self.store_faults)
        return self.report
