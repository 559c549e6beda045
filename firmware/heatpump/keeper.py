"""What goes to flash, and when: the app's persistence, one schedule for the board's
task and the simulator.

`Keeper(app, store, counters, history)`: settings and config saved when they differ
from what the flash holds (compared every PERSIST_EVERY_MS, in place), the counters
offered every COUNTERS_EVERY_MS (the counter store writes at most every 10 min), the
compressor's history at each start, stop, lockout and reset (the starts-per-hour rule
must survive a power cut), the self-test's progress on the console and its report on
flash once it is finished. A store's faults go to hp.log() and the console; a corrupt
or refused file raises C1. At boot, app_boot reads the stores through load(which)
and drain_loaded(which).

It asks the app for the controller (`app.ctl`), the crash counts (`app.crash_rule`),
the clock (`app.hal`) and to log (`event`, `say`, `record`).
"""

from micropython import const

PERSIST_EVERY_MS = const(5000)  # how often settings/config are compared with flash
COUNTERS_EVERY_MS = const(60_000)  # how often the counter store is offered the counters


class Keeper:
    def __init__(self, app, store=None, counters=None, history=None):
        self.app = app
        self.store = store  # store.Store for {"config", "settings"}, or None (no flash)
        self.counters = counters  # store.CounterStore, or None
        self.history = history  # store.Store for the compressor's history, or None
        self._saved = {}  # the settings and config known to be on flash
        self._hist_gen = -1  # the controller's history generation last written
        self._st_seen = 0  # self-test progress lines already printed

    def saved_now(self, values):
        """values ({"config", "settings"}) are what the flash holds now."""
        self._saved = values

    def persisted(self):
        ctl = self.app.ctl
        return {"config": dict(ctl.cfg), "settings": ctl.settings()}

    def load(self, which):
        """The stored doc of `which` ("settings": {"config", "settings"}; "counters";
        "history"), or None with no flash; its faults wait for drain_loaded(which)."""
        st = self._store(which)
        return None if st is None else st.load()

    def drain_loaded(self, which):
        """The faults of loading `which` into hp.log(); a damaged file raises C1."""
        self.drain(self._store(which), "C1")

    def damaged(self, which):
        """Whether loading `which` found its file damaged (before drain_loaded)."""
        from heatpump import store as S

        st = self._store(which)
        return st is not None and any(kind == S.FAULT_CORRUPT for kind, _ in st.faults)

    def _store(self, which):
        if which == "settings":
            return self.store
        return self.counters if which == "counters" else self.history

    def drain(self, st, code):
        """The store's (code, message) faults: into hp.log(), and a corrupt or refused
        settings/config file raises `code` (C1) as well."""
        if st is not None:
            self.drain_list(st.faults, code)

    def drain_list(self, faults, code=None):
        from heatpump import store as S

        app = self.app
        for kind, msg in faults:
            app.event("flash: " + msg)
            app.say("app: flash: " + msg)
            if code and kind != S.FAULT_WRITE:
                app.record(code)
        del faults[:]

    def _remember(self, values):
        # Copied into the dicts kept since boot, not new ones: a long-lived object made
        # at each save would land between the REPL's short-lived ones and split the
        # free heap (fragmentation is how a long uptime runs out of memory).
        for part in ("config", "settings"):
            kept = self._saved[part]
            new = values[part]
            if len(kept) != len(new):
                self._saved[part] = new
                continue
            for key in new:
                kept[key] = new[key]

    def _unchanged(self):
        # Compared in place every 5 s: a copy of the config each time would only churn
        # the heap.
        ctl = self.app.ctl
        saved = self._saved
        cfg = saved["config"]
        now = ctl.cfg
        if len(now) != len(cfg):
            return False
        for key in cfg:
            if now.get(key) != cfg[key]:
                return False
        s = saved["settings"]
        return (
            ctl.mode == s["mode"]
            and ctl.setpoint_dC == s["setpoint_dC"]
            and ctl.fan == s["fan"]
            and ctl.speed == s["speed"]
        )

    def save_settings(self):
        """Write settings and config if they differ from flash; True if written."""
        if self.store is None or self._unchanged():
            return False
        values = self.persisted()
        # A failed write is not retried until the next change: a worn flash is not
        # hammered every 5 s (the failure is in hp.log()).
        self._remember(values)
        ok = self.store.save(values)
        if ok:
            self.app.event("settings saved")
        self.drain(self.store, None)
        return ok

    def save_counters(self, force=False):
        """Offer the counters to the counter store (it writes at most every 10 min)."""
        if self.counters is None:
            return False
        app = self.app
        c = app.ctl.counters()
        app.crash_rule.into(c)
        ok = self.counters.maybe_save(c, app.hal.ticks_ms(), force)
        self.drain(self.counters, None)
        return ok

    def save_history(self, crash_reset=False):
        """Write the compressor's history (at each start and stop, lockout, reset)."""
        ctl = self.app.ctl
        self._hist_gen = ctl.history_gen
        if self.history is None:
            return False
        doc = ctl.history()
        if crash_reset:
            doc["crash_reset"] = True  # the next boot counts this reset (A4)
        ok = self.history.save(doc)
        self.drain(self.history, None)
        return ok

    def after_tick(self):
        """What follows each control tick: the history to flash when it changed (the
        starts-per-hour rule must survive a power cut right after a start)."""
        if self.app.ctl.history_gen != self._hist_gen:
            self.save_history()

    def show_selftest(self):
        """The self-test's new progress lines on the console, as it goes (the core
        does not print); once all are shown, saved and done, it is let go."""
        st = self.app.ctl.selftest
        if st is not None and st.n_lines != self._st_seen:
            lines, self._st_seen = st.new_lines(self._st_seen)
            for line in lines:
                self.app.say(line)

    def persist_step(self, counters_in):
        """The persistence task's turn, every PERSIST_EVERY_MS: settings, the
        self-test's report, and (when counters_in has run out) the counters to flash;
        returns the time left before the counters' next turn. The simulator calls it
        on the same schedule."""
        self.save_settings()
        ctl = self.app.ctl
        st = ctl.selftest
        if st is not None and st.unsaved:
            st.save()  # the self-test's report, once it is finished
            self.drain_list(st.store_faults)
        if st is not None and not st.unsaved and st.n_lines == self._st_seen:
            # Done, saved and printed: its ~20 KB of heap go back (the report
            # stays on flash for hp.selftest_report()).
            ctl.release_selftest()
        if counters_in > 0:
            return counters_in
        self.save_counters()
        return COUNTERS_EVERY_MS
