"""The published performance curves the unit model is calibrated to.

Cutler, Winkler, Kruis, Christensen, Brendemuehl (2013), "Improved Modeling of Residential
Air Conditioners and Heat Pumps for Energy Calculations", NREL/TP-5500-56354, tables 12-13:
single-speed heat pump, biquadratics in degrees F,
    f(x, y) = a + b x + c x^2 + d y + e y^2 + f x y
as ratios to the rated value. Cooling: x = indoor wet bulb, y = outdoor dry bulb (rated at
67 F WB / 95 F). Heating: x = indoor dry bulb, y = outdoor dry bulb (rated at 70 F / 47 F).
EIR is electric power / capacity, so COP ratio = 1 / EIR ratio. BEopt and OpenStudio-HPXML
use the same coefficients.
"""

COOL_CAP = (3.68637657, -0.098352478, 0.000956357, 0.005838141, -0.0000127, -0.000131702)
COOL_EIR = (-3.437356399, 0.136656369, -0.001049231, -0.0079378, 0.000185435, -0.0001441)
HEAT_CAP = (0.566333415, -0.000744164, -0.0000103, 0.009414634, 0.0000506, -0.00000675)
HEAT_EIR = (0.718398423, 0.003498178, 0.000142202, -0.005724331, 0.00014085, -0.000215321)

COOL_RATED_F = (67.0, 95.0)  # indoor wet bulb, outdoor dry bulb
HEAT_RATED_F = (70.0, 47.0)  # indoor dry bulb, outdoor dry bulb


def biquad(coef: tuple[float, ...], x: float, y: float) -> float:
    a, b, c, d, e, f = coef
    return a + b * x + c * x * x + d * y + e * y * y + f * x * y


def _ratio(coef: tuple[float, ...], rated: tuple[float, float], x: float, y: float) -> float:
    # Normalise at the rating point: the published fits give 0.99-1.01 there, not exactly 1.
    return biquad(coef, x, y) / biquad(coef, *rated)


def heat_ratios(t_in_f: float, t_out_f: float) -> tuple[float, float]:
    """(capacity ratio, COP ratio) in heating, relative to 70 F in / 47 F out."""
    cap = _ratio(HEAT_CAP, HEAT_RATED_F, t_in_f, t_out_f)
    return cap, 1.0 / _ratio(HEAT_EIR, HEAT_RATED_F, t_in_f, t_out_f)


def cool_ratios(t_wb_in_f: float, t_out_f: float) -> tuple[float, float]:
    """(capacity ratio, COP ratio) in cooling, relative to 67 F WB in / 95 F out."""
    cap = _ratio(COOL_CAP, COOL_RATED_F, t_wb_in_f, t_out_f)
    return cap, 1.0 / _ratio(COOL_EIR, COOL_RATED_F, t_wb_in_f, t_out_f)
