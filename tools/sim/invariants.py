"""An independent checker of DESIGN.md's safety invariants over a relay log.

    violations = check_invariants(relay_log, board, config, ticks=None)

relay_log: [(ms, name, on), ...] in the order the relays were written (SimHAL's log).
board: the Board (valve convention, shared fan motor, relay names).
config: the firmware config in force (a partial dict is filled with the defaults;
  max_early_stops, if the firmware has no such key, is 3).
ticks: optional per-tick context, one dict per controller tick in time order, recorded
  right after the tick (see `tick_context`): "ms" (sim time of the tick), "mode",
  "state", "defrost", "faults" (active codes), and "broken" ({sensor: "open" | "short"}
  as the HAL had them when the tick read its sensors). A tick whose state is "power off"
  marks a power cut: the relays written at its ms were dropped by the supply, not the
  controller. Without ticks, the checks that need to know why the controller acted are
  skipped or made without their exceptions (each rule below says which).

Returns [{"ms", "invariant", "message"}, ...] sorted by time; empty when all hold.
The checker reads relays, never the controller's timers: it rebuilds what each
invariant means from the log, so a bug in the sequencer cannot hide itself.

Words used below. A run: compressor relay on -> off. A gap: off -> the next on (the
first gap starts at power-up, time 0; a power cut's relay drop is a stop like any
other). Cooling valve: reversing_valve on on an "O" board, off on a "B" board. Outdoor
air off: fan_outdoor off, or on a shared-fan-motor board no indoor tap on. In a defrost
(a tick): its "defrost" is True or its "state" is "defrost" (the latter also covers the
valve-shift pauses); a defrost step: consecutive ticks in a defrost, broken by a power
cut. A melt run: a run whose start tick is in a defrost (without ticks: a run that
starts with the cooling valve and the outdoor air off). A tick bound: a state held from
t0 exceeds a bound B when a tick at or after t0 + B still finds it held (it may end at
the tick that finds it over; with 1 s ticks: held longer than B); without ticks, when it
held longer than B by the relay log.

Invariants checked (DESIGN.md numbering; 7 belongs to the app, 8 to the REPL tests):
1 min off. A restart sooner than min_off_s after its stop is allowed only as a defrost
  valve shift: the valve moved while the compressor was off in this gap and stands
  elsewhere than at the stop (not flipped back), the restart comes valve_shift_s or
  more after the valve's last move, and (with ticks) it is the defrost's own shift: the
  stop was not a power cut, and either the stop tick and the restart tick are in the
  same defrost step (the entry into the melt) or the stop ended a melt run and the tick
  before the restart is still in the stop's defrost step (the return to heating after
  the drip pause). The message names what was missing. Also, with ticks, whatever the
  gap: a restart whose tick is in a defrost (the melt's start) comes valve_shift_s or
  more after the valve last moved in its gap.
2 min run. (a) With ticks: a run shorter than min_run_s needs a fault or protection (a
  code active at the stop), a defrost or a power cut at its stop. (b) Whatever the
  cause, power cuts included: more than max_early_stops runs shorter than min_run_s
  stopping within any hour (a sliding hour, by stop times) is a cycle of short runs;
  melt runs are not counted (rule 9 bounds them). The message lists the runs.
3 at most max_starts_per_hour thermostat starts in any sliding hour, across power cuts,
  watchdog resets and crash restarts (the firmware keeps start times on flash). Every
  start counts but the restarts that pass rule 1's valve-shift test (without ticks:
  only those sooner than min_off_s).
4 the reversing valve moves only while the compressor is off (in write order).
5 outside defrost: compressor on in cooling => indoor fan on; in heating => outdoor
  fan on (the indoor taps on a shared-motor board); also never two speed taps on.
6 a sensor the mode needs, broken for sensor_bad_readings ticks in a row: compressor
  off after that tick and the sensor's code raised; the code clears only after the
  sensor has been whole for sensor_clear_s.
9 no state keeps the compressor on beyond its maximum. (a) With ticks: a melt run
  exceeds defrost_max_s + 30 s (tick bound). (b) From the relays alone: the compressor on
  with the cooling valve and the outdoor air off (what a trapped defrost looks like at
  the relays) exceeds defrost_max_s + 30 s (tick bound; with ticks, stretches inside a
  melt run are left to (a)). (c) With ticks: a defrost step of ticks with "defrost" True
  exceeds valve_shift_s + defrost_max_s + 60 s (tick bound from its first tick; a
  config that changed during the run may give "valve_shift_max_s", the longest pause
  in force, which this bound then uses).
"""

from bisect import bisect_left

from heatpump import config as firmware_config

HOUR_MS = 3_600_000
MELT_SLACK_S = 30  # a melt (or what looks like one) may pass defrost_max_s by this much
STEP_SLACK_S = 60  # a defrost step: its two valve shifts, its melt, and this
SENSOR_CODES = {
    "room": "S1",
    "indoor_coil": "S2",
    "outdoor": "S3",
    "outdoor_coil": "S4",
    "supply_air": "S5",
}
COOL_NEEDS = ("room", "indoor_coil")
HEAT_NEEDS = ("room", "indoor_coil", "outdoor")  # the outdoor coil: defrost falls back
TAPS = ("fan_indoor", "fan_indoor_low", "fan_indoor_med", "fan_indoor_high")


def tick_context(ctl, hal, broken=None):
    """The context check_invariants needs from one tick (call right after ctl.tick())."""
    view = ctl.view()
    return {
        "ms": hal.elapsed_ms,
        "mode": view["mode"],
        "state": view["state"],
        "defrost": bool(view["defrost"]),
        "faults": tuple(view["faults"]),
        "broken": dict(broken or {}),
    }


def _v(out, ms, n, msg):
    out.append({"ms": ms, "invariant": n, "message": msg})


def _s(ms):
    return f"{ms / 1000:.1f} s"


def _tick_in_defrost(c):
    return bool(c.get("defrost")) or c.get("state") == "defrost"


def _in_defrost(ctxs):
    return any(_tick_in_defrost(c) for c in ctxs)


def _external(ctxs):
    # Relays written by something other than the controller (a power cut in the sim).
    return any(c.get("state") == "power off" for c in ctxs)


class _Ticks:
    """The per-tick context, indexed once (one pass over the ticks)."""

    def __init__(self, ticks):
        self.have = ticks is not None
        self.by_ms = {}  # ms -> [tick dicts at that ms] (a power cut adds one)
        self.ms = []  # the tick times, ascending, each once
        self.step_of = {}  # ms -> number of the defrost step its tick is in
        self.flag_spans = []  # [(first ms, last ms)] of consecutive ticks with defrost True
        step = None
        n_steps = 0
        first = last = None
        for c in ticks or ():
            ms = c["ms"]
            at = self.by_ms.get(ms)
            if at is None:
                self.by_ms[ms] = [c]
                self.ms.append(ms)
            else:
                at.append(c)
            if c.get("state") == "power off":
                step = None
            elif _tick_in_defrost(c):
                if step is None:
                    n_steps += 1
                    step = n_steps
                self.step_of[ms] = step
            else:
                step = None
            if c.get("defrost") and c.get("state") != "power off":
                first = ms if first is None else first
                last = ms
            elif first is not None:
                self.flag_spans.append((first, last))
                first = None
        if first is not None:
            self.flag_spans.append((first, last))

    def at(self, ms):
        return self.by_ms.get(ms, ())

    def before(self, ms):
        """The last tick time before ms (None if none)."""
        i = bisect_left(self.ms, ms)
        return self.ms[i - 1] if i else None

    def held(self, since, until):
        """Time a state held from since to until (None: to the end) counts for a tick
        bound: up to the last tick that found it still held (None without ticks)."""
        if not self.ms:
            return None
        last = self.ms[-1] if until is None else self.before(until)
        return None if last is None else last - since


def _over(tk, since, until, bound):
    """How long a state held from since to until (None: still held at the end), if
    that exceeds bound (a tick bound, see the module doc); else None."""
    if tk.have:
        held = tk.held(since, until)
        return held if held is not None and held >= bound else None
    if until is not None and until - since > bound:
        return until - since
    return None


def _valve_cools(board, on):
    return on == (board.valve == "O")


def _outdoor_air(board, states):
    if board.shared_fan_motor:
        return any(states.get(t) for t in TAPS)
    return bool(states.get("fan_outdoor"))


def _melt_look(board, states):
    return _valve_cools(board, states.get("reversing_valve", False)) and not _outdoor_air(
        board, states
    )


def _compressor(log, board):
    """Runs [[on ms, off ms or None, melt look at the start]] and the restarts: one dict
    per start ("ms", "stop" ms, "prev_on" ms of the run before or None at power-up,
    "valve_at_stop", "valve", "move" ms of the valve's last move in the gap or None)."""
    states = {}
    comp = valve = at_stop = False
    stop = 0  # power-up is a stop
    move = prev_on = None
    runs = []
    restarts = []
    for ms, name, on in log:
        states[name] = on
        if name == "reversing_valve":
            if on != valve and not comp:
                move = ms
            valve = on
        elif name == "compressor" and on != comp:
            comp = on
            if on:
                restarts.append(
                    {
                        "ms": ms,
                        "stop": stop,
                        "prev_on": prev_on,
                        "valve_at_stop": at_stop,
                        "valve": valve,
                        "move": move,
                    }
                )
                runs.append([ms, None, _melt_look(board, states)])
                prev_on = ms
            else:
                runs[-1][1] = ms
                stop = ms
                at_stop = valve
                move = None
    return runs, restarts


def check_invariants(relay_log, board, config=None, ticks=None):
    cfg = firmware_config.defaults()
    cfg.update(config or {})
    cfg.setdefault("max_early_stops", 3)
    tk = _Ticks(ticks)
    runs, restarts = _compressor(relay_log, board)
    _classify_restarts(restarts, tk, cfg)
    out = []
    _check_min_off(out, restarts, tk, cfg)
    _check_shift_into_melt(out, restarts, tk, cfg)
    if tk.have:
        _check_early_stops(out, runs, tk, cfg)
    _check_short_runs(out, runs, tk, cfg)
    _check_starts(out, restarts, cfg)
    _check_valve(out, relay_log)
    _check_fans(out, relay_log, board, tk.by_ms)
    if tk.have:
        _check_sensors(out, relay_log, board, ticks, cfg)
        _check_melt_runs(out, runs, tk, cfg)
        _check_defrost_steps(out, tk, cfg)
    _check_melt_look(out, relay_log, board, tk, cfg)
    out.sort(key=lambda v: (v["ms"], v["invariant"]))
    return out


# ---- 1 and 3: restarts -----------------------------------------------------------


def _own_shift(r, tk):
    """With ticks: is restart r the defrost's own valve-shift restart (rule 1)?"""
    stop = r["stop"]
    if r["prev_on"] is None or _external(tk.at(stop)):
        return False
    step = tk.step_of.get(stop)
    if step is None:
        return False
    if tk.step_of.get(r["ms"]) == step:
        return True  # into the melt: stopped and restarted in one defrost step
    melt_ended = _in_defrost(tk.at(r["prev_on"]))
    return melt_ended and tk.step_of.get(tk.before(r["ms"])) == step  # back after the drip


def _shift_missing(r, tk, shift):
    """What restart r lacks to be a defrost valve-shift restart ([]: nothing)."""
    missing = []
    if r["move"] is None:
        missing.append("the reversing valve did not move while the compressor was off")
    elif r["valve"] == r["valve_at_stop"]:
        missing.append("the reversing valve moved back to where it was at the stop")
    elif r["ms"] - r["move"] < shift:
        missing.append(
            f"it came {_s(r['ms'] - r['move'])} after the valve moved "
            f"(valve_shift {shift // 1000} s)"
        )
    if tk.have and not _own_shift(r, tk):
        missing.append(
            "it is not the defrost's own shift (stop and restart not in one defrost step, "
            "nor a restart straight after the pause that ended a melt run)"
        )
    return missing


def _classify_restarts(restarts, tk, cfg):
    """Each restart gets "missing" (rule 1's list) and "shift" (not counted by rule 3)."""
    shift = cfg["valve_shift_s"] * 1000
    min_off = cfg["min_off_s"] * 1000
    for r in restarts:
        r["missing"] = missing = _shift_missing(r, tk, shift)
        early = r["ms"] - r["stop"] < min_off
        r["shift"] = not missing and r["prev_on"] is not None and (early or tk.have)


def _check_min_off(out, restarts, tk, cfg):
    min_off = cfg["min_off_s"] * 1000
    for r in restarts:
        gap = r["ms"] - r["stop"]
        if gap >= min_off or r["shift"]:
            continue
        if r["prev_on"] is None:
            what, why = "power-up", ""
        elif _external(tk.at(r["stop"])):
            what, why = "a power cut", ""
        else:
            what, why = "stopping", "; not a defrost valve shift: " + "; ".join(r["missing"])
        _v(
            out,
            r["ms"],
            1,
            f"compressor restarted {_s(gap)} after {what} (min_off {min_off // 1000} s){why}",
        )


def _check_shift_into_melt(out, restarts, tk, cfg):
    # However long the gap: a melt starts only valve_shift_s after the valve moved.
    shift = cfg["valve_shift_s"] * 1000
    min_off = cfg["min_off_s"] * 1000
    for r in restarts:
        ms = r["ms"]
        if r["move"] is None or ms - r["stop"] < min_off or ms - r["move"] >= shift:
            continue  # (a shorter gap is rule 1's own case)
        if _in_defrost(tk.at(ms)):
            _v(
                out,
                ms,
                1,
                f"compressor started a defrost's melt {_s(ms - r['move'])} after the "
                f"reversing valve moved (valve_shift {shift // 1000} s)",
            )


def _check_starts(out, restarts, cfg):
    max_starts = cfg["max_starts_per_hour"]
    counted = []  # every thermostat start: power cuts and resets forgive none
    for r in restarts:
        if r["shift"]:
            continue
        ms = r["ms"]
        counted.append(ms)
        if len(counted) > max_starts and ms - counted[-1 - max_starts] < HOUR_MS:
            span_min = (ms - counted[-1 - max_starts]) / 60000
            _v(
                out,
                ms,
                3,
                f"{max_starts + 1} thermostat starts within {span_min:.1f} "
                f"min (max {max_starts} an hour)",
            )


# ---- 2: runs -----------------------------------------------------------------------


def _check_early_stops(out, runs, tk, cfg):
    min_run = cfg["min_run_s"] * 1000
    for on, off, _look in runs:
        if off is None or off - on >= min_run:
            continue
        ctxs = tk.at(off)
        crashed = any(c.get("state") == "crashed" for c in ctxs)  # the app's way out
        if _in_defrost(ctxs) or _external(ctxs) or crashed or any(c.get("faults") for c in ctxs):
            continue
        _v(
            out,
            off,
            2,
            f"compressor stopped after {_s(off - on)} (min_run "
            f"{min_run // 1000} s) with no fault, protection or defrost active",
        )


def _check_short_runs(out, runs, tk, cfg):
    min_run = cfg["min_run_s"] * 1000
    limit = cfg["max_early_stops"]
    short = []  # (on, off) of the short runs; those from `first` on stopped within the hour
    first = 0
    for on, off, look in runs:
        if off is None or off - on >= min_run:
            continue
        if _in_defrost(tk.at(on)) if tk.have else look:
            continue  # a melt run: rule 9 bounds it
        short.append((on, off))
        while off - short[first][1] >= HOUR_MS:
            first += 1
        n = len(short) - first
        if n > limit:
            listed = ", ".join(f"{_s(b - a)} at {_s(a)}" for a, b in short[-1 - limit :])
            _v(
                out,
                off,
                2,
                f"{n} compressor runs shorter than min_run ({min_run // 1000} s) in the "
                f"hour up to {_s(off)} (max_early_stops {limit}); the last {limit + 1}: " + listed,
            )


# ---- 9: the compressor held on beyond a maximum --------------------------------------


def _check_melt_runs(out, runs, tk, cfg):
    max_s = cfg["defrost_max_s"]
    bound = (max_s + MELT_SLACK_S) * 1000
    for on, off, _look in runs:
        if not _in_defrost(tk.at(on)):
            continue
        held = _over(tk, on, off, bound)
        if held is None:
            continue
        end, length = ("stopped", off - on) if off is not None else ("still on", held)
        _v(
            out,
            on + length,
            9,
            f"defrost melt run from {_s(on)} {end} after {_s(length)} "
            f"(defrost_max {max_s} s + {MELT_SLACK_S} s)",
        )


def _check_melt_look(out, log, board, tk, cfg):
    max_s = cfg["defrost_max_s"]
    bound = (max_s + MELT_SLACK_S) * 1000
    air = "no fan tap on (shared fan motor)" if board.shared_fan_motor else "outdoor fan off"
    run_on = since = None
    for ms, st in _groups(log):
        if not st.get("compressor"):
            run_on = None
        elif run_on is None:
            run_on = ms
        look = run_on is not None and _melt_look(board, st)
        if look and since is None:
            # with ticks, a melt run's time is rule 9a's (a stricter bound: the whole run)
            since = None if tk.have and _in_defrost(tk.at(run_on)) else ms
        elif not look and since is not None:
            _melt_look_over(out, tk, since, ms, bound, air, max_s)
            since = None
    if since is not None:
        _melt_look_over(out, tk, since, None, bound, air, max_s)


def _melt_look_over(out, tk, since, until, bound, air, max_s):
    held = _over(tk, since, until, bound)
    if held is None:
        return
    length = held if until is None else until - since
    _v(
        out,
        since + length,
        9,
        f"compressor on with the valve in cooling and the {air} for {_s(length)} from "
        f"{_s(since)}, what a trapped defrost looks like (defrost_max {max_s} s + "
        f"{MELT_SLACK_S} s)",
    )


def _check_defrost_steps(out, tk, cfg):
    # valve_shift_max_s: the longest pause in force, where the config changed in the run
    shift_s = cfg.get("valve_shift_max_s", cfg["valve_shift_s"])
    bound_s = shift_s + cfg["defrost_max_s"] + STEP_SLACK_S
    for first, last in tk.flag_spans:
        if last - first >= bound_s * 1000:
            _v(
                out,
                last,
                9,
                f"defrost step from {_s(first)} still on at {_s(last)} (valve_shift_s + "
                f"defrost_max_s + {STEP_SLACK_S} s = {bound_s} s)",
            )


# ---- 4, 5, 6 ------------------------------------------------------------------------


def _check_valve(out, log):
    comp = False
    for ms, name, state in log:
        if name == "compressor":
            comp = state
        elif name == "reversing_valve" and comp:
            onoff = "on" if state else "off"
            _v(out, ms, 4, f"reversing valve switched {onoff} with the compressor on")


def _groups(log):
    """[(ms, relay states after every write at ms)] in time order."""
    states = {}
    groups = []
    i = 0
    while i < len(log):
        ms = log[i][0]
        while i < len(log) and log[i][0] == ms:
            states[log[i][1]] = log[i][2]
            i += 1
        groups.append((ms, dict(states)))
    return groups


def _check_fans(out, log, board, by_ms):
    states = {}
    for ms, name, state in log:
        states[name] = state
        taps = [t for t in TAPS if states.get(t)]
        if len(taps) > 1:
            _v(out, ms, 5, "two fan speed taps on at once: " + ", ".join(taps))
    valve_in_cool = board.valve == "O"
    for ms, st in _groups(log):
        if not st.get("compressor") or _in_defrost(by_ms.get(ms, [])):
            continue
        cooling = st.get("reversing_valve", False) == valve_in_cool
        indoor = any(st.get(t) for t in TAPS)
        if cooling and not indoor:
            _v(out, ms, 5, "compressor on in cooling with the indoor fan off")
        if not cooling:
            outdoor = indoor if board.shared_fan_motor else st.get("fan_outdoor", False)
            if not outdoor:
                _v(out, ms, 5, "compressor on in heating with the outdoor fan off")


def _needs(mode, valve_cool):
    if mode in ("cool", "dry"):
        base = set(COOL_NEEDS)
    elif mode == "heat":
        base = set(HEAT_NEEDS)
    else:
        base = set()
    # whatever the compressor runs on now needs its own sensors too
    return base | set(COOL_NEEDS if valve_cool else HEAT_NEEDS)


def _check_sensors(out, log, board, ticks, cfg):
    n_bad = cfg["sensor_bad_readings"]
    clear_ms = cfg["sensor_clear_s"] * 1000
    groups = _groups(log)
    gi = 0
    relays = {}
    run = {}  # sensor -> broken ticks in a row
    last_broken = {}  # sensor -> ms of the last tick that read it broken
    prev_faults = set()
    was_defrost = False
    energised_in_cool = board.valve == "O"
    for c in ticks:
        ms = c["ms"]
        while gi < len(groups) and groups[gi][0] <= ms:
            relays = groups[gi][1]
            gi += 1
        if c.get("state") == "power off":
            # The controller's RAM is gone: its fault debounce starts again at power-up.
            run = {}
            last_broken = {}
            prev_faults = set()
            continue
        broken = c.get("broken") or {}
        for s in SENSOR_CODES:
            if broken.get(s):
                run[s] = run.get(s, 0) + 1
                last_broken[s] = ms
            else:
                run[s] = 0
        faults = set(c.get("faults") or ())
        cool = relays.get("reversing_valve", False) == energised_in_cool
        # The indoor coil, with no air over it in a defrost step and its drip, is not
        # judged there; a broken one must be raised by the tick after.
        in_defrost = c.get("defrost") or c.get("state") == "defrost"
        coil_held = in_defrost or was_defrost
        was_defrost = in_defrost
        for s, k in run.items():
            if k < n_bad or (s == "indoor_coil" and coil_held):
                continue
            code = SENSOR_CODES[s]
            if code not in faults:
                _v(out, ms, 6, f"{s} broken for {k} readings but {code} not raised")
            if relays.get("compressor") and s in _needs(c.get("mode"), cool):
                mode = c.get("mode")
                _v(
                    out,
                    ms,
                    6,
                    f"compressor still on with {s} (needed in {mode}) broken for {k} readings",
                )
        for s, code in SENSOR_CODES.items():
            if code in prev_faults and code not in faults and s in last_broken:
                whole = ms - last_broken[s]
                if whole < clear_ms:
                    _v(
                        out,
                        ms,
                        6,
                        f"{code} cleared {whole / 1000:.1f} s after {s} was last "
                        f"broken (needs {clear_ms // 1000} s of sane readings)",
                    )
        prev_faults = faults
