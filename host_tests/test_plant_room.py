"""The room against hand physics: two-node decay modes, steady states, moisture."""

import math

import pytest

from tools.plant import DailyWeather, Plant, RoomParams
from tools.plant.psychro import CP_AIR, H_FG, w_from_rh
from tools.plant.room import Room


def two_node_modes(p: RoomParams):
    """Eigenvalues (1/s) and mass/air ratio of each eigenvector of the unheated room."""
    ca, cm, hms, hout = p.air_j_per_k, p.mass_j_per_k, p.h_ms_w_per_k, p.loss_w_per_k
    a11, a12 = -(hms + hout) / ca, hms / ca
    a21, a22 = hms / cm, -hms / cm
    tr, det = a11 + a22, a11 * a22 - a12 * a21
    disc = math.sqrt(tr * tr - 4.0 * det)
    modes = []
    for lam in ((tr - disc) / 2.0, (tr + disc) / 2.0):  # fast, slow
        modes.append((lam, hms / (cm * lam + hms)))
    return modes


def test_default_room_has_the_iso_13790_numbers():
    p = RoomParams()
    assert p.air_j_per_k == pytest.approx(1.2 * 50 * 1006 + 10e3 * 20)  # air + furniture
    assert p.mass_j_per_k == pytest.approx(3.3e6)  # medium: 165 kJ/(m2 K) x 20 m2
    assert p.h_ms_w_per_k == pytest.approx(9.1 * 2.5 * 20)
    assert p.infiltration_kg_s * CP_AIR == pytest.approx(8.4, abs=0.1)  # 0.5 ACH ~ 8 W/K
    assert RoomParams(mass_class="very_heavy").mass_j_per_k == pytest.approx(370e3 * 20)


@pytest.mark.parametrize("mode", ["fast", "slow"])
def test_unheated_room_decays_along_each_analytic_mode(mode):
    p = RoomParams()
    lam, ratio = two_node_modes(p)[0 if mode == "fast" else 1]
    t_out = 0.0
    room = Room(p, t_air_c=10.0, t_mass_c=10.0 * ratio, w=0.005)
    tau = -1.0 / lam
    checks = {round(tau): None, round(2 * tau): None}
    for second in range(1, round(2 * tau) + 1):
        room.step(1.0, 0.0, 0.0, t_out, 0.005, 0)
        if second in checks:
            checks[second] = room.t_air_c
    for second, t_air in checks.items():
        assert t_air / 10.0 == pytest.approx(math.exp(lam * second), rel=0.005)
        # The mass keeps its place in the eigenvector: a pure mode stays pure.
    assert room.t_mass_c / room.t_air_c == pytest.approx(ratio, rel=0.01)


def test_fast_mode_is_minutes_and_slow_mode_is_about_c_over_ua():
    p = RoomParams()
    (fast, _), (slow, _) = two_node_modes(p)
    assert 5 * 60 < -1.0 / fast < 15 * 60  # the air and furniture answer in minutes
    c_over_ua = (p.air_j_per_k + p.mass_j_per_k) / p.loss_w_per_k
    assert -1.0 / slow == pytest.approx(c_over_ua, rel=0.1)  # ~20 h for the default room
    assert 15 * 3600 < -1.0 / slow < 25 * 3600


def test_plant_with_the_unit_off_cools_toward_outdoors_on_the_slow_mode():
    p = RoomParams()
    lam, ratio = two_node_modes(p)[1]
    plant = Plant(
        weather=DailyWeather(0.0, 0.0, 50.0),
        room=p,
        start_room_c=10.0,
        start_mass_c=10.0 * ratio,
    )
    hours = 10
    for _ in range(hours * 3600):
        plant.step(1.0, {})
    expected = 10.0 * math.exp(lam * hours * 3600)
    # The idle coils add a little mass to the air node: within 1 %.
    assert plant.room_c == pytest.approx(expected, rel=0.01)
    assert 0.0 < plant.room_c < 10.0


def test_constant_gains_hold_the_room_at_gain_over_loss_above_outdoors():
    p = RoomParams(people=((0.0, 2.0),), internal_gain_w=100.0, sun_peak_w=0.0)
    gain_w = 2 * p.person_sensible_w + 100.0
    steady = 5.0 + gain_w / p.loss_w_per_k
    plant = Plant(weather=DailyWeather(5.0, 5.0, 50.0), room=p, start_room_c=steady)
    for _ in range(24 * 3600):
        plant.step(1.0, {})
    assert plant.room_c == pytest.approx(steady, abs=0.02)
    assert plant.mass_c == pytest.approx(steady, abs=0.02)


def test_sun_warms_the_mass_first_and_people_only_in_their_hours():
    p = RoomParams(people=((8.0, 3.0), (18.0, 0.0)), sun_peak_w=600.0)
    assert p.people_at(3.0) == 0.0 and p.people_at(12.0) == 3.0 and p.people_at(20.0) == 0.0
    assert p.sun_at(13.0) == pytest.approx(600.0) and p.sun_at(2.0) == 0.0
    plant = Plant(weather=DailyWeather(10.0, 10.0, 50.0), room=p, start_room_c=15.0)
    temps = {}
    for second in range(24 * 3600):
        plant.step(1.0, {})
        if second % 3600 == 0:
            temps[second // 3600] = (plant.room_c, plant.mass_c)
    assert temps[17][0] > temps[8][0] + 0.5  # occupied, sunny afternoon warms the room
    assert temps[23][0] < temps[17][0]  # and it cools after they leave
    assert temps[14][1] > temps[8][1]  # the sun goes into the mass


def test_infiltration_brings_room_moisture_to_outdoor_with_its_time_constant():
    p = RoomParams()
    w_out = w_from_rh(20.0, 30.0)
    plant = Plant(
        weather=DailyWeather(20.0, 20.0, 30.0), room=p, start_room_c=20.0, start_room_rh=80.0
    )
    w0 = plant.room.w
    tau = 1.2 * p.volume_m3 * p.moisture_buffer / p.infiltration_kg_s
    for _ in range(round(tau)):
        plant.step(1.0, {})
    assert (plant.room.w - w_out) / (w0 - w_out) == pytest.approx(math.exp(-1.0), rel=0.01)


def test_people_add_their_latent_heat_as_moisture():
    p = RoomParams(people=((0.0, 4.0),))
    w_out = w_from_rh(20.0, 50.0)
    steady = w_out + 4 * p.person_latent_w / H_FG / p.infiltration_kg_s
    room = Room(p, 20.0, 20.0, steady)
    for _ in range(3600):
        room.step(1.0, 0.0, 0.0, 20.0, w_out, 600)
    assert room.w == pytest.approx(steady, rel=1e-6)
    assert room.rh_pct > 50.0


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"mass_class": "concrete"}, "mass_class must be one of very_light, light, medium"),
        ({"floor_m2": -5}, "floor_m2 must be in 1..1000"),
        ({"ua_w_per_k": "40"}, "ua_w_per_k must be a number"),
        ({"people": ((9.0, 1), (8.0, 0))}, "people hours must increase"),
        ({"people": ((25.0, 1),)}, "people[0] hour must be in 0..23.999"),
        ({"sunset_h": 5.0}, "sunset_h must be in 7..24"),
    ],
)
def test_bad_room_parameters_are_refused_with_the_allowed_values(kwargs, words):
    with pytest.raises(ValueError) as err:
        RoomParams(**kwargs)
    assert words in str(err.value)
