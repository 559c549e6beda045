"""The plant as the simulator drives it: relays, valve conventions, faults, sensors, energy."""

import statistics
import time

import pytest

from tools.plant import DailyWeather, Plant, RoomParams, SensorParams, synthetic_year

HEAT_O = {"compressor": True, "fan_indoor": True, "fan_outdoor": True}  # valve off = heat on O
COOL_O = dict(HEAT_O, reversing_valve=True)


def plant_at(t_out=5.0, rh=60.0, **kw):
    kw.setdefault("start_room_c", 21.0)
    return Plant(weather=DailyWeather(t_out, t_out, rh), **kw)


def run(plant, relays, seconds):
    for _ in range(seconds):
        plant.step(1.0, relays)
    return plant


@pytest.mark.parametrize("valve", ["O", "B"])
def test_reversing_valve_convention_comes_from_the_board(valve):
    energised = {
        "compressor": True,
        "reversing_valve": True,
        "fan_indoor": True,
        "fan_outdoor": True,
    }
    plant = run(plant_at(valve=valve), energised, 600)
    if valve == "O":  # energised in cooling
        assert plant.capacity_w < -1000.0 and plant.indoor_coil_c < 15.0
    else:  # "B": energised in heating
        assert plant.capacity_w > 1000.0 and plant.indoor_coil_c > 30.0
    assert plant.heating == (valve == "B")


def test_stuck_valve_keeps_the_direction_whatever_the_relay_says():
    plant = run(plant_at(), HEAT_O, 600)
    plant.set_stuck_valve("current")
    assert plant.stuck_valve == "heat"
    run(plant, {}, 200)
    run(plant, COOL_O, 600)  # the firmware asks for cooling
    assert plant.capacity_w > 1000.0  # but the room is still heated
    assert plant.indoor_coil_c > 30.0
    plant.set_stuck_valve(None)
    run(plant, {}, 200)
    run(plant, COOL_O, 600)
    assert plant.capacity_w < 0.0
    plant.set_stuck_valve("cool")
    run(plant, {}, 200)
    run(plant, HEAT_O, 600)
    assert plant.capacity_w < 0.0 and plant.indoor_coil_c < 15.0


def test_bad_events_are_refused_and_change_nothing():
    plant = plant_at()
    with pytest.raises(ValueError, match="one of None, 'heat', 'cool', 'current'; got 'hot'"):
        plant.set_stuck_valve("hot")
    assert plant.stuck_valve is None
    with pytest.raises(ValueError, match="drain blocked must be True or False"):
        plant.set_drain_blocked("yes")
    with pytest.raises(ValueError, match="power must be True or False"):
        plant.power(1)
    assert plant.powered


def test_unknown_relays_and_bad_steps_are_refused():
    plant = plant_at()
    with pytest.raises(ValueError, match="unknown relay 'compresor'; relays are compressor, "):
        plant.step(1.0, {"compresor": True})
    with pytest.raises(ValueError, match=r"dt_s must be in \(0, 86400\]"):
        plant.step(0.0, {})
    assert plant.t_s == 0.0
    with pytest.raises(ValueError, match="valve must be 'O' .* or 'B'"):
        plant_at(valve="X")
    with pytest.raises(ValueError, match="weather must be"):
        Plant(weather=None)


def test_blocked_drain_fills_the_pan_to_the_float_switch_and_clearing_it_drains():
    humid = dict(t_out=32.0, rh=50.0, start_room_c=27.0, start_room_rh=60.0)
    open_drain = run(plant_at(**humid), COOL_O, 3 * 3600)
    assert not open_drain.condensate_full
    assert open_drain.pan_kg < 0.2
    plant = plant_at(**humid)
    plant.set_drain_blocked(True)
    while not plant.condensate_full:
        plant.step(1.0, COOL_O)
        assert plant.t_s < 3 * 3600, "the pan never filled"
    assert 20 * 60 < plant.t_s < 120 * 60  # ~1 kg at about 1 kg/h of condensate
    assert plant.pan_kg >= 1.0
    run(plant, {}, 600)
    assert plant.condensate_full  # stopping does not empty a blocked pan
    plant.set_drain_blocked(False)
    run(plant, {}, 60)
    assert not plant.condensate_full  # the float drops as it drains


def test_power_off_ignores_the_relays_but_the_room_goes_on():
    plant = run(plant_at(t_out=-5.0), HEAT_O, 1800)
    warm = plant.room_c
    plant.power(False)
    run(plant, HEAT_O, 1800)
    assert plant.power_w == 0.0
    assert plant.unit.compressor_w == 0.0
    assert plant.room_c < warm - 0.5  # no heat, and it is cold outside
    plant.power(True)
    run(plant, HEAT_O, 600)
    assert plant.capacity_w > 1000.0


def test_shared_fan_motor_turns_the_outdoor_fan_with_the_indoor_one():
    separate = run(plant_at(), HEAT_O, 900)
    shared = run(plant_at(shared_fan_motor=True), {"compressor": True, "fan_indoor": True}, 900)
    assert shared.capacity_w == pytest.approx(separate.capacity_w, rel=1e-6)
    assert shared.power_w == pytest.approx(separate.power_w, rel=1e-6)
    alone = run(plant_at(), {"compressor": True, "fan_indoor": True}, 900)
    assert alone.outdoor_coil_c < shared.outdoor_coil_c - 5.0  # no air over the coil


def test_sensors_lag_the_plant_and_add_seeded_noise():
    plant = plant_at(t_out=5.0, start_room_c=20.0)
    run(plant, HEAT_O, 60)
    seen = plant.sensor_temps()
    assert set(seen) == {"room", "indoor_coil", "outdoor", "outdoor_coil", "supply_air"}
    assert seen["indoor_coil"] < plant.indoor_coil_c - 1.0  # an 8 s lag on a rising coil
    # Heating: the air leaves the unit warmer than the room and cooler than the coil.
    assert seen["room"] + 3.0 < seen["supply_air"] < seen["indoor_coil"]
    assert 20.0 <= seen["room"] < plant.room_c
    run(plant, HEAT_O, 600)
    assert plant.sensor_temps()["outdoor"] == pytest.approx(5.0)
    exact = plant_at(sensors=SensorParams(room_tau_s=0, coil_tau_s=0, outdoor_tau_s=0))
    run(exact, HEAT_O, 60)
    assert exact.sensor_temps()["indoor_coil"] == exact.indoor_coil_c

    def readings(seed):
        noisy = plant_at(sensors=SensorParams(noise_c=0.5, seed=seed))
        return [noisy.sensor_temps()["room"] for _ in range(2000)]

    a, b = readings(1), readings(1)
    assert a == b and a != readings(2)
    assert statistics.mean(a) == pytest.approx(21.0, abs=0.05)
    assert statistics.stdev(a) == pytest.approx(0.5, rel=0.1)


def test_counters_integrate_power_and_capacity():
    plant = plant_at(t_out=0.0, rh=50.0)
    energy = heat = 0.0
    for second in range(7200):
        plant.step(1.0, HEAT_O if second < 3600 else {})
        energy += plant.power_w / 3600.0
        heat += max(plant.capacity_w, 0.0) / 3600.0
    assert plant.energy_wh == pytest.approx(energy, rel=1e-9)
    assert plant.heat_delivered_wh == pytest.approx(heat, rel=1e-9)
    assert 2.0 < plant.heat_delivered_wh / plant.energy_wh < 3.5  # a seasonal-ish COP
    cool = run(plant_at(t_out=32.0, start_room_c=27.0, start_room_rh=60.0), COOL_O, 3600)
    assert cool.cool_delivered_wh > 2500.0  # about 3 kW for an hour, latent included
    assert cool.heat_delivered_wh < 0.1  # only the fan's first second


def test_room_receives_exactly_the_integral_of_capacity():
    # An adiabatic room: no loss, no infiltration, no gains. Its heat content can change
    # only by what the unit delivers, in heating, in cooling and through a defrost.
    room = RoomParams(ua_w_per_k=0.0, ach=0.0)
    plant = Plant(weather=DailyWeather(-2.0, 2.0, 90.0), room=room, start_room_c=18.0)
    e0 = plant.room.energy_j()
    delivered_j = 0.0
    schedule = [
        (HEAT_O, 3000),
        ({}, 300),
        ({"compressor": True, "reversing_valve": True}, 240),
        ({"reversing_valve": True}, 60),
        (COOL_O, 600),
        ({"fan_indoor": True}, 300),
    ]
    for relays, seconds in schedule:
        for _ in range(seconds):
            plant.step(1.0, relays)
            delivered_j += plant.capacity_w
    assert plant.room.energy_j() - e0 == pytest.approx(delivered_j, rel=1e-9)
    assert plant.heat_delivered_wh > 1000.0 and plant.cool_delivered_wh > 300.0


def test_room_energy_balance_with_losses_and_gains():
    room = RoomParams(people=((0.0, 2.0),), sun_peak_w=500.0)
    plant = Plant(weather=DailyWeather(-3.0, 5.0, 80.0), room=room, start_room_c=19.0)
    e0 = plant.room.energy_j()
    flows = 0.0
    for second in range(6 * 3600):
        plant.step(1.0, HEAT_O if second % 1800 < 900 else {})
        flows += plant.capacity_w + plant.room.gain_w - plant.room.loss_w
    assert plant.room.energy_j() - e0 == pytest.approx(flows, rel=1e-9)


def test_long_steps_match_one_second_steps():
    fine = plant_at(t_out=0.0, rh=85.0)
    coarse = plant_at(t_out=0.0, rh=85.0)
    for _ in range(60):
        run(fine, HEAT_O, 60)
        coarse.step(60.0, HEAT_O)
    assert coarse.t_s == fine.t_s == 3600.0
    assert coarse.room_c == pytest.approx(fine.room_c, abs=1e-9)
    assert coarse.frost_kg == pytest.approx(fine.frost_kg, rel=1e-9)


def test_a_simulated_day_takes_about_a_second():
    plant = Plant(weather=synthetic_year(), start_room_c=20.0, start_hour=24.0 * 20)
    started = time.perf_counter()
    for second in range(86400):
        plant.step(1.0, HEAT_O if second % 1200 < 600 else {})
    elapsed = time.perf_counter() - started
    assert elapsed < 5.0, f"86,400 plant steps took {elapsed:.1f} s"


def test_supply_air_is_the_room_with_what_the_unit_gave_it():
    cooling = plant_at(t_out=32.0, start_room_c=26.0)
    run(cooling, COOL_O, 300)
    seen = cooling.sensor_temps()
    assert seen["indoor_coil"] < seen["supply_air"] < seen["room"] - 5.0
    still = plant_at(t_out=5.0, start_room_c=20.0)
    run(still, {}, 300)  # no fan: the air stands at the room's
    seen = still.sensor_temps()
    assert seen["supply_air"] == pytest.approx(seen["room"], abs=0.2)
