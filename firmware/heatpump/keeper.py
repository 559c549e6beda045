"""What the app keeps on flash, and when.

- settings and config: when they differ from what the flash holds, compared in place
  at each turn of the persistence task (no copy of the config each time);
- the counters: offered at each counters turn, written at most every 10 min and only
  when changed (store.CounterStore);
- the compressor's history: after each tick that changed it (the starts-per-hour rule
  must survive a power cut right after a start), and at a crash and at start-up.
A store may be None (no flash). A write that fails is in hp.log() and is not retried
until the next change: a worn flash is not hammered every few seconds.

View: the app's start-up reads the stores `store`, `counters` and `history` (read-only).
"""


class Keeper:
    def __init__(self, store, counters, history, note):
        self.store = store  # store.Store for {"config", "settings"}, or None (no flash)
        self.counters = counters  # store.CounterStore, or None
        self.history = history  # store.Store for the compressor's history, or None
        self.note = note  # note(message, code): a flash fault for a person (code: raise it)
        self._saved = {}  # the settings and config known to be on flash
        self._hist_gen = -1  # the controller's history generation last written

    def saved_now(self, values):
        """values ({"config", "settings"}) are what the flash holds now."""
        self._saved = values

    def drain(self, st, code):
        """The store's (code, message) faults to the app; a corrupt or refused file
        raises `code` (C1) as well. st may be None."""
        if st is not None:
            self.drain_list(st.faults, code)

    def drain_list(self, faults, code=None):
        from heatpump import store as S

        for kind, msg in faults:
            self.note(msg, code if kind != S.FAULT_WRITE else None)
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

    def _unchanged(self, ctl):
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

    def save_settings(self, ctl):
        """Write settings and config if they differ from flash; True if written."""
        if self.store is None or self._unchanged(ctl):
            return False
        values = persisted(ctl)
        self._remember(values)
        ok = self.store.save(values)
        self.drain(self.store, None)
        return ok

    def save_counters(self, counters, now_ms, force=False):
        """Offer the counters (a dict) to the counter store."""
        if self.counters is None:
            return False
        ok = self.counters.maybe_save(counters, now_ms, force)
        self.drain(self.counters, None)
        return ok

    def history_due(self, ctl):
        """The controller's history changed since it was last written."""
        return ctl.history_gen != self._hist_gen

    def save_history(self, ctl, crash_reset=False):
        """Write the compressor's history; crash_reset: the next boot counts this
        reset (A4)."""
        self._hist_gen = ctl.history_gen
        if self.history is None:
            return False
        doc = ctl.history()
        if crash_reset:
            doc["crash_reset"] = True
        ok = self.history.save(doc)
        self.drain(self.history, None)
        return ok


def persisted(ctl):
    """The settings and config as the flash keeps them."""
    return {"config": dict(ctl.cfg), "settings": ctl.settings()}
