"""The CPython clock starts a minute before the wrap and is seen to pass it."""

import time

import desktop_ticks
from heatpump import ticks


def test_cpython_clock_passes_the_wrap():
    desktop_ticks.set_offset(ticks.PERIOD - 50)
    start = ticks.ticks_ms()
    time.sleep(0.1)
    now = ticks.ticks_ms()
    assert now < start, "the clock wrapped to a small value"
    assert 50 <= ticks.ticks_diff(now, start) < 5000
