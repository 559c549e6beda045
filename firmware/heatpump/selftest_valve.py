"""The self-test's reversing-valve verdict, with the compressor off after the runs:
the coil fell in the cooling run and rose in the heating run, by MOVED_dK at least
(the modes tested only). Made when its step starts (selftest.py: STEPS).
"""

from heatpump import thermostat as T
from heatpump.selftest_runs import MOVED_dK
from heatpump.text import fmt_diff

LET_GO = True  # lazy.call lets this module go once the call that loaded it returns


def _proven(ctl, modes):
    # One mode run proves one of the valve's two positions: with an "O" valve a
    # heating-only test never energises it, so its coil and relay are not proven.
    if modes == "both":
        return "both modes: energised and at rest"
    energised = ctl.board.valve_on(modes == "heat")
    return "%sing only: %s; %s not tested" % (
        modes,
        "energised" if energised else "at rest",
        "at rest" if energised else "energised (coil, relay)",
    )


class Valve:
    """The reversing valve: the coil fell in the cooling run and rose in the heating
    run, by MOVED_dK at least (the modes tested only)."""

    def __init__(self, t, _ctl, _arg):
        self.t = t
        t.ask(T.IDLE, T.SIDE_NONE, False, 1)

    def update(self, ctl, _dt_ms):
        t = self.t
        cool, heat = t.cool_move, t.heat_move
        parts = []
        if cool is not None:
            parts.append("cooling %s" % fmt_diff(cool))
        if heat is not None:
            parts.append("heating %s%s" % ("+" if heat > 0 else "", fmt_diff(heat)))
        ok = (cool is None or cool <= -MOVED_dK) and (heat is None or heat >= MOVED_dK)
        t.check(
            "reversing valve",
            "coil moved " + ", ".join(parts),
            None,
            "falls in cooling, rises in heating (%s)" % _proven(ctl, t.modes),
            ok,
            "" if ok else "the coil did not move the right way",
        )
        if ok:
            t.next(ctl)
        else:
            t.finish(ctl, "fail", "the coil did not move the right way")
