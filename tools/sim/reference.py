"""The reference "standard" controller the firmware is benchmarked against (issue 8).

What a window heat pump gets today from the common alternatives: an ESPHome-style
thermostat (deadband and overrun, min run / min off per action, min idle, heat and
cool through idle) and a timed defrost board (60 min of heating run with a cold
outdoor coil, then a defrost with the valve shifted while the compressor runs).
docs/reference-controller.md says what each rule models and where it comes from.

    ctl = StandardThermostat(hal, config, settings)
    ctl.tick()       # once per simulated second, after the time advanced
    ctl.view()       # {"mode", "state", "defrost", "faults", "setpoint_c"}
    ctl.set(mode="cool", setpoint=24)

It drives the same simulated board (SimHAL) as the firmware and reads the sensors
the way the board does (board divider, ADC, thermistor table), so a benchmark compares
control, not plant or sensors. Desktop code: it is never deployed.
"""

from heatpump import config as fw_config
from heatpump import thermistor
from heatpump.ticks import ticks_diff

MODES = ("off", "heat", "cool", "auto", "fan", "dry")
FANS = ("auto", "continuous", "low", "med", "medium", "high")
SPEEDS = ("low", "medium", "high")
SETTING_KEYS = ("mode", "setpoint", "setpoint_dC", "fan", "speed")
_FIRMWARE_KEYS = fw_config.keys()  # the firmware's config keys (see check_config)

# key -> (default, min, max, meaning). ESPHome's own defaults where it has them; its
# timers have none (1 s floor), so the values of its documentation's examples.
CONFIG = {
    "deadband_c": (0.5, 0.1, 5.0, "a call starts this far past the setpoint"),
    "overrun_c": (0.5, 0.0, 5.0, "a call ends this far beyond the setpoint"),
    "min_run_s": (300, 1, 3600, "shortest heating / cooling action"),
    "min_off_s": (300, 1, 3600, "rest after heating before heating, after cooling before cooling"),
    "min_idle_s": (30, 1, 3600, "shortest idle between two actions, whatever they are"),
    "auto_differential_c": (0.5, 0.0, 10.0, "auto: cooling setpoint minus heating setpoint"),
    "defrost_interval_min": (60, 10, 240, "heating run with a cold coil before a defrost"),
    "defrost_start_c": (0.0, -10.0, 5.0, "the coil counts as cold at or below this"),
    "defrost_end_c": (13.0, 5.0, 30.0, "a defrost ends when the coil reaches this ..."),
    "defrost_max_min": (10, 1, 30, "... or after this long"),
    "startup_delay": (False, None, None, "true: the off-timers run from power-up"),
}

# Actions (ESPHome's climate actions that the unit can take).
OFF = "off"
IDLE = "idle"
HEATING = "heating"
COOLING = "cooling"
FAN = "fan"

_TAP_OF = {"low": "fan_indoor_low", "medium": "fan_indoor_med", "high": "fan_indoor_high"}
_SPEED_OF = {"low": "low", "med": "medium", "medium": "medium", "high": "high"}


def _number(key, value, lo, hi, whole):
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if whole:
        ok = ok and value == int(value)
    if not ok or not lo <= value <= hi:
        kind = "a whole number" if whole else "a number"
        raise ValueError(f"{key}={value!r}: expected {kind} in {lo}..{hi}")
    return int(value) if whole else value


def check_config(config):
    """The reference's config from a dict: defaults, then the given keys (checked).

    The firmware's own config keys are accepted and ignored (the simulator hands both
    controllers the scenario's config), except min_run_s and min_off_s, which mean the
    same here. Any other key is refused, naming the allowed ones.
    """
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise ValueError(f"config must be a dict, not {type(config).__name__}")
    out = {k: v[0] for k, v in CONFIG.items()}
    problems = []
    for key, value in config.items():
        row = CONFIG.get(key)
        if row is None:
            if key in _FIRMWARE_KEYS:
                continue
            problems.append(f"unknown config key {key!r}: allowed {', '.join(CONFIG)}")
            continue
        try:
            if row[1] is None:
                if not isinstance(value, bool):
                    raise ValueError(f"{key}={value!r}: expected true or false")
                out[key] = value
            else:
                out[key] = _number(key, value, row[1], row[2], isinstance(row[0], int))
        except ValueError as e:
            problems.append(str(e))
    if problems:
        raise ValueError("; ".join(problems))
    return out


def check_settings(settings, current=None):
    """Settings (the keywords of hp.set) merged over current; ValueError on any bad one."""
    if not isinstance(settings, dict):
        raise ValueError(f"settings must be a dict, not {type(settings).__name__}")
    out = dict(current) if current else {"mode": "off", "setpoint_dC": 220, "fan": "auto"}
    out.setdefault("speed", None)
    problems = []
    for key, value in settings.items():
        try:
            if key == "mode":
                if value not in MODES:
                    raise ValueError(f"mode={value!r} is not allowed: allowed {', '.join(MODES)}")
                out["mode"] = value
            elif key == "setpoint":
                out["setpoint_dC"] = fw_config.setpoint_to_dC(value, "C")
            elif key == "setpoint_dC":
                out["setpoint_dC"] = fw_config.validate_setting("setpoint_dC", value)
            elif key == "fan":
                if value not in FANS:
                    raise ValueError(f"fan={value!r} is not allowed: allowed {', '.join(FANS)}")
                out["fan"] = value
            elif key == "speed":
                if value not in SPEEDS:
                    raise ValueError(
                        f"speed={value!r} is not allowed: allowed {', '.join(SPEEDS)}"
                    )
                out["speed"] = value
            else:
                raise ValueError(f"unknown setting {key!r}: allowed {', '.join(SETTING_KEYS)}")
        except ValueError as e:
            problems.append(str(e))
    if problems:
        raise ValueError("; ".join(problems) + " (nothing changed)")
    return out


class StandardThermostat:
    """ESPHome-style thermostat + timed defrost board, on the simulated board."""

    def __init__(self, hal, config=None, settings=None):
        self.hal = hal
        board = hal.board
        self.board = board
        self.cfg = check_config(config)
        self.settings = check_settings(settings or {})
        cfg = self.cfg
        # Thresholds in hundredths of a degree, so 0.25 C (half the auto differential)
        # is exact; readings arrive in tenths.
        self.deadband_cC = round(cfg["deadband_c"] * 100)
        self.overrun_cC = round(cfg["overrun_c"] * 100)
        self.differential_cC = round(cfg["auto_differential_c"] * 100)
        self.durations_ms = {
            "idle_on": cfg["min_idle_s"] * 1000,
            "heating_on": cfg["min_run_s"] * 1000,
            "cooling_on": cfg["min_run_s"] * 1000,
            "heating_off": cfg["min_off_s"] * 1000,
            "cooling_off": cfg["min_off_s"] * 1000,
        }
        self.timers_ms = dict.fromkeys(self.durations_ms, 0)  # time left; 0 = not running
        self.defrost_interval_ms = cfg["defrost_interval_min"] * 60_000
        self.defrost_max_ms = cfg["defrost_max_min"] * 60_000
        self.defrost_start_cC = round(cfg["defrost_start_c"] * 100)
        self.defrost_end_cC = round(cfg["defrost_end_c"] * 100)
        self.channels = {}  # sensor -> thermistor.Channel, the board's model
        for s in ("room", "outdoor_coil"):
            self.channels[s] = thermistor.Channel(board.thermistors[s], board.adc)
        self.room_cC = None  # last reading (None: the sensor is open or shorted)
        self.coil_cC = None
        self._bad = dict.fromkeys(self.channels, False)  # sensor -> open or shorted now
        self.faults = ()  # the firmware's codes for the same faults: S1 room, S4 coil
        self.action = OFF  # what ESPHome calls the climate action
        self.cold_run_ms = 0  # defrost board: heating run with a cold coil so far
        self.defrost = False
        self.defrost_ms = 0  # time in this defrost
        self.defrosts = 0
        self.comp_on = False  # relay states as last written
        self.valve_on = False
        self.tap = None  # the indoor fan relay that is on, if any
        self.fan_out_on = False
        self._last_ms = hal.ticks_ms()
        if cfg["startup_delay"]:
            # ESPHome's startup_delay: the off-timers run from boot. Off by default,
            # so after a power cut the compressor may restart at once.
            self._start("heating_off")
            self._start("cooling_off")

    # ---- what the simulator calls --------------------------------------------------

    def set(self, **settings):
        """Change settings like hp.set(mode=, setpoint=, fan=, speed=); all or nothing."""
        self.settings = check_settings(settings, self.settings)

    def tick(self):
        now = self.hal.ticks_ms()
        dt_ms = ticks_diff(now, self._last_ms)
        self._last_ms = now
        if dt_ms < 0:
            dt_ms = 0
        for name, left in self.timers_ms.items():
            self.timers_ms[name] = left - dt_ms if left > dt_ms else 0
        # The defrost board counts the time that just passed with the relays as they were.
        coil = self.coil_cC
        cold = coil is not None and coil <= self.defrost_start_cC
        if cold and self.comp_on and self.action == HEATING and not self.defrost:
            self.cold_run_ms += dt_ms
        if self.defrost:
            self.defrost_ms += dt_ms
        self.room_cC = self._read("room")
        self.coil_cC = self._read("outdoor_coil")
        self.faults = tuple(
            code for s, code in (("room", "S1"), ("outdoor_coil", "S4")) if self._bad[s]
        )
        self._switch_to(self._compute_action())
        self._defrost_board()
        self._write_relays()

    def view(self):
        mode = self.settings["mode"]
        if self.defrost:
            state = "defrost"
        elif self.action == OFF:
            state = "off" if mode == "off" else "idle"
        else:
            state = self.action
        return {
            "mode": mode,
            "state": state,
            "defrost": self.defrost,
            "faults": self.faults,
            "setpoint_c": self.settings["setpoint_dC"] / 10,
        }

    # ---- the thermostat (ESPHome's climate action logic) ---------------------------

    def _read(self, sensor):
        """Hundredths of a degree C as the board reads it, or None (ESPHome's NaN)."""
        ch = self.channels[sensor]
        mv = self.hal.read_adc(sensor)
        self._bad[sensor] = bool(ch.fault(mv))
        return None if self._bad[sensor] else ch.dC(mv) * 10

    def _active(self, name):
        return self.timers_ms[name] > 0

    def _start(self, name):
        self.timers_ms[name] = self.durations_ms[name]

    def _targets_cC(self):
        """(heating target, cooling target): one setpoint, or auto's pair around it."""
        sp = self.settings["setpoint_dC"] * 10
        if self.settings["mode"] != "auto":
            return sp, sp
        low = sp - self.differential_cC // 2
        return low, low + self.differential_cC

    def _heating_required(self, target):
        t = self.room_cC
        if t <= target - self.deadband_cC:
            return True
        if t >= target + self.overrun_cC:
            return False
        return self.action == HEATING  # in between: keep what runs

    def _cooling_required(self, target):
        t = self.room_cC
        if t >= target + self.deadband_cC:
            return True
        if t <= target - self.overrun_cC:
            return False
        return self.action == COOLING

    def _compute_action(self):
        if self.room_cC is None:
            return OFF  # a NaN reading: off, once the run timers allow it
        # An action's "on" timer (min run, min idle) holds it, whatever the room does.
        if self._active("idle_on") or self._active("heating_on") or self._active("cooling_on"):
            return self.action
        mode = self.settings["mode"]
        low, high = self._targets_cC()
        target = IDLE
        if mode == "off":
            target = OFF
        elif mode == "fan":
            target = FAN
        elif mode in ("cool", "dry"):
            if self._cooling_required(high):
                target = COOLING
        elif mode == "heat":
            if self._heating_required(low):
                target = HEATING
        elif mode == "auto":
            cool, heat = self._cooling_required(high), self._heating_required(low)
            if cool and not heat:
                target = COOLING
            elif heat and not cool:
                target = HEATING
        # Heat and cool never follow each other directly: through idle first.
        if {self.action, target} == {HEATING, COOLING}:
            return IDLE
        return target

    def _switch_to(self, action):
        was = self.action
        if action == was:
            return
        if {action, was} == {OFF, IDLE}:
            self.action = action  # only a different label
            return
        if action in (OFF, IDLE):
            if self._active("heating_on") or self._active("cooling_on"):
                return
            self._start("idle_on")
            if was == COOLING:
                self._start("cooling_off")
            elif was == HEATING:
                self._start("heating_off")
        elif action == COOLING:
            # Only its own off-timer: the heating off-timer does not hold cooling.
            if self._busy() or self._active("cooling_off"):
                return
            self._start("cooling_on")
        elif action == HEATING:
            if self._busy() or self._active("heating_off"):
                return
            self._start("heating_on")
        elif action == FAN and self._active("idle_on"):
            return
        self.action = action

    def _busy(self):
        return self._active("idle_on") or self._active("heating_on") or self._active("cooling_on")

    # ---- the defrost board ---------------------------------------------------------

    def _defrost_board(self):
        heating_run = self.action == HEATING
        coil = self.coil_cC
        if self.defrost:
            # The call went away, the coil is clean, or the time is up. An open or
            # shorted coil sensor leaves only the time limit.
            if (
                not heating_run
                or (coil is not None and coil >= self.defrost_end_cC)
                or self.defrost_ms >= self.defrost_max_ms
            ):
                self.defrost = False
                self.cold_run_ms = 0
            return
        if coil is not None and coil >= self.defrost_end_cC:
            self.cold_run_ms = 0  # the defrost thermostat opened: a warm coil, count anew
        if heating_run and self.comp_on and self.cold_run_ms >= self.defrost_interval_ms:
            self.defrost = True
            self.defrost_ms = 0
            self.defrosts += 1

    # ---- relays ----------------------------------------------------------------------

    def _speed(self):
        s = self.settings
        speed = s.get("speed") or _SPEED_OF.get(s["fan"], "medium")
        board = self.board
        if "fan_indoor" in board.relays:
            return "fan_indoor"
        # The chosen tap, else the nearest one the board has (the faster one first).
        order = {"low": ("low", "medium", "high"), "medium": ("medium", "high", "low")}
        taps = [_TAP_OF[n] for n in order.get(speed, ("high", "medium", "low"))]
        return [t for t in taps if t in board.relays][0]

    def _write_relays(self):
        hal = self.hal
        s = self.settings
        run = self.action in (HEATING, COOLING)  # the compressor runs, in defrost too
        out = run and not self.defrost  # the fans run with it, except in defrost
        continuous = s["fan"] == "continuous" and s["mode"] != "off"
        fan = out or (not self.defrost and (self.action == FAN or continuous))
        tap = self._speed() if fan else None
        if self.comp_on and not run:
            hal.set_relay("compressor", False)  # stop first, then the rest
            self.comp_on = False
        if run:
            # The action sets the valve (ESPHome's heat/cool actions do), a defrost
            # puts it to cooling; idle leaves it where it is.
            valve = self.board.valve_on(self.action == HEATING and not self.defrost)
            if valve != self.valve_on:
                hal.set_relay("reversing_valve", valve)
                self.valve_on = valve
        if tap != self.tap:
            if self.tap is not None:
                hal.set_relay(self.tap, False)  # one tap at a time
            if tap is not None:
                hal.set_relay(tap, True)
            self.tap = tap
        if "fan_outdoor" in self.board.relays and out != self.fan_out_on:
            hal.set_relay("fan_outdoor", out)
            self.fan_out_on = out
        if run and not self.comp_on:
            hal.set_relay("compressor", True)  # valve and fans first, compressor last
            self.comp_on = True
