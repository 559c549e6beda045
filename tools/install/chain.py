"""The thermistor chain as a board reads it: where each sensor's reading matters, and
the real error from a part's own R-T table (its resistance -> the divider -> the 12-bit
ADC -> the firmware's table -> tenths of a degree). board_check and the thermistor fit
both use it."""

import math

from heatpump import thermistor

T0_K = 273.15
# Where each sensor's reading matters, and what for (degrees C).
MATTERS = {
    "room": (0, 40, "thermostat"),
    "indoor_coil": (-5, 65, "freeze and overheat protection"),
    "outdoor": (-25, 45, "heating lockout"),
    "outdoor_coil": (-25, 20, "defrost"),
    "supply_air": (0, 60, "supply air"),
}
LIMIT_C = 0.5  # the chain error allowed where it matters
LSB_MV = thermistor.FULL_SCALE_MV / (2**thermistor.ADC_BITS - 1)


def table_ohm(rows, c):
    """The table's resistance at c, between its rows (ln R is near linear in 1/T)."""
    for (c1, r1), (c2, r2) in zip(rows, rows[1:], strict=False):
        if c1 <= c <= c2:
            x = (1 / (c + T0_K) - 1 / (c1 + T0_K)) / (1 / (c2 + T0_K) - 1 / (c1 + T0_K))
            return math.exp(math.log(r1) + x * (math.log(r2) - math.log(r1)))
    return None


def table_chain_error(rows, ch, lo_c, hi_c, step_c=0.1, accurate_only=False):
    """Worst (reading - truth) in C over lo_c..hi_c and where, the resistance taken from
    the part's table; (None, where) outside the table, at a fault, or (accurate_only)
    outside the ADC's accurate 150-2450 mV."""
    worst, at = 0.0, lo_c
    for k in range(round((hi_c - lo_c) / step_c) + 1):
        c = lo_c + k * step_c
        ohm = table_ohm(rows, c)
        if ohm is None:
            return None, c
        mv = thermistor.divider_mv(ohm, ch.divider_ohm, ch.supply_mv, ch.topology)
        if accurate_only and not thermistor.USABLE_LO_MV <= mv <= thermistor.USABLE_HI_MV:
            return None, c
        mv_read = int(round(mv / LSB_MV) * LSB_MV)  # the ADC's step, then whole mV
        if ch.fault(mv_read):
            return None, c
        err = ch.dC(mv_read) / 10 - c
        if abs(err) > abs(worst):
            worst, at = err, c
    return worst, at
