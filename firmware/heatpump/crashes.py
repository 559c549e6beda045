"""The crash rule's count: a task that raises stops every relay and the app restarts
its tasks; the third crash within 10 min resets the board instead (App.on_crash acts,
CrashRule counts). The lifetime count and the latest crash reach flash with the
counters, so a technician sees them after a reset.
"""

import sys

from micropython import const

from heatpump.ticks import ticks_diff

_WINDOW_MS = const(600_000)  # this many crashes within this long reset the board
_TO_RESET = const(3)


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


class CrashRule:
    def __init__(self):
        self.recent_ms = []  # ticks of the crashes within the window
        self.crashes = 0  # lifetime crashes (persisted with the counters)
        self.last_crash = None  # "task: ExcType: text" of the latest one (persisted)

    def crashed(self, now_ms, text):
        """Count a crash (text: what crashed and why); the number of crashes within
        the window, and whether the board must reset now."""
        recent = [t for t in self.recent_ms if ticks_diff(now_ms, t) < _WINDOW_MS]
        recent.append(now_ms)
        self.recent_ms = recent
        self.crashes += 1
        self.last_crash = text
        return len(recent), len(recent) >= _TO_RESET

    def into(self, counters):
        """The lifetime count and the latest crash, added to the counters' dict."""
        counters["crashes"] = self.crashes
        if self.last_crash is not None:
            counters["last_crash"] = self.last_crash

    def restore(self, counters):
        """The counts from the stored counters (values of the wrong type are left
        out); the latest crash's text, or None."""
        n = counters.get("crashes")
        if isinstance(n, int) and n >= 0:
            self.crashes = n
        if isinstance(counters.get("last_crash"), str):
            self.last_crash = counters["last_crash"]
        return self.last_crash
