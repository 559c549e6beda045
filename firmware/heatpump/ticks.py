"""Millisecond clock helpers with MicroPython's wrap.

On the board these are time.ticks_ms/ticks_add/ticks_diff. On CPython the same
arithmetic runs on a clock that wraps every 2**30 ms, like the board's, so host
tests meet the wrap too (desktop_ticks.py, beside the package and never deployed).
Never subtract two ticks values: a difference is only meaningful via ticks_diff,
and only for spans shorter than PERIOD // 2 (about 6.2 days). ticks_add refuses a
delta of PERIOD // 2 or more either way (OverflowError), on the board and here alike.
The MicroPython unix port (64-bit) wraps at 2**62 instead: BOARD_WRAP says whether
this interpreter's clock wraps where the board's does.
"""

__all__ = ("ticks_ms", "ticks_add", "ticks_diff", "PERIOD", "BOARD_WRAP", "MASK")

try:
    from time import ticks_add, ticks_diff, ticks_ms  # MicroPython: allocation-free
except ImportError:
    from desktop_ticks import ticks_add, ticks_diff, ticks_ms

PERIOD = 1 << 30  # ms; ticks_ms() wraps here on every MicroPython port we target
BOARD_WRAP = ticks_diff(0, PERIOD - 1) == 1  # False on the 64-bit unix port
# This interpreter's own clock mask (the simulated HAL wraps as its ticks_ms() would).
MASK = PERIOD - 1 if BOARD_WRAP else (1 << 62) - 1
