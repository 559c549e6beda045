"""The REPL's commands, behind api.Api: loaded when a command runs, let go after.

Each command builds plain data (a dict or a list) and its screen text from the same
values; api.Screen and api.Table only change how they print. Bad input raises
ValueError naming the key, the value and what is allowed, and changes nothing.
Nothing here runs in the control tick, so none of it stays in the heap (lazy.py).
"""

from heatpump import config as C
from heatpump import defrost as D
from heatpump import faults as F
from heatpump import sensors as S
from heatpump.api import Screen, Table
from heatpump.fault_text import TEXT as FAULT_TEXT
from heatpump.supervisor import KIND_NAMES
from heatpump.text import HEIGHT, fit, fmt_dur, fmt_temp, on_screen

LET_GO = True  # lazy.call lets this module go once the call that loaded it returns

_SET_KEYS = ("mode", "setpoint", "fan", "speed")


def _detail(i, detail, units):
    kind = F.DETAIL[i]
    if kind == F.DETAIL_TEMP:
        return " (at %s)" % fmt_temp(detail, units)
    if kind == F.DETAIL_SENSOR and 0 < detail < len(S.KIND_NAMES):
        return " (%s)" % S.KIND_NAMES[detail]
    if kind == F.DETAIL_SUPERVISED and 0 < detail < len(KIND_NAMES):
        return " (%s)" % KIND_NAMES[detail]
    if kind == F.DETAIL_COUNT and detail:
        return " (%d in an hour)" % detail
    return ""


def run(ctl, name, args, kw, inner=()):
    """The command `name` on the controller with a person's args and kw (api.Api calls
    this through lazy.call; inner: what the app's own commands add in front); its
    screen, or its refusal, cut to a serial terminal's 80 columns."""
    try:
        try:
            out = getattr(Commands(ctl), name)(*(inner + args), **kw)
        except TypeError:
            # Values the command does not take fail before it does anything: say how
            # it is written (usage is loaded only then). Values it takes: the
            # TypeError is the firmware's own, and goes on as it is.
            from heatpump import usage  # let go with this module

            usage.check(name, args, kw)
            raise
    except ValueError as e:
        raise ValueError(_fit_refusal(str(e))) from None
    text = getattr(out, "text", "")
    if text:
        out.text = fit(text)
    return out


_SHOWN_AS = "ValueError: "  # what the REPL prints before the message


def _fit_refusal(why):
    # Every problem on a line of its own when they do not fit one, each cut to the
    # terminal (the first line starts after the REPL's "ValueError: ").
    if len(_SHOWN_AS) + len(why) > 80:
        why = why.replace("; ", ";\n")
    return fit(" " * len(_SHOWN_AS) + why)[len(_SHOWN_AS) :]


def _names_only(command, args, kw):
    from heatpump import usage  # let go with this module

    usage.names_only(command, args, kw)


def _short(value):
    from heatpump import text  # let go with this module

    return text.short(value)


def _known_keys(changes):
    # A mistyped key gets the close ones and where every key is listed, not all 37
    # names on one line (a serial terminal has 80 columns).
    keys = C.keys()
    bad = [k for k in changes if k not in keys]
    if bad:
        from heatpump import suggest  # let go with this module

        why = [str(suggest.unknown("config key", k, keys, "hp.config()")) for k in bad]
        raise ValueError("; ".join(why) + " (nothing changed)")


class Commands:
    """One command's run on the controller (made per call)."""

    def __init__(self, ctl):
        self.ctl = ctl

    @property
    def _units(self):
        return self.ctl.cfg["units"]

    def status(self):
        """The unit now: mode, state, temperatures, relays, timers, faults."""
        from heatpump import status_screen

        return status_screen.status(self.ctl)

    # ---- commands -----------------------------------------------------------

    def set(self, *args, **kw):
        """hp.set(mode="heat", setpoint=21, fan="auto", speed="low"): any of them.

        All are checked first; one bad value raises ValueError and nothing changes.
        """
        if args:
            _names_only("set", args, kw)
        ctl = self.ctl
        new = ctl.settings()
        problems = []
        for key in kw:
            value = kw[key]
            try:
                if key == "setpoint":
                    new["setpoint_dC"] = C.setpoint_to_dC(value, self._units)
                elif key in _SET_KEYS:
                    new[key] = C.validate_setting(key, value, ctl.speeds)
                else:
                    from heatpump import suggest  # let go with this module

                    raise suggest.unknown("setting", key, _SET_KEYS)
            except ValueError as e:
                problems.append(str(e))
        if not kw:
            problems.append("nothing to set: give any of %s" % ", ".join(_SET_KEYS))
        if problems:
            raise ValueError("; ".join(problems) + " (nothing changed)")
        ctl.apply_settings(new)
        out = Screen(new)
        out.text = "set: mode %s, setpoint %s, fan %s, speed %s" % (
            new["mode"],
            fmt_temp(new["setpoint_dC"], self._units),
            new["fan"],
            new["speed"],
        )
        return out

    def config(self, *args, **changes):
        """hp.config() shows every key's value; hp.config("defrost") the keys with that
        in their name, with default and range; hp.config(min_off_s=240) changes some."""
        from heatpump import config_screen  # let go with this module

        part = args[0] if len(args) == 1 and isinstance(args[0], str) and not changes else None
        if part is None and args:
            _names_only("config", args, changes)
        ctl = self.ctl
        if changes:
            _known_keys(changes)
            ctl.set_config(changes)  # ValueError names every problem; nothing changed
            out = Screen({k: ctl.cfg[k] for k in changes})
            out.text = "config: " + ", ".join("%s=%r" % (k, ctl.cfg[k]) for k in changes)
            return out
        if part is None:
            return config_screen.values(ctl.cfg)
        return config_screen.details(ctl.cfg, part)

    def config_help(self, part=None):
        """What the config keys with part in their name do."""
        from heatpump import config_screen  # let go with this module

        return config_screen.help_lines(part)

    def faults(self):
        """The fault log, newest first: [{"time_s", "code", "text", "detail"}, ...]."""
        u = self._units
        out = Table()
        lines = []
        for t, code, detail in self.ctl.protect.log.entries():
            i = F.index(code)
            text = FAULT_TEXT[code] + _detail(i, detail, u)
            out.append({"time_s": t, "code": code, "text": text, "detail": detail})
            lines.append("up %11s  %s %s" % (fmt_dur(t), code, text))
        lines = on_screen(lines, HEIGHT - 2, "older faults")  # the active line, a prompt
        active = self.ctl.active_codes()
        lines.append("active now: %s" % (", ".join(active) if active else "none"))
        if not out:
            lines.insert(0, "no faults logged")
        out.text = "\n".join(lines)
        return out

    def defrost(self):
        """Start a defrost (service use): from a heating run only; it runs its normal course."""
        ctl = self.ctl
        why = ctl.defrost_refusal()
        if why is not None:
            raise ValueError(why)
        d = ctl.defrost
        d.request()
        out = Screen(defrost="requested")
        out.text = (
            "defrost starts once the heating run has done its min run: compressor off %d s,"
            " valve to cooling, melting until the outdoor coil reaches %s or for %s at most"
            % (
                ctl.cfg["valve_shift_s"],
                fmt_temp(ctl.cfg["defrost_end_dC"], self._units),
                fmt_dur(ctl.cfg["defrost_max_s"]),
            )
        )
        return out

    def clear(self):
        """Release the latched lockouts (E2, E8, E9, A4); returns the codes released."""
        ctl = self.ctl
        out = Table(ctl.clear())
        out.text = "cleared: %s" % (", ".join(out) if out else "nothing was latched")
        if ctl.fault_active("E9"):
            out.text += (
                "; E9 stays while the last hour holds %d early stops (max_early_stops):"
                " the compressor gets no more short runs than that, whoever asks"
                % ctl.cfg["max_early_stops"]
            )
        return out

    def stats(self):
        """Counters since this boot and since they were first persisted."""
        ctl = self.ctl
        seq = ctl.seq
        out = Screen(ctl.counters())
        out["starts_last_hour"] = seq.tally.starts_in_hour()
        out["uptime_s"] = ctl.uptime_s
        lines = [
            "compressor starts %d (%d in the last hour), run %s"
            % (seq.tally.starts, seq.tally.starts_in_hour(), fmt_dur(seq.tally.run_s)),
            "up %s" % fmt_dur(ctl.uptime_s),
        ]
        if "defrosts" in out:
            began = out["defrosts"]
            ended = out["defrost_ends"]
            lines.append(
                "defrosts %d (%s); ended: %s; melting %s in all, longest %s"
                % (
                    sum(began.values()),
                    ", ".join("%s %d" % (r, began[r]) for r in D.REASONS),
                    ", ".join("%s %d" % (e, ended[e]) for e in D.ENDS),
                    fmt_dur(out["defrost_s"]),
                    fmt_dur(out["defrost_longest_s"]),
                )
            )
        counts = out["fault_counts"]
        if counts:
            lines.append(
                "faults raised: " + ", ".join("%s x%d" % (c, counts[c]) for c in sorted(counts))
            )
        out.text = "\n".join(lines)
        return out

    # ---- the commissioning self-test (selftest.py) ---------------------------------

    def _selftest(self):
        ctl = self.ctl
        if ctl.selftest is None:
            # Imported on first use: the self-test is ~20 kB of heap a unit only needs
            # at commissioning.
            from heatpump.selftest import SelfTest
            from heatpump.selftest_report import default_path

            path = ctl.report_path()
            ctl.selftest = SelfTest(default_path() if path is None else path)
        return ctl.selftest

    def selftest(self, modes="both", cancel=False):
        """Start the self-test (modes "both", "cool" or "heat"); cancel=True stops it.

        Returns at once; the control loop carries it out. A refusal (outdoor temperature,
        a defrost, a test already running) comes back as {"started": False, "reason"}.
        """
        if cancel is not True and cancel is not False:
            raise ValueError("hp.selftest(cancel=%s): True or False" % _short(cancel))
        if cancel:
            if modes != "both":  # a cancel with a bad modes must not pass unnamed
                raise ValueError("hp.selftest(cancel=True) takes no modes: got %s" % _short(modes))
            return self.selftest_cancel()
        st = self._selftest()
        why = st.start(self.ctl, modes)  # ValueError for bad modes: nothing changed
        out = Screen(started=why is None, modes=modes, reason=why)
        if why is None:
            out.text = (
                "self-test started: %s. Progress prints as it goes (hp.selftest_progress(),"
                " hp.status()); hp.selftest(cancel=True) stops it" % ", ".join(st.plan)
            )
        else:
            out.text = "self-test not started: " + why
        return out

    def selftest_cancel(self):
        """Stop a running self-test: compressor off after its min run, then fans off."""
        st = self.ctl.selftest
        done = st is not None and st.cancel(self.ctl)
        out = Screen(cancelled=done)
        out.text = (
            "self-test cancelled: the compressor stops after its min run, the unit stays off"
            if done
            else "no self-test is running"
        )
        return out

    def selftest_report(self):
        """The last self-test report (this boot's, or the one kept on flash)."""
        st = self._selftest()
        st.save()  # a report not yet on flash goes there now
        rep = st.last_report()
        from heatpump.selftest_report import report_text

        out = Screen(rep or {})
        out.text = report_text(rep)
        return out

    def selftest_progress(self):
        """The self-test's latest progress lines."""
        st = self.ctl.selftest
        out = Table(st.lines() if st is not None else [])
        shown = on_screen(list(out), HEIGHT - 1, "earlier lines", keep_last=True)
        out.text = (
            "\n".join(shown)
            if out
            else "no self-test running (hp.selftest_report(): the last one)"
        )
        return out

    def help(self, more=(), topic=None):
        from heatpump import usage  # let go with this module

        units = self._units
        modes, speeds = ", ".join(C.MODES), ", ".join(self.ctl.speeds)
        print(usage.text(modes, C.setpoint_range(units), speeds, more, topic, C.keys()))

    def log(self, events, most, n=20):
        """The app's last n of `events` [(uptime_s, text)], oldest first."""
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= most:
            raise ValueError("log(n): n is a whole number of events, allowed 1..%d" % most)
        out = Table()
        lines = []
        for t, text in events[len(events) - n if len(events) > n else 0 :]:
            out.append({"time_s": t, "text": text})
            lines.append("up %11s  %s" % (fmt_dur(t), text))
        lines = on_screen(lines, HEIGHT - 1, "older events", keep_last=True)
        out.text = "\n".join(lines) if lines else "no events logged"
        return out
