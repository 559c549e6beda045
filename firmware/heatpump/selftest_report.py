"""The self-test's report: its check entries, the finished report, its text, its file.

    entry = check_entry(step, check, measured, value, limit, "pass", message)
    rep = finished_report(result, modes, failed_step, message, checks, not_run, ...)
    print(report_text(rep))                # what hp.selftest_report() prints
    save_report(path, fs, faults, rep)     # to flash (never in the tick)
    rep = load_report(path, fs, faults)    # the last one on flash, or None

The step machine (selftest.py) builds entries and the report as the test runs; this
module says what they hold and how they read. Temperatures are in C and K, whatever
`units` says (text.py formats them in integer arithmetic, so the progress lines cost
no float work on the board).
"""

import sys

from heatpump.text import fmt_dur

LET_GO = True  # lazy.call lets this module go once the call that loaded it returns

DEFAULT_PATH = "/selftest.json"  # where the board keeps the last report
RESULTS = ("pass", "fail", "cancelled")  # how a finished self-test ends


def default_path():
    """DEFAULT_PATH on the board; None on CPython (the simulator keeps it in RAM)."""
    return DEFAULT_PATH if sys.implementation.name == "micropython" else None


# ---- the report ------------------------------------------------------------------


def check_entry(step, check, measured, value, limit, result, message):
    """One row of the report; result is "pass", "fail" or "skip"."""
    return {
        "step": step,
        "check": check,
        "measured": measured,
        "value": value,
        "limit": limit,
        "result": result,
        "message": message,
    }


def finished_report(
    result, modes, failed_step, message, checks, not_run, started_up_s, total_ms, outdoor0
):
    """The report of a finished test; outdoor0 in dC (None: no reading)."""
    return {
        "result": result,
        "modes": modes,
        "failed_step": failed_step,
        "message": message,
        "checks": checks,
        "not_run": not_run,
        "started_up_s": started_up_s,
        "duration_s": total_ms // 1000,
        "outdoor_c": None if outdoor0 is None else outdoor0 / 10,
    }


def _time(s):
    # A time as hp.status() writes its uptime; a report from flash may hold anything.
    return fmt_dur(s) if isinstance(s, int) and not isinstance(s, bool) and s >= 0 else "?"


def report_text(rep):
    """The report as the REPL prints it."""
    if not rep:
        return "no self-test report yet: hp.selftest() runs one"
    dur = rep.get("duration_s")
    out = rep.get("outdoor_c")
    lines = [
        "self-test %s (%s, took %s, started at up %s%s)"
        % (
            str(rep.get("result")).upper(),
            rep.get("modes"),
            _time(dur),
            _time(rep.get("started_up_s")),
            "" if out is None else ", outdoor %s C" % out,
        ),
        "%-11s %-27s %-6s %s" % ("step", "check", "result", "measured  [limit]"),
    ]
    for c in rep.get("checks") or ():
        lines.append(
            "%-11s %-27s %-6s %s  [%s]"
            % (c["step"], c["check"], c["result"], c["measured"], c["limit"])
        )
        if c["result"] != "pass" and c["message"]:
            lines.append("    -> " + c["message"])
    if rep.get("not_run"):
        lines.append("not run: " + ", ".join(rep["not_run"]))
    if rep.get("result") == "fail":
        lines.append(
            "FAIL at step %s: fix what the -> line says, then hp.selftest() again"
            % rep.get("failed_step")
        )
    elif rep.get("result") != "pass":
        lines.append("%s: %s" % (str(rep.get("result")).upper(), rep.get("message")))
    return "\n".join(lines)


# ---- the file on flash (REPL and app; they allocate) -----------------------------


def save_report(path, fs, faults, rep):
    """Write rep to path through store.Store; True if it is on flash."""
    from heatpump.store import Store  # imported when used: the tick never needs it

    return bool(Store(path, fs=fs, faults=faults).save(rep))


def load_report(path, fs, faults):
    """The finished report kept at path, or None if there is none (or it is damaged)."""
    from heatpump.store import Store

    values = Store(path, fs=fs, faults=faults).load()
    if values.get("result") in RESULTS:
        return values
    return None
