"""The tick helpers across the 2**30 ms wrap (runs under MicroPython and CPython)."""

from check import board_wrap_only, eq, raises
from heatpump import ticks

P = ticks.PERIOD


def test_period_is_the_boards():
    eq(P, 1 << 30, "PERIOD")


def test_add_wraps_past_the_period():
    board_wrap_only()
    eq(ticks.ticks_add(P - 1000, 1500), 500, "one minute past the wrap")
    eq(ticks.ticks_add(500, -1500), P - 1000, "back across the wrap")


def test_diff_across_the_wrap_is_small_and_signed():
    board_wrap_only()
    before = P - 60_000  # a minute before the wrap
    after = ticks.ticks_add(before, 120_000)  # a minute after it
    eq(after, 60_000, "after the wrap")
    eq(ticks.ticks_diff(after, before), 120_000, "forward across the wrap")
    eq(ticks.ticks_diff(before, after), -120_000, "backward across the wrap")


def test_diff_limits_are_half_the_period():
    board_wrap_only()
    eq(ticks.ticks_diff(P // 2 - 1, 0), P // 2 - 1, "largest positive span")
    eq(ticks.ticks_diff(P // 2, 0), -(P // 2), "half a period reads as negative")


def test_clock_runs_forward_in_small_steps():
    a = ticks.ticks_ms()
    b = ticks.ticks_ms()
    d = ticks.ticks_diff(b, a)
    assert 0 <= d < 1000, d


def test_add_refuses_half_a_period_or_more_as_the_board_does():
    board_wrap_only()
    for delta in (P // 2, -(P // 2), P, 1 << 40):
        raises(OverflowError, ticks.ticks_add, 0, delta)
    eq(ticks.ticks_add(0, P // 2 - 1), P // 2 - 1, "largest delta")
    eq(ticks.ticks_add(0, -(P // 2) + 1), P // 2 + 1, "most negative delta")
