"""Protections: coil limits, outdoor limits, condensate, stuck valve, sensor faults.

Each protection raises a fault code (faults.py) and blocks heating, cooling or
both while it is active; the controller stops the compressor at once when the
side it runs on is blocked (the one exception to min_run_s), and the sequencer
still holds the restart for min_off_s. A code is logged when it rises.
Outdoor-side codes (E4 to E7) are only raised for the side the mode wants, so a
cold night does not fill the log while the unit is set to cool.
"""

try:
    from micropython import const  # pyright: ignore[reportAssignmentType]
except ImportError:

    def const(x):
        return x


from heatpump import faults as F
from heatpump import sensors as S
from heatpump.thermostat import SIDE_COOL, SIDE_HEAT

_HOUR_MS = const(3_600_000)
_TRIPS = const(20)  # freeze trip ages kept (the config maximum of freeze_trips)
_LIMIT_HYST_dK = const(10)  # outdoor cooling limits clear 1 K inside the limit
_VC_IDLE = const(0)
_VC_CHECKING = const(1)
_VC_DONE = const(2)


class Protect:
    def __init__(self, sensors, has_condensate=False):
        self.sensors = sensors
        self.has_condensate = has_condensate
        self.active = [False] * F.N_CODES  # per ORDER index: the code is active now
        self.log = F.FaultLog()
        self.now_s = 0  # uptime, for the log (set by the controller each tick)
        self.heat_block = False  # heat pump heating may not run
        self.cool_block = False  # cooling and dry may not run
        self.fan_force = False  # the indoor fan must run (thawing or cooling the coil)
        self.freeze_ms = 0  # time the coil has been below freeze_dC while cooling
        self._freezing = False  # ... and it was below at the last reading
        self._trip_age = [_HOUR_MS] * _TRIPS  # ms since each recent freeze trip
        self._trip_next = 0
        self._too_cold_to_heat = False  # outdoor hysteresis latches
        self._too_cold_to_cool = False
        self._too_hot_to_cool = False
        self._vc = _VC_IDLE  # stuck-valve check of the current run
        self.configure(None)

    def configure(self, cfg):
        if cfg is None:
            from heatpump.config import defaults

            cfg = defaults()
        self.freeze_dC = cfg["freeze_dC"]
        self.freeze_ms_limit = cfg["freeze_s"] * 1000
        self.freeze_resume_dC = cfg["freeze_resume_dC"]
        self.freeze_trips = cfg["freeze_trips"]
        self.overheat_dC = cfg["overheat_dC"]
        self.overheat_resume_dC = cfg["overheat_resume_dC"]
        self.heat_lockout_dC = cfg["heat_lockout_dC"]
        self.heat_unlock_dC = cfg["heat_unlock_dC"]
        self.cool_min_dC = cfg["cool_min_outdoor_dC"]
        self.cool_max_dC = cfg["cool_max_outdoor_dC"]
        self.valve_check_dK = cfg["valve_check_dK"]
        self.valve_check_ms = cfg["valve_check_s"] * 1000

    def set_code(self, i, on, detail):
        """Raise (log on the rising edge) or drop code ORDER[i]; also for other modules
        (defrost.py raises D1 through it)."""
        if on:
            if not self.active[i]:
                self.active[i] = True
                self.log.record(i, self.now_s, detail)
        else:
            self.active[i] = False

    def update(self, dt_ms, side, seq, condensate_full, defrost):
        """One step. side: the side the mode wants; seq: the sequencer (last tick's relays)."""
        sn = self.sensors
        a = self.active
        for i in range(S.N_SENSORS):
            self.set_code(F.SENSOR_ROOM + i, sn.fault[i] != 0, sn.fault[i])
        coil_ok = sn.ok[S.INDOOR_COIL]
        coil = sn.dC[S.INDOOR_COIL]
        running = seq.comp_on and not defrost
        cooling = running and seq.run_side == SIDE_COOL
        heating = running and seq.run_side == SIDE_HEAT

        self._age_trips(dt_ms)
        self._freeze(dt_ms, cooling, coil_ok, coil)

        # E3: heating (heat pump or aux) pushed the coil too hot: too little air.
        if coil_ok:
            if coil >= self.overheat_dC and (heating or seq.aux_on):
                self.set_code(F.OVERHEAT, True, coil)
            elif coil < self.overheat_resume_dC:
                self.set_code(F.OVERHEAT, False, 0)

        self._outdoor_limits(side)
        self.set_code(
            F.CONDENSATE, self.has_condensate and condensate_full and side == SIDE_COOL, 0
        )
        self._valve_check(running, seq, coil_ok, coil)

        self.cool_block = (
            a[F.FREEZE]
            or a[F.FREEZE_LOCK]
            or a[F.COOL_TOO_COLD]
            or a[F.COOL_TOO_HOT]
            or a[F.CONDENSATE]
            or a[F.VALVE_STUCK]
            or a[F.SENSOR_ROOM + S.ROOM]
            or a[F.SENSOR_ROOM + S.INDOOR_COIL]
        )
        self.heat_block = (
            a[F.OVERHEAT]
            or a[F.HEAT_LOCKOUT]
            or a[F.VALVE_STUCK]
            or a[F.SENSOR_ROOM + S.ROOM]
            or a[F.SENSOR_ROOM + S.INDOOR_COIL]
            or a[F.SENSOR_ROOM + S.OUTDOOR]
        )
        self.fan_force = a[F.FREEZE] or a[F.OVERHEAT]

    def _age_trips(self, dt_ms):
        ages = self._trip_age
        for i in range(_TRIPS):
            age = ages[i] + dt_ms
            ages[i] = age if age < _HOUR_MS else _HOUR_MS

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
            self._trip_age[self._trip_next] = 0
            self._trip_next = (self._trip_next + 1) % _TRIPS
            recent = 0
            for i in range(_TRIPS):
                if self._trip_age[i] < _HOUR_MS:
                    recent += 1
            if recent >= self.freeze_trips:
                self.set_code(F.FREEZE_LOCK, True, coil)
        elif self.active[F.FREEZE] and coil_ok and coil > self.freeze_resume_dC:
            self.set_code(F.FREEZE, False, 0)
            self.freeze_ms = 0

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

    def _valve_check(self, running, seq, coil_ok, coil):
        # E8: after a start the indoor coil must move valve_check_dK from the room air
        # the right way within valve_check_s, or the valve is in the wrong position.
        if not running:
            self._vc = _VC_IDLE
            return
        if self._vc != _VC_IDLE and self._vc != _VC_CHECKING:
            return
        self._vc = _VC_CHECKING
        sn = self.sensors
        if not (coil_ok and sn.ok[S.ROOM]):
            return  # no verdict without both readings (their own faults stop the run)
        room = sn.dC[S.ROOM]
        if seq.run_side == SIDE_HEAT:
            moved = coil >= room + self.valve_check_dK
        else:
            moved = coil <= room - self.valve_check_dK
        if moved:
            self._vc = _VC_DONE
        elif seq.run_ms >= self.valve_check_ms:
            self._vc = _VC_DONE
            self.set_code(F.VALVE_STUCK, True, coil)

    def clear(self):
        """Release the latched codes (E2, E8); return the codes released."""
        released = []
        for i in (F.FREEZE_LOCK, F.VALVE_STUCK):
            if self.active[i]:
                self.active[i] = False
                released.append(F.ORDER[i])
        if released:
            for i in range(_TRIPS):
                self._trip_age[i] = _HOUR_MS
            self.freeze_ms = 0
        return released
