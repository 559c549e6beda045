"""A thermistor channel as the running unit reads it: mV -> 0.1 C by an int16 table.

thermistor.Channel does the float work once, at start-up, and hands the result over
as a Table; the thermistor models are then let go (lazy.py). Per reading, `dC(mv)` is
a shift, a mask and one multiplication on small ints: no float, no allocation.
`fault(mv)` says whether a reading lies beyond the trusted window, at one of the
divider's rails: an open thermistor reads as colder than anything real, a short as
hotter.
"""

from micropython import const

OPEN = const(1)  # fault(): the thermistor (or its wire) is open
SHORT = const(2)  # fault(): the thermistor (or its wire) is shorted
SHIFT = const(4)  # table step: 16 mV
STEP_MV = const(16)
_MASK = const(15)


class Table:
    def __init__(self, lo_mv, hi_mv, rising, tab):
        self.lo_mv = lo_mv  # readings below are a fault (open if rising, else short)
        self.hi_mv = hi_mv  # readings above are a fault (short if rising, else open)
        self._span = hi_mv - lo_mv
        self._below = OPEN if rising else SHORT
        self._above = SHORT if rising else OPEN
        self._tab = tab  # array("h"): hundredths of a degree C at lo_mv + i * 16 mV
        self._rising = rising  # the pin voltage rises with temperature
        cold_mv, hot_mv = (lo_mv, hi_mv) if rising else (hi_mv, lo_mv)
        self.cold_dC = self.dC(cold_mv)  # the coldest temperature the channel can read
        self.hot_dC = self.dC(hot_mv)  # the hottest

    def table(self):
        """This channel as a plain Table (what the running unit keeps)."""
        return Table(self.lo_mv, self.hi_mv, self._rising, self._tab)

    def dC(self, mv):
        """Temperature in tenths of a degree C for a reading in mV (clamped to the window).

        Integer work only, allocation-free: call fault() first to know it is real.
        """
        off = mv - self.lo_mv
        if off < 0:
            off = 0
        elif off > self._span:
            off = self._span
        i = off >> SHIFT
        t = self._tab
        c0 = t[i]
        cc = c0 + (((t[i + 1] - c0) * (off & _MASK) + (STEP_MV >> 1)) >> SHIFT)
        return (cc + 5) // 10

    def fault(self, mv):
        """0, OPEN or SHORT for a reading in mV."""
        if mv < self.lo_mv:
            return self._below
        if mv > self.hi_mv:
            return self._above
        return 0
