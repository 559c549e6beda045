"""The crash rule's memory: a task that raises is a crash; the third within 10 min
means the board must reset (the app acts on it). The lifetime count and the latest
crash's text go to flash with the counters and come back at start-up. Also how an
exception is told to a person (exc_text, show_traceback)."""

import sys

from micropython import const

from heatpump.ticks import ticks_diff

_WINDOW_MS = const(600_000)  # this many crashes within this long reset the board
_TO_RESET = const(3)


class Crashes:
    def __init__(self):
        self.recent_ms = []  # ticks of the crashes of the last 10 min
        self.count = 0  # lifetime crashes (persisted with the counters)
        self.last = None  # "task: ExcType: text" of the latest one (persisted)

    def note(self, text, now_ms):
        """A crash now; True: the third within 10 min, the board must reset."""
        self.count += 1
        self.last = text
        recent = [t for t in self.recent_ms if ticks_diff(now_ms, t) < _WINDOW_MS]
        recent.append(now_ms)
        self.recent_ms = recent
        return len(recent) >= _TO_RESET

    def in_window(self):
        return len(self.recent_ms)

    def add_to(self, counters):
        """Put the count and the latest crash into the counters dict (for flash)."""
        counters["crashes"] = self.count
        if self.last is not None:
            counters["last_crash"] = self.last

    def restore(self, counters):
        """Take them back from the counters read at start-up; returns the latest
        crash's text, or None."""
        n = counters.get("crashes")
        if isinstance(n, int) and n >= 0:
            self.count = n
        if isinstance(counters.get("last_crash"), str):
            self.last = counters["last_crash"]
            return self.last
        return None


def exc_text(e):
    """'ValueError: bad value' (what the log and the console show)."""
    text = str(e)
    return type(e).__name__ + (": " + text if text else "")


def show_traceback(e, say):
    """The traceback of e on the console. On the board straight to it: no buffer to
    grow in a heap that a MemoryError may have left full."""
    if hasattr(sys, "print_exception"):
        sys.print_exception(e)
        return
    import traceback

    say("".join(traceback.format_exception(type(e), e, e.__traceback__)))
