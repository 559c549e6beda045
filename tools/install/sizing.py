"""Size a window heat pump for a room: `python -m tools.install.sizing --area-m2 20 ...`.

Cooling follows the ENERGY STAR room air conditioner sizing chart (energystar.gov, "Room
Air Conditioner" buying guidance): a BTU/h figure per floor-area row, then -10% for a
heavily shaded room, +10% for a very sunny one, +600 BTU/h per regular occupant beyond
two and +4,000 BTU/h for a kitchen. Two adjustments are ours, not ENERGY STAR's:

- ceiling height: the chart assumes 8 ft (2.44 m) ceilings; the chart figure is scaled by
  height / 8 ft, since the air volume and the wall area grow with the height;
- insulation: good -10%, average 0, poor +10% of the chart figure, the same step the
  chart uses for sun and shade.

Heating: the room's heat loss coefficient UA (W/K) comes from the floor area, the
insulation and the ceiling height (or is given), and the unit's heating capacity falls
with the outdoor temperature (NREL ratios to the 47 F rating). The balance point is the
outdoor temperature at which the unit's capacity equals the room's loss: above it the
unit alone keeps the room warm.
"""

import argparse
import math
from dataclasses import dataclass

M_PER_FT = 0.3048
M2_PER_FT2 = M_PER_FT * M_PER_FT
W_PER_BTU_H = 0.29307107
CHART_CEILING_FT = 8.0

# ENERGY STAR chart: (from ft2, up to ft2, BTU/h). A row holds areas from its lower bound
# up to, not including, its upper bound ("150 up to 250"); 2,500 ft2 itself is the top.
CHART = (
    (100, 150, 5000),
    (150, 250, 6000),
    (250, 300, 7000),
    (300, 350, 8000),
    (350, 400, 9000),
    (400, 450, 10000),
    (450, 550, 12000),
    (550, 700, 14000),
    (700, 1000, 18000),
    (1000, 1200, 21000),
    (1200, 1400, 23000),
    (1400, 1500, 24000),
    (1500, 2000, 30000),
    (2000, 2500, 34000),
)
CHART_SOURCE = "ENERGY STAR room air conditioner sizing chart"

SUN_FRACTION = {"shaded": -0.10, "normal": 0.0, "sunny": 0.10}
SUN_WORDS = {"shaded": "heavily shaded", "normal": "normal", "sunny": "very sunny"}
INSULATION_FRACTION = {"good": -0.10, "average": 0.0, "poor": 0.10}
PER_OCCUPANT_BTU_H = 600  # each regular occupant beyond two
KITCHEN_BTU_H = 4000

# A unit up to 5% below the recommendation still counts as the right size (labels round
# their capacities, and the estimate is no finer); more than 20% above, it short-cycles.
SMALL_TOLERANCE = 0.05
LARGE_LIMIT = 0.20

# Heat loss per m2 of floor at 8 ft ceilings, W/(m2 K): a room of a house with one or two
# outside walls and a window. At a 30 K indoor-outdoor difference these are 36 / 60 /
# 105 W/m2, the span of common heating-load rules of thumb from recent to uninsulated
# houses. Our choice; give --ua-w-per-k when a heat-loss calculation exists.
UA_PER_M2 = {"good": 1.2, "average": 2.0, "poor": 3.5}

# NREL heating capacity ratios to the 47 F (8.3 C) rating, at 70 F indoor: (outdoor C,
# ratio) for 5, 17, 35, 47 and 62 F. Linear between the points; below 5 F the 5-17 F
# slope continues down to zero capacity (conservative), above 62 F it stays at 1.21.
NREL_HEATING_RATIOS = (
    (-15.0, 0.51),
    (-8.0 - 1.0 / 3.0, 0.63),
    (1.0 + 2.0 / 3.0, 0.84),
    (8.0 + 1.0 / 3.0, 1.00),
    (16.0 + 2.0 / 3.0, 1.21),
)

# The firmware's default heating lockout (DESIGN: below -7 C outdoor the compressor does
# not heat): the unit alone keeps nobody warm below it, whatever its balance point.
HEAT_LOCKOUT_C = -7.0

# Allowed input ranges: (low, high, unit) per parameter, shared by recommend() and the CLI.
LIMITS = {
    "area_m2": (1.0, 232.2, "m2"),
    "area_ft2": (10.0, 2500.0, "ft2"),
    "ceiling_m": (1.8, 6.0, "m"),
    "ceiling_ft": (6.0, 20.0, "ft"),
    "occupants": (0, 20, "people"),
    "unit_btu_h": (3000, 36000, "BTU/h"),
    "unit_heat_btu_h": (3000, 36000, "BTU/h"),
    "design_outdoor_c": (-40.0, 15.0, "C"),
    "indoor_c": (15.0, 28.0, "C"),
    "ua_w_per_k": (0.5, 5000.0, "W/K"),
}


class SizingError(ValueError):
    """A sizing input out of range or unknown; the message names it and the allowed values."""


@dataclass(frozen=True)
class Adjustment:
    what: str  # what changed the figure and by which rule, for the printout
    btu_h: float  # signed change to the recommendation


@dataclass(frozen=True)
class Cooling:
    area_ft2: float
    ceiling_ft: float
    chart_row: tuple[int, int, int]  # (from ft2, up to ft2, BTU/h) of the row used
    below_chart: bool  # the room is smaller than the chart's first row
    adjustments: tuple[Adjustment, ...]
    recommended_btu_h: int  # chart figure plus adjustments, to the nearest 100


@dataclass(frozen=True)
class Verdict:
    unit_btu_h: float
    size: str  # "ok", "too small" or "too large"
    percent_off: float  # unit vs recommendation, + above, - below
    good_min_btu_h: int  # the range of unit sizes that pass
    good_max_btu_h: int


@dataclass(frozen=True)
class Heating:
    ua_w_per_k: float
    ua_given: bool  # True: given directly; False: estimated from area and insulation
    indoor_c: float
    rated_btu_h: float  # heating rating at 47 F the balance point is computed for
    rated_assumed: bool  # the heating rating was taken from a cooling size
    balance_c: float  # capacity == room loss at this outdoor temperature
    lockout_c: float
    design_outdoor_c: float | None
    design_capacity_w: float | None  # 0 below the lockout
    design_loss_w: float | None
    # the 47 F rating that would heat alone on the design day; None below the lockout
    needed_rated_btu_h: float | None

    @property
    def warm_down_to_c(self) -> float:
        """The lowest outdoor temperature at which the unit alone holds the room."""
        return max(self.balance_c, self.lockout_c)

    @property
    def design_ok(self) -> bool | None:
        if self.design_capacity_w is None or self.design_loss_w is None:
            return None
        return self.design_capacity_w >= self.design_loss_w


@dataclass(frozen=True)
class Recommendation:
    cooling: Cooling
    verdict: Verdict | None  # None when no unit size was given
    heating: Heating


def check_range(name: str, value: float) -> float:
    """Return value if it lies in LIMITS[name], else raise SizingError naming the range."""
    lo, hi, unit = LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SizingError(
            f"{name} must be a number, got {value!r}: allowed {lo:g} to {hi:g} {unit}"
        )
    if not lo <= value <= hi:  # also refuses NaN
        raise SizingError(f"{name} {value:g} is out of range: allowed {lo:g} to {hi:g} {unit}")
    return value


def _check_choice(name: str, value: str, choices) -> str:
    if value not in choices:
        raise SizingError(f"{name} {value!r} is unknown: allowed {', '.join(choices)}")
    return value


def chart_row(area_ft2: float) -> tuple[tuple[int, int, int], bool]:
    """The chart row for a floor area, and whether the area is below the chart's first row."""
    check_range("area_ft2", area_ft2)
    if area_ft2 < CHART[0][0]:
        return CHART[0], True
    for row in CHART:
        if area_ft2 < row[1]:
            return row, False
    return CHART[-1], False  # exactly 2,500 ft2


def size_cooling(
    area_ft2: float,
    ceiling_ft: float = CHART_CEILING_FT,
    sun: str = "normal",
    insulation: str = "average",
    occupants: int = 2,
    kitchen: bool = False,
) -> Cooling:
    """The chart figure for the room, each adjustment, and the recommended cooling size."""
    check_range("ceiling_ft", ceiling_ft)
    _check_choice("sun", sun, SUN_FRACTION)
    _check_choice("insulation", insulation, INSULATION_FRACTION)
    if isinstance(occupants, bool) or not isinstance(occupants, int):
        raise SizingError(f"occupants must be a whole number, got {occupants!r}: allowed 0 to 20")
    check_range("occupants", occupants)
    row, below = chart_row(area_ft2)
    chart_btu_h = row[2]
    factor = ceiling_ft / CHART_CEILING_FT
    base = chart_btu_h * factor
    sun_pct = round(100 * SUN_FRACTION[sun])
    ins_pct = round(100 * INSULATION_FRACTION[insulation])
    adjustments = (
        Adjustment(
            f"ceiling {ceiling_ft * M_PER_FT:.2f} m ({ceiling_ft:.1f} ft) / 8 ft: x{factor:.3f}",
            base - chart_btu_h,
        ),
        Adjustment(f"sun: {SUN_WORDS[sun]} ({sun_pct:+d}%)", base * SUN_FRACTION[sun]),
        Adjustment(
            f"insulation: {insulation} ({ins_pct:+d}%, our rule)",
            base * INSULATION_FRACTION[insulation],
        ),
        Adjustment(
            f"occupants: {occupants} (+{PER_OCCUPANT_BTU_H} each beyond two)",
            PER_OCCUPANT_BTU_H * max(0, occupants - 2),
        ),
        Adjustment(f"kitchen: {'yes' if kitchen else 'no'}", KITCHEN_BTU_H if kitchen else 0),
    )
    total = chart_btu_h + sum(a.btu_h for a in adjustments)
    return Cooling(
        area_ft2=area_ft2,
        ceiling_ft=ceiling_ft,
        chart_row=row,
        below_chart=below,
        adjustments=adjustments,
        recommended_btu_h=_round_100(total),
    )


def _round_100(btu_h: float) -> int:
    return int(math.floor(btu_h / 100.0 + 0.5)) * 100


def judge_unit(recommended_btu_h: int, unit_btu_h: float) -> Verdict:
    """Too small (more than 5% below), too large (more than 20% above) or ok."""
    check_range("unit_btu_h", unit_btu_h)
    # whole hundreds, inside the tolerance band
    good_min = int(math.ceil(recommended_btu_h * (1.0 - SMALL_TOLERANCE) / 100.0)) * 100
    good_max = int(math.floor(recommended_btu_h * (1.0 + LARGE_LIMIT) / 100.0)) * 100
    if unit_btu_h < good_min:
        size = "too small"
    elif unit_btu_h > good_max:
        size = "too large"
    else:
        size = "ok"
    percent = 100.0 * (unit_btu_h / recommended_btu_h - 1.0)
    return Verdict(unit_btu_h, size, percent, good_min, good_max)


def heating_ratio(outdoor_c: float) -> float:
    """Heating capacity as a fraction of the 47 F rating (NREL ratios, interpolated)."""
    pts = NREL_HEATING_RATIOS
    if outdoor_c >= pts[-1][0]:
        return pts[-1][1]
    if outdoor_c < pts[0][0]:
        (t0, r0), (t1, r1) = pts[0], pts[1]
        return max(0.0, r0 + (r1 - r0) * (outdoor_c - t0) / (t1 - t0))
    for (t0, r0), (t1, r1) in zip(pts, pts[1:], strict=False):
        if outdoor_c < t1:
            return r0 + (r1 - r0) * (outdoor_c - t0) / (t1 - t0)
    return pts[-1][1]  # not reached


def heating_capacity_w(rated_w: float, outdoor_c: float) -> float:
    """Heating capacity at an outdoor temperature, from the rating at 47 F (8.3 C)."""
    return rated_w * heating_ratio(outdoor_c)


def room_ua_w_per_k(area_m2: float, ceiling_m: float, insulation: str) -> float:
    """Estimated heat loss coefficient of a room: floor area x UA_PER_M2, scaled by ceiling."""
    _check_choice("insulation", insulation, UA_PER_M2)
    return UA_PER_M2[insulation] * area_m2 * ceiling_m / (CHART_CEILING_FT * M_PER_FT)


def balance_point_c(rated_w: float, ua_w_per_k: float, indoor_c: float) -> float:
    """Outdoor temperature where heating capacity equals the room's loss UA (indoor - outdoor).

    Capacity rises and loss falls as it gets warmer outside, so there is one crossing;
    capacity reaches zero near -43 C, so it lies between -50 C and the indoor temperature.
    """
    lo, hi = -50.0, indoor_c
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if heating_capacity_w(rated_w, mid) >= ua_w_per_k * (indoor_c - mid):
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


def size_heating(
    ua_w_per_k: float,
    rated_btu_h: float,
    indoor_c: float = 20.0,
    design_outdoor_c: float | None = None,
    ua_given: bool = True,
    rated_assumed: bool = False,
) -> Heating:
    check_range("ua_w_per_k", ua_w_per_k)
    check_range("indoor_c", indoor_c)
    rated_w = rated_btu_h * W_PER_BTU_H
    cap_w = loss_w = needed = None
    if design_outdoor_c is not None:
        check_range("design_outdoor_c", design_outdoor_c)
        loss_w = ua_w_per_k * (indoor_c - design_outdoor_c)
        if design_outdoor_c < HEAT_LOCKOUT_C:
            cap_w = 0.0
        else:
            cap_w = heating_capacity_w(rated_w, design_outdoor_c)
            needed = loss_w / heating_ratio(design_outdoor_c) / W_PER_BTU_H
    return Heating(
        ua_w_per_k=ua_w_per_k,
        ua_given=ua_given,
        indoor_c=indoor_c,
        rated_btu_h=rated_btu_h,
        rated_assumed=rated_assumed,
        balance_c=balance_point_c(rated_w, ua_w_per_k, indoor_c),
        lockout_c=HEAT_LOCKOUT_C,
        design_outdoor_c=design_outdoor_c,
        design_capacity_w=cap_w,
        design_loss_w=loss_w,
        needed_rated_btu_h=needed,
    )


def _not_both(a_name: str, a, b_name: str, b) -> None:
    if a is not None and b is not None:
        raise SizingError(f"give either {a_name} or {b_name}, not both")


def recommend(
    *,
    area_m2: float | None = None,
    area_ft2: float | None = None,
    ceiling_m: float | None = None,
    ceiling_ft: float | None = None,
    sun: str = "normal",
    insulation: str = "average",
    occupants: int = 2,
    kitchen: bool = False,
    unit_btu_h: float | None = None,
    unit_heat_btu_h: float | None = None,
    design_outdoor_c: float | None = None,
    indoor_c: float = 20.0,
    ua_w_per_k: float | None = None,
) -> Recommendation:
    """Cooling size, the verdict on a unit (if given) and its heating balance point.

    The area and the ceiling come in either unit (exactly one of each pair; the ceiling
    defaults to the chart's 8 ft). Without a unit heating rating, the heating figures are
    for a unit rated in heating as in cooling (the given unit size, or the recommendation).
    """
    _not_both("area_m2", area_m2, "area_ft2", area_ft2)
    if area_m2 is not None:
        area_ft2 = check_range("area_m2", area_m2) / M2_PER_FT2
    elif area_ft2 is None:
        raise SizingError("give the floor area: area_m2 or area_ft2")
    _not_both("ceiling_m", ceiling_m, "ceiling_ft", ceiling_ft)
    if ceiling_m is not None:
        ceiling_ft = check_range("ceiling_m", ceiling_m) / M_PER_FT
    elif ceiling_ft is None:
        ceiling_ft = CHART_CEILING_FT
    cooling = size_cooling(area_ft2, ceiling_ft, sun, insulation, occupants, kitchen)
    verdict = None if unit_btu_h is None else judge_unit(cooling.recommended_btu_h, unit_btu_h)

    if unit_heat_btu_h is not None:
        check_range("unit_heat_btu_h", unit_heat_btu_h)
        rated, assumed = unit_heat_btu_h, False
    elif unit_btu_h is not None:
        rated, assumed = unit_btu_h, True
    else:
        rated, assumed = cooling.recommended_btu_h, True
    if ua_w_per_k is None:
        ua = room_ua_w_per_k(area_ft2 * M2_PER_FT2, ceiling_ft * M_PER_FT, insulation)
    else:
        ua = ua_w_per_k
    heating = size_heating(
        ua,
        rated,
        indoor_c,
        design_outdoor_c,
        ua_given=ua_w_per_k is not None,
        rated_assumed=assumed,
    )
    return Recommendation(cooling, verdict, heating)


# ---- command line: parse, call recommend(), format ----


def number_type(lo: float, hi: float, unit: str, integer: bool = False):
    """argparse type for a number from lo to hi; the error names the allowed range."""

    def parse(text: str):
        try:
            value = int(text) if integer else float(text)
        except ValueError:
            kind = "a whole number" if integer else "a number"
            raise argparse.ArgumentTypeError(
                f"{text!r} is not {kind}: allowed {lo:g} to {hi:g} {unit}"
            ) from None
        if not lo <= value <= hi:  # also refuses nan
            raise argparse.ArgumentTypeError(
                f"{text} is out of range: allowed {lo:g} to {hi:g} {unit}"
            )
        return value

    return parse


def number_arg(name: str, integer: bool = False):
    """argparse type for the parameter LIMITS[name]."""
    lo, hi, unit = LIMITS[name]
    return number_type(lo, hi, unit, integer)


def _btu(btu_h: float) -> str:
    return f"{btu_h:,.0f} BTU/h"


def _c(temp_c: float) -> str:
    return f"{temp_c:.1f} C ({temp_c * 9 / 5 + 32:.0f} F)"


def format_report(rec: Recommendation) -> str:
    c = rec.cooling
    lo, hi, chart_btu_h = c.chart_row
    lines = [
        f"Cooling size ({CHART_SOURCE})",
        f"  room {c.area_ft2 * M2_PER_FT2:.1f} m2 ({c.area_ft2:,.0f} ft2)",
        f"  chart row {lo:,}-{hi:,} ft2: {_btu(chart_btu_h)}",
    ]
    if c.below_chart:
        lines.append(
            "  (smaller than the chart's first row: its 5,000 BTU/h is the smallest size)"
        )
    for adj in c.adjustments:
        lines.append(f"  {adj.what:<52} {adj.btu_h:+8,.0f}")
    lines.append(
        f"  recommended: {_btu(c.recommended_btu_h)} "
        f"({c.recommended_btu_h * W_PER_BTU_H / 1000:.1f} kW), rounded to 100"
    )
    v = rec.verdict
    if v is not None:
        span = f"a good size is {v.good_min_btu_h:,} to {v.good_max_btu_h:,} BTU/h"
        head = f"Unit {_btu(v.unit_btu_h)}: {v.size.upper()}, {abs(v.percent_off):.0f}% "
        head += "above" if v.percent_off >= 0 else "below"
        lines.append(head + " the recommendation")
        if v.size == "too small":
            lines.append("  it will run without stopping on hot days and not reach the setpoint;")
            lines.append(f"  {span}")
        elif v.size == "too large":
            lines.append(
                "  it will cool in short bursts and stop (short cycling): little moisture"
            )
            lines.append(f"  removed, a cold and clammy room, more compressor starts; {span}")
        else:
            lines.append(f"  {span}")
    h = rec.heating
    src = "given" if h.ua_given else "estimated from floor area, insulation and ceiling"
    lines += [
        "Heating",
        f"  room heat loss UA {h.ua_w_per_k:.1f} W/K ({src})",
        f"  unit heating rating {_btu(h.rated_btu_h)} at 47 F (8.3 C)",
    ]
    if h.rated_assumed:
        lines.append(
            "    (assumed equal to the cooling size: give --unit-heat-btu from the label)"
        )
    lines.append(f"  balance point {_c(h.balance_c)}: capacity equals the room's loss")
    if h.balance_c < h.lockout_c:
        lines.append(
            f"  the firmware's heating lockout stops the compressor below {h.lockout_c:g} C"
        )
    lines.append(
        f"  the unit alone keeps the room at {h.indoor_c:g} C down to "
        f"{_c(h.warm_down_to_c)} outdoors"
    )
    if h.design_outdoor_c is not None:
        assert h.design_loss_w is not None and h.design_capacity_w is not None
        lines.append(
            f"  design day {_c(h.design_outdoor_c)}: the room loses {h.design_loss_w:,.0f} W"
        )
        if h.design_outdoor_c < h.lockout_c:
            lines.append("  below the heating lockout the unit gives 0 W: backup heat needed")
        elif h.design_ok:
            lines.append(
                f"  the unit gives {h.design_capacity_w:,.0f} W: OK, no backup heat needed"
            )
        else:
            short = h.design_loss_w - h.design_capacity_w
            lines.append(
                f"  the unit gives {h.design_capacity_w:,.0f} W: short by {short:,.0f} W "
                "(backup heat, or a larger unit)"
            )
        if h.needed_rated_btu_h is not None:
            lines.append(
                f"  to heat alone on the design day the unit needs a rating of at least "
                f"{_btu(_round_100(h.needed_rated_btu_h))} at 47 F"
            )
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tools.install.sizing",
        description=f"Size a window heat pump for a room ({CHART_SOURCE}).",
    )
    area = p.add_mutually_exclusive_group(required=True)
    area.add_argument("--area-m2", type=number_arg("area_m2"), help="floor area in m2")
    area.add_argument("--area-ft2", type=number_arg("area_ft2"), help="floor area in ft2")
    ceiling = p.add_mutually_exclusive_group()
    ceiling.add_argument("--ceiling-m", type=number_arg("ceiling_m"), help="default 2.44 m (8 ft)")
    ceiling.add_argument("--ceiling-ft", type=number_arg("ceiling_ft"), help="default 8 ft")
    p.add_argument("--sun", choices=list(SUN_FRACTION), default="normal")
    p.add_argument("--insulation", choices=list(INSULATION_FRACTION), default="average")
    p.add_argument(
        "--occupants", type=number_arg("occupants", integer=True), default=2, help="default 2"
    )
    p.add_argument("--kitchen", action="store_true", help="the room is a kitchen")
    p.add_argument("--unit-btu", type=number_arg("unit_btu_h"), help="cooling rating to judge")
    p.add_argument(
        "--unit-heat-btu",
        type=number_arg("unit_heat_btu_h"),
        help="heating rating at 47 F (label)",
    )
    p.add_argument(
        "--design-outdoor-c", type=number_arg("design_outdoor_c"), help="coldest design day"
    )
    p.add_argument("--indoor-c", type=number_arg("indoor_c"), default=20.0, help="default 20")
    p.add_argument(
        "--ua-w-per-k", type=number_arg("ua_w_per_k"), help="room heat loss, if calculated"
    )
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    a = parser.parse_args(argv)
    try:
        rec = recommend(
            area_m2=a.area_m2,
            area_ft2=a.area_ft2,
            ceiling_m=a.ceiling_m,
            ceiling_ft=a.ceiling_ft,
            sun=a.sun,
            insulation=a.insulation,
            occupants=a.occupants,
            kitchen=a.kitchen,
            unit_btu_h=a.unit_btu,
            unit_heat_btu_h=a.unit_heat_btu,
            design_outdoor_c=a.design_outdoor_c,
            indoor_c=a.indoor_c,
            ua_w_per_k=a.ua_w_per_k,
        )
    except SizingError as exc:
        parser.error(str(exc))  # exits 2
    print(format_report(rec))
    return 0


if __name__ == "__main__":
    from tools import run_cli

    run_cli(main)
