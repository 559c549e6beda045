"""The supervisor: a bound on every compressor-on state, kept outside the state machines.

Klipper bounds a heater with a max_duration enforced below the logic that drives it.
Here each state that may keep the compressor on has a stated maximum, and the
supervisor times it with timers of its own, from the compressor relay as the HAL has
it and the controller's flags, never from the state machines' internals:

- a defrost step: the compressor on in it, defrost_max_s + 30 s; the whole step, its
  entry pause included, valve_shift_s + defrost_max_s + 60 s;
- a self-test step: one compressor run, 5 min past the longer of min_run_s and the
  heating window (cold_blow_max_s for the indoor fan, then a minute with it on);
- a hold (a stop is wanted, min run keeps the compressor on): held 30 s past a run of
  min_run_s.
min_run_s is the largest in force since the run started: lowering it part-way is the
sequencer's to apply at once, not a reason for the supervisor to step in.

    sup = Supervisor(cfg)
    kind = sup.check(dt_ms, comp_on, defrost, testing, stop_wanted)   # each tick

A kind other than K_NONE means that state ran past its bound: the controller stops the
compressor, records A3 with the kind, and resets that state machine. Allocates nothing.
"""

from micropython import const

K_NONE = const(0)
K_DEFROST = const(1)
K_SELFTEST = const(2)
K_HOLD = const(3)
KIND_NAMES = ("", "defrost step", "self-test step", "hold past min run")

_SLACK_MS = const(30_000)  # beyond the owner's own limit: the owner gets to act first
_TEST_RUN_MS = const(300_000)  # a self-test run: past its window, with room to spare
_CAP_MS = const(1 << 26)


class Supervisor:
    def __init__(self, cfg):
        self.kind = K_NONE  # the state the compressor's time is counted for
        self.on_ms = 0  # the compressor on, continuously, in that state
        self.run_ms = 0  # the compressor on, continuously, whatever the state
        self.step_ms = 0  # the defrost step so far, compressor on or off
        self.min_run_ms = 0  # the largest min_run_s in force since the run started
        self.min_run_cfg = 0  # min_run_s in force now
        self.tripped = K_NONE  # the last state it ended (status, tests)
        self.configure(cfg)

    def configure(self, cfg):
        self.defrost_on_ms = cfg["defrost_max_s"] * 1000 + _SLACK_MS
        self.defrost_step_ms = (cfg["valve_shift_s"] + cfg["defrost_max_s"]) * 1000 + 2 * _SLACK_MS
        # A bound shorter than the test's own window would be a false A3 (a "firmware
        # fault") for a config within its limits.
        self.test_window_ms = fan_window_ms(cfg)
        self.min_run_cfg = min_run = cfg["min_run_s"] * 1000
        if self.run_ms == 0 or min_run > self.min_run_ms:
            self.min_run_ms = min_run

    def check(self, dt_ms, comp_on, defrost, testing, stop_wanted):
        """One tick, before the sequencer acts: the kind of state past its bound, or K_NONE."""
        if defrost:
            kind = K_DEFROST
        elif testing:
            kind = K_SELFTEST
        else:
            kind = K_HOLD if stop_wanted else K_NONE
        if kind != self.kind:
            self.kind = kind
            self.on_ms = 0
        self.on_ms = _add(self.on_ms, dt_ms) if comp_on and kind != K_NONE else 0
        self.run_ms = _add(self.run_ms, dt_ms) if comp_on else 0
        if not comp_on:
            self.min_run_ms = self.min_run_cfg
        self.step_ms = _add(self.step_ms, dt_ms) if defrost else 0
        if kind == K_DEFROST:
            over = self.on_ms >= self.defrost_on_ms or self.step_ms >= self.defrost_step_ms
        elif kind == K_SELFTEST:
            over = self.on_ms >= max(self.min_run_ms, self.test_window_ms) + _TEST_RUN_MS
        else:
            # A hold that is due to end has run min_run_ms: past it by the slack, and
            # held that long, the sequencer did not stop what it should have.
            over = (
                kind == K_HOLD
                and self.on_ms >= _SLACK_MS
                and self.run_ms >= self.min_run_ms + _SLACK_MS
            )
        if not over:
            return K_NONE
        self.tripped = kind
        self.on_ms = self.step_ms = self.run_ms = 0
        return kind


def fan_window_ms(cfg):
    """A self-test heating run: the indoor fan waits up to cold_blow_max_s, then runs a
    minute (selftest_runs judges the coil then; this bound covers it)."""
    return cfg["cold_blow_max_s"] * 1000 + 60_000


def _add(acc, dt_ms):
    t = acc + dt_ms
    return t if t < _CAP_MS else _CAP_MS
