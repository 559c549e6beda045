"""Thermistor channels: one reading per tick, fault debounce, impossible-jump rejection.

A reading is bad when the thermistor reads open or short, or when it moved further
from the last accepted value than a real thermistor can in that time (a loose
connector, interference). `sensor_bad_readings` bad readings in a row confirm a
fault; until then the last good value is held. A confirmed fault clears after
`sensor_clear_s` of sane, steady readings, and only then is the value trusted again.
Everything is preallocated per channel: the tick allocates nothing.
"""

from micropython import const

from heatpump import lazy

# Every sensor the core knows, in the order of the fault codes S1..S5.
NAMES = ("room", "indoor_coil", "outdoor", "outdoor_coil", "supply_air")
ROOM = const(0)
INDOOR_COIL = const(1)
OUTDOOR = const(2)
OUTDOOR_COIL = const(3)
SUPPLY_AIR = const(4)
N_SENSORS = const(5)

# Fault kinds (the fault log's detail for S codes): a table's own, and a jump.
OPEN = const(1)  # adc_table.OPEN
SHORT = const(2)  # adc_table.SHORT
JUMP = const(3)
KIND_NAMES = ("", "open", "short", "jump")

# Sensors each side needs; a fault on one stops that side. Not the outdoor coil:
# without it defrost.py falls back to timed defrosts.
_COOL_NEEDS = (ROOM, INDOOR_COIL)
_HEAT_NEEDS = (ROOM, INDOOR_COIL, OUTDOOR)


def tables(board):
    """Each sensor's adc_table.Table (None where the board has none). The thermistor
    models (float work) are loaded for this and let go after."""
    th = lazy.use("thermistor")
    try:
        out: list = [None] * N_SENSORS
        for i in range(N_SENSORS):
            spec = board.thermistors.get(NAMES[i])
            if spec is not None:
                out[i] = th.Channel(spec, board.adc).table()
        return out
    finally:
        lazy.drop("thermistor")


class Sensors:
    """Debounced temperatures (dC) of the board's thermistors, indexed as NAMES."""

    def __init__(self, channels, cfg):
        # channels[i]: an object with dC(mv) and fault(mv) -> 0, OPEN or SHORT
        # (adc_table.Table) for each sensor the board has, None where it has none.
        self.channels = channels
        self.present = [ch is not None for ch in self.channels]
        self.dC = [0] * N_SENSORS  # last accepted temperature
        self.ok = [False] * N_SENSORS  # a trusted value is in dC (read, and no fault)
        self.fault = [0] * N_SENSORS  # confirmed fault kind, 0 if none
        self.seen = [False] * N_SENSORS  # a sane reading was ever accepted
        self._bad = [0] * N_SENSORS  # bad readings in a row
        self._sane_ms = [0] * N_SENSORS  # while faulted: time of sane, steady readings
        self._prev = [0] * N_SENSORS  # while faulted: the previous sane reading
        self._prev_ok = [False] * N_SENSORS  # ... and whether there was one
        self.held = [False] * N_SENSORS  # readings not judged (see hold())
        self.configure(cfg)

    def configure(self, cfg):
        self.n_bad = cfg["sensor_bad_readings"]
        self.jump_dK = cfg["sensor_jump_dK"]
        self.clear_ms = cfg["sensor_clear_s"] * 1000

    def hold(self, i, on):
        """While held, channel i's readings are not judged: a sensor taken out of its
        range on purpose (the indoor coil in a defrost, with no air over it) raises no
        fault and takes any in-range value, jump or not. Bad readings still count, so a
        broken sensor is a fault at its first bad reading after the hold."""
        self.held[i] = on

    def ready(self, heating):
        """Every sensor the side needs has a trusted reading (not yet read at boot, or
        faulted, blocks a start; a fault also raises its code and forces a stop)."""
        for i in _HEAT_NEEDS if heating else _COOL_NEEDS:  # (all() would allocate)
            if self.present[i] and not self.ok[i]:
                return False
        return True

    def sane_now(self, i):
        """Channel i's last reading was good (a guard that acts on it now needs this)."""
        return self.ok[i] and self._bad[i] == 0

    def read(self, hal, dt_ms):
        """Read every present channel once and feed it (the tick's measure step)."""
        for i in range(N_SENSORS):
            ch = self.channels[i]
            if ch is None:
                continue
            mv = hal.read_adc(NAMES[i])
            f = ch.fault(mv)
            if f:
                self.feed(i, f, 0, dt_ms)
            else:
                self.feed(i, 0, ch.dC(mv), dt_ms)

    def feed(self, i, kind, dC, dt_ms):
        """One reading of channel i: kind is 0 (dC valid), OPEN or SHORT."""
        # A thermistor cannot move faster than jump_dK per second; the floor of one
        # second keeps a sub-second tick from calling ordinary noise a jump.
        secs = dt_ms // 1000
        allow = self.jump_dK * (secs if secs > 1 else 1)
        if self.fault[i]:
            # Sane means: in range, and steady relative to the previous reading.
            if kind == 0 and self._prev_ok[i] and abs(dC - self._prev[i]) <= allow:
                self._sane_ms[i] += dt_ms
                if self._sane_ms[i] >= self.clear_ms:
                    self.fault[i] = 0
                    self._bad[i] = 0
                    self.dC[i] = dC
                    self.seen[i] = True
                    self.ok[i] = True
            else:
                self._sane_ms[i] = 0
            self._prev[i] = dC
            self._prev_ok[i] = kind == 0
            return
        if kind == 0 and self.seen[i] and not self.held[i] and abs(dC - self.dC[i]) > allow:
            kind = JUMP
        if kind == 0:
            self._bad[i] = 0
            self.dC[i] = dC
            self.seen[i] = True
            self.ok[i] = True
            return
        self._bad[i] += 1
        if self._bad[i] >= self.n_bad and not self.held[i]:
            self.fault[i] = kind
            self.ok[i] = False
            self._sane_ms[i] = 0
            self._prev[i] = dC
            self._prev_ok[i] = kind == JUMP
