"""Water on the coils: condensation, frost growth, frost blocking the air, melting.

Moisture leaves the air where the coil's surface is colder than the air's dew point. The
surface sits between the refrigerant (the coil node, what a clipped-on thermistor reads)
and the air: T_s = T_coil + f_s (T_air - T_coil), f_s being the share of the resistance on
the metal side. By the Lewis analogy the air-side mass conductance is G_a / cp, with
G_a = G / (1 - f_s) the air-side part of the coil conductance G, so

    m_water = G / ((1 - f_s) cp) * (w_air - w_sat(T_s))   when positive.

Below 0 C the surface saturation is over ice and the water stays as frost (latent heat of
deposition 2.834 MJ/kg); above it, it runs off (2.45 MJ/kg). Frost narrows the air path:
with b = frost / frost_block_kg the fan moves (1 - b)^n of its air (propeller fans stall
against the rising pressure drop, so n ~ 2) and still-air exchange keeps
0.2 + 0.8 (1 - b) of its share (ice conducts a little even when the path is closed).
Melting holds the coil at 0 C until the ice (334 kJ/kg) is gone.
"""

from tools.plant.psychro import CP_AIR, H_SF, w_sat

C_ICE = 2100.0  # J/(kg K), heat capacity of the frost itself


def water_kg_s(
    g_w_per_k: float, f_s: float, t_air_c: float, w_air: float, t_coil_c: float
) -> float:
    """kg/s of water or frost the coil takes out of the air (0 when the surface is dry)."""
    t_s = t_coil_c + f_s * (t_air_c - t_coil_c)
    ws = w_sat(t_s)
    if w_air <= ws:
        return 0.0
    return g_w_per_k / ((1.0 - f_s) * CP_AIR) * (w_air - ws)


def melt(t_coil_c: float, coil_j_per_k: float, frost_kg: float) -> tuple[float, float]:
    """A frosted coil (metal and ice at t_coil_c) warmed past 0 C: (new temperature, kg melted).

    The heat above 0 C goes into the ice first (334 kJ/kg); only what is left after the
    last of it has melted warms the bare coil further. The melt water leaves at 0 C.
    """
    if frost_kg <= 0.0 or t_coil_c <= 0.0:
        return t_coil_c, 0.0
    heat_j = t_coil_c * (coil_j_per_k + frost_kg * C_ICE)
    melted = heat_j / H_SF
    if melted <= frost_kg:
        return 0.0, melted
    return (heat_j - frost_kg * H_SF) / coil_j_per_k, frost_kg
