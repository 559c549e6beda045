"""HourRing: the last hour's events counted (MicroPython and CPython)."""

from check import eq
from heatpump.rings import HOUR_MS, HourRing


def test_events_count_for_an_hour_then_drop_out():
    r = HourRing(3)
    eq(r.count(), 0, "none yet")
    r.note()
    r.age(1_000_000)
    r.note()
    eq(r.count(), 2, "two in the hour")
    eq(r.age_of(1), 0, "the newest: just now")
    eq(r.age_of(2), 1_000_000, "the one before")
    r.age(HOUR_MS - 1_000_000)
    eq(r.count(), 1, "the first one is an hour old: out")
    r.age(HOUR_MS)
    eq((r.count(), r.age_of(1)), (0, HOUR_MS), "ages saturate at an hour")


def test_a_full_ring_keeps_the_newest():
    r = HourRing(2)
    for _ in range(5):
        r.note()
        r.age(1000)
    eq(r.count(), 2, "never more than it holds")
    eq(r.ages_s(), [2, 1], "oldest first, in s")


def test_the_history_goes_back_oldest_first_and_refuses_what_is_not_an_age():
    r = HourRing(3)
    r.fill([10, -5, 3700, 50, 20, 30])  # one negative, one over the hour: not ages
    eq(r.ages_s(), [30, 20, 10], "the three newest, oldest first")
    eq(r.age_of(1), 10_000, "the newest is next to be overwritten last")
    r.note()
    eq(r.ages_s(), [20, 10, 0], "a new one pushes out the oldest")
    r.clear()
    eq(r.count(), 0, "cleared")
