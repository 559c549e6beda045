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
heat_delivered_kwh, cool_delivered_kwh  sensible heat into / out of the room
defrosts, defrost_minutes  defrost steps the controller reported, and their time
faults                the fault codes seen active at any tick, sorted
min_room_c, max_room_c
invariant_violations  how many violations tools/invariants.py found
"""

COMFORT_BAND_C = 1.0
ASKING_MODES = ("heat", "cool", "auto", "dry")


class Metrics:
    def __init__(self):
        self.asked_s = 0.0
        self.comfy_s = 0.0
        self.outside_kh = 0.0
        self.runtime_s = 0.0
        self.energy_wh = 0.0
        self.heat_wh = 0.0
        self.cool_wh = 0.0
        self.defrosts = 0
        self.defrost_s = 0.0
        self._in_defrost = False
        self.faults = set()
        self.min_room_c = None
        self.max_room_c = None

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
    ):
        """Account for one step of dt_s seconds."""
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

    def result(self, relay_log, violations=()):
        starts = compressor_starts(relay_log)
        comfort = 100.0 * self.comfy_s / self.asked_s if self.asked_s else None
        return {
            "comfort_pct": _round(comfort, 2),
            "degree_hours_outside": round(self.outside_kh, 3),
            "compressor_starts": len(starts),
            "max_starts_in_any_hour": max_in_window(starts, 3_600_000),
            "compressor_runtime_h": round(self.runtime_s / 3600.0, 3),
            "energy_kwh": round(self.energy_wh / 1000.0, 3),
            "heat_delivered_kwh": round(self.heat_wh / 1000.0, 3),
            "cool_delivered_kwh": round(self.cool_wh / 1000.0, 3),
            "defrosts": self.defrosts,
            "defrost_minutes": round(self.defrost_s / 60.0, 2),
            "faults": sorted(self.faults),
            "min_room_c": _round(self.min_room_c, 2),
            "max_room_c": _round(self.max_room_c, 2),
            "invariant_violations": len(violations),
        }


def _round(x, nd):
    return None if x is None else round(x, nd)


def compressor_starts(relay_log):
    """Times (ms) at which the compressor relay switched on."""
    return [ms for ms, name, on in relay_log if name == "compressor" and on]


def max_in_window(times_ms, window_ms):
    """The most events in any window of window_ms (times sorted ascending)."""
    best = 0
    lo = 0
    for hi, t in enumerate(times_ms):
        while t - times_ms[lo] >= window_ms:
            lo += 1
        best = max(best, hi - lo + 1)
    return best
