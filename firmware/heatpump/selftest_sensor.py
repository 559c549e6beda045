"""The self-test's judgement of one sensor's reading, asked by every step: a confirmed
fault, no steady reading, or a value no working sensor gives here fails the test and
says what to check (the plug and wiring, the part, its divider). Loaded and let go
with the self-test.
"""

from heatpump import faults as F
from heatpump import sensors as S
from heatpump.text import fmt_temp, gpio_str

LET_GO = True  # lazy.call lets this module go once the call that loaded it returns

# Plausible readings (dC) per sensor, in sensors.NAMES order.
PLAUSIBLE = ((0, 450), (-100, 700), (-400, 550), (-450, 750), (-100, 700))


def judge_sensor(t, ctl, i):
    """Check sensor i's reading (a fault, none yet, implausible) for the self-test t:
    a pass is a check, anything else fails the test. True if it passed."""
    sn = ctl.sensors
    name = S.NAMES[i]
    title = name.replace("_", " ") + " sensor"
    lo, hi = PLAUSIBLE[i]
    limit = "%s..%s" % (fmt_temp(lo), fmt_temp(hi))
    where = gpio_str(ctl.board.thermistors.get(name))
    if sn.fault[i]:
        kind = S.KIND_NAMES[sn.fault[i]]
        what = {"open": "open circuit", "short": "short circuit", "jump": "jumping"}[kind]
        code = F.ORDER[F.SENSOR_ROOM + i]
        return t.fail(
            ctl,
            title,
            what,
            None,
            limit,
            "the %s reads %s (%s): check its plug and wiring%s, the thermistor itself "
            "and its divider resistor" % (title, what, code, where),
        )
    if not sn.ok[i]:
        return t.fail(
            ctl,
            title,
            "no reading",
            None,
            limit,
            "the %s gives no steady reading: check its plug and wiring%s" % (title, where),
        )
    v = sn.dC[i]
    if not lo <= v <= hi:
        return t.fail(
            ctl,
            title,
            fmt_temp(v),
            v / 10,
            limit,
            "the %s reads %s, not a plausible value here: check the thermistor type and "
            "divider in the board file, and the wiring%s" % (title, fmt_temp(v), where),
        )
    return t.check(title, fmt_temp(v), v / 10, limit, True)
