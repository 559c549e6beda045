"""An independent checker of DESIGN.md's safety invariants over a relay log.

    violations = check_invariants(relay_log, board, config, ticks=None)

relay_log: [(ms, name, on), ...] in the order the relays were written (SimHAL's log).
board: the Board (valve convention, shared fan motor, relay names).
config: the firmware config in force (a partial dict is filled with the defaults).
ticks: optional per-tick context, one dict per controller tick, recorded right after
  the tick (see `tick_context`): "ms" (sim time of the tick), "mode", "state",
  "defrost", "faults" (active codes), and "broken" ({sensor: "open" | "short"} as the
  HAL had them when the tick read its sensors). Without it, the checks that need to
  know why the controller acted (2, 6, and the defrost exceptions of 1, 3 and 5) are
  skipped or made without their exceptions.

Returns [{"ms", "invariant", "message"}, ...] sorted by time; empty when all hold.
The checker reads relays, never the controller's timers: it rebuilds what each
invariant means from the log, so a bug in the sequencer cannot hide itself.

Invariants checked (DESIGN.md numbering; 7 belongs to the app, 8 to the REPL tests):
1 restart only min_off_s after a stop (after boot: after power-up); a stop inside a
  defrost step only needs valve_shift_s.
2 a run lasts min_run_s unless a fault or protection (a code active at the stop) or a
  defrost step ends it.
3 at most max_starts_per_hour thermostat starts in any hour (restarts after a defrost
  valve shift are not counted; a power cut, a tick whose state is "power off", starts
  the count again: the board has no clock that survives it).
4 the reversing valve moves only while the compressor is off (in write order).
5 outside defrost: compressor on in cooling => indoor fan on; in heating => outdoor
  fan on (the indoor taps on a shared-motor board); also never two speed taps on.
6 a sensor the mode needs, broken for sensor_bad_readings ticks in a row: compressor
  off after that tick and the sensor's code raised; the code clears only after the
  sensor has been whole for sensor_clear_s.
"""

from bisect import bisect_right

from heatpump import config as firmware_config

HOUR_MS = 3_600_000
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


def _in_defrost(ctxs):
    return any(c.get("defrost") or c.get("state") == "defrost" for c in ctxs)


def _external(ctxs):
    # Relays written by something other than the controller (a power cut in the sim).
    return any(c.get("state") == "power off" for c in ctxs)


def check_invariants(relay_log, board, config=None, ticks=None):
    cfg = firmware_config.defaults()
    cfg.update(config or {})
    min_off = cfg["min_off_s"] * 1000
    min_run = cfg["min_run_s"] * 1000
    shift = cfg["valve_shift_s"] * 1000
    max_starts = cfg["max_starts_per_hour"]
    by_ms = {}
    for c in ticks or ():
        by_ms.setdefault(c["ms"], []).append(c)
    have_ctx = ticks is not None
    out = []
    _check_compressor(out, relay_log, by_ms, have_ctx, min_off, min_run, shift, max_starts)
    _check_valve(out, relay_log)
    _check_fans(out, relay_log, board, by_ms)
    if have_ctx:
        _check_sensors(out, relay_log, board, ticks, cfg)
    out.sort(key=lambda v: (v["ms"], v["invariant"]))
    return out


def _check_compressor(out, log, by_ms, have_ctx, min_off, min_run, shift, max_starts):
    on = False
    last_off = 0  # power-up counts as a stop
    last_off_defrost = False
    last_on = None
    counted = []  # times of thermostat starts since the last power cut
    cuts = sorted(ms for ms, cs in by_ms.items() if _external(cs))
    for ms, name, state in log:
        if name != "compressor" or state == on:
            continue
        on = state
        ctxs = by_ms.get(ms, [])
        if on:
            need = shift if last_off_defrost else min_off
            if ms - last_off < need:
                what = "a defrost valve shift" if last_off_defrost else "min_off"
                gap_s = (ms - last_off) / 1000
                _v(
                    out,
                    ms,
                    1,
                    f"compressor restarted {gap_s:.1f} s after stopping "
                    f"({what}: {need // 1000} s)",
                )
            if not last_off_defrost:
                if counted and bisect_right(cuts, counted[-1]) != bisect_right(cuts, ms):
                    counted = []  # a power cut in between: RAM and its start ages are gone
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
            last_on = ms
        else:
            defrost = _in_defrost(ctxs)
            if have_ctx and last_on is not None and ms - last_on < min_run:
                reason = defrost or _external(ctxs) or any(c.get("faults") for c in ctxs)
                if not reason:
                    run_s = (ms - last_on) / 1000
                    _v(
                        out,
                        ms,
                        2,
                        f"compressor stopped after {run_s:.1f} s (min_run "
                        f"{min_run // 1000} s) with no fault, protection or defrost active",
                    )
            last_off = ms
            last_off_defrost = defrost


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
        for s, k in run.items():
            if k < n_bad:
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
