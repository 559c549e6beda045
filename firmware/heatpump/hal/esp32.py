"""The ESP32 HAL: the board file's pins on machine.ADC, machine.Pin and machine.WDT.

Every relay pin is configured as an output already at its OFF level (no glitch ON),
thermistor ADCs get their attenuation passed explicitly (its default changed between
MicroPython releases) and are read with read_uv(), the calibrated value, averaged over
the board's samples. The watchdog starts only when the app asks: once started it
cannot be stopped, and it survives a soft reset.
"""

from machine import ADC, WDT, Pin

from heatpump.ticks import ticks_ms

_PULLS = {"up": Pin.PULL_UP, "down": Pin.PULL_DOWN}
_ATTEN = {11: ADC.ATTN_11DB}
_CAUSES = (
    ("power on", "PWRON_RESET"),
    ("hard reset", "HARD_RESET"),
    ("watchdog", "WDT_RESET"),
    ("deep sleep", "DEEPSLEEP_RESET"),
    ("soft reset", "SOFT_RESET"),
)


class Esp32HAL:
    def __init__(self, board, wdt_timeout_ms=None):
        self.board = board
        self.ticks_ms = ticks_ms
        self._relays = {}  # name -> (Pin, on level)
        self._state = {}  # name -> bool, the logical state last written
        for name, (pin, active_low) in board.relays.items():
            off = 1 if active_low else 0
            self._relays[name] = (Pin(pin, Pin.OUT, value=off), 1 - off)
            self._state[name] = False
        self._inputs = {}  # name -> (Pin, active level)
        for name, (pin, active_low, pull) in board.inputs.items():
            p = Pin(pin, Pin.IN) if pull is None else Pin(pin, Pin.IN, _PULLS[pull])
            self._inputs[name] = (p, 0 if active_low else 1)
        atten = _ATTEN[board.adc["atten_db"]]
        self._adcs = {}  # sensor -> ADC
        for sensor, spec in board.thermistors.items():
            self._adcs[sensor] = ADC(Pin(spec["pin"]), atten=atten)
        self._samples = board.adc["samples"]
        self._wdt = None
        self._wdt_timeout_ms = wdt_timeout_ms  # default for start_watchdog()

    def read_adc(self, sensor):
        """Millivolts at the thermistor's pin (int), the mean of several read_uv()."""
        adc = self._adcs.get(sensor)
        if adc is None:
            raise ValueError(
                "board %s has no thermistor %r (sensors: %s)"
                % (self.board.name, sensor, ", ".join(self.board.sensors))
            )
        n = self._samples
        total_uv = 0
        for _ in range(n):
            total_uv += adc.read_uv()
        return (total_uv + n * 500) // (n * 1000)

    def read_input(self, name):
        entry = self._inputs.get(name)
        if entry is None:
            raise ValueError(
                "board %s has no input %r (inputs: %s)"
                % (self.board.name, name, ", ".join(self.board.inputs) or "none")
            )
        return entry[0].value() == entry[1]

    def set_relay(self, name, on):
        entry = self._relays.get(name)
        if entry is None:
            raise ValueError(
                "board %s has no relay %r (relays: %s)"
                % (self.board.name, name, ", ".join(self.board.relays))
            )
        pin, on_level = entry
        on = bool(on)
        pin.value(on_level if on else 1 - on_level)
        self._state[name] = on

    def relay(self, name):
        return self._state[name]

    def all_relays_off(self):
        for name in self.board.relay_names:
            self.set_relay(name, False)

    def start_watchdog(self, timeout_ms=None):
        """Start the hardware watchdog (once; it cannot be stopped again)."""
        timeout_ms = timeout_ms or self._wdt_timeout_ms
        if not timeout_ms:
            raise ValueError("start_watchdog needs a timeout in ms")
        if self._wdt is None:
            self._wdt = WDT(timeout=timeout_ms)

    def feed_watchdog(self):
        if self._wdt is not None:
            self._wdt.feed()

    def reset_cause(self):
        """Why the chip last reset: "power on", "hard reset", "watchdog", "deep sleep",
        "soft reset" (machine.reset_cause(), named)."""
        import machine

        c = machine.reset_cause()
        for name, const_name in _CAUSES:
            if c == getattr(machine, const_name, None):
                return name
        return "unknown (%r)" % (c,)

    def reset(self):
        """Reset the chip now (machine.reset(); does not return)."""
        import machine

        machine.reset()

    def random_ms(self, max_ms):
        """An int in [0, max_ms] from the chip's hardware random source."""
        if max_ms <= 0:
            return 0
        import os

        b = os.urandom(4)
        return ((b[0] << 22) | (b[1] << 14) | (b[2] << 6) | (b[3] >> 2)) % (max_ms + 1)
