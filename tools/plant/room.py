"""The room: two thermal nodes and one moisture node.

- Air node `t_air_c`, capacity `air_j_per_k`: the room air (rho V cp) plus what it touches
  and warms within minutes (furniture, contents, light surfaces). The unit, people and the
  loss to outdoors act on it.
- Mass node `t_mass_c`, capacity `mass_j_per_k`: the building mass of ISO 13790's simple
  hourly method, C_m = class value x floor area, coupled to the air by
  H_ms = 9.1 W/(m2 K) x A_m (A_m = 2.5, 3.0 or 3.5 x floor area by class). Sun lands here.
- Moisture `w` (kg/kg): the air's humidity ratio with a buffer multiplier for what the
  furnishings absorb and give back, fed by infiltration and people, drained by the coil.

    C_a dT_a/dt = Q_unit + Q_people + Q_internal - (UA + H_inf)(T_a - T_out) - H_ms(T_a - T_m)
    C_m dT_m/dt = Q_sun + H_ms (T_a - T_m)
    M dw/dt     = m_inf (w_out - w) + people latent / h_fg - m_coil

H_inf = rho cp V ACH / 3600. Both temperature equations share one exchange flux per step,
so the room's heat content changes by exactly what flows in (an explicit Euler step).
"""

import math
from dataclasses import dataclass

from tools.plant.checks import number as _check
from tools.plant.psychro import CP_AIR, H_FG, rh_from_w

RHO_AIR = 1.2  # kg/m3 near 20 C
H_MS_W_PER_M2K = 9.1  # ISO 13790 12.2.2: mass-to-air coefficient per m2 of A_m
# ISO 13790 table 12: class -> (C_m per m2 of floor, J/(m2 K); A_m / floor area)
MASS_CLASSES = {
    "very_light": (80e3, 2.5),
    "light": (110e3, 2.5),
    "medium": (165e3, 2.5),
    "heavy": (260e3, 3.0),
    "very_heavy": (370e3, 3.5),
}


@dataclass(frozen=True)
class RoomParams:
    """A room; the defaults are a 20 m2 bedroom or office of medium mass."""

    floor_m2: float = 20.0
    height_m: float = 2.5
    mass_class: str = "medium"  # ISO 13790: very_light, light, medium, heavy, very_heavy
    furniture_kj_per_m2k: float = 10.0  # contents in the air node (assumed, light furnishing)
    ua_w_per_k: float = 40.0  # transmission loss to outdoors
    ach: float = 0.5  # infiltration, air changes per hour
    moisture_buffer: float = 5.0  # effective moisture capacity / capacity of the air alone
    internal_gain_w: float = 0.0  # appliances, always on
    # People: daily schedule of (from_hour, count), each count holding until the next entry,
    # the last wrapping round midnight; () is an empty room.
    people: tuple[tuple[float, float], ...] = ()
    person_sensible_w: float = 75.0  # ASHRAE, moderately active office work: 75 W + 55 W
    person_latent_w: float = 55.0
    # Sun through the window: a half sine from sunrise to sunset with this peak, on the mass.
    sun_peak_w: float = 0.0
    sunrise_h: float = 7.0
    sunset_h: float = 19.0

    def __post_init__(self):
        _check("floor_m2", self.floor_m2, 1.0, 1000.0, "m2")
        _check("height_m", self.height_m, 1.5, 10.0, "m")
        if self.mass_class not in MASS_CLASSES:
            allowed = ", ".join(MASS_CLASSES)
            raise ValueError(f"mass_class must be one of {allowed}; got {self.mass_class!r}")
        _check("furniture_kj_per_m2k", self.furniture_kj_per_m2k, 0.0, 1e12, "kJ/(m2 K)")
        _check("ua_w_per_k", self.ua_w_per_k, 0.0, 1e5, "W/K")
        _check("ach", self.ach, 0.0, 50.0, "1/h")
        _check("moisture_buffer", self.moisture_buffer, 1.0, 1e12)
        _check("internal_gain_w", self.internal_gain_w, 0.0, 1e5, "W")
        _check("person_sensible_w", self.person_sensible_w, 0.0, 1000.0, "W")
        _check("person_latent_w", self.person_latent_w, 0.0, 1000.0, "W")
        _check("sun_peak_w", self.sun_peak_w, 0.0, 1e5, "W")
        _check("sunrise_h", self.sunrise_h, 0.0, 24.0, "h")
        _check("sunset_h", self.sunset_h, self.sunrise_h, 24.0, "h")
        last = -1.0
        for i, entry in enumerate(self.people):
            if len(entry) != 2:
                raise ValueError(f"people[{i}] must be (from_hour, count); got {entry!r}")
            _check(f"people[{i}] hour", entry[0], 0.0, 23.999, "h")
            _check(f"people[{i}] count", entry[1], 0.0, 1000.0)
            if entry[0] <= last:
                raise ValueError(f"people hours must increase; entry {i} is at {entry[0]:g}")
            last = entry[0]

    @property
    def volume_m3(self) -> float:
        return self.floor_m2 * self.height_m

    @property
    def air_j_per_k(self) -> float:
        """Air node: the air itself plus the furniture."""
        air = RHO_AIR * self.volume_m3 * CP_AIR
        return air + self.furniture_kj_per_m2k * 1e3 * self.floor_m2

    @property
    def mass_j_per_k(self) -> float:
        return MASS_CLASSES[self.mass_class][0] * self.floor_m2

    @property
    def h_ms_w_per_k(self) -> float:
        return H_MS_W_PER_M2K * MASS_CLASSES[self.mass_class][1] * self.floor_m2

    @property
    def infiltration_kg_s(self) -> float:
        return RHO_AIR * self.volume_m3 * self.ach / 3600.0

    @property
    def loss_w_per_k(self) -> float:
        """Air node to outdoors: transmission plus infiltration."""
        return self.ua_w_per_k + self.infiltration_kg_s * CP_AIR

    def people_at(self, hour_of_day: float) -> float:
        count = self.people[-1][1] if self.people else 0.0
        for from_h, n in self.people:
            if hour_of_day >= from_h:
                count = n
        return count

    def sun_at(self, hour_of_day: float) -> float:
        if self.sun_peak_w == 0.0 or not self.sunrise_h < hour_of_day < self.sunset_h:
            return 0.0
        day_len = self.sunset_h - self.sunrise_h
        return self.sun_peak_w * math.sin(math.pi * (hour_of_day - self.sunrise_h) / day_len)


class Room:
    """State and one Euler step of the room. Gains come from per-minute tables."""

    def __init__(self, p: RoomParams, t_air_c: float, t_mass_c: float, w: float):
        self.params = p
        self.t_air_c = t_air_c
        self.t_mass_c = t_mass_c
        self.w = w
        self.c_air = p.air_j_per_k
        self.c_mass = p.mass_j_per_k
        self.h_ms = p.h_ms_w_per_k
        self.h_out = p.loss_w_per_k
        self.m_inf = p.infiltration_kg_s
        self.m_moist = RHO_AIR * p.volume_m3 * p.moisture_buffer  # kg of air equivalent
        # Gains per minute of the day, so a step looks them up instead of searching.
        self._gain_air = []  # W on the air node: people sensible + internal
        self._water = []  # kg/s of vapour from people
        self._sun = []  # W on the mass node
        for minute in range(1440):
            hour = (minute + 0.5) / 60.0
            people = p.people_at(hour)
            self._gain_air.append(people * p.person_sensible_w + p.internal_gain_w)
            self._water.append(people * p.person_latent_w / H_FG)
            self._sun.append(p.sun_at(hour))
        self.gain_w = 0.0  # last step: people + internal + sun
        self.loss_w = 0.0  # last step: to outdoors (transmission + infiltration)

    @property
    def rh_pct(self) -> float:
        return rh_from_w(self.t_air_c, self.w)

    def energy_j(self) -> float:
        """Sensible heat content relative to 0 C (for energy-balance checks)."""
        return self.c_air * self.t_air_c + self.c_mass * self.t_mass_c

    def step(
        self,
        dt_s: float,
        unit_w: float,
        coil_water_kg_s: float,
        t_out_c: float,
        w_out: float,
        minute: int,
    ) -> None:
        """Advance dt_s with the unit's sensible heat and the water its coil took out."""
        t_a = self.t_air_c
        t_m = self.t_mass_c
        gain_air = self._gain_air[minute]
        sun = self._sun[minute]
        loss = self.h_out * (t_a - t_out_c)
        to_mass = self.h_ms * (t_a - t_m)
        self.t_air_c = t_a + dt_s * (unit_w + gain_air - loss - to_mass) / self.c_air
        self.t_mass_c = t_m + dt_s * (sun + to_mass) / self.c_mass
        w = self.w
        dw = self.m_inf * (w_out - w) + self._water[minute] - coil_water_kg_s
        w += dt_s * dw / self.m_moist
        self.w = w if w > 1e-6 else 1e-6
        self.gain_w = gain_air + sun
        self.loss_w = loss
