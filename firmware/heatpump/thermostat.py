"""Mode + setpoint + room temperature -> a demand (what the room asks for).

On/off control with two thresholds around the setpoint: a heating call starts at
setpoint - start_dK and ends at setpoint + stop_dK (cooling mirrored), so the room
swings a little around the setpoint instead of the compressor chattering.
Dry cools from the setpoint down to setpoint - dry_overcool_dK (at low fan, see
the sequencer), so dehumidifying does not chill the room.
Auto keeps a side (heating or cooling) and changes it only when no call is active,
the room is changeover_dK on the other side of the setpoint, and the side has been
held for auto_min_mode_s; so auto always passes through idle. The compressor's
own timers (sequencer) then hold it off for min_off_s as for any restart.
The thermostat only asks; protections and the sequencer decide what runs.

Cycle rate (cycles_per_hour, heating and cooling; not dry): an on/off band W around a
room that gains and loses heat cycles with a period P = W k / (x (1 - x)) at duty x,
fastest at half load. Each call cycle measured (x between 0.2 and 0.8, the setpoint
unchanged) gives the half-load period it stands for, 4 on off / P; the band is scaled
by the ratio of 3600 / cycles_per_hour to that, half-way each cycle, between 1x and 2x
the configured start_dK and stop_dK (never past _WIDE_MAX_dK a side unless they are
set wider; stop stays below changeover_dK), one scale per side. 0 keeps the band fixed.
View: thresholds(side) -> (start, stop) in 0.1 K, as the thermostat now uses them.
"""

from micropython import const

# Modes, as indexes of config.MODES.
M_OFF = const(0)
M_COOL = const(1)
M_HEAT = const(2)
M_AUTO = const(3)
M_FAN = const(4)
M_DRY = const(5)

# Demands.
IDLE = const(0)
HEAT = const(1)
COOL = const(2)
DRY = const(3)
FAN = const(4)
OFF = const(5)
DEMAND_NAMES = ("idle", "heat", "cool", "dry", "fan", "off")

_ONE = const(16)  # band scale 1x, in 1/16
_TWO = const(32)  # the widest scale: 2x
_WIDE_MAX_dK = const(8)  # the cycle rate widens a side of the band at most to 0.8 K
_CYCLE_MAX_MS = const(7_200_000)  # a call or a rest counted up to 2 h (small ints)

# Sides: where the reversing valve should be for this mode.
SIDE_NONE = const(0)
SIDE_HEAT = const(1)
SIDE_COOL = const(2)
SIDE_NAMES = ("none", "heat", "cool")


class Thermostat:
    def __init__(self, cfg):
        self.mode = M_OFF  # the mode the state below belongs to
        self.side = SIDE_NONE  # heating or cooling side in use
        self.call = False  # a heating/cooling/dry call is active (hysteresis latch)
        self.demand = OFF
        self.hold_ms = 0  # auto: time left before the side may change
        self._on_ms = 0  # this cycle: time the call has been on ...
        self._off_ms = 0  # ... and off before it (0: no full rest seen yet)
        self._cycle_sp = 0  # the setpoint and side the cycle ran at
        self._cycle_side = SIDE_NONE
        self._scale_heat = _ONE  # band scale for the cycle rate, per side (1/16)
        self._scale_cool = _ONE
        self.configure(cfg)

    def configure(self, cfg):
        self.start_dK = cfg["start_dK"]
        self.stop_dK = cfg["stop_dK"]
        self.changeover_dK = cfg["changeover_dK"]
        self.auto_min_ms = cfg["auto_min_mode_s"] * 1000
        self.dry_overcool_dK = cfg["dry_overcool_dK"]
        cph = cfg["cycles_per_hour"]
        self.half_load_s = 3600 // cph if cph else 0  # 0: the band stays as set
        if not cph:
            self._scale_heat = self._scale_cool = _ONE
        self._set_band()

    def thresholds(self, side):
        """(start, stop) of a call on side, 0.1 K from the setpoint, the cycle rate in."""
        if side == SIDE_HEAT:
            return self._start_heat, self._stop_heat
        return self._start_cool, self._stop_cool

    def _set_band(self):
        # Kept as fields so the tick reads them without building anything.
        self._start_heat = self._widen(self.start_dK, self._scale_heat)
        self._start_cool = self._widen(self.start_dK, self._scale_cool)
        most = self.changeover_dK - 1  # auto: a call ends before it would change over
        most = most if most > self.stop_dK else self.stop_dK
        stop = self._widen(self.stop_dK, self._scale_heat)
        self._stop_heat = stop if stop < most else most
        stop = self._widen(self.stop_dK, self._scale_cool)
        self._stop_cool = stop if stop < most else most

    def _widen(self, dK, scale):
        wide = dK * scale // _ONE
        most = dK if dK > _WIDE_MAX_dK else _WIDE_MAX_dK
        return wide if wide < most else most

    def update(self, mode, sp_dC, room_dC, room_ok, dt_ms):
        """One step; returns the demand (also kept in self.demand)."""
        if mode != self.mode:
            self.mode = mode
            self.side = SIDE_NONE
            self.call = False
            self.hold_ms = 0
            self._on_ms = self._off_ms = 0
        hold = self.hold_ms - dt_ms
        self.hold_ms = hold if hold > 0 else 0
        if mode == M_OFF:
            self.demand = OFF
            return OFF
        if mode == M_FAN:
            self.demand = FAN
            return FAN
        if mode == M_HEAT:
            self.side = SIDE_HEAT
        elif mode == M_AUTO:
            if room_ok:
                self._auto_side(sp_dC, room_dC)
        else:
            self.side = SIDE_COOL
        call = False
        if room_ok and self.side != SIDE_NONE:
            call = self.call
            if mode == M_DRY:
                if room_dC >= sp_dC:
                    call = True
                elif room_dC <= sp_dC - self.dry_overcool_dK:
                    call = False
            elif self.side == SIDE_HEAT:
                if room_dC <= sp_dC - self._start_heat:
                    call = True
                elif room_dC >= sp_dC + self._stop_heat:
                    call = False
                self._cycle(call, dt_ms, sp_dC)
            else:
                if room_dC >= sp_dC + self._start_cool:
                    call = True
                elif room_dC <= sp_dC - self._stop_cool:
                    call = False
                self._cycle(call, dt_ms, sp_dC)
        self.call = call
        if not call:
            d = IDLE
        elif mode == M_DRY:
            d = DRY
        elif self.side == SIDE_HEAT:
            d = HEAT
        else:
            d = COOL
        self.demand = d
        return d

    def _cycle(self, call, dt_ms, sp_dC):
        """Time this call cycle; at the next call's start, learn from it."""
        if call and not self.call:
            same = sp_dC == self._cycle_sp and self.side == self._cycle_side
            if self._off_ms and self._on_ms and same:
                self._learn(self._on_ms // 1000, self._off_ms // 1000)
            self._on_ms = self._off_ms = 0
            self._cycle_sp = sp_dC
            self._cycle_side = self.side
        if call:
            t = self._on_ms + dt_ms
            self._on_ms = t if t < _CYCLE_MAX_MS else _CYCLE_MAX_MS
        elif self._on_ms:  # a rest after a call (not the idle before the first)
            t = self._off_ms + dt_ms
            self._off_ms = t if t < _CYCLE_MAX_MS else _CYCLE_MAX_MS

    def _learn(self, on_s, off_s):
        period = on_s + off_s
        if not self.half_load_s or period <= 0 or not (period < 5 * on_s < 4 * period):
            return  # no cycle rate asked, or duty outside 0.2..0.8: no estimate
        half_s = 4 * on_s * off_s // period  # the period this cycle means at half load
        heat = self.side == SIDE_HEAT
        scale = self._scale_heat if heat else self._scale_cool
        want = scale * self.half_load_s // (half_s if half_s > 0 else 1)
        want = _ONE if want < _ONE else (_TWO if want > _TWO else want)
        scale = (scale + want + 1) // 2
        if heat:
            self._scale_heat = scale
        else:
            self._scale_cool = scale
        self._set_band()

    def _auto_side(self, sp_dC, room_dC):
        if self.side == SIDE_NONE:
            self.side = SIDE_HEAT if room_dC < sp_dC else SIDE_COOL
            self.hold_ms = self.auto_min_ms
        elif self.call or self.hold_ms:
            return
        elif self.side == SIDE_HEAT and room_dC >= sp_dC + self.changeover_dK:
            self.side = SIDE_COOL
            self.hold_ms = self.auto_min_ms
        elif self.side == SIDE_COOL and room_dC <= sp_dC - self.changeover_dK:
            self.side = SIDE_HEAT
            self.hold_ms = self.auto_min_ms
