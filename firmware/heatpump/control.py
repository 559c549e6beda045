"""One control tick: measure -> decide -> actuate, pure and allocation-free.

Control is the tick and the parts it steps; controller.Controller, built on it, is
what the app and the REPL hold (settings, config, faults, counters, history).
The tick reads time once (dt_ms = ticks_diff(now, last), never a comparison of clock
stamps), reads the thermistors and inputs through the HAL, steps the thermostat, the
defrost hook, the protections, and hands the result to the sequencer, the only
writer of relays. No sleeping, printing, file I/O or wall clock; the same inputs
give the same relays on CPython and MicroPython.

After each tick (no allocation): `mode`, `state` (see STATES), `demand`
(thermostat.DEMAND_NAMES), `defrost_active`, `uptime_s`, `dt_ms`.

Hooks:
- defrost: `ctl.defrost`, the controller's own defrost.Defrost, built with it (the
  unit needs one); a test may replace it with another object with
  `update(dt_ms, heat_side, heat_ok, seq, sensors) -> bool` (True: a defrost step is
  active), or set it to None for the core without defrost. It runs after the
  thermostat, is told whether the thermostat is on the heating side and no protection
  blocks heating, and asks the sequencer (heating(), melting(), run_age_ms(),
  min_run_left_ms()) and the sensors (dC, ok); the sequencer does the soft valve
  shift (see sequencer.py).
- self-test: set `ctl.selftest` to a selftest.SelfTest. While its `active` is true,
  its `update(ctl, dt_ms)` runs in the thermostat's place: its `demand`, `side`,
  `fan_on` and `level` go to the protections and the sequencer (defrost and aux heat
  wait), so the sequencer's timers and the protections hold during the test.
"""

from micropython import const

from heatpump import aux as A
from heatpump import config as C
from heatpump import faults as F
from heatpump import lazy
from heatpump import sensors as S
from heatpump import thermostat as T
from heatpump.defrost import Defrost
from heatpump.protect import Protect
from heatpump.sequencer import Sequencer
from heatpump.supervisor import K_DEFROST, K_NONE, K_SELFTEST, Supervisor
from heatpump.ticks import ticks_diff

# A tick further than this from the last counts as this long (2.3 h): longer than
# any timer, and it keeps every product of dt a small int on the board.
_MAX_DT_MS = const(1 << 23)

STATES = (
    "off",
    "fan",
    "idle",
    "waiting",
    "lockout",
    "heating",
    "cooling",
    "drying",
    "aux heat",
    "defrost",
    "self-test",
)


class Control:
    def __init__(self, hal, config=None, settings=None):
        with lazy.Held("config_rules"):  # every part below asks the rules
            self._build(hal, config, settings)

    def _build(self, hal, config, settings):
        self.hal = hal
        board = hal.board
        self.board = board
        self.cfg = cfg = C.merge(C.defaults(), config or {})  # ValueError names a bad value
        self.sensors = S.Sensors(S.tables(board), cfg)
        self.has_condensate = "condensate_full" in board.inputs
        self.has_aux_cutout = "aux_limit" in board.inputs  # the aux element's thermal cutout
        self.thermostat = T.Thermostat(cfg)
        self.protect = Protect(self.sensors, cfg, self.has_condensate, board.envelope_dC)
        self.seq = Sequencer(hal, board, cfg)
        self.speeds = self.seq.air.speeds  # the fan speeds this board offers
        self.defrost = Defrost(cfg)  # the defrost hook (see the module doc)
        self.aux = A.AuxHeat(cfg)  # when aux heat is needed (aux.py)
        self.selftest = None  # the self-test hook (see the module doc)
        self._report_path = None  # where a self-test keeps its report (None: the default)
        self.supervisor = Supervisor(cfg)  # bounds every compressor-on state
        self.defrost_active = False
        self.condensate_full = False
        self.uptime_s = 0
        self._up_rem_ms = 0
        self._settings(settings)
        self.demand = T.DEMAND_NAMES[T.OFF]
        self.state = "off"
        self.dt_ms = 0
        self._last_ms = hal.ticks_ms()
        # After power-up the compressor waits as if it had just stopped, plus a random
        # delay, so a street of units does not restart at once after an outage.
        self.seq.boot(hal.random_ms(self.cfg["boot_delay_s"] * 1000))

    # ---- settings and config ---------------------------------------------------

    def _settings(self, settings):
        s = C.setting_defaults(self.speeds)
        for key in settings or {}:
            value = settings[key]
            if key == "setpoint":
                s["setpoint_dC"] = C.setpoint_to_dC(value, "C")
            else:
                s[key] = C.validate_setting(key, value, self.speeds)
        self.apply_settings(s)

    def apply_settings(self, s):
        """Take a complete, validated settings dict (see config.check_settings)."""
        self.mode = s["mode"]
        self.mode_i = C.MODES.index(self.mode)
        self.setpoint_dC = s["setpoint_dC"]
        self.fan = s["fan"]
        self.speed = s["speed"]
        self.level = self.speeds.index(self.speed) + 1

    def _apply_config(self, cfg):
        self.cfg = cfg
        self.sensors.configure(cfg)
        self.thermostat.configure(cfg)
        self.protect.configure(cfg)
        self.seq.configure(cfg)
        self.supervisor.configure(cfg)
        self.aux.configure(cfg)
        configure = getattr(self.defrost, "configure", None)
        if configure is not None:
            configure(cfg)  # the defrost hook follows hp.config() too

    # ---- the tick ----------------------------------------------------------------

    def tick(self):
        """One control period: measure, decide, protect, bound, actuate."""
        dt = self._clock()
        self.seq.age(dt)
        self._measure(dt)
        sn = self.sensors
        th = self.thermostat
        demand = th.update(self.mode_i, self.setpoint_dC, sn.dC[S.ROOM], sn.ok[S.ROOM], dt)
        side = th.side
        st = self.selftest
        testing = st is not None and st.active
        if testing and st is not None:
            st.update(self, dt)  # the self-test asks instead of the thermostat
            demand = st.demand
            side = st.side
        defrost = False
        d = self.defrost
        if d is not None and not testing:
            heat_side = th.side == T.SIDE_HEAT
            defrost = bool(d.update(dt, heat_side, not self.protect.heat_block, self.seq, sn))
        self._protect(dt, side, defrost)
        calling = demand == T.HEAT or demand == T.COOL or demand == T.DRY
        self._actuate(dt, demand, side, calling, defrost, testing)
        self.demand = T.DEMAND_NAMES[demand]
        self.state = self._state(demand, calling, side)

    def _clock(self):
        # The time since the last tick (bounded: a stalled loop is not a leap), and
        # the uptime.
        now = self.hal.ticks_ms()
        dt = ticks_diff(now, self._last_ms)
        self._last_ms = now
        if dt < 0:
            dt = 0
        elif dt > _MAX_DT_MS:
            dt = _MAX_DT_MS
        self.dt_ms = dt
        t = self._up_rem_ms + dt
        self.uptime_s += t // 1000
        self._up_rem_ms = t % 1000
        return dt

    def _measure(self, dt):
        sn = self.sensors
        # In a defrost step and its drip the indoor coil, with no air over it, may leave
        # its sensor's range; nothing then needs it (the melt ends on the outdoor coil or
        # time, and the supervisor bounds it), so its readings are not judged and the
        # defrost does not abort itself on S2. A broken sensor is S2 once the pause ends.
        sn.hold(S.INDOOR_COIL, self.defrost_active or self.seq.in_shift_pause())
        sn.read(self.hal, dt)
        if self.has_condensate:
            self.condensate_full = self.hal.read_input("condensate_full")

    def _protect(self, dt, side, defrost):
        pr = self.protect
        pr.update(dt, self.uptime_s, side, self.seq, self.condensate_full, defrost)
        d = self.defrost
        if d is not None:
            not_clearing = getattr(d, "not_clearing", False)
            pr.set_code(F.DEFROST, not_clearing, getattr(d, "last_coil", 0) if not_clearing else 0)

    def _actuate(self, dt, demand, side, calling, defrost, testing):
        # What the compressor should do, bounded by the supervisor, then the relays.
        seq = self.seq
        pr = self.protect
        if defrost:
            want = True
            side = T.SIDE_COOL
            force = pr.heat_block
        else:
            blocked = self.protect.blocks(side)
            want = calling and not blocked and self.sensors.ready(side == T.SIDE_HEAT)
            force = blocked
            running = seq.running()
            if running != T.SIDE_NONE and running != side:
                force = force or self.protect.blocks(running)
        comp = self.hal.relay("compressor")
        # (The end of a melt run is the defrost's soft shift, not a hold.)
        stop_wanted = (
            comp and not defrost and not seq.melting() and (not want or side != seq.running())
        )
        tripped = self.supervisor.check(dt, comp, defrost, testing, stop_wanted)
        if tripped != K_NONE:
            force = True
            if self._end_overrun(tripped):
                defrost = want = False
        self.defrost_active = defrost
        st = self.selftest
        sn = self.sensors
        seq.apply(
            want,
            side,
            force,
            defrost,
            st.level if testing and st is not None else self._level(),
            self._fan_on(pr, testing),
            self._aux(dt, demand, defrost, testing),
            sn.ok[S.INDOOR_COIL],
            sn.dC[S.INDOOR_COIL],
        )
        if tripped != K_NONE and self.hal.relay("compressor"):
            seq.all_off()  # the bound holds even if the sequencer did not stop it
        elif pr.active[F.SUPERVISOR] and seq.comp_on:
            pr.set_code(F.SUPERVISOR, False, 0)

    def _end_overrun(self, tripped):
        # The supervisor found a state past its bound: A3 until the next start, and that
        # state machine reset. True when it was the defrost step.
        self.protect.set_code(F.SUPERVISOR, True, tripped)
        if tripped == K_DEFROST:
            abort = getattr(self.defrost, "abort", None)
            if abort is not None:
                abort()
            return True
        st = self.selftest
        if tripped == K_SELFTEST and st is not None:
            st.cancel(self)
        return False

    def _level(self):
        return 1 if self.mode_i == T.M_DRY else self.level

    def _aux(self, dt, demand, defrost, testing):
        # Aux heat by need (aux.py), never with an overheated coil, no room reading, or
        # no working overheat guard (the indoor coil reading sane now, or the element's
        # own thermal cutout on the board, closed).
        pr = self.protect
        sn = self.sensors
        want = self.aux.want(
            dt,
            demand == T.HEAT and not testing,
            not pr.heat_block,
            self.seq.heats_room(),
            A.DEFROST if defrost else (A.BOOT_WAIT if self.seq.boot_wait() else A.NO_PAUSE),
            sn.dC[S.ROOM],
            self.setpoint_dC,
            sn.ok[S.OUTDOOR],
            sn.dC[S.OUTDOOR],
        )
        if not want or testing or pr.active[F.OVERHEAT] or not sn.ok[S.ROOM]:
            return False
        if self.has_aux_cutout:
            return not self.hal.read_input("aux_limit")
        return sn.sane_now(S.INDOOR_COIL)

    def _fan_on(self, pr, testing):
        mode = self.mode_i
        st = self.selftest
        if testing and st is not None:
            return st.fan_on or pr.fan_force
        return mode == T.M_FAN or (mode != T.M_OFF and (self.fan == "continuous" or pr.fan_force))

    def _state(self, demand, calling, side):
        seq = self.seq
        if self.defrost_active or seq.in_shift():
            return "defrost"
        st = self.selftest
        if st is not None and st.active and not seq.comp_on:
            return "self-test"
        if seq.comp_on:
            if seq.running() == T.SIDE_HEAT:
                return "heating"
            return "drying" if self.mode_i == T.M_DRY else "cooling"
        if seq.air.aux_on:
            return "aux heat"
        if self.mode_i == T.M_OFF:
            return "off"
        if self.mode_i == T.M_FAN:
            return "fan"
        if calling:
            return "lockout" if self.protect.blocks(side) else "waiting"
        return "idle"

    def shutdown(self):
        """Every relay off now (the app's way out of the control loop); a defrost under
        way ends with it, so what follows starts from a plain stop."""
        self.seq.all_off()
        abort = getattr(self.defrost, "abort", None)
        if abort is not None:
            abort()
        self.defrost_active = False
        # The next tick counts time from this stop, not from the last tick: the
        # min-off timer just started must not lose the time before it.
        self._last_ms = self.hal.ticks_ms()
