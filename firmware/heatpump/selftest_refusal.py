"""Why a self-test may not start now: another test or a defrost under way, or an
outdoor temperature at which a mode cannot be tested (protect's own limits, with their
hysteresis, and the self-test's own for heating). Loaded by the REPL's start of a
test, and let go after (lazy.py).
"""

from micropython import const

from heatpump import faults as F
from heatpump import sensors as S
from heatpump import thermostat as T
from heatpump.text import fmt_temp

LET_GO = True  # lazy.call lets this module go once the call that loaded it returns

HEAT_MAX_OUTDOOR_dC = const(300)  # above this outdoors a heating run can trip the overload


def refusal(ctl, modes, running):
    """None if the self-test may start with these modes, else why not (text); running:
    the step of a self-test under way, or None. modes: one of selftest.MODES."""
    if running is not None:
        return (
            "a self-test is already running (step %s): hp.selftest(cancel=True) stops it" % running
        )
    if ctl.defrost_active or ctl.state == "defrost":
        return "a defrost is running: start the self-test when it has ended (hp.status())"
    sn = ctl.sensors
    if not sn.ok[S.OUTDOOR]:
        return None  # the sensors step reports the outdoor sensor
    out = sn.dC[S.OUTDOOR]
    why_cool, why_heat = _outdoor_limits(ctl, out)
    msgs = []
    if why_cool and modes != "heat":
        msgs.append("cooling cannot be tested at %s outdoors: %s" % (fmt_temp(out), why_cool))
    if why_heat and modes != "cool":
        msgs.append("heating cannot be tested at %s outdoors: %s" % (fmt_temp(out), why_heat))
    if not msgs:
        return None
    if why_cool and why_heat:
        msgs.append("neither mode can be tested now: run the self-test on a milder day")
    elif why_cool:
        msgs.append('heating can: hp.selftest(modes="heat")')
    else:
        msgs.append('cooling can: hp.selftest(modes="cool")')
    return "; ".join(msgs)


def _outdoor_limits(ctl, out):
    # (why cooling, why heating cannot be tested at out dC outdoors; None: it can):
    # protect's limits, with their hysteresis, and the self-test's own for heating.
    pr = ctl.protect
    lock, unlock, cool_min, cool_max = pr.outdoor_limits()
    why_cool = None
    code = pr.outdoor_block(T.SIDE_COOL)
    if code == F.COOL_TOO_COLD:
        why_cool = "the unit does not cool below %s outdoors (E5)" % fmt_temp(cool_min)
    elif code == F.COOL_TOO_HOT:
        why_cool = "the unit does not cool above %s outdoors (E6)" % fmt_temp(cool_max)
    why_heat = None
    if pr.outdoor_block(T.SIDE_HEAT) == F.HEAT_LOCKOUT:
        why_heat = "the heat pump is locked out below %s outdoors, until it is above %s (E4)" % (
            fmt_temp(lock),
            fmt_temp(unlock),
        )
    elif out > HEAT_MAX_OUTDOOR_dC:
        why_heat = (
            "a heating run on a day this warm can trip the compressor's overload "
            "(the self-test heats up to %s outdoors)" % fmt_temp(HEAT_MAX_OUTDOOR_dC)
        )
    return why_cool, why_heat
