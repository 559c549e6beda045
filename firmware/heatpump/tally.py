"""The compressor's tally: its starts and early stops of the last hour, its lifetime
starts and run time.

The sequencer owns it and tells it each start and early stop. The last hour's starts
and early stops sit in preallocated rings sized by the config's own maxima, so no
setting can outgrow them: a thermostat start waits while the max_starts_per_hour-th
most recent is under an hour (starts_wait_ms), and protect.py locks the compressor out
(E9) on too many early stops. Both rings and whether the compressor ran are the history
the app keeps on flash (history(), restore()), so a reset forgives none of them.

View: the other parts ask through the methods, and read only (read-only) `starts`,
`run_s` (the persisted counters) and `history_gen`. host_tests/test_part_views.py holds
every module to this.
"""

from heatpump.config import maximum
from heatpump.rings import HOUR_MS, HourRing


class Tally:
    def __init__(self, cfg):
        self._starts = HourRing(maximum("max_starts_per_hour"))  # thermostat starts
        self._early = HourRing(maximum("max_early_stops"))  # stops before min_run_s
        self.history_gen = 0  # bumped at every start and stop (the app then saves)
        self.starts = 0  # every compressor start (persisted by the app)
        self.run_s = 0  # compressor run time (persisted by the app)
        self._run_rem_ms = 0  # run time beyond run_s
        self._run_s0 = 0  # run_s when the current run started (its length for status)
        self.configure(cfg)

    def configure(self, cfg):
        self.max_starts = cfg["max_starts_per_hour"]

    def age(self, dt_ms, running):
        if running:
            t = self._run_rem_ms + dt_ms
            self.run_s += t // 1000
            self._run_rem_ms = t % 1000
        self._starts.age(dt_ms)
        self._early.age(dt_ms)

    def note_start(self, counted):
        """A start; counted: one the starts-per-hour rule counts (not a defrost's)."""
        self.starts += 1
        self._run_s0 = self.run_s
        self.history_gen += 1
        if counted:
            self._starts.note()

    def note_stop(self):
        self.history_gen += 1

    def note_early(self):
        """A stop before min_run_s."""
        self._early.note()
        self.history_gen += 1

    def starts_in_hour(self):
        return self._starts.count()

    def early_stops_in_hour(self):
        """Stops before min_run_s in the last hour (protect.py's E9 rule)."""
        return self._early.count()

    def starts_wait_ms(self):
        """Time until the starts-per-hour limit allows a start (0: allowed now)."""
        return HOUR_MS - self._starts.age_of(self.max_starts)

    def run_length_s(self):
        """The current (or last) run's length so far, s."""
        return self.run_s - self._run_s0

    def history(self, running):
        """(start ages, early-stop ages, running): ages in s, under an hour only."""
        return (self._starts.ages_s(), self._early.ages_s(), running)

    def restore(self, starts_s, early_s, was_running):
        """Put back history() from before a reset. The time without power is not known
        (no clock survives it): it counts as none, which only ever holds a start longer.
        A run the reset cut short counts as an early stop."""
        self._starts.fill(starts_s)
        self._early.fill(early_s)
        if was_running:
            self.note_early()

    def restore_counters(self, starts, run_s):
        """Put back the persisted counters (None: leave that one)."""
        if starts is not None:
            self.starts = starts
        if run_s is not None:
            self.run_s = run_s
