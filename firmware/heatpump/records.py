"""What the unit keeps across a reset, gathered from its parts and put back into them.

- the history (the app writes it to flash at every start, stop and lockout change):
  the ages (s) of the last hour's starts, early stops and abnormal resets, the latched
  lockouts in force, and whether the compressor ran;
- the counters (written every few minutes): compressor starts and run time, raises
  per fault code, and the defrost hook's own counts.
Both are plain dicts. Putting them back keeps what is good and names what is not,
so a corrupt file on flash costs only its bad values.
"""

from heatpump import faults as F


def history(seq, protect):
    starts, early, running = seq.tally.history(seq.comp_on)
    latched, resets = protect.latched()
    return {
        "starts_s": starts,
        "early_stops_s": early,
        "resets_s": resets,
        "latched": latched,
        "running": running,
    }


def _ages(d, key, refused):
    v = d.get(key, [])
    good = [a for a in v if type(a) is int and a >= 0] if isinstance(v, list) else []
    if not isinstance(v, list) or len(good) != len(v):
        refused.append("%s=%r: only whole seconds are kept" % (key, v))
    return good


def restore_history(seq, protect, d, damaged=False):
    """Put back history(); returns messages for what it refused (the app records C1).
    damaged: the file was damaged, so a `running` it lacks was lost, and the run the
    reset may have cut short counts as an early stop (the safe reading)."""
    if not isinstance(d, dict):
        seq.tally.restore([], [], damaged)
        return ["history is %s, not a dict" % type(d).__name__] if d else []
    refused = []
    starts = _ages(d, "starts_s", refused)
    early = _ages(d, "early_stops_s", refused)
    resets = _ages(d, "resets_s", refused)
    running = d.get("running", damaged)
    if running is not True and running is not False:
        refused.append("running=%r: taken as running (the safe reading)" % (running,))
        running = True
    latched = d.get("latched", {})
    if not isinstance(latched, dict):
        refused.append("latched=%r is not a dict" % (latched,))
        latched = {}
    seq.tally.restore(starts, early, running)
    refused.extend(protect.restore_latched(latched, resets))
    return refused


def counters(seq, log, defrost):
    counts = log.counts
    out = {
        "starts": seq.tally.starts,
        "run_s": seq.tally.run_s,
        "fault_counts": {F.ORDER[i]: counts[i] for i in range(F.N_CODES) if counts[i]},
    }
    more = getattr(defrost, "counters", None)
    if more is not None:
        out.update(more())  # defrosts by reason and how they ended
    return out


def _count(d, key, refused):
    v = d.get(key)
    if type(v) is int and v >= 0:
        return v
    if v is not None:
        refused.append("%s=%r: not a count" % (key, v))
    return None


def restore_counters(seq, log, defrost, d):
    """Put back counters(); returns messages for what it refused (the app records C1:
    the defrost hook's own counts are only left out)."""
    refused = []
    seq.tally.restore_counters(_count(d, "starts", refused), _count(d, "run_s", refused))
    counts = d.get("fault_counts", {})
    if not isinstance(counts, dict):
        refused.append("fault_counts=%r is not a dict" % (counts,))
        counts = {}
    for code in counts:
        n = _count(counts, code, refused)
        if n is not None and code in F.ORDER:
            log.restore_count(F.index(code), n)
    restore = getattr(defrost, "restore_counters", None)
    if restore is not None:
        restore(d)
    return refused
