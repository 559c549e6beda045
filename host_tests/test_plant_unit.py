"""The heat pump against its published curves and against what real units do."""

import pytest

from tools.plant import DailyWeather, Plant, RoomParams, UnitParams
from tools.plant.curves import cool_ratios, heat_ratios
from tools.plant.psychro import f_to_c, rh_from_w, w_from_wet_bulb

HEAT = {"compressor": True, "fan_indoor": True, "fan_outdoor": True}
COOL = dict(HEAT, reversing_valve=True)  # "O" board: energised in cooling
FANS_ONLY = {"fan_indoor": True, "fan_outdoor": True}


def chamber(t_in_c, rh_in, t_out_c, rh_out, **kw):
    """A psychrometric test room: so much capacity that it holds its temperature and RH."""
    room = RoomParams(furniture_kj_per_m2k=1e9, moisture_buffer=1e9)
    return Plant(
        weather=DailyWeather(t_out_c, t_out_c, rh_out),
        room=room,
        start_room_c=t_in_c,
        start_room_rh=rh_in,
        **kw,
    )


def run(plant, relays, seconds):
    for _ in range(seconds):
        plant.step(1.0, relays)
    return plant


def total_cooling_w(plant):
    return plant.latent_w - plant.capacity_w


# The reference table (NREL curves at 70 F indoor, as ratios to 47 F): capacity, COP.
HEAT_TABLE = {
    62: (1.21, 1.10),
    47: (1.00, 1.00),
    35: (0.84, 0.91),
    17: (0.63, 0.74),
    5: (0.51, 0.64),
}


@pytest.mark.parametrize("t_out_f", sorted(HEAT_TABLE))
def test_steady_heating_matches_the_nrel_ratios_at_the_rating_points(t_out_f):
    # Dry outdoor air: the curves are steady-state, frost-free numbers.
    plant = run(chamber(f_to_c(70), 40, f_to_c(t_out_f), 30), HEAT, 1500)
    cop = plant.capacity_w / plant.power_w
    cap_ratio, cop_ratio = HEAT_TABLE[t_out_f]
    assert plant.capacity_w / 3220.0 == pytest.approx(cap_ratio, abs=0.015)
    assert cop / 3.0 == pytest.approx(cop_ratio, abs=0.015)
    # And to the curve itself, unrounded.
    exact_cap, exact_cop = heat_ratios(70.0, t_out_f)
    assert plant.capacity_w == pytest.approx(3220.0 * exact_cap, rel=0.002)
    assert cop == pytest.approx(3.0 * exact_cop, rel=0.002)
    assert plant.frost_kg == 0.0


@pytest.mark.parametrize("t_out_f", [82, 95, 105, 115])
def test_steady_cooling_matches_the_nrel_curve_at_80_67_indoor(t_out_f):
    w_in = w_from_wet_bulb(f_to_c(80), f_to_c(67))
    plant = chamber(f_to_c(80), rh_from_w(f_to_c(80), w_in), f_to_c(t_out_f), 40)
    run(plant, COOL, 1500)
    cap_ratio, cop_ratio = cool_ratios(67.0, t_out_f)
    total = total_cooling_w(plant)
    assert total == pytest.approx(3517.0 * cap_ratio, rel=0.002)
    assert total / plant.power_w == pytest.approx(3.22 * cop_ratio, rel=0.002)
    # A window unit at the AHRI point removes about a quarter of its load as moisture.
    if t_out_f == 95:
        assert 0.7 < -plant.capacity_w / total < 0.85
        assert 0.8 < plant.unit.room_water_kg_s * 3600 < 1.6  # kg/h into the pan


@pytest.mark.parametrize("t_in_f", [60, 80])
def test_indoor_temperature_moves_heating_capacity_and_power_as_the_curves_do(t_in_f):
    plant = run(chamber(f_to_c(t_in_f), 40, f_to_c(47), 30), HEAT, 1500)
    cap_ratio, cop_ratio = heat_ratios(t_in_f, 47.0)
    assert plant.capacity_w == pytest.approx(3220.0 * cap_ratio, rel=0.002)
    assert plant.capacity_w / plant.power_w == pytest.approx(3.0 * cop_ratio, rel=0.002)


def test_coil_temperatures_at_rating_are_what_units_show():
    heat = run(chamber(f_to_c(70), 40, f_to_c(47), 30), HEAT, 1500)
    assert 35.0 < heat.indoor_coil_c < 45.0  # condensing
    # EnergyPlus's frost correlation puts the outdoor coil at 0.82 T_out - 8.6 C = -1.8 C.
    assert heat.outdoor_coil_c == pytest.approx(0.82 * f_to_c(47) - 8.6, abs=1.5)
    cold = run(chamber(f_to_c(70), 40, f_to_c(17), 30), HEAT, 1500)
    assert cold.outdoor_coil_c == pytest.approx(0.82 * f_to_c(17) - 8.6, abs=2.5)
    cool = run(chamber(26.7, 51, 35.0, 40), COOL, 1500)
    assert 5.0 < cool.indoor_coil_c < 13.0
    assert 45.0 < cool.outdoor_coil_c < 60.0


def test_lower_fan_speed_gives_less_cooling_from_a_colder_wetter_coil():
    high = run(chamber(26.7, 51, 35.0, 40), COOL, 1500)
    low_relays = {
        "compressor": True,
        "reversing_valve": True,
        "fan_indoor_low": True,
        "fan_outdoor": True,
    }
    low = run(chamber(26.7, 51, 35.0, 40), low_relays, 1500)
    assert 0.85 < total_cooling_w(low) / total_cooling_w(high) < 0.99
    assert low.indoor_coil_c < high.indoor_coil_c - 1.0
    assert low.latent_w / total_cooling_w(low) > high.latent_w / total_cooling_w(high)
    assert low.power_w < high.power_w  # a slower fan draws less, the compressor less too


def seconds_to_63_pct(plant, relays, fan_heat_w):
    run(plant, {k: v for k, v in relays.items() if k != "compressor"}, 5)
    delivered = []
    for _ in range(1200):
        plant.step(1.0, relays)
        delivered.append(abs(plant.capacity_w - fan_heat_w) + plant.latent_w)
    target = 0.632 * delivered[-1]
    return next(i + 1 for i, q in enumerate(delivered) if q >= target)


def test_capacity_ramps_up_after_a_start_with_about_60_s_time_constant():
    heat = seconds_to_63_pct(chamber(f_to_c(70), 40, f_to_c(47), 30), HEAT, 60.0)
    cool = seconds_to_63_pct(chamber(26.7, 51, 35.0, 40), COOL, 60.0)
    assert 45 <= heat <= 75
    assert 45 <= cool <= 75
    slower = chamber(f_to_c(70), 40, f_to_c(47), 30, unit=UnitParams(ramp_tau_s=200.0))
    assert seconds_to_63_pct(slower, HEAT, 60.0) > heat + 30


def test_restart_after_a_short_stop_ramps_faster_than_after_a_long_one():
    plant = run(chamber(f_to_c(70), 40, f_to_c(47), 30), HEAT, 1200)
    run(plant, FANS_ONLY, 30)
    short = seconds_to_63_pct(plant, HEAT, 60.0)
    run(plant, FANS_ONLY, 1800)
    long = seconds_to_63_pct(plant, HEAT, 60.0)
    assert short < long - 15


def cyclic_degradation(relays, t_in, rh_in, t_out):
    """DOE cyclic test: 6 min on / 24 min off after steady state, fans cycling too."""
    plant = run(chamber(t_in, rh_in, t_out, 20), relays, 1800)
    steady_q = abs(plant.capacity_w) + plant.latent_w
    steady_p = plant.power_w
    off = {"reversing_valve": relays.get("reversing_valve", False)}
    run(plant, off, 1440)
    q = e = 0.0
    for _ in range(3):
        for state, seconds in ((relays, 360), (off, 1440)):
            for _ in range(seconds):
                plant.step(1.0, state)
                q += abs(plant.capacity_w) + plant.latent_w
                e += plant.power_w
    clf = q / (steady_q * 3 * 1800)
    eer_ratio = (q / e) / (steady_q / steady_p)
    return (1.0 - eer_ratio) / (1.0 - clf)


def test_short_cycles_cost_energy_like_a_real_unit():
    # Published degradation coefficients Cd are ~0.07-0.2 (NREL uses 0.11 heating,
    # 0.07 cooling for current units).
    assert 0.07 < cyclic_degradation(HEAT, f_to_c(70), 30, f_to_c(47)) < 0.2
    assert 0.07 < cyclic_degradation(COOL, f_to_c(80), 20, f_to_c(82)) < 0.2


def cop_of_cycles(on_s, off_s):
    plant = run(chamber(f_to_c(70), 40, f_to_c(47), 30), HEAT, 1800)
    run(plant, {}, off_s)
    q = e = 0.0
    for _ in range(4):
        for state, seconds in ((HEAT, on_s), ({}, off_s)):
            for _ in range(seconds):
                plant.step(1.0, state)
                q += plant.capacity_w
                e += plant.power_w
    return q / e


def test_long_runs_lose_little_and_three_minute_cycles_lose_much_more():
    steady = 3.0
    assert cop_of_cycles(1800, 1800) > 0.97 * steady
    assert cop_of_cycles(180, 180) < 0.88 * steady


def test_cooling_without_the_indoor_fan_drives_the_indoor_coil_toward_freezing():
    plant = chamber(26.7, 50, 35.0, 40)
    no_fan = {"compressor": True, "reversing_valve": True, "fan_outdoor": True}
    run(plant, no_fan, 120)
    assert plant.indoor_coil_c < 0.0
    run(plant, no_fan, 180)
    assert plant.indoor_coil_c < -15.0
    assert -plant.capacity_w < 0.25 * 3517.0  # the room air is hardly cooled
    assert not plant.overload_tripped


def test_heating_without_the_indoor_fan_overheats_the_coil_until_the_overload_trips():
    plant = chamber(21.0, 40, 8.0, 40)
    no_fan = {"compressor": True, "fan_outdoor": True}
    while plant.indoor_coil_c < 60.0 and plant.t_s < 180.0:
        plant.step(1.0, no_fan)
    assert plant.t_s < 120.0  # past the firmware's 60 C limit within two minutes
    while not plant.overload_tripped:
        plant.step(1.0, no_fan)
        assert plant.indoor_coil_c < 72.0
    tripped_at = plant.t_s
    plant.step(1.0, no_fan)
    assert plant.power_w == pytest.approx(70.0)  # only the outdoor fan: the compressor is out
    while plant.overload_tripped:
        plant.step(1.0, no_fan)
    assert plant.t_s - tripped_at >= 300.0  # the protector needs its time and a cool coil
    assert plant.indoor_coil_c < 50.0
    plant.step(1.0, no_fan)
    assert plant.unit.compressor_w > 300.0  # and then it starts again


def test_cooling_without_the_outdoor_fan_trips_the_overload_on_head_pressure():
    plant = chamber(26.7, 50, 35.0, 40)
    no_fan = {"compressor": True, "reversing_valve": True, "fan_indoor": True}
    hottest = 0.0
    while not plant.overload_tripped and plant.t_s < 300.0:
        plant.step(1.0, no_fan)
        hottest = max(hottest, plant.outdoor_coil_c)
    assert plant.overload_tripped
    assert hottest >= 70.0
    plant.step(1.0, no_fan)
    assert plant.unit.compressor_w == 0.0


def test_aux_heater_needs_indoor_air():
    plant = chamber(20.0, 40, 0.0, 50)
    run(plant, {"fan_indoor": True, "aux_heat": True}, 5)
    assert plant.capacity_w == pytest.approx(3000.0 + 60.0, abs=20.0)
    assert plant.power_w == pytest.approx(3060.0)
    run(plant, {"aux_heat": True}, 5)
    assert plant.power_w == 0.0  # its limit switch is open without airflow


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"heat_rated_cop": 0.5}, "heat_rated_cop must be in 1..8"),
        ({"speed_flow": (0.5, 0.8)}, "speed_flow must be 3 numbers (low, med, high)"),
        ({"pan_float_kg": 2.0}, "pan_float_kg (2) must not exceed pan_max_kg (1.5)"),
        ({"overload_reset_c": 80.0}, "overload_reset_c (80) must be below overload_trip_c (70)"),
    ],
)
def test_bad_unit_parameters_are_refused_with_the_allowed_values(kwargs, words):
    with pytest.raises(ValueError) as err:
        UnitParams(**kwargs)
    assert words in str(err.value)
