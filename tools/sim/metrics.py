"""Run metrics, accumulated tick by tick (the trace on disk may be subsampled).

comfort_pct           share of the time heating or cooling was asked for (mode heat, cool,
                      auto or dry, power on) that the room was within 1 C of the setpoint
                      (None if it never was asked)
degree_hours_outside  integral of how far beyond that 1 C band the room was, in K*h
compressor_starts     compressor relay switched on, from the relay log (defrost restarts
                      included: every start wears the compressor)
max_starts_in_any_hour  the most of those starts in any sliding hour (the firmware's
                      max_starts_per_hour limits thermostat starts; the invariant
                      checker holds it to that)
compressor_runtime_h  hours with the compressor relay on
energy_kwh            electricity the unit drew (compressor, fans, aux heat)
aux_kwh               of which the aux heater
heat_delivered_kwh, cool_delivered_kwh  sensible heat into / out of the room
defrosts, defrost_minutes  defrost steps the controller reported, and their time
faults                the fault codes seen active at any tick, sorted
min_room_c, max_room_c
invariant_violations  how many violations tools/sim/invariants.py found

What abuse (issue 12) is judged by. A defrost step is a tick with the defrost flag up
or the state "defrost" (the valve-shift pauses around it), as the checker has it;
min_run_s is the loosest in force during the run (tools/sim/engine.py LOOSEST).
max_thermostat_starts_in_any_hour  compressor starts in any sliding hour, not counting
                      the restarts after a stop in a defrost step, counted straight
                      across power cuts and resets (DESIGN.md invariant 3)
max_short_runs_in_any_hour  compressor runs shorter than min_run_s ending in any
                      sliding hour, whatever ended them (faults, defrost, resets)
max_short_runs_in_any_hour_no_melt  the same without the defrost melt runs (a run that
                      starts inside a defrost step)
longest_defrost_compressor_s  the longest the compressor ran without a stop inside one
                      defrost step (DESIGN.md invariant 9 bounds it by defrost_max_s)
resets                {"power": power cuts and flickers, "watchdog": watchdog resets,
                      "crash": control-task crashes, "crash_reset": those of them the
                      app's crash rule answered with a board reset}
refused               commands the firmware refused (ValueError, or a self-test not
                      started); refused_by: the same by command
"""

from bisect import bisect_right

from heatpump import config as fw_config

COMFORT_BAND_C = 1.0
ASKING_MODES = ("heat", "cool", "auto", "dry")
HOUR_MS = 3_600_000
RESET_KINDS = ("power", "watchdog", "crash", "crash_reset")


class Metrics:
    def __init__(self):
        self.asked_s = 0.0
        self.comfy_s = 0.0
        self.outside_kh = 0.0
        self.runtime_s = 0.0
        self.energy_wh = 0.0
        self.aux_wh = 0.0  # of which the aux heater
        self.heat_wh = 0.0
        self.cool_wh = 0.0
        self.defrosts = 0
        self.defrost_s = 0.0
        self._in_defrost = False
        self.faults = set()
        self.min_room_c = None
        self.max_room_c = None
        self.now_ms = 0  # the time of the step being added (the sim's clock)
        self.step_spans = []  # [first_ms, last_ms] of the ticks of each defrost step
        self._step_on_s = 0.0  # compressor on without a stop in the defrost step so far
        self.longest_step_on_s = 0.0
        self.resets = dict.fromkeys(RESET_KINDS, 0)
        self.refused = {}  # command -> refusals

    def count_reset(self, kind):
        self.resets[kind] += 1

    def count_refused(self, what):
        """Count one refused command; returns how many of its kind so far."""
        self.refused[what] = self.refused.get(what, 0) + 1
        return self.refused[what]

    def add(
        self,
        dt_s,
        room_c,
        setpoint_c,
        mode,
        powered,
        compressor,
        defrost,
        power_w,
        capacity_w,
        faults=(),
        state=None,
        aux_w=0.0,
    ):
        """Account for one step of dt_s seconds (state: the controller's, after it)."""
        dt_ms = int(round(dt_s * 1000))
        self.now_ms += dt_ms
        if defrost or state == "defrost":
            self._defrost_step(dt_ms, compressor)
        else:
            self._step_on_s = 0.0
        if powered and mode in ASKING_MODES and setpoint_c is not None:
            self.asked_s += dt_s
            off_by = abs(room_c - setpoint_c)
            if off_by <= COMFORT_BAND_C:
                self.comfy_s += dt_s
            else:
                self.outside_kh += (off_by - COMFORT_BAND_C) * dt_s / 3600.0
        if compressor:
            self.runtime_s += dt_s
        self.energy_wh += power_w * dt_s / 3600.0
        self.aux_wh += aux_w * dt_s / 3600.0
        if capacity_w > 0:
            self.heat_wh += capacity_w * dt_s / 3600.0
        else:
            self.cool_wh -= capacity_w * dt_s / 3600.0
        if defrost:
            self.defrost_s += dt_s
            if not self._in_defrost:
                self.defrosts += 1
        self._in_defrost = bool(defrost)
        self.faults.update(faults)
        if self.min_room_c is None or room_c < self.min_room_c:
            self.min_room_c = room_c
        if self.max_room_c is None or room_c > self.max_room_c:
            self.max_room_c = room_c

    def _defrost_step(self, dt_ms, compressor):
        spans = self.step_spans
        if spans and spans[-1][1] == self.now_ms - dt_ms:
            spans[-1][1] = self.now_ms
        else:
            spans.append([self.now_ms, self.now_ms])
        self._step_on_s = self._step_on_s + dt_ms / 1000 if compressor else 0.0
        self.longest_step_on_s = max(self.longest_step_on_s, self._step_on_s)

    def in_defrost_step(self, ms):
        spans = self.step_spans
        i = bisect_right(spans, [ms, float("inf")]) - 1
        return i >= 0 and ms <= spans[i][1]

    def result(self, relay_log, violations=(), config=None):
        """The metrics; config: the one the run is held to (its min_run_s)."""
        starts = compressor_starts(relay_log)
        comfort = 100.0 * self.comfy_s / self.asked_s if self.asked_s else None
        min_run_ms = dict(fw_config.defaults(), **(config or {}))["min_run_s"] * 1000
        runs = compressor_runs(relay_log)
        short = [(on, off) for on, off in runs if off is not None and off - on < min_run_ms]
        not_melt = [off for on, off in short if not self.in_defrost_step(on)]
        return {
            "comfort_pct": _round(comfort, 2),
            "degree_hours_outside": round(self.outside_kh, 3),
            "compressor_starts": len(starts),
            "max_starts_in_any_hour": max_in_window(starts, 3_600_000),
            "compressor_runtime_h": round(self.runtime_s / 3600.0, 3),
            "energy_kwh": round(self.energy_wh / 1000.0, 3),
            "aux_kwh": round(self.aux_wh / 1000.0, 3),
            "heat_delivered_kwh": round(self.heat_wh / 1000.0, 3),
            "cool_delivered_kwh": round(self.cool_wh / 1000.0, 3),
            "defrosts": self.defrosts,
            "defrost_minutes": round(self.defrost_s / 60.0, 2),
            "faults": sorted(self.faults),
            "min_room_c": _round(self.min_room_c, 2),
            "max_room_c": _round(self.max_room_c, 2),
            "invariant_violations": len(violations),
            "thermostat_starts": len(self._thermostat_starts(runs)),
            "max_thermostat_starts_in_any_hour": max_in_window(
                self._thermostat_starts(runs), HOUR_MS
            ),
            "max_short_runs_in_any_hour": max_in_window([off for _on, off in short], HOUR_MS),
            "max_short_runs_in_any_hour_no_melt": max_in_window(not_melt, HOUR_MS),
            "longest_defrost_compressor_s": round(self.longest_step_on_s, 1),
            "resets": dict(self.resets),
            "refused": sum(self.refused.values()),
            "refused_by": dict(sorted(self.refused.items())),
        }

    def _thermostat_starts(self, runs):
        # A start after a stop inside a defrost step is the defrost's own restart.
        return [
            on
            for k, (on, _off) in enumerate(runs)
            if k == 0 or not self.in_defrost_step(runs[k - 1][1])
        ]


def _round(x, nd):
    return None if x is None else round(x, nd)


def compressor_starts(relay_log):
    """Times (ms) at which the compressor relay switched on."""
    return [ms for ms, name, on in relay_log if name == "compressor" and on]


def compressor_runs(relay_log):
    """[(on_ms, off_ms)] of each compressor run; off_ms None for one still on at the end."""
    runs = []
    on_ms = None
    for ms, name, on in relay_log:
        if name != "compressor":
            continue
        if on and on_ms is None:
            on_ms = ms
        elif not on and on_ms is not None:
            runs.append((on_ms, ms))
            on_ms = None
    if on_ms is not None:
        runs.append((on_ms, None))
    return runs


def max_in_window(times_ms, window_ms):
    """The most events in any window of window_ms (times sorted ascending)."""
    best = 0
    lo = 0
    for hi, t in enumerate(times_ms):
        while t - times_ms[lo] >= window_ms:
            lo += 1
        best = max(best, hi - lo + 1)
    return best
