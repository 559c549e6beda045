"""Thermistor models, the divider and the integer table (MicroPython and CPython)."""

import gc

from check import eq, raises
from heatpump import thermistor
from heatpump.adc_table import OPEN, SHORT
from heatpump.thermistor import Channel, Ntc

MURATA = {"part": "murata-ncp15xh103", "divider_ohm": 22000, "topology": "ntc_low"}

# A few rows of Murata's NCP15XH103 table (host_tests/data/murata_ncp15xh103.csv).
MURATA_ROWS = ((-30, 113347), (-5, 33892), (0, 27219), (25, 10000), (50, 4161), (70, 2228))


def spec(**kw):
    s = dict(MURATA)
    s.update(kw)
    return s


def test_steinhart_hart_part_matches_the_makers_table():
    ntc = Ntc(MURATA)
    for c, ohm in MURATA_ROWS:
        err = ntc.celsius(ohm) - c
        assert abs(err) < 0.1, (c, err)


# Float work is done once, at start-up, in the ESP32's single precision (about 7
# digits): a round trip through log, exp and the cubic holds to these, not to 1e-6.
EPS_C = 1e-3  # degrees: 100 times finer than the 0.1 C the tick works in
EPS_MV = 1e-2  # millivolts: the ADC reads whole mV


def test_beta_model_is_exact_at_25c_and_errs_in_the_cold():
    beta = Ntc({"r25": 10000, "beta": 3380})
    assert abs(beta.celsius(10000) - 25) < EPS_C
    # Against the same table, Beta 3380 reads 2.4 C warm at -30 C.
    assert beta.celsius(113347) - (-30) > 2.0


def test_resistance_and_temperature_round_trip():
    for s in (MURATA, {"r25": 10000, "beta": 3950}, {"sh": [1.1e-3, 2.4e-4, 7.5e-8]}):
        ntc = Ntc(s)
        for c in (-40, -10, 0, 21.5, 60, 120):
            back = ntc.celsius(ntc.ohm(c))
            assert abs(back - c) < EPS_C, (s, c, back)


def test_named_generic_part_is_its_beta():
    a = Ntc({"part": "10k-b3950"})
    b = Ntc({"r25": 10000, "beta": 3950})
    for c in (-20, 0, 40):
        assert a.ohm(c) == b.ohm(c)  # the same arithmetic, bit for bit


def test_divider_topologies_mirror_each_other():
    low = Channel(spec(topology="ntc_low"))
    high = Channel(spec(topology="ntc_high"))
    for c in (-20, 0, 25, 60):
        assert abs(low.mv_at(c) + high.mv_at(c) - 3300) < EPS_MV
    # ntc_low falls as it warms, ntc_high rises
    assert low.mv_at(0) > low.mv_at(30)
    assert high.mv_at(0) < high.mv_at(30)
    generic = Channel({"part": "10k-b3950", "divider_ohm": 22000, "topology": "ntc_low"})
    assert abs(generic.mv_at(25) - 3300 * 10000 / 32000) < EPS_MV  # R25 exactly 10 k


def test_reading_converts_to_tenths_of_a_degree():
    # ntc_high wants a smaller divider to keep 65 C inside its window
    for topology, divider in (("ntc_low", 22000), ("ntc_high", 8200)):
        ch = Channel(spec(topology=topology, divider_ohm=divider))
        for c in (-15.0, -5.0, 0.0, 21.5, 40.0, 65.0):
            d = ch.dC(round(ch.mv_at(c)))
            assert isinstance(d, int), d
            assert abs(d - c * 10) <= 1, (topology, c, d)


def test_table_is_monotonic_over_the_whole_window():
    ch = Channel(MURATA)
    prev = ch.dC(ch.lo_mv)
    for mv in range(ch.lo_mv + 1, ch.hi_mv + 1):
        d = ch.dC(mv)
        assert d <= prev, (mv, d, prev)  # ntc_low: more mV, colder
        prev = d
    eq(ch.dC(ch.lo_mv), ch.hot_dC, "hot end")
    eq(ch.dC(ch.hi_mv), ch.cold_dC, "cold end")


def test_readings_outside_the_window_clamp_and_fault():
    ch = Channel(MURATA)
    eq(ch.fault(ch.lo_mv), 0, "at the low edge")
    eq(ch.fault(ch.hi_mv), 0, "at the high edge")
    # ntc_low: a short pulls the pin to GND, an open lets the resistor pull it to 3.3 V
    eq(ch.fault(ch.lo_mv - 1), SHORT, "below the window")
    eq(ch.fault(0), SHORT, "pin at GND")
    eq(ch.fault(ch.hi_mv + 1), OPEN, "above the window")
    eq(ch.fault(3100), OPEN, "ADC saturated")
    eq(ch.dC(0), ch.hot_dC, "clamped hot")
    eq(ch.dC(3300), ch.cold_dC, "clamped cold")
    high = Channel(spec(topology="ntc_high"))
    eq(high.fault(0), OPEN, "ntc_high open reads GND")
    eq(high.fault(3100), SHORT, "ntc_high short reads 3.3 V")


def test_rails_are_where_open_and_short_put_the_pin():
    low = Channel(MURATA)
    high = Channel(spec(topology="ntc_high"))
    eq(low.rail_mv(OPEN), 3300, "ntc_low open")
    eq(low.rail_mv(SHORT), 0, "ntc_low short")
    eq(high.rail_mv(OPEN), 0, "ntc_high open")
    eq(high.rail_mv(SHORT), 3300, "ntc_high short")


def test_window_covers_the_adc_usable_range_with_these_dividers():
    ch = Channel(MURATA)  # 22 k: the default board's indoor channels
    eq(ch.lo_mv, thermistor.USABLE_LO_MV, "low edge")
    eq(ch.hi_mv, thermistor.RAIL_HI_MV, "high edge")
    assert ch.cold_dC <= -350 and ch.hot_dC >= 950, (ch.cold_dC, ch.hot_dC)


def test_temperature_limits_narrow_the_window_for_a_big_divider():
    # With 220 k the rail is far past -55 C: colder than that counts as open.
    ch = Channel(spec(divider_ohm=220000))
    assert ch.hi_mv < thermistor.RAIL_HI_MV, ch.hi_mv
    assert -560 <= ch.cold_dC <= -545, ch.cold_dC
    eq(ch.fault(ch.hi_mv + 1), OPEN, "past -55 C")


def test_bad_topology_and_hopeless_divider_are_refused():
    e = raises(ValueError, Channel, spec(topology="ntc_middle"))
    assert "ntc_middle" in str(e) and "ntc_low" in str(e), e
    e = raises(ValueError, Channel, spec(divider_ohm=100000000))
    assert "100000000 ohm" in str(e), e


def test_conversion_allocates_nothing():
    if not hasattr(gc, "mem_alloc"):
        return  # CPython: nothing to measure; the VM run checks it
    ch = Channel(MURATA)
    dC, fault = ch.dC, ch.fault
    gc.collect()
    gc.disable()
    try:
        before = gc.mem_alloc()  # type: ignore[attr-defined]
        for mv in range(100, 3100, 3):
            fault(mv)
            dC(mv)
        after = gc.mem_alloc()  # type: ignore[attr-defined]
    finally:
        gc.enable()
    eq(after - before, 0, "bytes allocated by 1000 conversions")
