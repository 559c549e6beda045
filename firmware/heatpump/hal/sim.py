"""The simulated HAL: the board as the firmware sees it, without any hardware.

A test or the plant model sets each sensor's temperature in degrees C; read_adc()
returns what the real board would read: the divider and thermistor of the board file,
then the ESP32 ADC (12 bits over 0-3100 mV at 11 dB, clipping at both ends), averaged
over the board's samples, with optional seeded noise. Sensors can be broken open or
short, inputs set, time advanced; every relay change is logged with its time.

No `machine` import and nothing CPython-only: it runs under MicroPython too. The
methods the control tick calls (ticks_ms, read_adc, read_input, set_relay,
feed_watchdog) do integer work only and allocate nothing (set_relay's log entry aside),
so the tick's heap use can be measured against this HAL.
"""

from array import array

from micropython import const

from heatpump import thermistor
from heatpump.adc_table import OPEN, SHORT
from heatpump.board import Board, load_board
from heatpump.ticks import MASK

_SUB = const(32)  # pin voltages are held in 1/32 mV: fine enough, and small ints
_ADC_MAX = const(4095)
_FS_SUB = const(3100 * 32)  # thermistor.FULL_SCALE_MV in 1/32 mV
_M30 = const(0x3FFFFFFF)
_M15 = const(0x7FFF)
_SAT_MS = const(1 << 28)  # since_feed_ms saturates here (3 days: past every check)


class _Lcg:
    """x = a x + c (mod 2**30), done in 15-bit halves so every value stays a small int
    on MicroPython (no allocation) and the sequence is the same on both interpreters."""

    def __init__(self, seed):
        self.x = seed & _M30

    def next30(self):
        x = self.x
        xl = x & _M15
        xh = x >> 15
        # a = 29773421 = 908 * 2**15 + 20077 (1103515245 mod 2**30); a % 4 == 1 and
        # c = 12345 is odd, so the period is the full 2**30.
        lo = 20077 * xl + 12345
        mid = ((908 * xl) & _M15) + ((20077 * xh) & _M15) + (lo >> 15)
        self.x = ((mid & _M15) << 15) | (lo & _M15)
        # The high bits of an LCG are the good ones: mix them down.
        return self.x ^ (self.x >> 15)


class RelayLog:
    """(elapsed_ms, name, on) per relay change, packed in arrays (6 bytes a change, not
    a tuple each: a long run's log fits a board-sized heap). Reads like the list of
    tuples it stands for: iterate, index, slice, len, ==."""

    def __init__(self, names):
        self._names = names  # the board's relay names: a change stores its index
        self._s = array("i")  # elapsed whole seconds
        self._what = array("H")  # ms beyond the second * 64 + name index * 2 + on

    def append(self, entry):
        ms, name, on = entry
        s, rem = divmod(ms, 1000)
        self._s.append(s)
        self._what.append(rem * 64 + self._names.index(name) * 2 + (1 if on else 0))

    def __len__(self):
        return len(self._s)

    def _entry(self, i):
        w = self._what[i]
        return (self._s[i] * 1000 + (w >> 6), self._names[(w >> 1) & 31], bool(w & 1))

    def __iter__(self):
        for i in range(len(self._s)):
            yield self._entry(i)

    def __getitem__(self, k):
        if isinstance(k, int):
            return self._entry(k if k >= 0 else len(self._s) + k)
        return list(self)[k]

    def __eq__(self, other):
        return list(self) == list(other)

    def __repr__(self):
        return repr(list(self))


class SimHAL:
    """Same contract as Esp32HAL, plus the controls a test or the plant needs."""

    def __init__(self, board=None, start_ms=0, seed=1, noise_mv=0, log_relays=True):
        if board is None or isinstance(board, str):
            board = load_board(board or "esp32-devkitc")
        elif isinstance(board, dict):
            board = Board.from_dict(board)
        self.board = board
        self._now = start_ms & MASK  # wrapped as this interpreter wraps: what ticks_ms() returns
        # Monotonic sim time since construction, in whole seconds and the ms beyond:
        # each stays a small int for 34 years on a 32-bit board (one int of ms would
        # turn into a long, allocating on every advance, after 12.4 days).
        self.elapsed_s = 0
        self._elapsed_rem_ms = 0
        self._rng = _Lcg(seed)  # random_ms()
        self._noise_rng = _Lcg(seed * 7919 + 17)  # noise: its own stream
        self._noise_sub = int(noise_mv * _SUB + 0.5)  # 1 sigma, in 1/32 mV
        self._samples = board.adc["samples"]
        self.channels = {}  # sensor -> thermistor.Channel (for mv_at and the rails)
        self._pin_sub = {}  # sensor -> pin voltage in 1/32 mV
        self._temp = {}  # sensor -> set temperature, C
        self._broken = {}  # sensor -> None | "open" | "short"
        for s, spec in board.thermistors.items():
            self.channels[s] = thermistor.Channel(spec, board.adc)
            self._broken[s] = None
            self.set_temp(s, 20.0)
        self._relay = {}  # logical name -> bool
        for name in board.relays:
            self._relay[name] = False
        self._input = {}  # logical name -> bool (True = active)
        for name in board.inputs:
            self._input[name] = False
        self.log_relays = log_relays
        self.relay_log = RelayLog(board.relay_names)  # (elapsed_ms, name, on) per change
        self.watchdog_fed = 0
        self.watchdog_timeout_ms = None  # set by start_watchdog()
        self.since_feed_ms = 0
        self.cause = "power on"  # what reset_cause() reports (a test may set it)
        self.resets = 0  # reset() calls

    # --- the HAL contract ---------------------------------------------------------

    def ticks_ms(self):
        return self._now

    def read_adc(self, sensor):
        """Millivolts as the board reads them (int), averaged over the board's samples."""
        v = self._pin_sub.get(sensor)
        if v is None:
            raise ValueError(
                "board %s has no thermistor %r (sensors: %s)"
                % (self.board.name, sensor, ", ".join(self.board.sensors))
            )
        n = self._samples
        u = self._noise_sub
        if not u:
            n = 1  # noiseless samples are identical, and so is their mean: take one
        total = 0
        for _ in range(n):
            x = v
            if u:
                w = 2 * u + 1
                rng = self._noise_rng
                # Sum of three uniforms on [-u, u]: bell-shaped, sigma = u.
                x += rng.next30() % w + rng.next30() % w + rng.next30() % w - 3 * u
            raw = (x * _ADC_MAX + (_FS_SUB >> 1)) // _FS_SUB
            if raw < 0:
                raw = 0
            elif raw > _ADC_MAX:
                raw = _ADC_MAX
            total += raw
        # mean of raw * 3100 / 4095, rounded to whole mV (n <= 32 keeps it a small int)
        return (total * 6200 + n * _ADC_MAX) // (2 * n * _ADC_MAX)

    def read_input(self, name):
        state = self._input.get(name)
        if state is None:
            raise ValueError(
                "board %s has no input %r (inputs: %s)"
                % (self.board.name, name, ", ".join(self.board.inputs) or "none")
            )
        return state

    def _no_relay(self, name):
        return ValueError(
            "board %s has no relay %r (relays: %s)"
            % (self.board.name, name, ", ".join(self.board.relays))
        )

    def set_relay(self, name, on):
        was = self._relay.get(name)
        if was is None:
            raise self._no_relay(name)
        on = bool(on)
        if on != was:
            self._relay[name] = on
            if self.log_relays:
                self.relay_log.append((self.elapsed_ms, name, on))

    def all_relays_off(self):
        for name in self.board.relay_names:  # board order: same log on both interpreters
            self.set_relay(name, False)

    def start_watchdog(self, timeout_ms):
        self.watchdog_timeout_ms = timeout_ms
        self.since_feed_ms = 0

    def feed_watchdog(self):
        self.watchdog_fed += 1
        self.since_feed_ms = 0

    def reset_cause(self):
        return self.cause

    def reset(self):
        """Counted; unlike the board's, it returns (the caller stops by itself)."""
        self.resets += 1

    def random_ms(self, max_ms):
        """An int in [0, max_ms] from the seeded stream (same on both interpreters)."""
        if max_ms <= 0:
            return 0
        return self._rng.next30() % (max_ms + 1)

    # --- sim controls ---------------------------------------------------------------

    def _channel(self, sensor):
        ch = self.channels.get(sensor)
        if ch is None:
            raise ValueError(
                "board %s has no thermistor %r (sensors: %s)"
                % (self.board.name, sensor, ", ".join(self.board.sensors))
            )
        return ch

    def _update_pin(self, sensor, ch, c):
        broken = self._broken[sensor]
        if broken is None:
            mv = ch.mv_at(c)
        else:
            mv = ch.rail_mv(OPEN if broken == "open" else SHORT)
        self._pin_sub[sensor] = int(mv * _SUB + 0.5)

    def set_temp(self, sensor, c):
        """Set a sensor's temperature in degrees C."""
        ch = self._channel(sensor)
        # The pin voltage depends on (temperature, break) only: redo the thermistor model
        # only when the temperature moved (tests often set the same one again).
        if c != self._temp.get(sensor):
            self._update_pin(sensor, ch, c)
        self._temp[sensor] = c

    def temp(self, sensor):
        """The temperature last set for a sensor (C)."""
        self._channel(sensor)
        return self._temp[sensor]

    def break_sensor(self, sensor, how):
        """Break a sensor "open" or "short", or repair it with None."""
        ch = self._channel(sensor)
        if how not in ("open", "short", None):
            raise ValueError('break_sensor: how must be "open", "short" or None, not %r' % (how,))
        self._broken[sensor] = how
        self._update_pin(sensor, ch, self._temp[sensor])

    def set_input(self, name, on):
        """Set an input's logical state (True = active, e.g. the pan is full)."""
        self.read_input(name)  # raises for an unknown input
        self._input[name] = bool(on)

    @property
    def elapsed_ms(self):
        """Sim time since construction, ms (the relay log's clock)."""
        return self.elapsed_s * 1000 + self._elapsed_rem_ms

    def advance(self, ms):
        """Move time forward by ms (>= 0), any span: the clock wraps as this
        interpreter's ticks_ms() does (a long int only for the tick that wraps)."""
        if ms < 0:
            raise ValueError("advance: time only moves forward, got %r ms" % (ms,))
        self._now = (self._now + ms) & MASK
        rem = self._elapsed_rem_ms + ms  # (no divmod: its tuple would allocate)
        if rem >= 1000:
            s = rem // 1000
            self.elapsed_s += s
            rem -= s * 1000
        self._elapsed_rem_ms = rem
        since = self.since_feed_ms + ms
        self.since_feed_ms = since if since < _SAT_MS else _SAT_MS  # saturates

    def relay(self, name):
        """A relay's logical state (True = on)."""
        state = self._relay.get(name)
        if state is None:
            raise self._no_relay(name)
        return state

    def pin_level(self, name):
        """The electrical level (0/1) of a relay's or an input's pin, after polarity."""
        if name in self.board.relays:
            return int(self._relay[name] != self.board.relays[name][1])
        if name in self.board.inputs:
            return int(self._input[name] != self.board.inputs[name][1])
        raise ValueError("board %s has no relay or input %r" % (self.board.name, name))

    @property
    def watchdog_expired(self):
        """True once the started watchdog would have reset the board."""
        t = self.watchdog_timeout_ms
        return t is not None and self.since_feed_ms > t
