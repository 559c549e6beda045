"""Defrost: when to melt the frost off the outdoor coil, and when to stop.

In heating the outdoor coil is the evaporator. Below about 5 C outdoors it runs below
freezing and, in humid air, frosts: the frost chokes the air, the coil gets colder
still, and capacity falls (40 % with most of the coil blocked). A defrost runs the
unit in cooling for a few minutes so the hot gas melts it.

    d = Defrost(cfg)                # cfg: the config dict (config.schema())
    d.update(dt_ms, heat_side, heat_ok, seq, sensors) -> bool   # each tick; True while
                                    # a defrost step is active

The Controller builds its own as `ctl.defrost` (controller.py) and passes it config
changes (configure).

Initiation, checked only while the compressor heats and has done its min run:
- timed: heating run with the outdoor coil at or below defrost_start_dC adds up;
  at defrost_interval_s a defrost starts (what most boards do, by the clock).
- demand: after each defrost (and at power-up) the clean-coil reference is learned:
  outdoor air minus outdoor coil, averaged over 2 min of settled run (a run's first
  3 min are not used) once the compressor has run 10 min. Frost blocks the coil's
  air, so the coil falls further below the air; when it has been defrost_margin_dK
  beyond the reference for 2 min with the coil frozen, a defrost starts. Guard rails:
  none in the first 30 min of run after the last one; one after 6 h of frozen-coil
  run whatever the reference says (12 h after such a defrost found no frost: its coil
  did not sit _PLATEAU_MS at 0 C melting ice; back to 6 h once one finds frost); while
  no reference is learned (not yet, or three unstable windows in a row: spread over
  1.5 K) the timed rule applies.
- a failed outdoor-coil sensor (S4, raised by protect): timed, counting heating run
  while the outdoor air is cold enough to frost, and the defrost ends by time only.
- request(): a service defrost (hp.defrost()). refusal() says first whether one may
  start: only from a heating run (never from a cooling run held by its min run, nor
  during another defrost or its drip), with frost to melt (the coil below
  defrost_end_dC), and not within _GUARD_MS of heating run after the last one, so
  repeated calls cannot cycle the compressor. Like every defrost it then waits for the
  heating run's min_run_s.

The step: update() returns True from initiation until the coil reaches
defrost_end_dC or the compressor has run defrost_max_s in it. The sequencer does the
rest: compressor off, valve to cooling, fans off (indoor fan at its lowest tap if
configured, or while aux heat runs: aux.py, only for a room that has cooled),
compressor on after valve_shift_s;
at the end compressor off for valve_shift_s (the drip time), valve back, heating with
the anti-cold-blow fan rule. A defrost is aborted if heating stops being wanted
(mode change) or allowed (a protection). Three defrosts in a row ended by the time
limit, or aborted by a protection, raise D1 (the coil is not clearing); one ended at
temperature clears it. abort() ends a step from outside (the supervisor).

update() allocates nothing: ints and preallocated lists only.

View: the other parts ask through the methods (status() for the REPL), and read only
(read-only) `active`, `not_clearing` and `last_coil` (D1 and its detail).
host_tests/test_part_views.py holds every module to this.
"""

from micropython import const

from heatpump import sensors as S
from heatpump.coil_reference import CoilReference

_SETTLE_MS = const(180_000)  # a run's coil reading is used from 3 min after its start
_LEARN_AFTER_MS = const(600_000)  # learn once 10 min of run have passed since a defrost
_SUSTAIN_MS = const(120_000)  # demand: the coil beyond the margin this long
_GUARD_MS = const(1_800_000)  # no demand defrost in the first 30 min of run after one
_FORCE_MS = const(21_600_000)  # 6 h of frozen-coil run: defrost whatever the reference
_PLATEAU_MS = const(20_000)  # a melt with the coil this long at 0 C (+-1 C) found ice
_NO_FROST_OUTDOOR_dC = const(60)  # no frost forms above about 6 C outdoors (EnergyPlus)
_TIMEOUTS_FAULT = const(3)  # time-limited defrosts in a row that raise D1
_CAP_MS = const(1 << 26)  # run accumulators saturate here (18 h, beyond every check)

# Why a defrost started.
R_TIMED = const(0)
R_DEMAND = const(1)
R_FORCED = const(2)
R_MANUAL = const(3)
REASONS = ("timed", "demand", "6 h limit", "manual")

# How it ended.
E_TEMP = const(0)
E_TIME = const(1)
E_ABORT = const(2)
ENDS = ("coil clear", "time limit", "aborted")
E_ABORT_MODE = const(3)  # aborted by a mode change (counted as aborted, no D1 verdict)

# How the next defrost will be decided (status).
RULE_DEMAND = const(0)
RULE_TIMED = const(1)
RULE_LEARNING = const(2)  # demand mode, reference not learned yet: timed meanwhile
RULE_FALLBACK = const(3)  # demand mode, learning failed: timed until the next defrost
RULE_SENSOR = const(4)  # outdoor-coil sensor failed: timed, time termination
RULES = (
    "demand",
    "timed",
    "timed until the reference is learned",
    "timed (learning failed)",
    "timed (outdoor coil sensor fault)",
)


class Defrost:
    def __init__(self, cfg):
        self.active = False  # a defrost step is on (update returns True)
        self.reason = R_TIMED  # why the current (or last) defrost started
        self.step_ms = 0  # since the current defrost started (entry pause included)
        self.melt_ms = 0  # compressor run in the current defrost
        self.ice_ms = 0  # ... of it with the coil at 0 C (+-1 C): melting ice
        self.force_ms = _FORCE_MS  # the demand rule's backstop now (6 or 12 h)
        self.requested = False  # hp.defrost() asked for one
        self.rule = RULE_LEARNING
        # Frost accounting since the last completed defrost (or power-up).
        self.frozen_ms = 0  # heating run with a frozen coil (timed rule, 6 h limit)
        self.since_ms = 0  # heating run of any kind (demand guard, learning)
        # Demand: the learned reference and the learning window.
        self.ref = CoilReference()  # (coil_reference.py)
        self.now_dK = 0  # outdoor air - outdoor coil at the last settled sample
        self.beyond_ms = 0  # demand: time the coil has been beyond the margin
        self.timeouts = 0  # defrosts in a row ended by the time limit or a protection
        self.not_clearing = False  # D1: the controller raises it while this holds
        self.last_coil = 0  # the outdoor coil when the last defrost ended (D1's detail)
        self.ended = False  # a defrost has completed since power-up (the manual guard)
        # Counters (persisted with the controller's).
        self.counts = [0] * len(REASONS)  # defrosts started, per reason
        self.ends = [0] * len(ENDS)  # defrosts ended, per way
        self.melt_s = 0  # compressor run in defrost, total
        self.last_s = 0  # ... of the last defrost
        self.longest_s = 0
        self._melt_rem_ms = 0
        self.configure(cfg)

    def configure(self, cfg):
        self.demand_mode = cfg["defrost_mode"] == "demand"
        self.interval_ms = cfg["defrost_interval_s"] * 1000
        self.start_dC = cfg["defrost_start_dC"]
        self.end_dC = cfg["defrost_end_dC"]
        self.max_ms = cfg["defrost_max_s"] * 1000
        self.margin_dK = cfg["defrost_margin_dK"]

    def request(self):
        """A service defrost at the next allowed moment (hp.defrost(): check refusal())."""
        self.requested = True

    def refusal(self, heating_run, coil_ok, coil):
        """None if hp.defrost() may ask for one now, else why not (text).
        heating_run: the compressor runs heating now, outside any defrost step."""
        if self.active or self.requested:
            return "a defrost is already running or asked for: see hp.status()"
        if not heating_run:
            return "a defrost starts only from a heating run: the compressor is not heating now"
        if coil_ok and coil >= self.end_dC:
            return "the outdoor coil is above the defrost end temperature: no frost to melt"
        if self.ended and self.since_ms < _GUARD_MS:
            return "the last defrost ended %d min of heating ago: the next may start after %d" % (
                self.since_ms // 60_000,
                _GUARD_MS // 60_000,
            )
        return None

    def abort(self):
        """End a step now, from outside (the supervisor); its frost accounting goes on."""
        self.requested = False
        if self.active:
            self._end(E_ABORT, False, 0)

    # ---- the tick -----------------------------------------------------------

    def update(self, dt_ms, heat_side, heat_ok, seq, sn):
        """One tick; True while a defrost step is active. heat_side: the thermostat is
        on the heating side; heat_ok: no protection blocks heating; seq and sn: the
        sequencer and the sensors, asked through their views."""
        coil_ok = sn.ok[S.OUTDOOR_COIL]
        coil = sn.dC[S.OUTDOOR_COIL]
        if self.active:
            return self._step(dt_ms, heat_side, heat_ok, seq.melting(), coil_ok, coil)
        heating_wanted = heat_side and heat_ok
        if not heating_wanted:
            self.requested = False  # a request lapses with the heating it was for
        out_ok = sn.ok[S.OUTDOOR]
        out = sn.dC[S.OUTDOOR]
        if coil_ok:
            rule = RULE_TIMED
            if self.demand_mode:
                ref = self.ref
                rule = RULE_DEMAND if ref.ok else RULE_FALLBACK if ref.failed else RULE_LEARNING
            frozen = coil <= self.start_dC
        else:
            # No coil reading: count every heating run on a day cold enough to frost.
            rule = RULE_SENSOR
            frozen = out_ok and out <= _NO_FROST_OUTDOOR_dC
        self.rule = rule
        if not seq.heating():
            return False
        self.since_ms = _add(self.since_ms, dt_ms)
        if frozen:
            self.frozen_ms = _add(self.frozen_ms, dt_ms)
        # Only settled readings count, and the time beyond the margin adds up over
        # several short thermostat runs (a run's first minutes neither add nor reset).
        settled = seq.run_age_ms() >= _SETTLE_MS
        if rule != RULE_TIMED and rule != RULE_SENSOR and settled and out_ok:
            self._watch(dt_ms, out - coil, frozen)
        if not heating_wanted or seq.min_run_left_ms():
            return False  # a defrost waits for the run's min_run_s (oil return)
        self._initiate(rule)
        return self.active

    def _step(self, dt_ms, heat_side, heat_ok, melting, coil_ok, coil):
        # A defrost step under way: True while it goes on.
        if not (heat_side and heat_ok):
            # A protection that stops heating mid-defrost counts against the coil
            # (D1), a person changing the mode does not.
            self._end(E_ABORT if heat_side else E_ABORT_MODE, coil_ok, coil)
            return False
        self.step_ms = _add(self.step_ms, dt_ms)
        if melting:
            self.melt_ms = _add(self.melt_ms, dt_ms)
            if coil_ok and -10 <= coil <= 10:
                self.ice_ms = _add(self.ice_ms, dt_ms)
            if coil_ok and coil >= self.end_dC:
                self._end(E_TEMP, coil_ok, coil)
                return False
            if self.melt_ms >= self.max_ms:
                self._end(E_TIME, coil_ok, coil)
                return False
        return True

    def _watch(self, dt_ms, d, frozen):
        # Demand: a settled reading of outdoor air minus coil, against the reference
        # (or learning it).
        self.now_dK = d
        ref = self.ref
        if ref.ok:
            if frozen and d >= ref.dK + self.margin_dK:
                self.beyond_ms = _add(self.beyond_ms, dt_ms)
            else:
                self.beyond_ms = 0
        elif not ref.failed and self.since_ms >= _LEARN_AFTER_MS:
            ref.learn(d, dt_ms)

    def _initiate(self, rule):
        # The heating run has done its min run: start a defrost if one is due.
        if self.requested:
            self.requested = False
            self._start(R_MANUAL)
        elif rule == RULE_DEMAND:
            if self.frozen_ms >= self.force_ms:
                self._start(R_FORCED)
            elif self.beyond_ms >= _SUSTAIN_MS and self.since_ms >= _GUARD_MS:
                self._start(R_DEMAND)
        elif self.frozen_ms >= self.interval_ms:
            self._start(R_TIMED)

    def _start(self, reason):
        self.active = True
        self.reason = reason
        self.step_ms = self.melt_ms = self.ice_ms = 0
        self.beyond_ms = 0
        self.counts[reason] += 1

    def _end(self, how, coil_ok, coil):
        self.active = False
        self.ends[how if how != E_ABORT_MODE else E_ABORT] += 1
        t = self._melt_rem_ms + self.melt_ms
        self.melt_s += t // 1000
        self._melt_rem_ms = t % 1000
        self.last_s = self.melt_ms // 1000
        if self.last_s > self.longest_s:
            self.longest_s = self.last_s
        if how == E_ABORT_MODE:
            return  # the coil was not cleared: its frost accounting goes on
        self.last_coil = coil
        if how == E_TEMP:
            self.timeouts = 0
            self.not_clearing = False
            found_ice = self.ice_ms >= _PLATEAU_MS
            self.force_ms = _FORCE_MS if found_ice or self.reason != R_FORCED else 2 * _FORCE_MS
        elif coil_ok or how == E_ABORT:  # time alone, with no coil reading: no verdict
            self.timeouts += 1
            if self.timeouts >= _TIMEOUTS_FAULT:
                self.not_clearing = True
        if how == E_ABORT:
            return  # not cleared: the frost accounting goes on
        # A clean coil: start counting and learning afresh.
        self.ended = True
        self.frozen_ms = self.since_ms = 0
        self.ref.forget()

    # ---- status (allocates: REPL and tests only) --------------------------------

    def status(self, seq, heat_side):
        """What hp.status() shows of defrost, as plain data (allocates: the REPL's).
        seq: the sequencer, asked whether it melts or drips; heat_side: the thermostat
        is on the heating side."""
        if self.active:
            state = "melting" if seq.melting() else "starting"
        elif seq.dripping():
            state = "dripping"
        elif heat_side:
            state = "watching"
        else:
            state = "off"
        return {
            "state": state,
            "rule": RULES[self.rule],
            "reason": REASONS[self.reason] if self.active else None,
            "reference_K": self.ref.dK / 10 if self.ref.ok else None,
            "coil_below_air_K": self.now_dK / 10,
            "frozen_run_s": self.frozen_ms // 1000,
            "next_timed_s": (self.timed_left_ms() + 999) // 1000,
            "melt_s": self.melt_ms // 1000,
        }

    def timed_left_ms(self):
        """Frozen-coil run left before the clock starts a defrost (the 6 h limit in demand)."""
        limit = self.force_ms if self.rule == RULE_DEMAND else self.interval_ms
        left = limit - self.frozen_ms
        return left if left > 0 else 0

    def counters(self):
        return {
            "defrosts": {REASONS[i]: self.counts[i] for i in range(len(REASONS))},
            "defrost_ends": {ENDS[i]: self.ends[i] for i in range(len(ENDS))},
            "defrost_s": self.melt_s,
            "defrost_longest_s": self.longest_s,
        }

    def restore_counters(self, d):
        """Put back counters() from a snapshot; ignores what it cannot use."""
        for key, names, into in (
            ("defrosts", REASONS, self.counts),
            ("defrost_ends", ENDS, self.ends),
        ):
            got = d.get(key)
            if isinstance(got, dict):
                for i in range(len(names)):
                    v = got.get(names[i])
                    if isinstance(v, int) and not isinstance(v, bool) and v >= 0:
                        into[i] = v
        for key in ("defrost_s", "defrost_longest_s"):
            v = d.get(key)
            if isinstance(v, int) and not isinstance(v, bool) and v >= 0:
                setattr(self, "melt_s" if key == "defrost_s" else "longest_s", v)


def _add(acc, dt_ms):
    t = acc + dt_ms
    return t if t < _CAP_MS else _CAP_MS
