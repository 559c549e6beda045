"""The plant: a room, the weather outside it and a window heat pump, stepped together.

See the package docstring (tools/plant/__init__.py) for the interface and
docs/plant-model.md for the models, their equations and their numbers.
"""

import math
import random
from dataclasses import dataclass

from tools.plant.checks import number as _check
from tools.plant.psychro import w_from_rh
from tools.plant.room import Room, RoomParams
from tools.plant.unit import HeatPumpUnit, UnitParams

RELAYS = (
    "compressor",
    "reversing_valve",
    "fan_indoor",
    "fan_indoor_low",
    "fan_indoor_med",
    "fan_indoor_high",
    "fan_outdoor",
    "aux_heat",
)
_RELAY_SET = frozenset(RELAYS)
_STUCK = (None, "heat", "cool", "current")
_MAX_SUBSTEP_S = 1.0  # the coils' explicit step stays accurate up to about this


@dataclass(frozen=True)
class SensorParams:
    """What the thermistors see: a first-order lag each, plus optional Gaussian noise."""

    room_tau_s: float = 30.0  # return-air bead in moving air
    coil_tau_s: float = 8.0  # clipped to a copper tube
    outdoor_tau_s: float = 30.0
    noise_c: float = 0.0  # standard deviation, C, drawn on every sensor_temps() call
    seed: int = 1

    def __post_init__(self):
        for name in ("room_tau_s", "coil_tau_s", "outdoor_tau_s", "noise_c"):
            _check(name, getattr(self, name), 0.0, 3600.0)


def _lag_keep(dt_s: float, tau_s: float) -> float:
    return math.exp(-dt_s / tau_s) if tau_s > 0.0 else 0.0


class Plant:
    """Room + weather + window heat pump. All temperatures in C, powers in W."""

    def __init__(
        self,
        weather,
        room: RoomParams | None = None,
        unit: UnitParams | None = None,
        start_room_c: float = 20.0,
        start_hour: float = 0.0,
        valve: str = "O",
        shared_fan_motor: bool = False,
        start_room_rh: float = 50.0,
        start_mass_c: float | None = None,
        sensors: SensorParams | None = None,
    ):
        if not callable(getattr(weather, "at", None)):
            raise ValueError(
                f"weather must be DailyWeather, TableWeather or synthetic_year(); got {weather!r}"
            )
        if valve not in ("O", "B"):
            raise ValueError(
                "valve must be 'O' (energised in cooling) or 'B' (energised in heating); "
                f"got {valve!r}"
            )
        if not isinstance(shared_fan_motor, bool):
            raise ValueError(f"shared_fan_motor must be True or False; got {shared_fan_motor!r}")
        _check("start_room_c", start_room_c, -40.0, 60.0)
        _check("start_hour", start_hour, 0.0, 1e6)
        _check("start_room_rh", start_room_rh, 1.0, 100.0)
        if start_mass_c is None:
            start_mass_c = start_room_c
        _check("start_mass_c", start_mass_c, -40.0, 60.0)
        self.weather = weather
        self.valve = valve
        self.start_hour = float(start_hour)
        self.sensors = sensors or SensorParams()
        t_out, rh_out = weather.at(self.start_hour)
        self.outdoor_c = t_out
        self.outdoor_rh = rh_out
        self._w_out = w_from_rh(t_out, rh_out)
        self.room = Room(
            room or RoomParams(),
            start_room_c,
            start_mass_c,
            w_from_rh(start_room_c, start_room_rh),
        )
        self.unit = HeatPumpUnit(unit or UnitParams(), shared_fan_motor, start_room_c, t_out)
        self.t_s = 0.0
        self.powered = True
        self.stuck_valve: str | None = None  # None, "heat" or "cool" once stuck
        self.valve_heating = valve == "O"  # direction the valve is in (not energised at start)
        self.energy_wh = 0.0  # electricity
        self.heat_delivered_wh = 0.0  # sensible heat into the room while positive
        self.cool_delivered_wh = 0.0  # sensible + latent heat out of the room while cooling
        self._rng = random.Random(self.sensors.seed)
        self._lagged = [start_room_c, start_room_c, t_out, t_out, start_room_c]
        self._supply_rng = random.Random(self.sensors.seed + 1)  # the others' draws unchanged
        self._lag_dt = -1.0
        self._lag_keep = (0.0, 0.0, 0.0)

    # -- what the runner reads ----------------------------------------------------------------

    @property
    def room_c(self) -> float:
        return self.room.t_air_c

    @property
    def mass_c(self) -> float:
        return self.room.t_mass_c

    @property
    def room_rh(self) -> float:
        return self.room.rh_pct

    @property
    def indoor_coil_c(self) -> float:
        return self.unit.indoor_coil_c

    @property
    def outdoor_coil_c(self) -> float:
        return self.unit.outdoor_coil_c

    @property
    def frost_kg(self) -> float:
        return self.unit.frost_kg

    @property
    def capacity_w(self) -> float:
        """Sensible heat into the room air from the unit (+ heating, - cooling)."""
        return self.unit.room_w

    @property
    def latent_w(self) -> float:
        """Latent heat taken from the room with the condensate (>= 0)."""
        return self.unit.latent_w

    @property
    def power_w(self) -> float:
        return self.unit.power_w

    @property
    def aux_w(self) -> float:
        """What the aux heater draws now (part of power_w)."""
        return self.unit.aux_w

    @property
    def condensate_full(self) -> bool:
        return self.unit.condensate_full

    @property
    def pan_kg(self) -> float:
        return self.unit.pan_kg

    @property
    def pan_float_kg(self) -> float:
        """The water in the base pan that lifts the float switch."""
        return self.unit.params.pan_float_kg

    @property
    def overload_tripped(self) -> bool:
        return self.unit.overload_tripped

    @property
    def heating(self) -> bool:
        """Refrigerant direction of the last run: True heating, False cooling/defrost."""
        return self.unit.heating

    def sensor_temps(self) -> dict[str, float]:
        """What the thermistors read now (lagged, plus noise if configured)."""
        room, indoor_coil, outdoor, outdoor_coil, supply_air = self._lagged
        sd = self.sensors.noise_c
        if sd > 0.0:
            gauss = self._rng.gauss
            room += gauss(0.0, sd)
            indoor_coil += gauss(0.0, sd)
            outdoor += gauss(0.0, sd)
            outdoor_coil += gauss(0.0, sd)
            supply_air += self._supply_rng.gauss(0.0, sd)
        return {
            "room": room,
            "indoor_coil": indoor_coil,
            "outdoor": outdoor,
            "outdoor_coil": outdoor_coil,
            "supply_air": supply_air,
        }

    # -- events -------------------------------------------------------------------------------

    def set_stuck_valve(self, direction: str | None) -> None:
        """Stick the reversing valve: "heat", "cool", "current" (where it is now), or free it."""
        if direction not in _STUCK:
            raise ValueError(
                f"stuck valve must be one of None, 'heat', 'cool', 'current'; got {direction!r}"
            )
        if direction == "current":
            direction = "heat" if self.valve_heating else "cool"
        self.stuck_valve = direction

    def set_drain_blocked(self, blocked: bool) -> None:
        if not isinstance(blocked, bool):
            raise ValueError(f"drain blocked must be True or False; got {blocked!r}")
        self.unit.drain_blocked = blocked

    def power(self, on: bool) -> None:
        """Mains to the unit on or off; the room, coils, frost and pan keep their state."""
        if not isinstance(on, bool):
            raise ValueError(f"power must be True or False; got {on!r}")
        self.powered = on

    # -- the step -----------------------------------------------------------------------------

    def step(self, dt_s: float, relays: dict[str, bool]) -> None:
        """Advance dt_s seconds with the relays as the firmware drives them (logical on/off)."""
        if not 0.0 < dt_s <= 86400.0:
            raise ValueError(f"dt_s must be in (0, 86400] s; got {dt_s!r}")
        if not _RELAY_SET.issuperset(relays):
            bad = next(name for name in relays if name not in _RELAY_SET)
            raise ValueError(f"unknown relay {bad!r}; relays are {', '.join(RELAYS)}")
        get = relays.get
        valve_on = bool(get("reversing_valve", False))
        self.valve_heating = valve_on if self.valve == "B" else not valve_on
        if self.powered:
            compressor = bool(get("compressor", False))
            if get("fan_indoor", False) or get("fan_indoor_high", False):
                fan_level = 3
            elif get("fan_indoor_med", False):
                fan_level = 2
            elif get("fan_indoor_low", False):
                fan_level = 1
            else:
                fan_level = 0
            fan_outdoor = bool(get("fan_outdoor", False))
            aux_heat = bool(get("aux_heat", False))
        else:
            compressor = fan_outdoor = aux_heat = False
            fan_level = 0
        stuck = self.stuck_valve
        heating = self.valve_heating if stuck is None else stuck == "heat"

        n = 1 if dt_s <= _MAX_SUBSTEP_S else math.ceil(dt_s / _MAX_SUBSTEP_S)
        h = dt_s / n
        unit = self.unit
        room = self.room
        weather_at = self.weather.at
        for _ in range(n):
            hour = self.start_hour + self.t_s / 3600.0
            t_out, rh_out = weather_at(hour)
            if t_out != self.outdoor_c or rh_out != self.outdoor_rh:
                self.outdoor_c = t_out
                self.outdoor_rh = rh_out
                self._w_out = w_from_rh(t_out, rh_out)
            w_out = self._w_out
            unit.step(
                h,
                compressor,
                heating,
                fan_level,
                fan_outdoor,
                aux_heat,
                room.t_air_c,
                room.w,
                t_out,
                w_out,
            )
            minute = int((hour % 24.0) * 60.0)
            room.step(
                h,
                unit.room_w,
                unit.room_water_kg_s,
                t_out,
                w_out,
                minute if minute < 1440 else 1439,
            )
            cap = unit.room_w
            self.energy_wh += unit.power_w * h / 3600.0
            if cap > 0.0:
                self.heat_delivered_wh += cap * h / 3600.0
                cap = 0.0
            self.cool_delivered_wh += (unit.latent_w - cap) * h / 3600.0
            self.t_s += h

        if dt_s != self._lag_dt:
            s = self.sensors
            self._lag_dt = dt_s
            self._lag_keep = (
                _lag_keep(dt_s, s.room_tau_s),
                _lag_keep(dt_s, s.coil_tau_s),
                _lag_keep(dt_s, s.outdoor_tau_s),
            )
        lagged = self._lagged
        k_room, k_coil, k_out = self._lag_keep
        t = room.t_air_c
        lagged[0] = t + (lagged[0] - t) * k_room
        t = unit.indoor_coil_c
        lagged[1] = t + (lagged[1] - t) * k_coil
        t = self.outdoor_c
        lagged[2] = t + (lagged[2] - t) * k_out
        t = unit.outdoor_coil_c
        lagged[3] = t + (lagged[3] - t) * k_coil
        t = unit.supply_air_c
        lagged[4] = t + (lagged[4] - t) * k_coil
