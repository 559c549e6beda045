"""The simulator's engine: the firmware against a simulated room and heat pump
(run_scenario, Run; tools/sim/cli.py is its command line).

Each simulated second: the plant steps with the relays as the firmware left them, the
plant's temperatures go into the simulated HAL (through the board's thermistor and
ADC model), time advances, and the firmware's controller ticks once, exactly as the
app does on the board. `run` writes trace.csv, relays.json, metrics.json and plot.png
(README, section "The simulator", describes them; tools/sim/scenario.py the input).

A power cut is what it is on the board: the relays drop out and the controller's RAM is
gone. The firmware starts as the board's app does (heatpump/app.py App: the controller
with its defrost, settings, config and counters from flash through heatpump/store.py),
and the app's persistence task runs on its schedule in sim time: the app's own step
(Keeper.persist_step, every PERSIST_EVERY_MS: settings and config compared and saved when
changed, counters offered every COUNTERS_EVERY_MS and written at most every 10 min).
The simulated flash is an in-memory filesystem that survives the cut.

Resets (scenario events, tools/sim/scenario.py): a watchdog reset drops the relays and boots
the firmware at once with the reset cause "watchdog"; a crash of the control task goes
through the app's own crash rule (App.on_crash), which either restarts the tasks after
its pause (no tick meanwhile) or resets the board (a boot with "soft reset"); a power
reset is a 2 s cut. For each, the invariant checker gets a tick in the state "power
off" at that time: the relays written then were not the controller's doing.
"""

import bisect
import io
import json
import operator
import os

from heatpump import app as fw_app
from heatpump import config as fw_config
from heatpump.api import Api
from heatpump.app import App, stores
from heatpump.board import load_board
from heatpump.controller import Controller
from heatpump.hal.sim import SimHAL
from heatpump.keeper import COUNTERS_EVERY_MS, PERSIST_EVERY_MS

from tools.plant import DailyWeather, Plant, RoomParams, SensorParams, UnitParams, synthetic_year
from tools.sim.invariants import check_invariants
from tools.sim.metrics import Metrics

TRACE_COLUMNS = (
    "t_s",
    "room_c",
    "outdoor_c",
    "indoor_coil_c",
    "outdoor_coil_c",
    "frost_kg",
    "compressor",
    "reversing_valve",
    "fan_indoor",
    "fan_outdoor",
    "aux_heat",
    "mode",
    "state",
    "defrost",
    "faults",
    "power_w",
    "capacity_w",
    "setpoint_c",
)
# One trace row; the numbers are rounded to what the plant model can tell apart.
_ROW_FORMAT = "%.1f,%.3f,%.2f,%.2f,%.2f,%.4f,%d,%d,%d,%d,%d,%s,%s,%d,%s,%.1f,%.1f,%s\n"
STEP_MS = 1000  # the app ticks the controller once a second
# The invariant checker keeps a dict per tick; beyond this it runs without them
# (invariants 2 and 6 unchecked) so a simulated year fits in memory.
MAX_CONTEXT_TICKS = 8 * 86400
PLOT_POINTS = 20_000  # temperature samples kept for plot.png (relays come from the log)
POWER_OFF = "power off"  # the state recorded while the unit has no power
CRASHED = "crashed"  # the state recorded while the app waits to restart after a crash
RESTART_MS = fw_app._RESTART_MS  # the app's pause between a crash and its new tasks
FLICKER_MS = 2000  # a "power" reset: off this long
# The config the invariant checker and the short-run metric hold a run to: for each
# rule, the loosest value in force at any time of the run (a config change must not
# make the runs before it look wrong).
LOOSEST = {
    "min_off_s": min,
    "min_run_s": min,
    "valve_shift_s": min,
    "max_starts_per_hour": max,
    "sensor_bad_readings": max,
    "sensor_clear_s": min,
    "defrost_max_s": max,
    "max_early_stops": max,  # the short runs an hour may have (a key of the fixed firmware)
}
_AT_MIN = operator.itemgetter("at_min")


class HourTable:
    """A scenario's weather table: [[hour, t_c, rh], ...], interpolated, held at the ends."""

    def __init__(self, rows):
        self.rows = [tuple(float(x) for x in row) for row in rows]

    def at(self, hour):
        rows = self.rows
        if hour <= rows[0][0]:
            return rows[0][1], rows[0][2]
        for (h0, t0, rh0), (h1, t1, rh1) in zip(rows, rows[1:], strict=False):
            if hour <= h1:
                f = (hour - h0) / (h1 - h0)
                return t0 + f * (t1 - t0), rh0 + f * (rh1 - rh0)
        return rows[-1][1], rows[-1][2]


def make_weather(w):
    """The plant's weather and the hour the run starts at within it."""
    if w["kind"] == "daily":
        return DailyWeather(w["t_min_c"], w["t_max_c"], w["rh"]), 0.0
    if w["kind"] == "table":
        return HourTable(w["hours"]), 0.0
    return synthetic_year(seed=int(w.get("seed", 1))), 24.0 * int(w.get("start_day", 0))


class _MemFile(io.StringIO):
    def __init__(self, files, path):
        super().__init__()
        self._files = files
        self._path = path

    def close(self):
        if not self.closed:
            self._files[self._path] = self.getvalue()
        super().close()


class MemFS:
    """The board's flash for heatpump.store, in memory: it outlives the sim's power cuts."""

    def __init__(self):
        self.files = {}  # path -> text

    def _missing(self, path):
        return OSError(2, "no such file", path)  # ENOENT, as both interpreters raise it

    def open(self, path, mode):
        if "w" in mode:
            return _MemFile(self.files, path)
        if path not in self.files:
            raise self._missing(path)
        return io.StringIO(self.files[path])

    def rename(self, old, new):
        if old not in self.files:
            raise self._missing(old)
        self.files[new] = self.files.pop(old)

    def remove(self, path):
        if path not in self.files:
            raise self._missing(path)
        del self.files[path]

    def stat(self, path):
        if path not in self.files:
            raise self._missing(path)
        return (0o100644, 0, 0, 1, 0, 0, len(self.files[path]), 0, 0, 0)


def make_stores(fs):
    """The app's stores (heatpump/app.py stores()) on the given filesystem."""
    return stores("/", fs)


class TickLog:
    """Per-tick context for tools.sim.invariants, run-length encoded (a day is 86400 ticks
    and most of them look like the one before). Iterating gives the checker its dicts."""

    def __init__(self):
        self.runs = []  # [first_ms, n_ticks, (mode, state, defrost, faults, broken)]
        self._last = None  # the run being extended
        self.n = 0

    def add(self, ms, key):
        last = self._last
        if last is not None and last[2] == key and last[0] + last[1] * STEP_MS == ms:
            last[1] += 1
        else:
            self._last = [ms, 1, key]
            self.runs.append(self._last)
        self.n += 1

    def __len__(self):
        return self.n

    def __iter__(self):
        for first, n, (mode, state, defrost, faults, broken) in self.runs:
            for k in range(n):
                yield {
                    "ms": first + k * STEP_MS,
                    "mode": mode,
                    "state": state,
                    "defrost": defrost,
                    "faults": faults,
                    "broken": dict(broken),
                }


class Run:
    """One scenario run: the plant, the simulated board and the firmware, stepped together.

    controller_factory(hal, config, settings) -> a controller with tick() and view(),
    and set(**settings) for "set" events (tools/sim/reference.py's StandardThermostat).
    Without one, the firmware boots from its (simulated) flash.

    step() runs one control period; observe() -> (mode, state, defrost, faults,
    setpoint_c) after it; ticking is whether the controller ticked in it; due_events()
    and apply(ev) carry out the scenario's events; hp is the firmware's REPL object
    (None for another controller or without power). check_config is what the invariant
    checker holds the run to (LOOSEST); violations its findings, after run_scenario.
    """

    def __init__(self, sc, controller_factory=None):
        self.sc = sc
        self.board = load_board(sc["board"])
        sensors = dict(sc["sensors"])
        self.hal = SimHAL(self.board, seed=1, noise_mv=sensors.pop("noise_mv", 0))
        weather, day_hour = make_weather(sc["weather"])
        self.plant = Plant(
            weather,
            room=RoomParams(**sc["room"]),
            unit=UnitParams(**sc["unit"]),
            start_room_c=sc["start"]["room_c"],
            start_hour=day_hour + sc["start"]["hour"],
            valve=self.board.valve,
            shared_fan_motor=self.board.shared_fan_motor,
            sensors=SensorParams(**sensors),
        )
        self.controller_factory = controller_factory
        # The scenario's settings and config with the events so far: what the checker
        # and a controller_factory get (the firmware keeps its own on its flash).
        self.settings = dict(sc["settings"])
        self.config = dict(sc["config"])
        self.check_config = fw_config.merge(fw_config.defaults(), self.config)
        self.violations = []
        self.pending = list(sc["events"])  # scenario events not applied yet, in time order
        self.input_override = {}  # inputs forced by scenario events
        self.broken = {}  # sensor -> "open" | "short", as the HAL has them
        self._broken_key = ()
        self.powered = True
        self.metrics = Metrics()
        self.notes = []  # what a reader of the results should know (str)
        self.echo = None  # where the app's messages also go (the live console's print)
        self.ticks = TickLog()
        self.record_ticks = True
        self.relay_names = tuple(self.board.relays)
        self._sensor_names = tuple(
            s
            for s in ("room", "indoor_coil", "outdoor", "outdoor_coil", "supply_air")
            if s in self.board.thermistors
        )
        self._has_condensate = "condensate_full" in self.board.inputs
        self._relays = {}  # the relay states the plant gets (rebuilt when the log grows)
        self._log_n = -1
        self.flash = MemFS()
        if controller_factory is None:
            # What an installer left on the flash before the run: the scenario's settings
            # and config (both checked when the scenario was loaded).
            store = make_stores(self.flash)[0]
            settings, _errors = fw_config.check_settings(self.settings)
            cfg = fw_config.merge(fw_config.defaults(), self.config)
            store.save({"config": cfg, "settings": settings})
        self.ctl = None
        self.hp = None  # the firmware's REPL object (heatpump.api.Api); None otherwise
        self.app = None  # the firmware's heatpump.app.App, when it is the firmware
        self.ticking = False  # the controller ticked in the last step
        self._tick_from_ms = 0  # no tick before this (the app's pause after a crash)
        self._feed_sensors()
        self._boot()

    # ---- the controller ------------------------------------------------------------

    def _boot(self):
        """Power-up: a new controller, as the board builds it after a reset."""
        self.app = None
        if self.controller_factory is None:
            # The firmware's own start (heatpump/app.py App): stores built anew (their RAM
            # state is gone), the files from the flash that survived the cut, settings
            # checked against the board. Its tasks are not started:
            # step() ticks the controller and runs the persistence task's schedule.
            self.store, self.counter_store, history = make_stores(self.flash)
            self.app = App(
                self.hal, self.store, self.counter_store, say=self._app_says, history=history
            )
            ctl = self.app.ctl
            hp = self.app.hp
            self._note_config(ctl.cfg)  # what it read from flash
        else:
            ctl = self.controller_factory(self.hal, dict(self.config), dict(self.settings))
            hp = Api(ctl) if isinstance(ctl, Controller) else None
        self.ctl = ctl
        self.hp = hp
        self.firmware = isinstance(ctl, Controller)
        self.observe = self._observe_firmware if self.firmware else self._observe_view
        self._persist_in_ms = PERSIST_EVERY_MS  # the app's persistence task's schedule
        self._counters_in_ms = COUNTERS_EVERY_MS
        self._tick_from_ms = 0

    def _note_config(self, cfg):
        loose = {k: pick(self.check_config[k], cfg[k]) for k, pick in LOOSEST.items() if k in cfg}
        # The defrost step's bound grows with the pause: the longest one in force.
        longest = max(self.check_config.get("valve_shift_max_s", 0), cfg["valve_shift_s"])
        self.check_config = dict(cfg, valve_shift_max_s=longest, **loose)

    def _app_says(self, text):
        # What the app tells a person (a bad flash file, ...): a note, and the live console.
        self.notes.append(f"at {self.hal.elapsed_ms / 60_000:g} min: {text.rstrip()}")
        if self.echo is not None:
            self.echo(text)

    def _persist(self):
        """The app's persistence task's turn, every PERSIST_EVERY_MS of sim time (step()
        counts): the app's own step, as its task runs it."""
        self._persist_in_ms += PERSIST_EVERY_MS
        left = self._counters_in_ms - PERSIST_EVERY_MS
        self._counters_in_ms = self.app.keeper.persist_step(left)

    def _observe_firmware(self):
        """(mode, state, defrost, faults, setpoint_c) after this tick, read from the
        attributes the controller keeps for the simulator, without the dict view() builds;
        the fault codes only when a fault flag is up (most ticks have none)."""
        ctl = self.ctl
        faults = ctl.active_codes() if True in ctl.protect.active else ()
        return ctl.mode, ctl.state, ctl.defrost_active, faults, ctl.setpoint_dC / 10

    def _observe_view(self):
        v = self.ctl.view()
        return v["mode"], v["state"], bool(v["defrost"]), tuple(v["faults"]), v["setpoint_c"]

    def _observe_off(self):
        return "off", POWER_OFF, False, (), None

    def _observe_crashed(self):
        # Relays off and no tick until the app restarts; the first tick after the pause
        # gives the controller's own view back.
        if self.ticking:
            self.observe = self._observe_firmware
            return self.observe()
        mode, _state, _defrost, faults, setpoint_c = self._observe_firmware()
        return mode, CRASHED, False, faults, setpoint_c

    # ---- events --------------------------------------------------------------------

    def due_events(self):
        """The scenario events due before the next tick, taken off self.pending."""
        t_min = self.hal.elapsed_ms / 60_000.0
        due = []
        while self.pending and self.pending[0]["at_min"] <= t_min:
            due.append(self.pending.pop(0))
        return due

    def apply(self, ev):
        """Carry out one scenario event (validated by tools.sim.scenario)."""
        action = next(k for k in ev if k not in ("at_min", "may_refuse"))
        getattr(self, "_on_" + action)(ev[action], f"at {ev['at_min']:g} min")

    def _on_set(self, kw, at):
        if self.ctl is None:
            self.notes.append(f"{at}: set {kw} ignored: the unit has no power")
            return
        if not self.firmware:
            if self._ask(at, "set", self.ctl.set, **kw):
                self.settings.update(kw)
            return
        typed = dict(kw)
        sp = kw.get("setpoint")
        if self.ctl.cfg["units"] == "F" and type(sp) in (int, float):  # not a bool
            typed["setpoint"] = sp * 9 / 5 + 32  # hp.set takes display units
        if self._ask(at, "set", self.hp.set, **typed):
            self.settings.update(kw)

    def _on_config(self, changes, at):
        if self.ctl is None:
            self.notes.append(f"{at}: config {changes} ignored: the unit has no power")
            return
        if not self.firmware:
            self.notes.append(
                f"{at}: config {changes} ignored: this controller has no runtime config"
            )
            return
        if self._ask(at, "config", self.hp.config, **changes):
            self.config.update(changes)
            self._note_config(self.ctl.cfg)

    def _on_hp(self, cmd, at):
        if self.hp is None:
            why = "the unit has no power" if self.ctl is None else "this controller has no REPL"
            self.notes.append(f"{at}: hp.{cmd}() ignored: {why}")
            return
        self._ask(at, cmd, getattr(self.hp, cmd))

    def _ask(self, at, what, fn, **kw):
        """fn(**kw), as typed at the REPL; True if done. A refusal (ValueError, or a
        self-test not started) changes nothing: it is counted (the first of each command
        noted) and the run goes on. Any other exception is a bug and stops the run."""
        try:
            out = fn(**kw)
        except ValueError as e:
            return self._refused(at, what, str(e))
        if what == "selftest" and not out["started"]:
            return self._refused(at, what, out["reason"])
        return True

    def _refused(self, at, what, why):
        if self.metrics.count_refused(what) == 1:
            self.notes.append(f"{at}: {what} refused (the first; all are counted): {why}")
        return False

    def _on_fault(self, fault, _at):
        self.break_sensor(fault["sensor"], fault.get("kind"))

    def _on_input(self, inputs, _at):
        self.input_override.update(inputs)
        self._feed_inputs()

    def _on_stuck_valve(self, stuck, _at):
        self.plant.set_stuck_valve("current" if stuck is True else stuck or None)

    def _on_drain(self, drain, _at):
        self.plant.set_drain_blocked(drain == "blocked")

    def _on_power(self, power, _at):
        self.set_power(power == "on")

    def _on_reset(self, kind, at):
        if self.ctl is None:
            self.notes.append(f"{at}: {kind} reset ignored: the unit has no power")
        elif kind == "power":
            self.set_power(False)
            later = {"at_min": (self.hal.elapsed_ms + FLICKER_MS) / 60_000, "power": "on"}
            bisect.insort(self.pending, later, key=_AT_MIN)
        elif kind == "watchdog":
            self._drop_relays()
            self.metrics.count_reset("watchdog")
            self._reboot("watchdog")
        elif self.app is None:
            self.notes.append(f"{at}: crash ignored: this controller has no app")
        else:
            self._crash()

    def _crash(self):
        """The control task raises: the app's own crash rule (App.on_crash) decides."""
        resetting = self.app.on_crash("control", RuntimeError("simulated crash"))
        self._not_the_controller()
        self.metrics.count_reset("crash")
        if resetting:
            self.metrics.count_reset("crash_reset")
            self.hal.reset()
            self._reboot("soft reset")
        else:
            self._tick_from_ms = self.hal.elapsed_ms + RESTART_MS
            self.observe = self._observe_crashed

    def _reboot(self, cause):
        self.hal.cause = cause
        self._boot()

    def break_sensor(self, sensor, kind):
        """Break a sensor "open" or "short" (None repairs it); the checker is told."""
        if sensor not in self.board.thermistors:
            self.notes.append(f"fault on {sensor} ignored: board {self.board.name} has none")
            return
        self.hal.break_sensor(sensor, kind)
        if kind is None:
            self.broken.pop(sensor, None)
        else:
            self.broken[sensor] = kind
        self._broken_key = tuple(sorted(self.broken.items()))

    def set_power(self, on):
        if on == self.powered:
            return
        self.powered = on
        self.plant.power(on)
        if not on:
            # The firmware's RAM is gone, its flash stays.
            self._drop_relays()
            self.metrics.count_reset("power")
            self.ctl = None
            self.hp = None
            self.app = None
            self.observe = self._observe_off
        else:
            self._reboot("power on")

    def _drop_relays(self):
        """Every relay drops out with the supply (a power cut, a reset)."""
        for name in self.relay_names:
            self.hal.set_relay(name, False)
        self._not_the_controller()

    def _not_the_controller(self):
        # The checker is told the relays written now were not the controller's doing:
        # a tick context with the state "power off" at this time.
        if self.record_ticks:
            mode, _state, _defrost, faults, _sp = self.observe()
            self.ticks.add(self.hal.elapsed_ms, (mode, POWER_OFF, False, faults, ()))

    # ---- the step ------------------------------------------------------------------

    def relays(self):
        """{relay: on} as the HAL has them (the same dict until a relay changes)."""
        log = self.hal.relay_log
        if len(log) != self._log_n:
            self._log_n = len(log)
            relay = self.hal.relay
            self._relays = {name: relay(name) for name in self.relay_names}
        return self._relays

    def _feed_inputs(self):
        if self._has_condensate:
            full = self.plant.condensate_full or self.input_override.get("condensate_full", False)
            self.hal.set_input("condensate_full", full)
        if "pressure_trip" in self.input_override and "pressure_trip" in self.board.inputs:
            self.hal.set_input("pressure_trip", self.input_override["pressure_trip"])

    def _feed_sensors(self):
        temps = self.plant.sensor_temps()
        set_temp = self.hal.set_temp
        for name in self._sensor_names:
            set_temp(name, temps[name])
        self._feed_inputs()

    def step(self):
        """One control period: plant, sensors, clock, then the controller's tick."""
        self.plant.step(STEP_MS / 1000.0, self.relays())
        self._feed_sensors()
        self.hal.advance(STEP_MS)
        ctl = self.ctl
        self.ticking = ctl is not None and self.hal.elapsed_ms >= self._tick_from_ms
        if self.ticking:
            ctl.tick()
            if self.app is not None:
                self.app.keeper.after_tick()
                self._persist_in_ms -= STEP_MS
                if self._persist_in_ms <= 0:
                    self._persist()

    @property
    def t_s(self):
        return self.hal.elapsed_ms / 1000.0


class Spans:
    """Periods when a flag was on, built tick by tick: {name: [[start_s, end_s], ...]}."""

    def __init__(self):
        self.spans = {}
        self._open = {}  # name -> the span being extended

    def update(self, t_s, names):
        """names: what is on after the tick that ended at t_s (a tuple, usually empty)."""
        still = self._open
        for name in list(still):
            if name not in names:
                del still[name]
        for name in names:
            span = still.get(name)
            if span is None:
                span = still[name] = [t_s - STEP_MS / 1000.0, t_s]
                self.spans.setdefault(name, []).append(span)
            else:
                span[1] = t_s


class Recorder:
    """trace.csv streamed to disk (a year does not sit in memory) and what the plot needs."""

    def __init__(self, run, n_steps, out_dir=None, every=1, keep_rows=False):
        self.run = run
        self.every = every
        self.rows = [] if keep_rows else None
        self.f = None
        if out_dir:
            os.makedirs(out_dir, exist_ok=True)
            # Closed by close(), in run_scenario's finally.
            self.f = open(os.path.join(out_dir, "trace.csv"), "w", newline="")  # noqa: SIM115
            self.f.write(",".join(TRACE_COLUMNS) + "\n")
        names = run.relay_names
        self.taps = tuple(n for n in names if n.startswith("fan_indoor"))
        self.plot_every = max(1, n_steps // PLOT_POINTS)
        self.plot = {k: [] for k in ("t_s", "room_c", "outdoor_c", "indoor_coil_c")}
        self.plot.update({k: [] for k in ("outdoor_coil_c", "frost_kg", "pan_kg", "setpoint_c")})
        self.spans = Spans()  # "defrost", POWER_OFF and each fault code
        self._marks = ()

    def add(self, i, relays, mode, state, defrost, faults, setpoint_c):
        plant = self.run.plant
        marks = faults
        if defrost:
            marks = ("defrost",) + marks
        if state == POWER_OFF:
            marks = (POWER_OFF,) + marks
        if marks or self._marks:
            self.spans.update(plant.t_s, marks)
            self._marks = marks
        if i % self.plot_every == 0:
            p = self.plot
            p["t_s"].append(plant.t_s)
            p["room_c"].append(plant.room_c)
            p["outdoor_c"].append(plant.outdoor_c)
            p["indoor_coil_c"].append(plant.indoor_coil_c)
            p["outdoor_coil_c"].append(plant.outdoor_coil_c)
            p["frost_kg"].append(plant.frost_kg)
            p["pan_kg"].append(plant.pan_kg)
            p["setpoint_c"].append(setpoint_c)
        if i % self.every or (self.f is None and self.rows is None):
            return
        get = relays.get
        row = (
            plant.t_s,
            plant.room_c,
            plant.outdoor_c,
            plant.indoor_coil_c,
            plant.outdoor_coil_c,
            plant.frost_kg,
            get("compressor", False),
            get("reversing_valve", False),
            any(get(t) for t in self.taps),
            get("fan_outdoor", False),
            get("aux_heat", False),
            mode,
            state,
            bool(defrost),
            " ".join(faults),
            plant.power_w,
            plant.capacity_w,
            setpoint_c,
        )
        if self.rows is not None:
            self.rows.append(row)
        if self.f is not None:
            self.f.write(_ROW_FORMAT % (row[:17] + ("" if setpoint_c is None else setpoint_c,)))

    def close(self):
        if self.f is not None:
            self.f.close()


def run_scenario(
    sc,
    out_dir=None,
    every=1,
    progress=True,
    controller_factory=None,
    keep_rows=False,
    after_step=None,
):
    """Run a validated scenario; write the outputs to out_dir (if given).

    after_step(run), if given, is called after each step, before the tick is recorded
    (tools/bench/defrost_compare.py holds the plant's frost at zero and counts aux heat).

    Returns (metrics dict, the Run, rows): rows are the trace rows (tuples in
    TRACE_COLUMNS order, every `every` ticks) if keep_rows, else [].
    """
    run = Run(sc, controller_factory)
    n_steps = int(round(sc["duration_h"] * 3600 * 1000 / STEP_MS))
    run.record_ticks = n_steps <= MAX_CONTEXT_TICKS
    if not run.record_ticks:
        run.notes.append(
            f"invariants 2 and 6 not checked: they need every tick's context, kept for runs "
            f"up to {MAX_CONTEXT_TICKS // 86400} days"
        )
    rec = Recorder(run, n_steps, out_dir, every, keep_rows)
    pending = run.pending
    bar = _progress(sc["duration_h"], sc["name"]) if progress else None
    add_metrics = run.metrics.add
    add_tick = run.ticks.add
    record = rec.add if out_dir or keep_rows else None
    plant = run.plant
    hal = run.hal
    dt_s = STEP_MS / 1000.0
    try:
        for i in range(n_steps):
            if pending and pending[0]["at_min"] <= hal.elapsed_ms / 60_000.0:
                for ev in run.due_events():
                    run.apply(ev)
            run.step()
            if after_step is not None:
                after_step(run)
            relays = run.relays()
            mode, state, defrost, faults, setpoint_c = run.observe()
            add_metrics(
                dt_s,
                plant.room_c,
                setpoint_c,
                mode,
                run.powered,
                relays["compressor"],
                defrost,
                plant.power_w,
                plant.capacity_w,
                faults,
                state,
                plant.aux_w,
            )
            if run.record_ticks and run.ticking:
                add_tick(hal.elapsed_ms, (mode, state, defrost, faults, run._broken_key))
            if record is not None:
                record(i, relays, mode, state, defrost, faults, setpoint_c)
            if bar and i % 600 == 599:
                bar.n = min(bar.total, (i + 1) * STEP_MS / 3_600_000)  # no float drift
                bar.refresh()
    finally:
        rec.close()
        if bar:
            bar.close()
    ticks = run.ticks if run.record_ticks else None
    violations = check_invariants(run.hal.relay_log, run.board, run.check_config, ticks)
    run.violations = violations
    result = run.metrics.result(run.hal.relay_log, violations, run.check_config)
    if out_dir:
        write_outputs(out_dir, sc, run, rec, result, violations)
    return result, run, rec.rows if keep_rows else []


def write_outputs(out_dir, sc, run, rec, result, violations):
    """relays.json, metrics.json and plot.png (trace.csv is written while running)."""
    from tools.sim.plot import plot_run

    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "relays.json"), "w") as f:
        json.dump([[ms, name, on] for ms, name, on in run.hal.relay_log], f)
    with open(os.path.join(out_dir, "metrics.json"), "w") as f:
        doc = dict(result, scenario=sc["name"], violations=violations[:20], notes=run.notes)
        json.dump(doc, f, indent=2)
    plot_run(
        rec.plot,
        run.hal.relay_log,
        run.relay_names,
        rec.spans.spans,
        run.t_s,
        os.path.join(out_dir, "plot.png"),
        f"{sc['name']}: {sc.get('description', '')}",
        _summary(result),
        sc.get("events", ()),
        run.plant.pan_float_kg,
    )


def _summary(r):
    comfort = "n/a" if r["comfort_pct"] is None else f"{r['comfort_pct']:.1f} %"
    # A defrost's two restarts count as starts: said, so 7/h is not read as a breach.
    counted = ", defrost restarts in" if r["defrosts"] else ""
    return (
        f"comfort (within 1 C) {comfort}   starts {r['compressor_starts']} "
        f"(max {r['max_starts_in_any_hour']}/h{counted})   "
        f"run {r['compressor_runtime_h']:.1f} h   "
        f"energy {r['energy_kwh']:.2f} kWh   defrosts {r['defrosts']}   "
        f"faults {' '.join(r['faults']) or 'none'}   "
        f"invariant violations {r['invariant_violations']}"
    )


def _progress(total_h, name):
    from tqdm import tqdm

    return tqdm(
        total=total_h,
        desc=name,
        unit="h",
        leave=False,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.1f}/{total:g} h simulated "
        "[{elapsed}<{remaining}]",
    )
