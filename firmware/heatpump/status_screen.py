"""hp.status(): the unit now, as a dict and the screen built from it.

Loaded with the command and let go after (lazy.py). The defrost part asks defrost.py
what it is doing (status()); this module only says it.
"""

from heatpump import defrost as D
from heatpump import sensors as S
from heatpump import sequencer as Q
from heatpump.api import Screen
from heatpump.fault_text import TEXT as FAULT_TEXT
from heatpump.text import fmt_diff, fmt_dur, fmt_temp, to_units
from heatpump.thermostat import SIDE_COOL, SIDE_HEAT

LET_GO = True  # lazy.call lets this module go once the call that loaded it returns


def status(ctl):
    """The Screen of hp.status()."""
    return _Status(ctl).status()


class _Status:
    def __init__(self, ctl):
        self.ctl = ctl
        self._units = ctl.cfg["units"]

    def status(self):
        """The unit now: mode, state, temperatures, relays, timers, faults."""
        ctl = self.ctl
        u = self._units
        sn = ctl.sensors
        st = Screen()
        st["mode"] = ctl.mode
        st["state"] = ctl.state
        st["demand"] = ctl.demand
        st["setpoint"] = to_units(ctl.setpoint_dC, u)
        st["units"] = u
        st["fan"] = ctl.fan
        st["speed"] = ctl.speed
        temps = {}
        for i in range(S.N_SENSORS):
            if sn.present[i]:
                temps[S.NAMES[i]] = to_units(sn.dC[i], u) if sn.ok[i] else None
        st["temps"] = temps
        st["relays"] = {name: ctl.hal.relay(name) for name in ctl.board.relays}
        st["compressor"] = self._compressor_line()
        st["faults"] = ctl.active_codes()
        st["uptime_s"] = ctl.uptime_s
        test = ctl.selftest.status() if ctl.selftest is not None else None
        st["selftest"] = test
        st["defrost"], defrost_line = self._defrost_status()
        st.text = "\n".join(self._status_lines(st, defrost_line))
        return st

    def _status_lines(self, st, defrost_line):
        # hp.status()'s screen, from the dict it returns (and each sensor's fault kind).
        ctl = self.ctl
        u = self._units
        sn = ctl.sensors
        seq = ctl.seq
        test = ctl.selftest
        # A running self-test drives the unit, not the mode (it left the mode off).
        asks = "the self-test asks" if test is not None and test.active else "room asks"
        lines = [
            "mode %s  state %s  (%s: %s)" % (ctl.mode, ctl.state, asks, ctl.demand),
            "setpoint %s   fan %s, speed %s" % (fmt_temp(ctl.setpoint_dC, u), ctl.fan, ctl.speed),
        ]
        parts = []
        for i in range(S.N_SENSORS):
            if sn.present[i]:
                if sn.ok[i]:
                    val = fmt_temp(sn.dC[i], u)
                elif sn.fault[i]:
                    val = "FAULT (%s)" % S.KIND_NAMES[sn.fault[i]]
                else:
                    val = "--"
                parts.append("%s %s" % (S.NAMES[i].replace("_", " "), val))
        lines.append("  ".join(parts))
        lines.append("compressor " + st["compressor"])
        on = [name for name in ctl.board.relays if st["relays"][name]]
        valve = "cool" if seq.valve_side() == SIDE_COOL else "heat"
        lines.append("relays on: %s   (valve in %s)" % (", ".join(on) or "none", valve))
        if defrost_line:
            lines.append(defrost_line)
        codes = st["faults"]
        if codes:
            for code in codes:
                lines.append("FAULT %s %s" % (code, FAULT_TEXT[code]))
        else:
            lines.append("no active faults")
        if st["selftest"]:
            lines.append("self-test running: %s (hp.selftest_progress())" % st["selftest"])
        lines.append(
            "up %s   compressor starts %d (%d in the last hour), run %s"
            % (
                fmt_dur(ctl.uptime_s),
                seq.tally.starts,
                seq.tally.starts_in_hour(),
                fmt_dur(seq.tally.run_s),
            )
        )
        return lines

    def _compressor_line(self):
        seq = self.ctl.seq
        if seq.comp_on:
            s = "on for %s" % fmt_dur(seq.run_now_s())
            left = seq.min_run_left_ms()
            if seq.min_run_holds() and left:
                s += ", stops after min run in %s" % fmt_dur((left + 999) // 1000)
            return s
        s = "off"
        left = seq.wait_left_ms()
        if seq.held_by():
            s += ", starts in %s (%s)" % (
                fmt_dur((left + 999) // 1000),
                Q.WAIT_NAMES[seq.held_by()],
            )
        return s

    def _defrost_status(self):
        """(dict, line): the defrost state, its rule, the reference, the clock."""
        ctl = self.ctl
        d = ctl.defrost
        if not isinstance(d, D.Defrost):
            return None, ""
        u = self._units
        cfg = ctl.cfg
        info = d.status(ctl.seq, ctl.thermostat.side == SIDE_HEAT)
        state = info["state"]
        if state == "melting" or state == "starting":
            line = "defrost %s (%s): %s of compressor run, ends at %s or after %s" % (
                state,
                info["reason"],
                fmt_dur(info["melt_s"]),
                fmt_temp(cfg["defrost_end_dC"], u),
                fmt_dur(cfg["defrost_max_s"]),
            )
        elif state == "dripping":
            left_s = (ctl.seq.shift_left_ms() + 999) // 1000
            line = "defrost done, dripping: compressor off %s more" % fmt_dur(left_s)
        elif state == "off":
            line = "defrost: off (not heating)"
        else:
            line = "defrost watching: " + info["rule"]
            ref = info["reference_K"]
            if ref is not None:
                ref_dK = round(ref * 10)
                line += ", coil %s below the air (clean %s, defrost at %s)" % (
                    fmt_diff(round(info["coil_below_air_K"] * 10), u),
                    fmt_diff(ref_dK, u),
                    fmt_diff(ref_dK + cfg["defrost_margin_dK"], u),
                )
            limit = "6 h limit" if info["rule"] == D.RULES[D.RULE_DEMAND] else "next"
            line += "; %s in %s of frozen-coil run" % (limit, fmt_dur(info["next_timed_s"]))
        return info, line
