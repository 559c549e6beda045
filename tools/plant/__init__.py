"""Plant model for the desktop simulator: a room, its weather and a window heat pump.

    from tools.plant import DailyWeather, Plant, RoomParams, UnitParams

    plant = Plant(weather=DailyWeather(t_min_c=-4, t_max_c=4, rh_pct=85),
                  room=RoomParams(), unit=UnitParams(), start_room_c=20.0, start_hour=0.0,
                  valve="O", shared_fan_motor=False)
    plant.step(1.0, {"compressor": True, "reversing_valve": False, "fan_indoor": True,
                     "fan_outdoor": True})

Construction
    weather        DailyWeather(t_min_c, t_max_c, rh_pct), TableWeather(t_c, rh_pct, step_h)
                   or synthetic_year(seed); anything with at(hour) -> (t_c, rh_pct)
    room, unit     RoomParams(...), UnitParams(...): every number has a default
    start_room_c   room air and building mass start here (start_mass_c to set the mass apart)
    start_room_rh  % (default 50); start_hour: hours into the weather (day 0 midnight = 0)
    valve          the board's reversing-valve convention: "O" energised in cooling,
                   "B" energised in heating
    shared_fan_motor  one motor turns both fans: any fan relay runs both, at the indoor speed
    sensors        SensorParams(room_tau_s, coil_tau_s, outdoor_tau_s, noise_c, seed)

step(dt_s, relays)
    relays: logical relay name -> bool, as the firmware drives them. Names: compressor,
    reversing_valve, fan_indoor or fan_indoor_low / fan_indoor_med / fan_indoor_high,
    fan_outdoor, aux_heat. Missing names are off; an unknown name raises ValueError.
    Any dt_s works (split internally into steps of at most 1 s); a 1 s step costs ~10 us.

Read after a step (C, W, kg, Wh)
    t_s, room_c, mass_c, room_rh, outdoor_c, outdoor_rh, indoor_coil_c, outdoor_coil_c,
    frost_kg, pan_kg, condensate_full, overload_tripped, heating (refrigerant direction),
    capacity_w (sensible heat into the room, + heating / - cooling, fan heat included),
    latent_w (latent heat taken out with the condensate), power_w (electric),
    energy_wh, heat_delivered_wh, cool_delivered_wh (sensible + latent),
    sensor_temps() -> {"room", "indoor_coil", "outdoor", "outdoor_coil"} (lagged, noisy).
    plant.room and plant.unit hold the internals (per-step flows for energy checks).

Events
    set_stuck_valve(None | "heat" | "cool" | "current"), set_drain_blocked(bool),
    power(on): unpowered, the unit ignores the relays; the physics goes on.
"""

from tools.plant.plant import RELAYS, Plant, SensorParams
from tools.plant.room import MASS_CLASSES, RoomParams
from tools.plant.unit import UnitParams
from tools.plant.weather import DailyWeather, TableWeather, synthetic_year

__all__ = [
    "MASS_CLASSES",
    "RELAYS",
    "DailyWeather",
    "Plant",
    "RoomParams",
    "SensorParams",
    "TableWeather",
    "UnitParams",
    "synthetic_year",
]
