"""Millisecond clock helpers with MicroPython's wrap.

On the board these are time.ticks_ms/ticks_add/ticks_diff. On CPython the same
arithmetic runs on a clock that wraps every 2**30 ms, like the board's, so host
tests meet the wrap too; `set_cpython_offset` lets a test start it just before.
Never subtract two ticks values: a difference is only meaningful via ticks_diff,
and only for spans shorter than PERIOD // 2 (about 6.2 days). ticks_add refuses a
delta of PERIOD // 2 or more either way (OverflowError), on the board and here alike.
The MicroPython unix port (64-bit) wraps at 2**62 instead: BOARD_WRAP says whether
this interpreter's clock wraps where the board's does.
"""

import time

PERIOD = 1 << 30  # ms; ticks_ms() wraps here on every MicroPython port we target
_HALF = PERIOD >> 1
_MASK = PERIOD - 1

if hasattr(time, "ticks_ms"):
    # MicroPython: the real thing, allocation-free.
    ticks_ms = time.ticks_ms  # type: ignore[attr-defined]
    ticks_add = time.ticks_add  # type: ignore[attr-defined]
    ticks_diff = time.ticks_diff  # type: ignore[attr-defined]

    BOARD_WRAP = ticks_add(0, -1) == _MASK  # False on the 64-bit unix port

    def set_cpython_offset(offset_ms):  # pyright: ignore[reportRedeclaration]
        raise RuntimeError("set_cpython_offset is for CPython host tests only")

else:
    _offset_ms = 0
    _clock = getattr(time, "monotonic_ns")  # noqa: B009 (not in the board's stubs)

    def ticks_ms():
        return (_clock() // 1_000_000 + _offset_ms) & _MASK

    BOARD_WRAP = True  # pyright: ignore[reportConstantRedefinition]

    def ticks_add(ticks, delta):
        """ticks + delta on the wrapped clock; |delta| >= PERIOD / 2 is refused as on
        the board (ticks_diff could not tell the result from an earlier time)."""
        if not -_HALF < delta < _HALF:
            raise OverflowError("ticks interval overflow")
        return (ticks + delta) & _MASK

    def ticks_diff(ticks1, ticks2):
        """Signed ticks1 - ticks2, as on the board: in [-PERIOD/2, PERIOD/2)."""
        return ((ticks1 - ticks2 + _HALF) & _MASK) - _HALF

    def set_cpython_offset(offset_ms):
        """Shift the CPython clock so that ticks_ms() reads offset_ms now (tests)."""
        global _offset_ms
        _offset_ms = offset_ms - _clock() // 1_000_000
