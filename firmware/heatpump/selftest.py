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

A plan is a tuple of step names (PLANS); each step is a small class with its own
state (STEPS says where): the steps with the compressor off (sensors, condensate
switch, indoor fan) in selftest_idle.py, the compressor runs (cooling, changeover,
heating) in selftest_runs.py, the reversing valve's verdict in selftest_valve.py.
Every step's module is loaded when the test starts (at the REPL: the tick does no
file I/O) and each is let go once no step left needs it, so while the compressor runs
the heap holds this machine and the runs' module only. A step talks to this machine
through ask, say, due, check, skip, fail, finish and next; the coil's movement in
each run (cool_move, heat_move) is the record the valve step judges. A failed check
ends the test at once; the remaining steps are listed as not run.

Progress: the core does not print. Each event appends a line to a ring of N_LINES
preallocated slots with a running serial; the app prints what is new after each tick
(`new_lines`), `hp.selftest_progress()` shows the ring. Lines are formatted only at
events and every PROGRESS_MS, never on an ordinary tick.
Temperatures in the report and the lines are in C and K, whatever `units` says.
The report itself (its entries, its text, its file) is selftest_report.py.
"""

from micropython import const

from heatpump import lazy
from heatpump import sensors as S
from heatpump import thermostat as T
from heatpump.selftest_report import check_entry, finished_report, load_report, save_report
from heatpump.selftest_sensor import judge_sensor
from heatpump.text import fit, short

LET_GO = True  # lazy.call lets this module go once the call that loaded it returns

MODES = ("both", "cool", "heat")
N_LINES = const(24)  # progress lines kept
PROGRESS_MS = const(30_000)  # a progress line this often while a step waits or runs

# Each step: the module and class that carry it out, and what the class is given.
STEPS = {
    "sensors": ("selftest_idle", "Sensors", 0),
    "condensate": ("selftest_idle", "Condensate", 0),
    "fan": ("selftest_idle", "Fan", 0),
    "cooling": ("selftest_runs", "Run", T.SIDE_COOL),
    "changeover": ("selftest_runs", "Changeover", 0),
    "heating": ("selftest_runs", "Run", T.SIDE_HEAT),
    "valve": ("selftest_valve", "Valve", 0),
}
PLANS = (  # in MODES order
    ("sensors", "condensate", "fan", "cooling", "changeover", "heating", "valve"),
    ("sensors", "condensate", "fan", "cooling", "valve"),
    ("sensors", "condensate", "fan", "heating", "valve"),
)


class SelfTest:
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
        self.step = None  # the current step (a class of selftest_idle or selftest_runs)
        self._modules = {}  # name -> the step modules still to run (loaded at start)
        self.step_ms = 0  # in the current step
        self.total_ms = 0
        self.line_ms = 0  # since the last periodic progress line
        self.cool_move = None  # coil movement at the end of each run (dK): the valve check
        self.heat_move = None
        self.start_up_s = 0
        self.outdoor0 = None  # dC at the start (None: no reading)

    # ---- progress ------------------------------------------------------------

    def line(self, text):
        self._lines[self.n_lines % N_LINES] = fit(text)  # as wide as a serial terminal
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

    def say(self, text):
        """A progress line of the current step."""
        self.line("self-test %d/%d %s: %s" % (self.i + 1, len(self.plan), self.name(), text))
        self.line_ms = 0

    def due(self):
        """A periodic progress line is due (a step waiting or running says how it goes)."""
        return self.line_ms >= PROGRESS_MS

    def name(self):
        return self.plan[self.i]

    # ---- start, cancel ---------------------------------------------------------

    def refusal(self, ctl, modes):
        """None if the self-test may start with these modes, else why not (text)."""
        # Not `in` alone: on MicroPython bytearray(b"heat") == "heat", and the report
        # would hold the bytearray (not JSON).
        if type(modes) is not str or modes not in MODES:
            raise ValueError(
                "modes=%s is not allowed: allowed %s" % (short(modes), ", ".join(MODES))
            )
        from heatpump import selftest_refusal

        return selftest_refusal.refusal(ctl, modes, self.name() if self.active else None)

    def start(self, ctl, modes="both"):
        """Start (returns None) or refuse (returns the reason); ValueError for bad modes."""
        why = self.refusal(ctl, modes)
        if why is not None:
            return why
        plan = PLANS[MODES.index(modes)]
        # Every step's module now, at the REPL, before anything changes: the tick does
        # no file I/O, and a heap too full for them (MemoryError) leaves the unit as it was.
        modules = {}
        for name in plan:
            module = STEPS[name][0]
            if module not in modules:
                modules[module] = lazy.use(module)
        self._clear()
        self._modules = modules
        self.modes = modes
        self.plan = plan
        self.checks = []
        self.start_up_s = ctl.uptime_s
        sn = ctl.sensors
        self.outdoor0 = sn.dC[S.OUTDOOR] if sn.ok[S.OUTDOOR] else None
        # The test decides what runs; afterwards the unit stays off until hp.set(mode=...).
        s = ctl.settings()
        s["mode"] = "off"
        ctl.apply_settings(s)
        ctl.drop_defrost_request()
        self.active = True
        self.line(
            "self-test started (%s): %s; about 10-12 min"
            % (
                "cooling and heating" if modes == "both" else modes + "ing only",
                ", ".join(self.plan),
            )
        )
        self._enter(ctl)
        return None

    def cancel(self, ctl):
        """Stop now: the compressor stops after its min run, the fans after their overrun."""
        if not self.active:
            return False
        self.finish(
            ctl, "cancelled", "cancelled during step %s: not a verdict on the unit" % (self.name())
        )
        return True

    # ---- the tick --------------------------------------------------------------

    def update(self, ctl, dt_ms):
        """One tick (controller.py): the current step decides what it asks."""
        self.step_ms += dt_ms
        self.total_ms += dt_ms
        self.line_ms += dt_ms
        step = self.step
        if step is not None:
            step.update(ctl, dt_ms)

    def ask(self, demand, side, fan_on, level):
        """What this tick asks of the controller instead of the thermostat."""
        self.demand = demand
        self.side = side
        self.fan_on = fan_on
        self.level = level

    def _enter(self, ctl):
        self.step_ms = 0
        module, cls, arg = STEPS[self.name()]
        needed = [STEPS[n][0] for n in self.plan[self.i :]]
        for done in [m for m in self._modules if m not in needed]:
            self._let_go(done)  # no step left in the plan needs it
        self.step = getattr(self._modules[module], cls)(self, ctl, arg)

    def _let_go(self, module):
        del self._modules[module]
        lazy.drop(module)  # (already out of sys.modules if it was loaded at the REPL)

    def next(self, ctl):
        """The current step passed: on to the next one, or the end."""
        self.i += 1
        if self.i >= len(self.plan):
            self.finish(ctl, "pass", "all checks passed")
        else:
            self._enter(ctl)

    # ---- checks and the end ------------------------------------------------------

    def check(self, check, measured, value, limit, ok, message=""):
        self.checks.append(
            check_entry(
                self.name(), check, measured, value, limit, "pass" if ok else "fail", message
            )
        )
        if ok:
            self.say("%s %s: pass" % (check, measured))
        return ok

    def skip(self, check, why):
        self.checks.append(check_entry(self.name(), check, None, None, None, "skip", why))
        self.say("%s: skipped (%s)" % (check, why))

    def fail(self, ctl, check, measured, value, limit, message):
        self.check(check, measured, value, limit, False, message)
        self.finish(ctl, "fail", message)

    def finish(self, ctl, result, message):
        failed = self.name() if result == "fail" else None
        # pass: i is past the end; fail: the failed step ran; cancelled: it did not finish
        first = self.i + 1 if result == "fail" else self.i
        self.report = finished_report(
            result,
            self.modes,
            failed,
            message,
            self.checks,
            list(self.plan[first:]),
            self.start_up_s,
            self.total_ms,
            self.outdoor0,
        )
        self.unsaved = True
        self.active = False
        self.step = None
        for module in list(self._modules):
            self._let_go(module)
        self.ask(T.IDLE, T.SIDE_NONE, False, ctl.level)  # the user's speed: no tap change
        if result == "fail":
            self.line("self-test FAIL at step %s: %s" % (failed, message))
        elif result == "pass":
            self.line("self-test PASS: %d checks passed" % len(self.checks))
        else:
            self.line("self-test CANCELLED during step %s" % self.name())
        self.line(
            "the compressor stops after its min run; the unit stays off "
            "(hp.set(mode=...)); hp.selftest_report() shows the report"
        )

    # ---- the sensors, judged by every step ---------------------------------------

    def sensor_fault(self, ctl):
        """Fail the test if a sensor has a confirmed fault; True if it did."""
        sn = ctl.sensors
        for i in range(S.N_SENSORS):
            if sn.present[i] and sn.fault[i]:
                self.sensor_check(ctl, i)
                return True
        return False

    def sensor_check(self, ctl, i):
        """Check sensor i's reading (a fault, none yet, implausible); True if it passed."""
        return judge_sensor(self, ctl, i)

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
