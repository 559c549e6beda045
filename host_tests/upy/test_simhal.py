"""The simulated HAL: the ADC chain, sensor breaks, relays and their log, time
(MicroPython and CPython)."""

import gc

from check import eq, raises
from heatpump import adc_table, thermistor, ticks
from heatpump.board import load_board
from heatpump.hal.sim import SimHAL

DEVKIT = load_board("esp32-devkitc")  # active-low relays, separate fans
X4 = load_board("esp32-relay-x4")  # active-high relays, one fan motor


def test_relays_start_off_at_their_off_level():
    hal = SimHAL(DEVKIT)
    for name in DEVKIT.relays:
        eq(hal.relay(name), False, name)
        eq(hal.pin_level(name), 1, name + " level (active low)")
    hal = SimHAL(X4)
    for name in X4.relays:
        eq(hal.pin_level(name), 0, name + " level (active high)")
    eq(hal.relay_log, [], "nothing switched yet")


def test_relay_changes_are_logged_with_their_time():
    hal = SimHAL(DEVKIT, start_ms=5000)
    hal.advance(1000)
    hal.set_relay("fan_outdoor", True)
    hal.advance(250)
    hal.set_relay("fan_outdoor", True)  # no change: no entry
    hal.set_relay("compressor", 1)
    hal.advance(180_000)
    hal.set_relay("compressor", False)
    eq(
        hal.relay_log,
        [(1000, "fan_outdoor", True), (1250, "compressor", True), (181250, "compressor", False)],
        "relay log",
    )
    eq(hal.pin_level("fan_outdoor"), 0, "active-low relay on drives its pin low")
    eq(hal.relay("compressor"), False, "compressor")


def test_unknown_relay_is_refused_by_name():
    hal = SimHAL(X4)
    e = raises(ValueError, hal.set_relay, "fan_outdoor", True)
    msg = str(e)
    assert "fan_outdoor" in msg and "esp32-relay-x4" in msg and "compressor" in msg, msg
    raises(ValueError, hal.relay, "fan_outdoor")
    eq(hal.relay_log, [], "nothing logged")


def test_all_relays_off_turns_everything_off_in_board_order():
    hal = SimHAL(DEVKIT)
    for name in ("aux_heat", "fan_indoor_high", "compressor"):
        hal.set_relay(name, True)
    hal.advance(10)
    hal.all_relays_off()
    eq([n for n in DEVKIT.relays if hal.relay(n)], [], "relays still on")
    # the same order on both interpreters (a plain dict's order would differ)
    eq(
        hal.relay_log[3:],
        [(10, "compressor", False), (10, "fan_indoor_high", False), (10, "aux_heat", False)],
        "log of the way out",
    )


def test_log_can_be_switched_off_for_long_runs():
    hal = SimHAL(DEVKIT, log_relays=False)
    hal.set_relay("compressor", True)
    eq(hal.relay_log, [], "log")
    eq(hal.relay("compressor"), True, "state still kept")


def test_clock_starts_where_asked_and_wraps_like_the_board():
    start = ticks.PERIOD - 500
    hal = SimHAL(DEVKIT, start_ms=start)
    eq(hal.ticks_ms(), start, "start")
    hal.advance(1000)
    if ticks.BOARD_WRAP:
        eq(hal.ticks_ms(), 500, "past the wrap")
    eq(ticks.ticks_diff(hal.ticks_ms(), start), 1000, "ticks_diff across the wrap")
    eq(hal.elapsed_ms, 1000, "elapsed is monotonic")
    raises(ValueError, hal.advance, -1)


def test_advance_takes_any_span_in_steps_the_clock_accepts():
    # ticks_add refuses 2**29 ms or more: a long jump is made of shorter ones.
    start = ticks.PERIOD - 60_000
    hal = SimHAL(DEVKIT, start_ms=start)
    week_ms = 7 * 86_400_000
    hal.advance(week_ms)
    want = start + week_ms
    eq(hal.ticks_ms(), want % ticks.PERIOD if ticks.BOARD_WRAP else want, "ticks a week on")
    eq(hal.elapsed_ms, week_ms, "elapsed")
    eq(hal.elapsed_s, 7 * 86_400, "elapsed seconds")
    hal.advance(1500)
    eq(hal.elapsed_ms, week_ms + 1500, "elapsed ms beyond the second")


def test_reading_is_what_the_board_would_see():
    hal = SimHAL(DEVKIT)
    for sensor in DEVKIT.sensors:
        ch = hal.channels[sensor]
        for c in (-5.0, 0.0, 21.5, 40.0):
            hal.set_temp(sensor, c)
            eq(hal.temp(sensor), c, "temp() gives back the set value")
            mv = hal.read_adc(sensor)
            assert isinstance(mv, int), mv
            assert abs(mv - ch.mv_at(c)) <= 1, (sensor, c, mv, ch.mv_at(c))
            eq(ch.fault(mv), 0, "no fault")
            assert abs(ch.dC(mv) - c * 10) <= 2, (sensor, c, ch.dC(mv))


def test_adc_saturates_beyond_its_range():
    hal = SimHAL(DEVKIT)
    # Far colder than the divider can show: the pin nears 3.3 V, the ADC saturates.
    hal.set_temp("room", -80)
    eq(hal.read_adc("room"), thermistor.FULL_SCALE_MV, "saturated reading")
    eq(hal.channels["room"].fault(thermistor.FULL_SCALE_MV), adc_table.OPEN, "reads as open")


def test_broken_sensor_reads_at_the_rail_and_faults():
    hal = SimHAL(DEVKIT)
    ch = hal.channels["outdoor_coil"]
    hal.break_sensor("outdoor_coil", "open")
    eq(ch.fault(hal.read_adc("outdoor_coil")), adc_table.OPEN, "open")
    hal.break_sensor("outdoor_coil", "short")
    eq(hal.read_adc("outdoor_coil"), 0, "short pulls the pin to GND")
    eq(ch.fault(hal.read_adc("outdoor_coil")), adc_table.SHORT, "short")
    hal.set_temp("outdoor_coil", -3.0)  # the plant keeps moving; still broken
    eq(ch.fault(hal.read_adc("outdoor_coil")), adc_table.SHORT, "still short")
    hal.break_sensor("outdoor_coil", None)
    mv = hal.read_adc("outdoor_coil")
    eq(ch.fault(mv), 0, "repaired")
    eq(ch.dC(mv), -30, "repaired, at the temperature set meanwhile")
    raises(ValueError, hal.break_sensor, "outdoor_coil", "melted")


def test_unknown_sensor_is_refused_by_name():
    hal = SimHAL(X4)  # no supply_air on this board
    e = raises(ValueError, hal.read_adc, "supply_air")
    assert "supply_air" in str(e) and "room" in str(e), e
    raises(ValueError, hal.set_temp, "supply_air", 20)


def test_noise_is_seeded_and_centred():
    a = SimHAL(DEVKIT, seed=7, noise_mv=5)
    b = SimHAL(DEVKIT, seed=7, noise_mv=5)
    c = SimHAL(DEVKIT, seed=8, noise_mv=5)
    ra = [a.read_adc("room") for _ in range(200)]
    rb = [b.read_adc("room") for _ in range(200)]
    rc = [c.read_adc("room") for _ in range(200)]
    eq(ra, rb, "same seed, same readings")
    assert ra != rc, "another seed, other readings"
    truth = a.channels["room"].mv_at(20.0)
    mean = sum(ra) / len(ra)
    assert abs(mean - truth) < 1.0, (mean, truth)
    spread = max(ra) - min(ra)
    assert 3 <= spread <= 20, spread  # 5 mV per sample, averaged over 8
    quiet = SimHAL(DEVKIT)
    eq(len(set(quiet.read_adc("room") for _ in range(20))), 1, "no noise: steady")


def test_random_ms_is_seeded_in_range_and_ignores_noise():
    a = SimHAL(DEVKIT, seed=3)
    b = SimHAL(DEVKIT, seed=3, noise_mv=10)
    b.read_adc("room")  # noise draws must not shift the restart delays
    da = [a.random_ms(30_000) for _ in range(50)]
    db = [b.random_ms(30_000) for _ in range(50)]
    eq(da, db, "same seed, same delays")
    assert all(0 <= d <= 30_000 for d in da), da
    assert len(set(da)) > 40, da
    eq(a.random_ms(0), 0, "max 0")
    other = SimHAL(DEVKIT, seed=4)
    assert [other.random_ms(30_000) for _ in range(50)] != da


def test_inputs_follow_set_input_and_polarity():
    hal = SimHAL(DEVKIT)
    eq(hal.read_input("condensate_full"), False, "pan empty at start")
    eq(hal.pin_level("condensate_full"), 0, "closed NC float switch: pin low")
    hal.set_input("condensate_full", True)
    eq(hal.read_input("condensate_full"), True, "pan full")
    eq(hal.pin_level("condensate_full"), 1, "open switch: pulled high")
    e = raises(ValueError, hal.read_input, "pressure_trip")
    assert "pressure_trip" in str(e) and "condensate_full" in str(e), e
    raises(ValueError, hal.set_input, "pressure_trip", True)


def test_watchdog_counts_feeds_and_expires_when_starved():
    hal = SimHAL(DEVKIT)
    hal.feed_watchdog()
    eq(hal.watchdog_fed, 1, "feeds")
    hal.advance(60_000)
    eq(hal.watchdog_expired, False, "not started: never expires")
    hal.start_watchdog(10_000)
    hal.advance(9_000)
    hal.feed_watchdog()
    hal.advance(9_000)
    eq(hal.watchdog_expired, False, "fed in time")
    hal.advance(2_000)
    eq(hal.watchdog_expired, True, "11 s without a feed")


def test_tick_side_calls_allocate_nothing():
    if not hasattr(gc, "mem_alloc"):
        return  # CPython: nothing to measure; the VM run checks it
    hal = SimHAL(DEVKIT, seed=5, noise_mv=3, start_ms=ticks.PERIOD - 10)
    hal.advance(20)  # past the wrap
    read_adc, read_input, set_relay = hal.read_adc, hal.read_input, hal.set_relay
    set_relay("compressor", True)
    gc.collect()
    gc.disable()
    try:
        before = gc.mem_alloc()  # type: ignore[attr-defined]
        for _ in range(100):
            hal.ticks_ms()
            read_adc("room")
            read_adc("outdoor_coil")
            read_input("condensate_full")
            set_relay("compressor", True)  # unchanged: nothing logged
            hal.feed_watchdog()
        after = gc.mem_alloc()  # type: ignore[attr-defined]
    finally:
        gc.enable()
    eq(after - before, 0, "bytes allocated by 100 ticks' worth of HAL calls")
