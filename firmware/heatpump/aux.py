"""Aux heat staged by need: resistance heat is the last resort, not a rule.

Resistance moves one unit of heat per unit of electricity; the heat pump, inside its
envelope, two to four. So aux heat runs only:
- while the room calls for heat and the heat pump may not heat (outside its envelope,
  E4, or a protection or fault that blocks heating): then it is the only heat, until
  the heat pump heats again;
- while the heat pump heats but cannot hold the room: the room aux_droop_dK or more
  below the setpoint for aux_delay_s, and not recovering (it rose less than
  _RECOVER_dK in that time); it goes off once the room is back at the thermostat's
  start threshold, or the call ends. Never above aux_max_outdoor_dC outdoors, where the
  heat pump catches up by itself (an unknown outdoor temperature does not forbid it);
- in a defrost step only while the room is defrost_aux_dK or more below the setpoint
  (off again _HYST_dK above that), so a defrost does not cost resistance heat as a rule.
The controller adds the interlocks (no room reading, an overheated coil, no working
overheat guard) and the sequencer the air (aux heat never without the indoor fan).

View: the controller calls want() each tick and reads `on` (read-only).
"""

from micropython import const

_RECOVER_dK = const(5)  # a room rising this much per aux_delay_s is catching up
_HYST_dK = const(3)  # defrost: aux heat off this far above where it came on


class AuxHeat:
    def __init__(self, cfg):
        self.on = False
        self._was_defrost = False  # the last step was a defrost step
        self._sole = False  # on as the only heat (the heat pump blocked), not beside it
        self._low_ms = 0  # time the room has been at or below the droop, heat pump running
        self._low_from = 0  # the room's reading when that time began
        self.configure(cfg)

    def configure(self, cfg):
        self.droop_dK = cfg["aux_droop_dK"]
        self.delay_ms = cfg["aux_delay_s"] * 1000
        self.max_out_dC = cfg["aux_max_outdoor_dC"]
        self.defrost_dK = cfg["defrost_aux_dK"]
        self.start_dK = cfg["start_dK"]

    def want(self, dt_ms, calling_heat, can_heat, heating, defrost, room, sp, out_ok, out):
        """One step: aux heat wanted now. calling_heat: the room calls for heat;
        can_heat: no protection blocks the heat pump's heating; heating: the heat pump
        runs on the heating side now; defrost: a defrost step; room, sp: the room and
        the setpoint, out_ok, out: the outdoor reading (0.1 C)."""
        low = calling_heat and heating and not defrost and room <= sp - self.droop_dK
        self._track(dt_ms, low, room)
        if defrost:
            on = calling_heat and room <= sp - self.defrost_dK
            if self.on and room < sp - self.defrost_dK + _HYST_dK:
                on = calling_heat
        elif not calling_heat:
            on = False
        elif not can_heat:
            on = True
        elif out_ok and out > self.max_out_dC:
            on = False
        elif self._sole:
            on = not heating  # the only heat until the heat pump runs again
        elif self.on and not self._was_defrost:
            on = room < sp - self.start_dK
        else:
            on = low and self._low_ms >= self.delay_ms and room - self._low_from < _RECOVER_dK
            if low and self._low_ms >= self.delay_ms:
                self._low_ms = 0  # a new window: judge the recovery afresh
        self.on = on
        self._sole = on and (not can_heat or self._sole) and not defrost
        self._was_defrost = defrost
        return on

    def _track(self, dt_ms, low, room):
        if not low:
            self._low_ms = 0
            return
        if self._low_ms == 0:
            self._low_from = room
        t = self._low_ms + dt_ms
        self._low_ms = t if t < self.delay_ms else self.delay_ms
