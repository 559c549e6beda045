"""Frost on the outdoor coil: where it grows, what it costs, how defrost melts it."""

import pytest

from tools.plant import DailyWeather, Plant, RoomParams
from tools.plant.frost import C_ICE

HEAT = {"compressor": True, "fan_indoor": True, "fan_outdoor": True}
DEFROST = {"compressor": True, "reversing_valve": True}  # reverse cycle, both fans off


def chamber(t_out_c, rh_out, t_in_c=21.0, **kw):
    room = RoomParams(furniture_kj_per_m2k=1e9, moisture_buffer=1e9)
    weather = DailyWeather(t_out_c, t_out_c, rh_out)
    return Plant(weather=weather, room=room, start_room_c=t_in_c, start_room_rh=40.0, **kw)


def run(plant, relays, seconds):
    for _ in range(seconds):
        plant.step(1.0, relays)
    return plant


@pytest.mark.parametrize(
    "t_out_c, rh, grows",
    [
        (8.0, 95.0, False),  # coil surface above 0 C: condensate, no frost
        (6.0, 95.0, False),
        (2.0, 90.0, True),
        (0.0, 90.0, True),
        (0.0, 40.0, False),  # coil below 0 C but the air too dry to reach it
        (-5.0, 85.0, True),
        (-15.0, 80.0, True),
    ],
)
def test_frost_grows_only_on_a_coil_below_0_c_in_air_humid_enough(t_out_c, rh, grows):
    plant = run(chamber(t_out_c, rh), HEAT, 3600)
    if grows:
        assert plant.frost_kg > 0.05
        assert plant.outdoor_coil_c < 0.0
    else:
        assert plant.frost_kg == 0.0


def test_no_frost_while_the_unit_is_off():
    plant = run(chamber(-3.0, 95.0), {}, 3 * 3600)
    assert plant.frost_kg == 0.0  # the coil sits at the air temperature: never below its dew point


def test_frost_pulls_the_coil_temperature_and_the_capacity_down_as_it_grows():
    plant = run(chamber(0.0, 90.0), HEAT, 600)
    coil_10_min, cap_10_min = plant.outdoor_coil_c, plant.capacity_w
    run(plant, HEAT, 50 * 60)
    assert 0.3 < plant.frost_kg < 1.0  # a 3.5 kW coil in an hour of wet 0 C weather
    assert plant.outdoor_coil_c < coil_10_min - 3.0
    assert plant.capacity_w < 0.85 * cap_10_min
    assert plant.power_w < run(chamber(0.0, 90.0), HEAT, 600).power_w  # and COP falls


def steady_heating_with_frost(frost_kg):
    # Dry air holds the frost load steady: nothing grows, nothing melts.
    plant = chamber(-2.0, 20.0)
    plant.unit.frost_kg = frost_kg
    run(plant, HEAT, 1200)
    assert plant.frost_kg == pytest.approx(frost_kg, abs=1e-3)
    return plant


def test_a_heavily_frosted_coil_loses_at_least_40_pct_of_its_capacity():
    clean = steady_heating_with_frost(0.0)
    half = steady_heating_with_frost(0.3)  # a quarter of the air path closed
    heavy = steady_heating_with_frost(0.84)  # 70 % closed
    assert 0.05 < 1.0 - half.capacity_w / clean.capacity_w < 0.2
    assert 1.0 - heavy.capacity_w / clean.capacity_w >= 0.40
    assert heavy.outdoor_coil_c < clean.outdoor_coil_c - 10.0
    clean_cop = clean.capacity_w / clean.power_w
    assert heavy.capacity_w / heavy.power_w < 0.85 * clean_cop


def test_reverse_cycle_defrost_melts_the_frost_with_334_kj_per_kg():
    # Outdoor air at 0 C: the melting coil exchanges nothing with it, so every joule the
    # refrigerant brings goes into the ice and the coil metal.
    plant = Plant(weather=DailyWeather(0.0, 0.0, 30.0), start_room_c=21.0)
    run(plant, HEAT, 1200)
    plant.unit.frost_kg = frost0 = 0.5
    c_coil = plant.unit.params.outdoor_coil_j_per_k
    t0 = plant.outdoor_coil_c
    run(plant, {"reversing_valve": True}, 30)  # compressor off while the valve moves
    e_coil0 = (c_coil + frost0 * C_ICE) * plant.outdoor_coil_c
    into_coil_j = 0.0
    held_at_zero = 0
    room0, ic0 = plant.room.energy_j(), plant.indoor_coil_c
    from_room_j = 0.0
    while plant.outdoor_coil_c < 13.0:
        plant.step(1.0, DEFROST)
        into_coil_j += plant.unit.condenser_w + plant.unit.outdoor_air_w
        from_room_j -= plant.capacity_w
        if plant.frost_kg > 0.0 and plant.outdoor_coil_c == 0.0:
            held_at_zero += 1
        assert plant.t_s < 1200 + 30 + 900, "defrost never finished"
    assert t0 < -3.0
    assert plant.frost_kg == 0.0
    assert held_at_zero > 30  # the coil sensor sits at 0 C while the ice melts
    melt_j = into_coil_j - (c_coil * plant.outdoor_coil_c - e_coil0)
    assert melt_j == pytest.approx(frost0 * 334e3, rel=0.005)
    # The heat came from the room and from the indoor coil's store (and the compressor).
    assert from_room_j > 0.0
    assert plant.room.energy_j() < room0
    assert plant.indoor_coil_c < ic0 - 30.0


def test_defrost_energy_adds_up_from_room_to_ice():
    plant = Plant(weather=DailyWeather(0.0, 0.0, 30.0), start_room_c=21.0)
    run(plant, HEAT, 1200)
    plant.unit.frost_kg = 0.4
    run(plant, {"reversing_valve": True}, 30)
    unit = plant.unit
    c_in, c_out = unit.params.indoor_coil_j_per_k, unit.params.outdoor_coil_j_per_k
    ic0, oc0, frost0 = plant.indoor_coil_c, plant.outdoor_coil_c, plant.frost_kg
    from_room = work = from_outdoor_air = 0.0
    while plant.outdoor_coil_c < 13.0:
        plant.step(1.0, DEFROST)
        from_room += plant.latent_w - plant.capacity_w  # no fans: all through the coil
        work += unit.compressor_w
        from_outdoor_air += unit.outdoor_air_w
    indoor_coil_gave = c_in * (ic0 - plant.indoor_coil_c)
    outdoor_coil_took = c_out * plant.outdoor_coil_c - (c_out + frost0 * C_ICE) * oc0
    supplied = from_room + indoor_coil_gave + work + from_outdoor_air
    assert supplied == pytest.approx(frost0 * 334e3 + outdoor_coil_took, rel=0.005)
    assert from_room > 0.1 * frost0 * 334e3  # the room pays a real share


def test_more_frost_takes_longer_to_melt():
    def defrost_seconds(frost_kg):
        plant = Plant(weather=DailyWeather(-2.0, -2.0, 30.0), start_room_c=21.0)
        run(plant, HEAT, 1200)
        plant.unit.frost_kg = frost_kg
        run(plant, {"reversing_valve": True}, 30)
        start = plant.t_s
        while plant.outdoor_coil_c < 13.0:
            plant.step(1.0, DEFROST)
        return plant.t_s - start

    light, heavy = defrost_seconds(0.2), defrost_seconds(0.6)
    assert 60 < light < heavy < 10 * 60  # window-unit defrosts take minutes, under 10
    assert heavy > light + 60


def test_frost_melts_off_an_idle_coil_in_mild_air_into_the_pan():
    plant = chamber(5.0, 60.0)
    plant.set_drain_blocked(True)
    plant.unit.frost_kg = 0.3
    run(plant, {"fan_outdoor": True}, 60)
    assert 0.0 < plant.frost_kg < 0.3
    assert plant.outdoor_coil_c == 0.0
    run(plant, {"fan_outdoor": True}, 1800)
    assert plant.frost_kg == 0.0
    assert plant.pan_kg == pytest.approx(0.3, rel=1e-6)  # every gram of it
    assert plant.outdoor_coil_c == pytest.approx(5.0, abs=0.1)
