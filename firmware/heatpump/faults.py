"""Fault codes and the fault log.

A code is a short stable string ("E1", "S2"): what the REPL shows, what the
simulator and the tests compare, what a technician looks up in the README. Inside
the tick a fault is its index in ORDER (an int), so raising one allocates nothing.
The log keeps the last LOG_SIZE events in preallocated lists.
"""

from micropython import const

# Index of each code in ORDER (the tick works with these).
FREEZE = const(0)
FREEZE_LOCK = const(1)
OVERHEAT = const(2)
HEAT_LOCKOUT = const(3)
COOL_TOO_COLD = const(4)
COOL_TOO_HOT = const(5)
CONDENSATE = const(6)
VALVE_STUCK = const(7)
SENSOR_ROOM = const(8)  # S1..S5 follow sensors.NAMES in order
CONFIG_FILE = const(13)
DEFROST = const(14)
APP_CRASH = const(15)  # raised by app.py, outside the tick
WATCHDOG_RESET = const(16)
SUPERVISOR = const(17)  # supervisor.py ended a compressor-on state past its bound
RESET_LOCK = const(18)  # repeated watchdog / crash resets
SHORT_CYCLE = const(19)  # repeated early stops
N_CODES = const(20)  # (a test holds it to the rows below)

# What a code's log detail holds: a temperature in dC that tripped it, a sensor fault
# kind (sensors.OPEN/SHORT/JUMP), which state the supervisor ended
# (supervisor.KIND_NAMES), how many in the hour, or nothing (0).
DETAIL_TEMP = const(1)
DETAIL_SENSOR = const(2)
DETAIL_SUPERVISED = const(3)
DETAIL_COUNT = const(4)

# How a code ends: by itself, once its cause is gone; or latched: until hp.clear(),
# kept across a reset (the app's history on flash); LATCH_HOUR also ends after an hour.
SELF = const(0)
LATCH = const(1)
LATCH_HOUR = const(2)

# One row per code, in the order of the index constants above: the code, its detail,
# how it ends. What it means for a person and what to check: fault_text.py (by code;
# loaded only to show them, so the text is not in the heap while the unit runs).
_ROWS = (
    ("E1", DETAIL_TEMP, SELF),  # FREEZE
    ("E2", DETAIL_TEMP, LATCH),  # FREEZE_LOCK
    ("E3", DETAIL_TEMP, SELF),  # OVERHEAT
    ("E4", DETAIL_TEMP, SELF),  # HEAT_LOCKOUT
    ("E5", DETAIL_TEMP, SELF),  # COOL_TOO_COLD
    ("E6", DETAIL_TEMP, SELF),  # COOL_TOO_HOT
    ("E7", 0, SELF),  # CONDENSATE
    ("E8", DETAIL_TEMP, LATCH),  # VALVE_STUCK
    ("S1", DETAIL_SENSOR, SELF),  # SENSOR_ROOM; S2..S5 follow sensors.NAMES
    ("S2", DETAIL_SENSOR, SELF),
    ("S3", DETAIL_SENSOR, SELF),
    ("S4", DETAIL_SENSOR, SELF),
    ("S5", DETAIL_SENSOR, SELF),
    ("C1", 0, SELF),  # CONFIG_FILE
    ("D1", DETAIL_TEMP, SELF),  # DEFROST
    ("A1", 0, SELF),  # APP_CRASH
    ("A2", 0, SELF),  # WATCHDOG_RESET
    ("A3", DETAIL_SUPERVISED, SELF),  # SUPERVISOR
    ("A4", DETAIL_COUNT, LATCH_HOUR),  # RESET_LOCK
    ("E9", DETAIL_COUNT, LATCH_HOUR),  # SHORT_CYCLE
)
# The columns the unit keeps (the rows themselves go).
ORDER = tuple(r[0] for r in _ROWS)
DETAIL = bytes(r[1] for r in _ROWS)
ENDS = bytes(r[2] for r in _ROWS)
LATCHED = tuple(r[0] for r in _ROWS if r[2] != SELF)
del _ROWS

LOG_SIZE = const(20)


def index(code):
    """ORDER index of a code string, or ValueError naming the known codes."""
    for i in range(N_CODES):
        if ORDER[i] == code:
            return i
    raise ValueError("unknown fault code %r: known %s" % (code, ", ".join(ORDER)))


class FaultLog:
    """The last LOG_SIZE faults (time, code, detail), oldest overwritten first."""

    def __init__(self):
        self.time_s = [0] * LOG_SIZE  # uptime in s when the fault was raised
        self.code = [0] * LOG_SIZE  # ORDER index
        self.detail = [0] * LOG_SIZE  # see DETAIL
        self.next = 0  # where the next entry goes
        self.size = 0  # entries held (up to LOG_SIZE)
        self.counts = [0] * N_CODES  # lifetime raises per code (persisted)

    def record(self, i, time_s, detail):
        n = self.next
        self.time_s[n] = time_s
        self.code[n] = i
        self.detail[n] = detail
        self.next = n + 1 if n + 1 < LOG_SIZE else 0
        if self.size < LOG_SIZE:
            self.size += 1
        self.counts[i] += 1

    def restore_count(self, i, n):
        """Put back a persisted lifetime count."""
        self.counts[i] = n

    def entries(self):
        """[(time_s, code, detail), ...] newest first (allocates: REPL and tests only)."""
        out = []
        n = self.next
        for _ in range(self.size):
            n = n - 1 if n > 0 else LOG_SIZE - 1
            out.append((self.time_s[n], ORDER[self.code[n]], self.detail[n]))
        return out

    def clear(self):
        self.next = 0
        self.size = 0
