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
        self.configure(cfg)

    def configure(self, cfg):
        self.start_dK = cfg["start_dK"]
        self.stop_dK = cfg["stop_dK"]
        self.changeover_dK = cfg["changeover_dK"]
        self.auto_min_ms = cfg["auto_min_mode_s"] * 1000
        self.dry_overcool_dK = cfg["dry_overcool_dK"]

    def update(self, mode, sp_dC, room_dC, room_ok, dt_ms):
        """One step; returns the demand (also kept in self.demand)."""
        if mode != self.mode:
            self.mode = mode
            self.side = SIDE_NONE
            self.call = False
            self.hold_ms = 0
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
                if room_dC <= sp_dC - self.start_dK:
                    call = True
                elif room_dC >= sp_dC + self.stop_dK:
                    call = False
            else:
                if room_dC >= sp_dC + self.start_dK:
                    call = True
                elif room_dC <= sp_dC - self.stop_dK:
                    call = False
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
