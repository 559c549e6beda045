"""Protections: coil limits, outdoor limits, condensate, stuck valve, sensor faults.

Each protection raises a fault code (faults.py) and blocks heating, cooling or both
while it is active; the controller stops the compressor at once when the side it runs
on is blocked (the one exception to min_run_s), and the sequencer still holds the
restart for min_off_s. A code is logged when it rises. Outdoor-side codes (E4 to E7)
are raised only for the side the mode wants (a cold night does not fill the log while
the unit is set to cool), at the config's limits narrowed to the unit's envelope.
The condensate float switch is debounced: full for _FULL_MS raises E7, and it holds
until the switch has read clear for _DRAINED_MS, so a switch chattering on a sloshing
pan stops the compressor once, not every few seconds.
Short cycling, whatever its cause: max_early_stops stops before min_run_s in an hour
(the sequencer counts them) lock the compressor out for an hour (E9); three watchdog
or crash resets in an hour do the same (A4). Both, with E2 and E8, are released by
hp.clear(), and survive a reset (latched(), restore_latched(): the app's history).

View: the other parts ask through the methods, and read only (read-only) `active`
(per faults.ORDER index), `heat_block`, `cool_block`, `fan_force`, `log` and
`history_gen`. host_tests/test_part_views.py holds every module to this.
"""

from micropython import const

from heatpump import faults as F
from heatpump import sensors as S
from heatpump.config import maximum
from heatpump.rings import HOUR_MS, HourRing
from heatpump.thermostat import SIDE_COOL, SIDE_HEAT

_LIMIT_HYST_dK = const(10)  # outdoor cooling limits clear 1 K inside (heating 2 K)
_VC_IDLE = const(0)
_VC_CHECKING = const(1)
_VC_DONE = const(2)
_WRONG_MS = const(30_000)  # E8: the coil moving the wrong way this long is a verdict
_FULL_MS = const(2000)  # E7: the float switch reads full this long (contact bounce) ...
_DRAINED_MS = const(120_000)  # ... and clear this long before cooling may resume
_LOCK_MS = const(3_600_000)  # E9 and A4 hold this long (or until hp.clear())
_RESETS = const(3)  # watchdog / crash resets within an hour that raise A4
# The codes released by hp.clear(), and kept across a reset (faults.ENDS) ...
_LATCHED = tuple(i for i in range(F.N_CODES) if F.ENDS[i] != F.SELF)
_TIMED = tuple(i for i in range(F.N_CODES) if F.ENDS[i] == F.LATCH_HOUR)  # ... these an hour


# The codes that block cooling (and dry), and heat pump heating, while active.
_BOTH = (F.VALVE_STUCK, F.SENSOR_ROOM + S.ROOM, F.SENSOR_ROOM + S.INDOOR_COIL)
_BOTH += (F.SHORT_CYCLE, F.RESET_LOCK)
_COOL_BLOCKS = _BOTH + (F.FREEZE, F.FREEZE_LOCK, F.COOL_TOO_COLD, F.COOL_TOO_HOT, F.CONDENSATE)
_HEAT_BLOCKS = _BOTH + (F.OVERHEAT, F.HEAT_LOCKOUT, F.SENSOR_ROOM + S.OUTDOOR)


class Protect:
    def __init__(self, sensors, cfg, has_condensate, envelope_dC):
        self.sensors = sensors
        # (heat_min, cool_min, cool_max) outdoors: the unit's envelope (board file, see
        # unit.py), which the config's outdoor limits may narrow but never widen
        self.envelope_dC = envelope_dC
        self.has_condensate = has_condensate
        self.active = [False] * F.N_CODES  # per ORDER index: the code is active now
        self.log = F.FaultLog()
        self.now_s = 0  # uptime, for the log (the last tick's)
        self.heat_block = False  # heat pump heating may not run
        self.cool_block = False  # cooling and dry may not run
        self.fan_force = False  # the indoor fan must run (thawing or cooling the coil)
        self.freeze_ms = 0  # time the coil has been below freeze_dC while cooling
        self._freezing = False  # ... and it was below at the last reading
        # ms since each recent freeze trip: as many as the config allows to count
        self._trips = HourRing(maximum("freeze_trips"))
        self._too_cold_to_heat = False  # outdoor hysteresis latches
        self._too_cold_to_cool = False
        self._too_hot_to_cool = False
        self._vc = _VC_IDLE  # stuck-valve check of the current run
        self._coil0 = 0  # ... the indoor coil at the run's first reading
        self._wrong_ms = 0  # ... time it has been moving the wrong way
        self._full_ms = 0  # condensate: time the switch has read full ...
        self._clear_ms = 0  # ... and clear, in a row
        self._lock_ms = [0] * F.N_CODES  # E9, A4: lockout time left (0: until hp.clear())
        self._resets = HourRing(_RESETS)  # watchdog and crash resets (uptime since each)
        self._early = 0  # early stops in the last hour (the sequencer's count, last tick)
        self.history_gen = 0  # bumped when a latched code rises or falls
        self.configure(cfg)

    def configure(self, cfg):
        self.freeze_dC = cfg["freeze_dC"]
        self.freeze_ms_limit = cfg["freeze_s"] * 1000
        self.freeze_resume_dC = cfg["freeze_resume_dC"]
        self.freeze_trips = cfg["freeze_trips"]
        self.overheat_dC = cfg["overheat_dC"]
        self.overheat_resume_dC = cfg["overheat_resume_dC"]
        heat_min, cool_min, cool_max = self.envelope_dC
        lock = max(cfg["heat_lockout_dC"], heat_min)
        self.heat_lockout_dC = lock
        self.heat_unlock_dC = max(cfg["heat_unlock_dC"], lock + _LIMIT_HYST_dK * 2)
        self.cool_min_dC = max(cfg["cool_min_outdoor_dC"], cool_min)
        self.cool_max_dC = min(cfg["cool_max_outdoor_dC"], cool_max)
        self.valve_check_dK = cfg["valve_check_dK"]
        self.valve_check_ms = cfg["valve_check_s"] * 1000
        self.max_early = cfg["max_early_stops"]

    def set_code(self, i, on, detail):
        """Raise (log on the rising edge) or drop code ORDER[i]; also for other modules
        (defrost.py raises D1 through it)."""
        if on:
            if not self.active[i]:
                self.active[i] = True
                self.log.record(i, self.now_s, detail)
                self._latch_changed(i)
        elif self.active[i]:
            self.active[i] = False
            self._latch_changed(i)

    def _latch_changed(self, i):
        for j in _LATCHED:
            if i == j:
                self.history_gen += 1

    def update(self, dt_ms, now_s, side, seq, condensate_full, defrost):
        """One step. now_s: uptime (the log's); side: the mode's; seq: last tick's relays."""
        self.now_s = now_s
        sn = self.sensors
        a = self.active
        for i in range(S.N_SENSORS):
            self.set_code(F.SENSOR_ROOM + i, sn.fault[i] != 0, sn.fault[i])
        coil_ok = sn.sane_now(S.INDOOR_COIL)  # not a value held through a defrost
        coil = sn.dC[S.INDOOR_COIL]
        running = seq.comp_on and not defrost and not seq.melting()  # a melt is not judged
        cooling = running and seq.running() == SIDE_COOL
        heating = running and seq.running() == SIDE_HEAT

        self._trips.age(dt_ms)
        self._freeze(dt_ms, cooling, coil_ok, coil)

        # E3: heating (heat pump or aux) pushed the coil too hot: too little air.
        if coil_ok:
            if coil >= self.overheat_dC and (heating or seq.air.aux_on):
                self.set_code(F.OVERHEAT, True, coil)
            elif coil < self.overheat_resume_dC:
                self.set_code(F.OVERHEAT, False, 0)

        self._outdoor_limits(side)
        self._condensate(dt_ms, condensate_full, side)
        self._valve_check(dt_ms, running, seq, coil_ok, coil)
        self._lockouts(dt_ms, seq)

        self.cool_block = self._any(_COOL_BLOCKS)
        self.heat_block = self._any(_HEAT_BLOCKS)
        self.fan_force = a[F.FREEZE] or a[F.OVERHEAT]

    def _any(self, codes):
        for i in codes:
            if self.active[i]:
                return True
        return False

    def _freeze(self, dt_ms, cooling, coil_ok, coil):
        # E1: an iced coil blocks the air and can send liquid back to the compressor.
        # freeze_ms counts from the first reading below the limit.
        if cooling and coil_ok and coil < self.freeze_dC:
            if self._freezing:
                t = self.freeze_ms + dt_ms
                self.freeze_ms = t if t < self.freeze_ms_limit else self.freeze_ms_limit
            self._freezing = True
        else:
            self._freezing = False
            self.freeze_ms = 0
        if self.freeze_ms >= self.freeze_ms_limit and not self.active[F.FREEZE]:
            self.set_code(F.FREEZE, True, coil)
            self._trips.note()
            if self._trips.count() >= self.freeze_trips:
                self.set_code(F.FREEZE_LOCK, True, coil)
        elif self.active[F.FREEZE] and coil_ok and coil > self.freeze_resume_dC:
            self.set_code(F.FREEZE, False, 0)
            self.freeze_ms = 0

    def blocks(self, side):
        """A protection blocks `side` now (SIDE_NONE: never blocked)."""
        if side == SIDE_HEAT:
            return self.heat_block
        return side == SIDE_COOL and self.cool_block

    def outdoor_limits(self):
        """(heat lockout, unlock, cool min, max) outdoors, 0.1 C: config within envelope."""
        return self.heat_lockout_dC, self.heat_unlock_dC, self.cool_min_dC, self.cool_max_dC

    def outdoor_block(self, side):
        """The code (faults index) the outdoor temperature blocks `side` with now, by
        the limits and their hysteresis (whatever the mode), or -1: the self-test asks
        before it starts."""
        if side == SIDE_HEAT:
            return F.HEAT_LOCKOUT if self._too_cold_to_heat else -1
        if self._too_cold_to_cool:
            return F.COOL_TOO_COLD
        return F.COOL_TOO_HOT if self._too_hot_to_cool else -1

    def _outdoor_limits(self, side):
        sn = self.sensors
        if sn.ok[S.OUTDOOR]:
            t = sn.dC[S.OUTDOOR]
            if t < self.heat_lockout_dC:
                self._too_cold_to_heat = True
            elif t > self.heat_unlock_dC:
                self._too_cold_to_heat = False
            if t < self.cool_min_dC:
                self._too_cold_to_cool = True
            elif t >= self.cool_min_dC + _LIMIT_HYST_dK:
                self._too_cold_to_cool = False
            if t > self.cool_max_dC:
                self._too_hot_to_cool = True
            elif t <= self.cool_max_dC - _LIMIT_HYST_dK:
                self._too_hot_to_cool = False
        t = sn.dC[S.OUTDOOR]
        self.set_code(F.HEAT_LOCKOUT, self._too_cold_to_heat and side == SIDE_HEAT, t)
        self.set_code(F.COOL_TOO_COLD, self._too_cold_to_cool and side == SIDE_COOL, t)
        self.set_code(F.COOL_TOO_HOT, self._too_hot_to_cool and side == SIDE_COOL, t)

    def _condensate(self, dt_ms, full, side):
        # E7: a real pan fills over minutes; a switch that chatters must not cycle the
        # compressor, so the code rises on a sustained full and falls on a long clear.
        if not self.has_condensate:
            return
        if full:
            self._clear_ms = 0
            self._full_ms = _sat(self._full_ms + dt_ms, _FULL_MS)
        else:
            self._full_ms = 0
            self._clear_ms = _sat(self._clear_ms + dt_ms, _DRAINED_MS)
        on = self.active[F.CONDENSATE]
        if not on and self._full_ms >= _FULL_MS and side == SIDE_COOL:
            self.set_code(F.CONDENSATE, True, 0)
        elif on and (self._clear_ms >= _DRAINED_MS or side != SIDE_COOL):
            self.set_code(F.CONDENSATE, False, 0)

    def _valve_check(self, dt_ms, running, seq, coil_ok, coil):
        # E8: the indoor coil must reach valve_check_dK from the room air the right way
        # within valve_check_s of a start; and at any time in the run, moving
        # valve_check_dK the wrong way (past the room air and past where it started) for
        # _WRONG_MS is a verdict at once: a valve stuck from the start, or one that
        # slipped in the middle of a long run, is found before a frozen or cooked coil
        # trips something else.
        if not running:
            self._vc = _VC_IDLE
            self._wrong_ms = 0
            return
        sn = self.sensors
        if not (coil_ok and sn.ok[S.ROOM]) or self.active[F.VALVE_STUCK]:
            return  # no verdict without both readings (their own faults stop the run)
        room = sn.dC[S.ROOM]
        d = self.valve_check_dK
        if self._vc == _VC_IDLE:
            self._vc = _VC_CHECKING
            self._coil0 = coil
        c0 = self._coil0
        if seq.running() == SIDE_HEAT:
            right = coil >= room + d
            wrong = coil <= (room if room < c0 else c0) - d
        else:
            right = coil <= room - d
            wrong = coil >= (room if room > c0 else c0) + d
        self._wrong_ms = _sat(self._wrong_ms + dt_ms, _WRONG_MS) if wrong else 0
        if right:
            self._vc = _VC_DONE
        if self._wrong_ms >= _WRONG_MS or (
            self._vc == _VC_CHECKING and seq.run_age_ms() >= self.valve_check_ms
        ):
            self.set_code(F.VALVE_STUCK, True, coil)

    def _lockouts(self, dt_ms, seq):
        # E9: too many early stops in an hour; A4: too many abnormal resets. Each holds
        # _LOCK_MS (counted in uptime) unless hp.clear() releases it first; E9 holds in
        # any case while the last hour has max_early_stops early stops, so no command
        # can buy more than that many short runs in an hour.
        self._resets.age(dt_ms)
        self._early = n = seq.tally.early_stops_in_hour()
        if not self.active[F.SHORT_CYCLE] and n >= self.max_early:
            self._lock(F.SHORT_CYCLE, n)
        for i in _TIMED:  # a module tuple: a literal one here would be built each tick
            left = self._lock_ms[i]
            if left:
                left = left - dt_ms if left > dt_ms else 0
                self._lock_ms[i] = left
            if self.active[i] and not left and (i != F.SHORT_CYCLE or n < self.max_early):
                self.set_code(i, False, 0)

    def _lock(self, i, n):
        self.set_code(i, True, n)
        self._lock_ms[i] = _LOCK_MS

    def note_reset(self):
        """The board came back from a watchdog or crash reset (the app tells at boot)."""
        self._resets.note()
        self.history_gen += 1
        n = self._resets.count()
        if n >= _RESETS:
            self.active[F.RESET_LOCK] = False  # a new one: logged, and the hour starts again
            self._lock(F.RESET_LOCK, n)

    # ---- the history the app keeps on flash (allocates: not in the tick) ----------

    def latched(self):
        """{code: lock s left (0: until hp.clear())} of the latched codes in force, and
        the reset ages (s)."""
        codes = {}
        for i in _LATCHED:
            if self.active[i]:
                codes[F.ORDER[i]] = self._lock_ms[i] // 1000
        return codes, self._resets.ages_s()

    def restore_latched(self, codes, reset_ages_s):
        """Put back latched() from before a reset; returns messages for what it refused."""
        refused = []
        for code in codes:
            left = codes[code]
            i = F.ORDER.index(code) if code in F.ORDER else -1
            if i not in _LATCHED or type(left) is not int or not 0 <= left <= _LOCK_MS // 1000:
                refused.append("latched %r: %r" % (code, left))
                continue
            self.active[i] = True  # in force still: not a new event for the log
            self._lock_ms[i] = (left if left > 0 else 1) * 1000 if i in _TIMED else 0
        kept = []
        for a in reset_ages_s:
            if type(a) is int and 0 <= a < HOUR_MS // 1000 and len(kept) < _RESETS:
                kept.append(a)
            elif len(kept) >= _RESETS or type(a) is not int or a < 0:
                refused.append("reset age %r" % (a,))
        self._resets.fill(kept)
        return refused

    def clear(self):
        """Release the latched codes (E2, E8, E9, A4); return the codes released. E9's
        hour ends, but it stays while the last hour still has max_early_stops early
        stops (see _lockouts)."""
        released = []
        for i in _LATCHED:
            if not self.active[i]:
                continue
            self._lock_ms[i] = 0
            if i == F.SHORT_CYCLE and self._early >= self.max_early:
                continue
            self.set_code(i, False, 0)
            released.append(F.ORDER[i])
        if F.ORDER[F.FREEZE_LOCK] in released:
            self._trips.clear()
            self.freeze_ms = 0
        if F.ORDER[F.RESET_LOCK] in released:
            self._resets.clear()
        return released


def _sat(t, cap):
    return t if t < cap else cap
