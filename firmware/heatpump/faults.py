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
N_CODES = const(20)

ORDER = ("E1", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "S1", "S2", "S3", "S4", "S5")
ORDER += ("C1", "D1", "A1", "A2", "A3", "A4", "E9")  # continued (one line is too long)

# What each code means for a person: fault_text.TEXT (loaded by the REPL when shown).

# Codes that stay active until hp.clear() (E9 and A4 also after their hour; the others
# clear by themselves). They survive a reset (the history on flash, controller.py).
LATCHED = ("E2", "E8", "E9", "A4")

# What the log's detail number means for a code: a temperature in dC that tripped
# it, a sensor fault kind (sensors.OPEN/SHORT/JUMP), or nothing.
DETAIL_TEMP = const(1)
DETAIL_SENSOR = const(2)
DETAIL = (1, 1, 1, 1, 1, 1, 0, 1, 2, 2, 2, 2, 2, 0, 1, 0, 0, 3, 4, 4)
DETAIL_SUPERVISED = const(3)  # A3: which state (supervisor.KIND_NAMES)
DETAIL_COUNT = const(4)  # A4, E9: how many in the hour

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
