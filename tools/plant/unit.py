"""The window heat pump: capacity and power, coils, ramp-up, condensate pan, overload.

Model (docs/plant-model.md has the numbers and sources):

1. Nominal performance. At the current air temperatures the NREL single-speed heat pump
   curves (`curves.py`) give net capacity and power at rated airflow with clean coils,
   scaled to the rating (default 12,000 BTU/h cooling at EER 11, 11,000 BTU/h heating at
   COP 3.0; both include the fans). Taking the fans out leaves the compressor's power and
   the heat its refrigerant takes in at the evaporator (Q_e) and gives off at the
   condenser (Q_c = Q_e + P). The coil temperatures those flows would hold at rated
   airflow, T_e,nom and T_c,nom, follow from the coil conductances below.
2. Coils. Each coil is a lumped node (metal and refrigerant, C dT/dt = sum of flows) that
   exchanges sensible heat with its air stream through G = m cp (1 - exp(-UA / m cp)) (+ a
   little natural convection), and latent heat where its surface is below the dew point
   (`frost.py`). Less air (a lower fan speed, a stopped fan, frost) means a lower G, so
   the coil drifts away from the air temperature: an evaporator colder, a condenser hotter.
3. The compressor answers its actual coil temperatures: with dTe = T_e - T_e,nom and
   dTc = T_c - T_c,nom,
       Q_e = Q_e,nom exp(a_e dTe + a_c dTc)
       P   = P_nom (f0 + (1 - f0) exp(a_e dTe) lift / lift_nom),  lift = T_c - T_e
   (suction gas density sets the mass flow, ~4.5 %/K; a warmer liquid carries less
   cooling per kg, ~1.2 %/K; the work per kg grows with the lift; f0 is the share of
   motor and mechanical losses, which do not follow the mass flow). At rated airflow,
   with clean coils and in steady state the coils settle at T_e,nom and T_c,nom, so the
   unit reproduces the NREL curves exactly; away from that point it follows the physics:
   a frosted outdoor coil or a stopped indoor fan pulls the suction temperature and the
   capacity down, a stopped condenser fan drives the head pressure and the power up.
4. Ramp-up: after a start the refrigeration effect builds up as r Q_e with
   r = 1 - exp(-t / ramp_tau_s) (refrigerant has to move back into place), while the
   compressor draws P and puts it into the condenser from the start (Q_c = r Q_e + P).
   With the coils' own lag, delivered capacity reaches 63 % in about 60 s (EnergyPlus's
   default time constant), and a 6 min on / 24 min off cycle gives a degradation
   coefficient Cd of about 0.1. While stopped, r decays with the same time constant
   (pressures equalise), so a restart after a short stop is quicker. A start in the
   other refrigerant direction (the reversing valve moved) ramps from 0.
5. Water: indoor condensate, outdoor-coil condensate and defrost melt water run into the
   base pan, which drains (time constant `drain_tau_s`) unless blocked; its float switch
   closes at `pan_float_kg`.
6. The compressor's own overload protector opens when the condensing coil reaches
   `overload_trip_c` and closes again after `overload_reset_s` once both coils are below
   `overload_reset_c`: a hardware backstop behind the firmware's 60 C limit.
"""

import math
from dataclasses import dataclass, fields

from tools.plant import curves, frost
from tools.plant.checks import number
from tools.plant.psychro import (
    CP_AIR,
    H_FG,
    H_SG,
    w_from_wet_bulb,
    w_sat,
    w_sat_slope,
    wet_bulb_newton_c,
)

RHO_AIR = 1.2
_exp = math.exp
_water_kg_s = frost.water_kg_s

# Curve inputs are held inside the range the curves were fitted over (deg F).
_HEAT_IN_F = (50.0, 90.0)
_HEAT_OUT_F = (-20.0, 75.0)
_COOL_WB_F = (57.0, 80.0)  # below 57 F the cooling fit turns back up
_COOL_OUT_F = (55.0, 125.0)


@dataclass(frozen=True)
class UnitParams:
    """A 12,000 BTU/h (3.5 kW) window heat pump; every number can be overridden."""

    cool_rated_w: float = 3517.0  # net total cooling at 95 F out, 80 F DB / 67 F WB in
    cool_rated_cop: float = 3.22  # EER 11.0, fans included
    heat_rated_w: float = 3220.0  # 11,000 BTU/h net heating at 47 F out, 70 F in
    heat_rated_cop: float = 3.0
    indoor_flow_m3s: float = 0.165  # 350 cfm at high speed
    outdoor_flow_m3s: float = 0.33  # 700 cfm
    indoor_ua_w_per_k: float = 300.0  # coil UA at rated airflow (scales with flow^0.8)
    outdoor_ua_w_per_k: float = 315.0
    indoor_natural_w_per_k: float = 12.0  # still air: what a coil exchanges with no fan
    outdoor_natural_w_per_k: float = 15.0
    indoor_surface_frac: float = 0.25  # f_s: where the fin surface sits, coil -> air
    outdoor_surface_frac: float = 0.3
    indoor_coil_j_per_k: float = 2500.0  # metal + refrigerant
    outdoor_coil_j_per_k: float = 4000.0
    fan_indoor_w: float = 60.0  # at high speed
    fan_outdoor_w: float = 70.0
    speed_flow: tuple[float, float, float] = (0.65, 0.8, 1.0)  # low, med, high airflow
    speed_power: tuple[float, float, float] = (0.7, 0.85, 1.0)  # low, med, high fan power
    ramp_tau_s: float = 80.0  # refrigeration effect; delivered heat reaches 63 % in ~60 s
    suction_per_k: float = 0.045  # a_e
    condensing_per_k: float = -0.012  # a_c
    fixed_power_frac: float = 0.3  # f0
    aux_heat_w: float = 3000.0  # resistance heater in the supply air (0: none fitted)
    frost_block_kg: float = 1.2  # frost that closes the outdoor coil's air path
    frost_flow_exp: float = 2.0  # n in airflow = (1 - blocked)^n
    pan_float_kg: float = 1.0  # water in the base pan that lifts the float switch
    pan_hysteresis_kg: float = 0.1  # the float drops again this much lower
    pan_max_kg: float = 1.5  # the pan overflows above this
    drain_tau_s: float = 120.0  # drain + slinger time constant when not blocked
    overload_trip_c: float = 70.0  # condensing coil temperature that opens the protector
    overload_reset_c: float = 50.0
    overload_reset_s: float = 300.0

    def __post_init__(self):
        limits = {
            "cool_rated_w": (500.0, 20000.0),
            "cool_rated_cop": (1.0, 8.0),
            "heat_rated_w": (500.0, 20000.0),
            "heat_rated_cop": (1.0, 8.0),
            "indoor_flow_m3s": (0.01, 5.0),
            "outdoor_flow_m3s": (0.01, 10.0),
            "indoor_ua_w_per_k": (10.0, 1e4),
            "outdoor_ua_w_per_k": (10.0, 1e4),
            "indoor_natural_w_per_k": (0.1, 1e3),
            "outdoor_natural_w_per_k": (0.1, 1e3),
            "indoor_surface_frac": (0.0, 0.9),
            "outdoor_surface_frac": (0.0, 0.9),
            "indoor_coil_j_per_k": (100.0, 1e6),
            "outdoor_coil_j_per_k": (100.0, 1e6),
            "fan_indoor_w": (0.0, 2000.0),
            "fan_outdoor_w": (0.0, 2000.0),
            "ramp_tau_s": (0.0, 3600.0),
            "suction_per_k": (0.0, 0.2),
            "condensing_per_k": (-0.2, 0.0),
            "fixed_power_frac": (0.0, 1.0),
            "aux_heat_w": (0.0, 2e4),
            "frost_block_kg": (0.01, 100.0),
            "frost_flow_exp": (0.5, 5.0),
            "pan_float_kg": (0.01, 100.0),
            "pan_hysteresis_kg": (0.0, 100.0),
            "pan_max_kg": (0.01, 100.0),
            "drain_tau_s": (1.0, 1e5),
            "overload_trip_c": (30.0, 120.0),
            "overload_reset_c": (0.0, 120.0),
            "overload_reset_s": (0.0, 1e5),
        }
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("speed_flow", "speed_power"):
                ok = (
                    isinstance(value, tuple)
                    and len(value) == 3
                    and all(isinstance(v, int | float) and 0.05 <= v <= 1.0 for v in value)
                )
                if not ok:
                    raise ValueError(
                        f"{f.name} must be 3 numbers (low, med, high) in 0.05..1; got {value!r}"
                    )
                continue
            number(f.name, value, *limits[f.name])
        if self.pan_float_kg > self.pan_max_kg:
            raise ValueError(
                f"pan_float_kg ({self.pan_float_kg:g}) must not exceed "
                f"pan_max_kg ({self.pan_max_kg:g})"
            )
        if self.overload_reset_c >= self.overload_trip_c:
            raise ValueError(
                f"overload_reset_c ({self.overload_reset_c:g}) must be below "
                f"overload_trip_c ({self.overload_trip_c:g})"
            )


def coil_g(ua_w_per_k: float, mcp_w_per_k: float) -> float:
    """Conductance air -> coil (W/K) of a coil with UA and an air stream m cp (NTU method)."""
    if mcp_w_per_k <= 0.0:
        return 0.0
    return mcp_w_per_k * (1.0 - _exp(-ua_w_per_k / mcp_w_per_k))


def _normalised(coef: tuple[float, ...], rated: tuple[float, float]) -> tuple[float, ...]:
    at_rating = curves.biquad(coef, *rated)
    return tuple(c / at_rating for c in coef)


def _clamp(x: float, lo_hi: tuple[float, float]) -> float:
    lo, hi = lo_hi
    return lo if x < lo else hi if x > hi else x


def solve_coil_c(
    g: float, f_s: float, t_air_c: float, w_air: float, q_w: float, guess_c: float
) -> float:
    """Coil temperature at which air (t_air_c, w_air) gives the coil q_w (sensible + latent).

    g (T_air - T) + latent(T) = q_w, by Newton from guess_c (monotonic in T).
    """
    t = guess_c
    k = g / ((1.0 - f_s) * CP_AIR)
    for _ in range(12):
        t_s = t + f_s * (t_air_c - t)
        ws = w_sat(t_s)
        f = g * (t_air_c - t) - q_w
        df = -g
        if w_air > ws:
            h_lat = H_SG if t_s < 0.0 else H_FG
            f += k * (w_air - ws) * h_lat
            df -= k * h_lat * w_sat_slope(t_s) * (1.0 - f_s)
        step = f / df
        t -= step
        if -1e-4 < step < 1e-4:
            break
    return t


class HeatPumpUnit:
    """State and one step of the unit. Fan level: 0 off, 1 low, 2 med, 3 high."""

    def __init__(
        self, p: UnitParams, shared_fan_motor: bool, t_indoor_c: float, t_outdoor_c: float
    ):
        self.params = p
        self.shared_fan_motor = shared_fan_motor
        self._flow = (0.0, *p.speed_flow)
        self._fan_power = (0.0, *p.speed_power)
        mcp_in = RHO_AIR * p.indoor_flow_m3s * CP_AIR
        self._mcp_in = mcp_in
        self._g_in = tuple(
            coil_g(p.indoor_ua_w_per_k * f**0.8, mcp_in * f) + p.indoor_natural_w_per_k
            for f in self._flow
        )
        self.g_in_nom = self._g_in[3]
        self.supply_air_c = t_indoor_c
        self._mcp_out = RHO_AIR * p.outdoor_flow_m3s * CP_AIR
        self.g_out_nom = coil_g(p.outdoor_ua_w_per_k, self._mcp_out) + p.outdoor_natural_w_per_k
        self._heat_cap = _normalised(curves.HEAT_CAP, curves.HEAT_RATED_F)
        self._heat_eir = _normalised(curves.HEAT_EIR, curves.HEAT_RATED_F)
        self._cool_cap = _normalised(curves.COOL_CAP, curves.COOL_RATED_F)
        self._cool_eir = _normalised(curves.COOL_EIR, curves.COOL_RATED_F)
        self._fans_rated_w = p.fan_indoor_w + p.fan_outdoor_w
        # State.
        self.indoor_coil_c = t_indoor_c
        self.outdoor_coil_c = t_outdoor_c
        self.frost_kg = 0.0
        self.pan_kg = 0.0
        self.drain_blocked = False
        self.condensate_full = False
        self.ramp = 0.0  # r: 0 stopped and equalised .. 1 fully loaded
        self.heating = True  # refrigerant direction the last time the compressor ran
        self.overload_tripped = False
        self._overload_s = 0.0
        self._te_nom = 0.0  # Newton guesses, carried step to step
        self._wb = 15.0
        self._ramp_dt = -1.0
        self._ramp_keep = 1.0
        # Flows of the last step (W, + into the named thing), for traces and energy checks.
        self.room_w = 0.0  # sensible heat to the room air: coil + indoor fan + heater
        self.room_water_kg_s = 0.0  # water the indoor coil took out of the room air
        self.latent_w = 0.0  # that water's latent heat
        self.power_w = 0.0  # electric: compressor + fans + heater
        self.aux_w = 0.0  # ... of which the heater
        self.compressor_w = 0.0
        self.evaporator_w = 0.0  # refrigerant heat taken in at the evaporator (r Q_e)
        self.condenser_w = 0.0  # refrigerant heat given off at the condenser (r Q_e + P)
        self.outdoor_air_w = 0.0  # outdoor air -> outdoor coil, sensible + latent
        self.melt_kg_s = 0.0

    # -- nominal performance at rated airflow, clean coils ----------------------------------

    def nominal(self, heating: bool, t_in_c: float, w_in: float, t_out_c: float, w_out: float):
        """(Q_e, P_compressor, T_e, T_c) at rated airflow with clean coils, in steady state."""
        p = self.params
        if heating:
            x = _clamp(t_in_c * 1.8 + 32.0, _HEAT_IN_F)
            y = _clamp(t_out_c * 1.8 + 32.0, _HEAT_OUT_F)
            cap = _biquad(self._heat_cap, x, y)
            eir = _biquad(self._heat_eir, x, y)
            q_net = p.heat_rated_w * cap
            p_comp = q_net * eir / p.heat_rated_cop - self._fans_rated_w
            q_c = q_net - p.fan_indoor_w
            q_e = q_c - p_comp
            t_c = t_in_c + q_c / self.g_in_nom
            t_e = solve_coil_c(
                self.g_out_nom, p.outdoor_surface_frac, t_out_c, w_out, q_e, self._te_nom
            )
        else:
            wb = 13.9  # 57 F, the lowest wet bulb the cooling curve is used at
            if w_from_wet_bulb(t_in_c, wb) < w_in:
                wb = self._wb = wet_bulb_newton_c(t_in_c, w_in, self._wb)
            x = _clamp(wb * 1.8 + 32.0, _COOL_WB_F)
            y = _clamp(t_out_c * 1.8 + 32.0, _COOL_OUT_F)
            cap = _biquad(self._cool_cap, x, y)
            eir = _biquad(self._cool_eir, x, y)
            q_net = p.cool_rated_w * cap
            p_comp = q_net * eir / p.cool_rated_cop - self._fans_rated_w
            q_e = q_net + p.fan_indoor_w
            t_e = solve_coil_c(
                self.g_in_nom, p.indoor_surface_frac, t_in_c, w_in, q_e, self._te_nom
            )
            t_c = t_out_c + (q_e + p_comp) / self.g_out_nom
        self._te_nom = t_e
        return q_e, p_comp, t_e, t_c

    # -- one step ----------------------------------------------------------------------------

    def step(
        self,
        dt_s: float,
        compressor: bool,
        heating: bool,
        fan_level: int,
        fan_outdoor: bool,
        aux_heat: bool,
        t_in_c: float,
        w_in: float,
        t_out_c: float,
        w_out: float,
    ) -> None:
        """Advance dt_s (<= a few s) with the given outputs and air states."""
        p = self.params
        t_ic = self.indoor_coil_c
        t_oc = self.outdoor_coil_c
        frost_kg = self.frost_kg

        # Airflows and fan power.
        if self.shared_fan_motor:
            level = 3 if fan_outdoor and fan_level == 0 else fan_level
            fan_level = level
            out_flow = self._flow[level]
            fan_in_w = p.fan_indoor_w * self._fan_power[level]
            fans_w = self._fans_rated_w * self._fan_power[level]
        else:
            out_flow = 1.0 if fan_outdoor else 0.0
            fan_in_w = p.fan_indoor_w * self._fan_power[fan_level]
            fans_w = fan_in_w + (p.fan_outdoor_w if fan_outdoor else 0.0)
        g_in = self._g_in[fan_level]
        blocked = frost_kg / p.frost_block_kg
        open_frac = 1.0 - blocked if blocked < 1.0 else 0.0
        f_eff = out_flow * open_frac**p.frost_flow_exp
        # Even a coil packed with ice still exchanges a little heat with the air around it.
        g_out = p.outdoor_natural_w_per_k * (0.2 + 0.8 * open_frac)
        if f_eff > 0.0:
            g_out += coil_g(p.outdoor_ua_w_per_k * f_eff**0.8, self._mcp_out * f_eff)

        # Ramp factor: exact first-order step.
        if dt_s != self._ramp_dt:
            self._ramp_dt = dt_s
            self._ramp_keep = _exp(-dt_s / p.ramp_tau_s) if p.ramp_tau_s > 0.0 else 0.0
        keep = self._ramp_keep

        # Compressor.
        running = compressor and not self.overload_tripped
        q_e = q_c = p_comp = 0.0
        if running:
            if heating != self.heating:
                self.ramp = 0.0  # the refrigerant must move to the other coil first
                self.heating = heating
            self.ramp = 1.0 - (1.0 - self.ramp) * keep
            q_e_nom, p_nom, te_nom, tc_nom = self.nominal(heating, t_in_c, w_in, t_out_c, w_out)
            if heating:
                t_e, t_c = t_oc, t_ic
            else:
                t_e, t_c = t_ic, t_oc
            # Above the nominal point the gains are capped (a warm coil at start-up is not a
            # bigger compressor); below it the exponential takes the flow towards zero.
            d_e = t_e - te_nom
            if d_e > 5.0:
                d_e = 5.0
            d_c = t_c - tc_nom
            if d_c < -40.0:
                d_c = -40.0
            lift_nom = tc_nom - te_nom
            if lift_nom < 10.0:
                lift_nom = 10.0
            lift = t_c - t_e
            if lift < 0.0:
                lift = 0.0
            mass_flow = _exp(p.suction_per_k * d_e)
            q_map = q_e_nom * mass_flow * _exp(p.condensing_per_k * d_c)
            f0 = p.fixed_power_frac
            p_comp = p_nom * (f0 + (1.0 - f0) * mass_flow * lift / lift_nom)
            r = self.ramp
            q_e = r * q_map
            q_c = q_e + p_comp
            if t_c >= p.overload_trip_c:
                self.overload_tripped = True
                self._overload_s = 0.0
        else:
            self.ramp *= keep
            if self.overload_tripped:
                self._overload_s += dt_s
                hottest = t_ic if t_ic > t_oc else t_oc
                if self._overload_s >= p.overload_reset_s and hottest < p.overload_reset_c:
                    self.overload_tripped = False

        # Indoor coil: sensible and condensate from the room air.
        q_in_air = g_in * (t_in_c - t_ic)
        water_in = _water_kg_s(g_in, p.indoor_surface_frac, t_in_c, w_in, t_ic)
        lat_in = water_in * H_FG  # ice on the indoor coil is not modelled: all counts as water

        # Outdoor coil: sensible, and frost or condensate.
        q_out_air = g_out * (t_out_c - t_oc)
        water_out = _water_kg_s(g_out, p.outdoor_surface_frac, t_out_c, w_out, t_oc)
        runoff = 0.0
        if water_out > 0.0:
            if t_oc + p.outdoor_surface_frac * (t_out_c - t_oc) < 0.0:
                lat_out = water_out * H_SG
                frost_kg += water_out * dt_s
            else:
                lat_out = water_out * H_FG
                runoff = water_out
        else:
            lat_out = 0.0

        if heating:
            dq_in = q_in_air + lat_in + q_c
            dq_out = q_out_air + lat_out - q_e
        else:
            dq_in = q_in_air + lat_in - q_e
            dq_out = q_out_air + lat_out + q_c
        self.indoor_coil_c = t_ic + dt_s * dq_in / p.indoor_coil_j_per_k
        c_out = p.outdoor_coil_j_per_k + self.frost_kg * frost.C_ICE
        t_oc += dt_s * dq_out / c_out
        melted = 0.0
        if frost_kg > 0.0 and t_oc > 0.0:
            t_oc, melted = frost.melt(t_oc, p.outdoor_coil_j_per_k, frost_kg)
            frost_kg -= melted
            if frost_kg < 1e-9:
                frost_kg = 0.0
        self.outdoor_coil_c = t_oc
        self.frost_kg = frost_kg

        # Base pan and its float switch.
        pan = self.pan_kg + (water_in + runoff) * dt_s + melted
        if not self.drain_blocked:
            pan -= pan * dt_s / p.drain_tau_s
        if pan > p.pan_max_kg:
            pan = p.pan_max_kg  # spills over the rim
        self.pan_kg = pan
        if pan >= p.pan_float_kg:
            self.condensate_full = True
        elif pan < p.pan_float_kg - p.pan_hysteresis_kg:
            self.condensate_full = False

        # The heater's own limit switch keeps it cold without indoor airflow.
        aux_w = p.aux_heat_w if aux_heat and fan_level > 0 else 0.0
        self.room_w = fan_in_w + aux_w - q_in_air
        # The air leaving the unit (a supply-air sensor's): the room's air plus what the
        # coil, the heater and the fan gave it; with no airflow it stands at the room's.
        mcp = self._mcp_in * self._flow[fan_level]
        self.supply_air_c = t_in_c + self.room_w / mcp if mcp > 0.0 else t_in_c
        self.room_water_kg_s = water_in
        self.latent_w = lat_in
        self.compressor_w = p_comp
        self.power_w = p_comp + fans_w + aux_w
        self.aux_w = aux_w
        self.evaporator_w = q_e
        self.condenser_w = q_c
        self.outdoor_air_w = q_out_air + lat_out
        self.melt_kg_s = melted / dt_s


def _biquad(c: tuple[float, ...], x: float, y: float) -> float:
    return c[0] + x * (c[1] + c[2] * x + c[5] * y) + y * (c[3] + c[4] * y)
