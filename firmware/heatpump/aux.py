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
- while the heat pump pauses though the room calls (at any outdoor temperature: the
  heat pump cannot catch up while it pauses):
  - in a defrost, while the room is aux_pause_dK or more below the setpoint (off
    again _HYST_dK above).
    Its default (0.7 K) is short of the comfort band's 1 K edge by about what a room
    falls while the element warms: a defrost on a light room would drop it out of
    the band before the heat pump is back; above it a defrost costs no resistance
    heat;
  - in the restart wait after power-up, while the room is aux_droop_dK or more below
    the setpoint (a cold room at power-up gets heat at once; a room already near
    the setpoint waits for the heat pump);
  both held through the coil's warm-up after them, until the indoor air is warm.
The controller adds the interlocks (no room reading, an overheated coil, no working
overheat guard) and the sequencer the air (aux heat never without the indoor fan).

View: the controller calls want() each tick and reads `on` (read-only).
"""

from micropython import const

_RECOVER_dK = const(5)  # a room rising this much per aux_delay_s is catching up
# What pauses the heat pump though the room may call (want's pause).
NO_PAUSE = const(0)
BOOT_WAIT = const(1)
DEFROST = const(2)

_HYST_dK = const(3)  # a pause: aux heat off this far above where it came on


class AuxHeat:
    def __init__(self, cfg):
        self.on = False
        self._pause = NO_PAUSE  # the pause (see want) until the heat pump's air is warm
        self._sole = False  # on as the only heat (the heat pump blocked), not beside it
        self._low_ms = 0  # time the room has been at or below the droop, heat pump running
        self._low_from = 0  # the room's reading when that time began
        self.configure(cfg)

    def configure(self, cfg):
        self.droop_dK = cfg["aux_droop_dK"]
        self.delay_ms = cfg["aux_delay_s"] * 1000
        self.max_out_dC = cfg["aux_max_outdoor_dC"]
        self.pause_dK = cfg["aux_pause_dK"]
        self.start_dK = cfg["start_dK"]

    def want(self, dt_ms, calling_heat, can_heat, heating, pause, room, sp, out_ok, out):
        """One step: aux heat wanted now. calling_heat: the room calls for heat;
        can_heat: no protection blocks the heat pump's heating; heating: the heat pump
        heats now with its indoor air warm; pause: DEFROST (a defrost step), BOOT_WAIT
        (no start since power-up yet) or NO_PAUSE; room, sp: the room and the
        setpoint, out_ok, out: the outdoor reading (0.1 C)."""
        was_paused = self._pause != NO_PAUSE  # the last step was a pause
        if pause:
            self._pause = pause
        elif heating or not calling_heat:
            self._pause = NO_PAUSE
        pause = self._pause  # held through the coil's warm-up after it
        low = calling_heat and heating and room <= sp - self.droop_dK
        self._track(dt_ms, low, room)
        if not calling_heat:
            on = False
        elif not can_heat:
            on = True
        elif pause:
            edge = sp - (self.pause_dK if pause == DEFROST else self.droop_dK)
            on = room <= edge or (self.on and room < edge + _HYST_dK)
        elif out_ok and out > self.max_out_dC:
            on = False
        elif self._sole:
            on = not heating  # the only heat until the heat pump runs again
        elif self.on and not was_paused:
            on = room < sp - self.start_dK
        else:
            on = low and self._low_ms >= self.delay_ms and room - self._low_from < _RECOVER_dK
            if low and self._low_ms >= self.delay_ms:
                self._low_ms = 0  # a new window: judge the recovery afresh
        self.on = on
        self._sole = on and (not can_heat or self._sole) and not pause
        return on

    def _track(self, dt_ms, low, room):
        if not low:
            self._low_ms = 0
            return
        if self._low_ms == 0:
            self._low_from = room
        t = self._low_ms + dt_ms
        self._low_ms = t if t < self.delay_ms else self.delay_ms
