"""NTC thermistors: resistance models, the divider, and a per-channel lookup table.

A board file names, per sensor, the thermistor (a part from PARTS, or inline "r25" +
"beta", or "sh": [a, b, c]), the fixed divider resistor and the topology:

    "ntc_low":  3.3 V -- divider_ohm -- pin -- NTC -- GND   (pin voltage falls as it warms)
    "ntc_high": 3.3 V -- NTC -- pin -- divider_ohm -- GND   (pin voltage rises as it warms)

`Channel(spec, adc)` does all the float work once, at start-up: it finds the window of
readings the ESP32 ADC can be trusted with, and fills an int16 table of hundredths of a
degree every 16 mV across it. It is an adc_table.Table (dC, fault) with the model's
float methods beside it for the simulator; the running unit keeps only `.table()`
and lets this module go (it is only needed to build the tables).
"""

import math
from array import array

from micropython import const

from heatpump.adc_table import OPEN, STEP_MV, Table

LET_GO = True  # lazy.call lets this module go once the call that loaded it returns

# The ESP32 ADC at 11 dB, read through read_uv() (calibrated). Espressif recommends
# 150-2450 mV; below 150 mV it reads a constant (a short or a grounded pin lands there),
# above 2450 mV it compresses and saturates near 3.1 V (an open or a pin at 3.3 V lands
# there). Readings between 2450 and RAIL_HI_MV are still converted, less accurately.
USABLE_LO_MV = const(150)
USABLE_HI_MV = const(2450)
RAIL_HI_MV = const(2950)
FULL_SCALE_MV = const(3100)  # what the saturated ADC reads (used by the simulated HAL)
ADC_BITS = const(12)

TOPOLOGIES = ("ntc_low", "ntc_high")

# No thermistor in a heat pump reads beyond these: a reading past them is a fault even
# where the divider would still have room.
_COLD_LIMIT_C = -55
_HOT_LIMIT_C = 150

_T0_K = 273.15
_T25_K = 298.15

# Named parts usable in a board file ("part": NAME). When a part has "sh", the
# Steinhart-Hart model is used; "beta" is the maker's B25/50, kept for comparison.
PARTS = {
    # Murata NCP15XH103 (NCP15XH103F03RC): 10 kohm at 25 C, B25/50 = 3380 K. The
    # Steinhart-Hart coefficients are a least-squares fit of 1/T = a + b ln R + c ln^3 R
    # to Murata's published R-T table at the 21 points from -30 to +70 C (the table
    # and its source are in host_tests/data/); the worst error there is 0.08 C.
    "murata-ncp15xh103": {
        "r25": 10000,
        "beta": 3380,
        "sh": (8.544257e-4, 2.570310e-4, 1.700503e-7),
    },
    # EPCOS (TDK) B57330V2103 (SMD) and B57891S0103 (leaded disc), 10 kohm at 25 C:
    # fitted (python -m tools.install.thermistor fit) to the makers' R-T tables in
    # tools/data/thermistors/ (their source is in each file); worst error -30..+70 C
    # 0.02 C and 0.09 C. A Beta from the 25/85 C points is 2-3 C off at -30 C.
    "epcos-b57330v2103": {"sh": (8.8552542e-4, 2.5189285e-4, 1.8987159e-7)},
    "epcos-b57891s0103": {"sh": (1.1121501e-3, 2.3520547e-4, 9.6414829e-8)},
    # The generic "10k 3950" epoxy probe: sellers publish only R25 and a Beta.
    "10k-b3950": {"r25": 10000, "beta": 3950},
}


def _cbrt(x):
    return x ** (1 / 3) if x >= 0 else -((-x) ** (1 / 3))


class Ntc:
    """Resistance <-> temperature of one thermistor (Beta or Steinhart-Hart)."""

    def __init__(self, spec):
        part = spec.get("part")
        p = spec if part is None else PARTS[part]
        sh = p.get("sh")
        self.sh = None if sh is None else (float(sh[0]), float(sh[1]), float(sh[2]))
        self.r25 = p.get("r25")
        self.beta = p.get("beta")

    def celsius(self, ohm):
        ln_r = math.log(ohm)
        if self.sh is not None:
            a, b, c = self.sh
            return 1 / (a + b * ln_r + c * ln_r * ln_r * ln_r) - _T0_K
        return 1 / (1 / _T25_K + (ln_r - math.log(self.r25)) / self.beta) - _T0_K

    def ohm(self, celsius):
        inv_t = 1 / (celsius + _T0_K)
        if self.sh is not None:
            # Solve c x^3 + b x + (a - 1/T) = 0 for x = ln R (Cardano: one real root).
            a, b, c = self.sh
            if c == 0:  # a Beta curve written as Steinhart-Hart
                return math.exp((inv_t - a) / b)
            p = b / c
            q = (a - inv_t) / c
            d = math.sqrt(q * q / 4 + p * p * p / 27)
            return math.exp(_cbrt(-q / 2 + d) + _cbrt(-q / 2 - d))
        return self.r25 * math.exp(self.beta * (inv_t - 1 / _T25_K))


def sh_problem(sh):
    """Why Steinhart-Hart [a, b, c] cannot be an NTC thermistor, or None. An NTC's
    resistance falls as it warms: b > 0 and c >= 0 make 1/T = a + b ln R + c ln^3 R rise
    with R everywhere (every datasheet fit has them), and then R at 25 C and the Beta
    from 25 to 85 C must be within what the board file allows for "r25" and "beta"."""
    a, b, c = sh
    if not (b > 0 and c >= 0):
        return "b must be above 0 and c at least 0 (got b %r, c %r)" % (b, c)
    try:
        ntc = Ntc({"sh": sh})  # float() of a 400-digit int overflows on CPython
        r25, r85 = ntc.ohm(25), ntc.ohm(85)
    except (ValueError, OverflowError):
        return "no resistance in ohms fits them at 25 C"
    if not 100 <= r25 <= 1000000:
        return "they give %.4g ohm at 25 C (an NTC has 100 to 1000000)" % r25
    beta = math.log(r25 / r85) / (1 / _T25_K - 1 / (85 + _T0_K))
    if not 1000 <= beta <= 10000:
        return "they give a Beta of %.4g K from 25 to 85 C (an NTC has 1000 to 10000)" % beta
    return None


def divider_mv(ohm, divider_ohm, supply_mv, topology):
    """Pin voltage (float mV) with the thermistor at `ohm`."""
    if topology == "ntc_low":
        return supply_mv * ohm / (ohm + divider_ohm)
    return supply_mv * divider_ohm / (ohm + divider_ohm)


def divider_ohm_at(mv, divider_ohm, supply_mv, topology):
    """Thermistor resistance for a pin voltage strictly between 0 and the supply."""
    if topology == "ntc_low":
        return divider_ohm * mv / (supply_mv - mv)
    return divider_ohm * (supply_mv - mv) / mv


class Channel(Table):
    """One thermistor input: its table, built once, and the model it came from."""

    def __init__(self, spec, adc=None):
        self.ntc = Ntc(spec)
        self.divider_ohm = spec["divider_ohm"]
        self.topology = spec.get("topology", "ntc_low")
        if self.topology not in TOPOLOGIES:
            raise ValueError("topology %r: use one of %s" % (self.topology, TOPOLOGIES))
        self.supply_mv = (adc or {}).get("supply_mv", 3300)
        rising = self.topology == "ntc_high"  # pin voltage rises with temperature
        at_cold = self.mv_at(_COLD_LIMIT_C)
        at_hot = self.mv_at(_HOT_LIMIT_C)
        lo = max(USABLE_LO_MV, math.ceil(at_cold if rising else at_hot))
        hi = min(RAIL_HI_MV, int(at_hot if rising else at_cold))
        if hi - lo < 4 * STEP_MV:
            raise ValueError(
                "a %d ohm divider leaves this thermistor no room in the ADC's %d-%d mV"
                % (self.divider_ohm, USABLE_LO_MV, RAIL_HI_MV)
            )
        n = (hi - lo) // STEP_MV + 2
        # hundredths of a degree C at lo + i * 16 mV (int16: 2 bytes a point), filled in
        # place: no list of n ints beside it (the float work's garbage is collectable)
        tab = array("h", bytes(2 * n))
        for i in range(n):
            c = round(self.c_at_mv(lo + i * STEP_MV) * 100)
            tab[i] = -32000 if c < -32000 else (32000 if c > 32000 else c)
        super().__init__(lo, hi, rising, tab)

    def mv_at(self, celsius):
        """Ideal pin voltage (float mV) at a temperature: what the simulator feeds the ADC."""
        return divider_mv(self.ntc.ohm(celsius), self.divider_ohm, self.supply_mv, self.topology)

    def c_at_mv(self, mv):
        """Exact model temperature (float C) for a pin voltage (float work: not per tick)."""
        return self.ntc.celsius(
            divider_ohm_at(mv, self.divider_ohm, self.supply_mv, self.topology)
        )

    def rail_mv(self, fault):
        """Pin voltage with the thermistor open or shorted (for the simulator)."""
        low = (fault == OPEN) == (self.topology == "ntc_high")
        return 0 if low else self.supply_mv
