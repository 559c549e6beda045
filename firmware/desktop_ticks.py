"""The desktop's stand-in for MicroPython's time.ticks_ms/ticks_add/ticks_diff.

heatpump.ticks takes the board's own functions first; CPython has none, so it takes
these: the same arithmetic on a clock that wraps every 2**30 ms like the board's, so
host tests meet the wrap too (`set_offset` starts it just before). Not deployed.
It counts from time.time_ns() (the board's stubs, which type-check this file too, have
no monotonic clock): a desktop clock step moves it, as it would move the tests' sleep.
"""

import time

PERIOD = 1 << 30
_HALF = PERIOD >> 1
_MASK = PERIOD - 1
_offset_ms = 0


def ticks_ms():
    return (time.time_ns() // 1_000_000 + _offset_ms) & _MASK


def ticks_add(ticks, delta):
    """ticks + delta on the wrapped clock; |delta| >= PERIOD / 2 is refused as on
    the board (ticks_diff could not tell the result from an earlier time)."""
    if not -_HALF < delta < _HALF:
        raise OverflowError("ticks interval overflow")
    return (ticks + delta) & _MASK


def ticks_diff(ticks1, ticks2):
    """Signed ticks1 - ticks2, as on the board: in [-PERIOD/2, PERIOD/2)."""
    return ((ticks1 - ticks2 + _HALF) & _MASK) - _HALF


def set_offset(offset_ms):
    """Shift the clock so that ticks_ms() reads offset_ms now (tests)."""
    global _offset_ms
    _offset_ms = offset_ms - time.time_ns() // 1_000_000
