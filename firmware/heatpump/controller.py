"""The controller the app and the REPL hold: the control tick (control.py) and what
the rest of the unit asks of it.

    ctl = Controller(hal, config=None, settings=None)
    ctl.tick()        # the app calls it once a second

- settings (mode, setpoint, fan, speed) and config go in through the constructor
  (validated) and through apply_settings() / set_config();
- faults: fault_active(code), active_codes(), record_fault(), clear();
- what survives a reset (records.py): `snapshot()` returns settings, config and
  counters as plain dicts, `restore_counters(d)` puts counters back; history() and
  restore_history() the compressor's last hour;
- `view()` builds a dict of what the simulator and tests record per tick (it
  allocates: not for the tick).
"""

from heatpump import config as C
from heatpump import faults as F
from heatpump import records
from heatpump import sensors as S
from heatpump import thermostat as T
from heatpump.control import Control


class Controller(Control):
    # ---- settings and config ---------------------------------------------------

    def settings(self):
        return {
            "mode": self.mode,
            "setpoint_dC": self.setpoint_dC,
            "fan": self.fan,
            "speed": self.speed,
        }

    def set_config(self, changes):
        """Apply config changes, all checked first (ValueError: nothing changed)."""
        new = C.merge(self.cfg, changes)
        cfg = self.cfg
        for key in new:  # in place: the dict kept since boot stays where it is in the heap
            cfg[key] = new[key]
        self._apply_config(cfg)

    # ---- faults, counters, views -------------------------------------------------

    def fault_active(self, code):
        return self.protect.active[F.index(code)]

    def keep_reports_in(self, path):
        """The self-test's report goes to path (the app's flash folder)."""
        self._report_path = path

    def report_path(self):
        """Where a self-test keeps its report; None: selftest_report.default_path()."""
        return self._report_path

    def release_selftest(self):
        """Let a finished self-test go (its report is on flash); a running one stays."""
        st = self.selftest
        if st is not None and not st.active:
            self.selftest = None

    def active_codes(self):
        """The active fault codes, in ORDER (allocates)."""
        a = self.protect.active
        return tuple(F.ORDER[i] for i in range(F.N_CODES) if a[i])

    def record_fault(self, code, detail=0):
        """Log a fault found outside the tick (e.g. "C1" by the persistence layer)."""
        self.protect.log.record(F.index(code), self.uptime_s, detail)

    def clear(self):
        """Release the latched lockouts (E2, E8, E9, A4); return the codes released
        (E9 stays while the last hour still has max_early_stops early stops)."""
        return self.protect.clear()

    @property
    def starts(self):
        return self.seq.tally.starts

    def counters(self):
        return records.counters(self.seq, self.protect.log, self.defrost)

    # ---- the compressor's history (kept on flash by the app) ------------------------

    @property
    def history_gen(self):
        """Changes when history() does (a start, a stop, a lockout): the app then saves."""
        return self.seq.tally.history_gen + self.protect.history_gen

    def history(self):
        """What must survive a reset, as a plain dict (records.py)."""
        return records.history(self.seq, self.protect)

    def restore_history(self, d, damaged=False):
        """Put back history() (damaged: the file was; records.py); returns messages for
        what it refused (the app records C1)."""
        return records.restore_history(self.seq, self.protect, d, damaged)

    def before_start(self, fn):
        """fn() runs at each compressor start, once history() holds it, just before the
        relay closes (the app saves the history then)."""
        self.seq.before_start(fn)

    def note_reset(self):
        """The last reset was abnormal (watchdog, crash rule): repeated ones lock out (A4)."""
        self.protect.note_reset()

    def defrost_refusal(self):
        """None if hp.defrost() may ask for a defrost now, else why not (text)."""
        d = self.defrost
        refusal = getattr(d, "refusal", None)
        if refusal is None:
            return "this controller has no defrost control"
        st = self.selftest
        if st is not None and st.active:
            return "a self-test is running: no defrost until it ends"
        if not (
            self.mode == "heat" or (self.mode == "auto" and self.thermostat.side == T.SIDE_HEAT)
        ):
            return (
                "a defrost runs only in heating: mode is %s (allowed: heat, or auto while heating)"
                % self.mode
            )
        if self.protect.heat_block:
            return "heating is blocked (%s): no defrost" % ", ".join(self.active_codes())
        heating_run = self.seq.heating() and not self.defrost_active
        sn = self.sensors
        return refusal(heating_run, sn.ok[S.OUTDOOR_COIL], sn.dC[S.OUTDOOR_COIL])

    def drop_defrost_request(self):
        """A pending hp.defrost() lapses (a self-test takes the unit over: the heating
        run it was asked for is gone)."""
        abort = getattr(self.defrost, "abort", None)
        if abort is not None and not self.defrost_active:
            abort()

    def restore_counters(self, d):
        """Put back counters from snapshot()["counters"]; returns messages for what it
        refused (records.py)."""
        return records.restore_counters(self.seq, self.protect.log, self.defrost, d)

    def snapshot(self):
        """Settings, config and counters as plain dicts (what the app persists)."""
        return {"settings": self.settings(), "config": dict(self.cfg), "counters": self.counters()}

    def view(self):
        """What the simulator and tests record per tick (allocates)."""
        sn = self.sensors
        return {
            "mode": self.mode,
            "state": self.state,
            "demand": self.demand,
            "defrost": self.defrost_active,
            "faults": self.active_codes(),
            "setpoint_c": self.setpoint_dC / 10,
            "room_c": sn.dC[S.ROOM] / 10 if sn.ok[S.ROOM] else None,
            "starts": self.seq.tally.starts,
            "compressor": self.seq.comp_on,
        }
