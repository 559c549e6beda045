"""Sensor debounce, impossible jumps and fault clearing (MicroPython and CPython)."""

from check import eq
from heatpump import adc_table
from heatpump import sensors as S
from heatpump.config import defaults

R = S.ROOM
CFG = defaults()  # 3 bad readings, 10 K/s, 30 s to clear


def fresh():
    return S.Sensors([object()] + [None] * (S.N_SENSORS - 1), CFG)


def test_first_sane_reading_is_taken():
    s = fresh()
    eq(s.ok[R], False, "nothing read yet")
    s.feed(R, 0, 215, 1000)
    eq((s.ok[R], s.dC[R]), (True, 215), "taken")


def test_two_bad_readings_hold_the_value_the_third_confirms():
    s = fresh()
    s.feed(R, 0, 215, 1000)
    s.feed(R, S.OPEN, 0, 1000)
    s.feed(R, S.OPEN, 0, 1000)
    eq((s.ok[R], s.dC[R], s.fault[R]), (True, 215, 0), "held after two")
    s.feed(R, S.OPEN, 0, 1000)
    eq((s.ok[R], s.fault[R]), (False, S.OPEN), "fault on the third")


def test_a_good_reading_restarts_the_count():
    s = fresh()
    s.feed(R, 0, 215, 1000)
    for kind in (S.SHORT, S.SHORT, 0, S.SHORT, S.SHORT):
        s.feed(R, kind, 216, 1000)
    eq(s.fault[R], 0, "never three in a row")


def test_impossible_jumps():
    s = fresh()
    s.feed(R, 0, 215, 1000)
    s.feed(R, 0, 400, 1000)  # 18.5 K in a second
    eq((s.dC[R], s.fault[R]), (215, 0), "one jump is held, not taken")
    s.feed(R, 0, 216, 1000)
    eq(s.dC[R], 216, "back to normal")
    for _ in range(3):
        s.feed(R, 0, 400, 1000)
    eq(s.fault[R], S.JUMP, "three jumps confirm")


def test_jump_allowance_grows_with_the_time_between_readings():
    s = fresh()
    s.feed(R, 0, 215, 1000)
    s.feed(R, 0, 390, 2000)  # 17.5 K in 2 s: under 10 K/s
    eq(s.dC[R], 390, "taken")
    s.feed(R, 0, 500, 100)  # 11 K in 0.1 s: the one-second floor still refuses it
    eq(s.dC[R], 390, "held")


def test_fault_clears_after_thirty_seconds_of_sane_readings():
    s = fresh()
    s.feed(R, 0, 215, 1000)
    for _ in range(3):
        s.feed(R, S.OPEN, 0, 1000)
    s.feed(R, 0, 220, 1000)  # the first sane reading starts the clock
    for _ in range(29):
        s.feed(R, 0, 220, 1000)
    eq(s.fault[R], S.OPEN, "29 s is not enough")
    s.feed(R, S.OPEN, 0, 1000)  # a relapse restarts the clock
    s.feed(R, 0, 221, 1000)
    for _ in range(29):
        s.feed(R, 0, 221, 1000)
    eq(s.fault[R], S.OPEN, "clock restarted")
    s.feed(R, 0, 221, 1000)
    eq((s.fault[R], s.ok[R], s.dC[R]), (0, True, 221), "cleared, value trusted")


def test_unsteady_readings_do_not_clear_a_fault():
    s = fresh()
    s.feed(R, 0, 215, 1000)
    for _ in range(3):
        s.feed(R, 0, 600, 1000)
    eq(s.fault[R], S.JUMP, "jump fault")
    v = 200
    for _ in range(60):
        v = 700 if v == 200 else 200  # flapping: never steady
        s.feed(R, 0, v, 1000)
    eq(s.fault[R], S.JUMP, "still faulted")


class _Chan:
    def fault(self, mv):
        return 1 if mv < 150 else 2 if mv > 2950 else 0

    def dC(self, mv):
        return mv // 10


class _Hal:
    def __init__(self):
        self.mv = {"room": 2150, "outdoor": 100}

    def read_adc(self, name):
        return self.mv[name]


def test_read_takes_the_tables_fault_codes():
    eq((S.OPEN, S.SHORT), (adc_table.OPEN, adc_table.SHORT), "the same codes")
    chans = [None] * S.N_SENSORS
    chans[S.ROOM] = _Chan()
    chans[S.OUTDOOR] = _Chan()
    s = S.Sensors(chans, CFG)
    hal = _Hal()
    for _ in range(3):
        s.read(hal, 1000)
    eq((s.ok[S.ROOM], s.dC[S.ROOM]), (True, 215), "room")
    eq(s.fault[S.OUTDOOR], S.OPEN, "outdoor open")
    eq(s.present[S.INDOOR_COIL], False, "absent channel skipped")
