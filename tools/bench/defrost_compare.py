"""Demand against timed defrost on the simulator: the two winter days side by side.

    python -m tools.bench.defrost_compare [--hours H] [--procs N] [--json]

    from tools.bench.defrost_compare import compare, table
    res = compare()              # {"winter-humid": {"demand": {...}, ...}, ...}
    print("\\n".join(table(res)))

Each run is a tools/sim/engine.py run of the day's scenario (the plant, the simulated board and
the firmware's Controller with its Defrost, one tick a simulated second). Runs:

- each day (scenarios/winter-humid.json, scenarios/winter-dry-cold.json) as its
  scenario sets it (heating to 21 C, thermostat cycling), with `demand` defrost, with
  `timed` defrost at the boards' factory 60 min, and `frost-free`: the same day with
  the plant's frost held at zero and no defrost (what the unit would do if no frost
  formed). Both run with the firmware's defaults: the heat pump heats down to its
  unit's envelope (the board file's unit section).
- `capacity` (humid day only): the room's heat loss raised to CAPACITY_UA_W_PER_K so
  the unit runs flat out and never catches up: the heat it delivers is its capacity
  (aux heat is not staged beside the heat pump; it runs in the heat pump's pauses, a
  defrost and the coil's warm-up after it, the room being far below the setpoint).
  `--no-aux` runs them on the same board without its aux heater: the heat pump's alone.
  Demand, timed and frost-free again; `of_frost_free_pct` is the heat delivered as a
  share of the frost-free run's. Flat out there is also `oracle`: the best of a sweep of
  runs that defrost the moment the plant's own frost reaches ORACLE_FROST_KG[i] (the
  firmware's sequence, timers and protections unchanged; no board can see its frost).
  No initiation rule can beat it under this sequence: it is the ceiling that demand's
  figure is measured against. `oracle_frost_kg` is the best threshold.

Figures per run: defrosts, defrost_min (time with a defrost step active), heat_kwh
(heat into the room, net of what the defrosts took out of it), energy_kwh (electricity,
aux heat included), kwh_per_kwh (energy per heat), comfort_pct (tools/sim/metrics.py),
aux_kwh (the aux heater's run, at its rating), invariant_violations.
"""

import argparse
import json
import os
import tempfile
import time

from heatpump.controller import Controller

from tools import REPO
from tools.plant import UnitParams
from tools.sim import run_scenario
from tools.sim import scenario as scenario_mod

DAYS = ("winter-humid", "winter-dry-cold")
MODES = ("demand", "timed", "frost-free")
ORACLE_FROST_KG = (0.25, 0.3, 0.35, 0.4, 0.45)  # brackets the best (0.35 kg on the humid day)
CAPACITY_UA_W_PER_K = 150.0  # 3.2 kW at 0 C outdoors: more than the unit gives
NO_STAGED_AUX_DC = -100  # capacity runs: aux never staged beside the heat pump above -10 C
FIGURES = (
    "defrosts",
    "defrost_min",
    "heat_kwh",
    "energy_kwh",
    "kwh_per_kwh",
    "comfort_pct",
    "aux_kwh",
    "invariant_violations",
)


def scenario(day):
    """The day's scenario (validated), with the config this comparison runs it with."""
    sc = scenario_mod.load(day)
    if sc["weather"]["kind"] != "daily":
        raise ValueError(f"{day}: the comparison needs a daily weather profile")
    return sc


def run_one(day, mode, capacity=False, hours=None, start_hour=None, oracle_kg=None, no_aux=False):
    """One run (hours and start_hour default to the scenario's); returns its figures.

    With oracle_kg the run's own defrost rule is the clock at its longest interval, and a
    defrost is asked for (hp.defrost()) once the plant's frost reaches oracle_kg and the
    compressor has done its minimum run.
    """
    if mode not in (*MODES, "oracle"):
        raise ValueError(f"mode {mode!r}: one of {MODES}, or 'oracle' with oracle_kg")
    if (mode == "oracle") != (oracle_kg is not None):
        raise ValueError(f"mode {mode!r} with oracle_kg={oracle_kg}: only 'oracle' takes one")
    sc = scenario(day)
    if capacity:
        sc["room"] = dict(sc["room"], ua_w_per_k=CAPACITY_UA_W_PER_K)
        # The unit's capacity is measured: no aux heat staged beside the heat pump (it
        # still runs in the heat pump's pauses, aux.py); no_aux: the heat pump's alone,
        # on the same board without its aux heater.
        sc["config"] = dict(sc["config"], aux_max_outdoor_dC=NO_STAGED_AUX_DC)
        if no_aux:
            sc["board"] = _board_without_aux(sc["board"])
    if hours is not None:
        sc["duration_h"] = hours
    if start_hour is not None:
        sc["start"] = dict(sc["start"], hour=start_hour)
    frost_free = mode == "frost-free"
    if oracle_kg is not None:
        sc["config"] = dict(sc["config"], defrost_mode="timed", defrost_interval_s=7200)
    elif not frost_free:
        sc["config"] = dict(sc["config"], defrost_mode=mode)

    def controller(hal, config, settings):
        ctl = Controller(hal, config=config, settings=settings)
        if frost_free:
            ctl.defrost = None  # no frost forms, so nothing to melt
        return ctl

    aux_s = 0

    def after_step(run):
        nonlocal aux_s
        if frost_free:
            run.plant.unit.frost_kg = 0.0
        ctl = run.ctl
        oracle_now = oracle_kg is not None and run.plant.unit.frost_kg >= oracle_kg
        if oracle_now and not ctl.defrost.active and not ctl.seq.min_run_left_ms():
            ctl.defrost.request()
        if "aux_heat" in run.relay_names and run.hal.relay("aux_heat"):
            aux_s += 1

    m, _run, _rows = run_scenario(
        sc, progress=False, controller_factory=controller, after_step=after_step
    )
    heat = m["heat_delivered_kwh"] - m["cool_delivered_kwh"]
    return {
        "defrosts": m["defrosts"],
        "defrost_min": m["defrost_minutes"],
        "heat_kwh": round(heat, 3),
        "energy_kwh": m["energy_kwh"],
        "kwh_per_kwh": round(m["energy_kwh"] / heat, 4) if heat > 0 else None,
        "comfort_pct": m["comfort_pct"],
        "aux_kwh": round(aux_s * UnitParams(**sc["unit"]).aux_heat_w / 3.6e6, 3),
        "invariant_violations": m["invariant_violations"],
    }


def _board_without_aux(board):
    """A board file like `board` with no aux_heat relay (written once per process)."""
    path = os.path.join(tempfile.gettempdir(), f"{board}-no-aux-{os.getpid()}.json")
    if not os.path.exists(path):
        with open(os.path.join(REPO, "boards", board + ".json")) as f:
            d = json.load(f)
        d["relays"].pop("aux_heat", None)
        with open(path, "w") as f:
            json.dump(d, f)
    return path


def _job(args):
    day, mode, capacity, hours, oracle_kg, no_aux = args
    return args, run_one(day, mode, capacity, hours, oracle_kg=oracle_kg, no_aux=no_aux)


def compare(hours=None, procs=1, days=DAYS, capacity=True, no_aux=False):
    """Every run of the module doc; hours=None runs the scenarios' own 24 h.

    Returns {day: {mode: figures}, "capacity": {mode: figures}}; a capacity figure set
    also has of_frost_free_pct, and capacity has the mode "oracle" too.
    """
    jobs = [(day, mode, False, hours, None, False) for day in days for mode in MODES]
    if capacity:
        jobs += [("winter-humid", mode, True, hours, None, no_aux) for mode in MODES]
        jobs += [("winter-humid", "oracle", True, hours, kg, no_aux) for kg in ORACLE_FROST_KG]
    if procs > 1:
        from multiprocessing import Pool

        with Pool(procs) as pool:
            done = pool.map(_job, jobs)
    else:
        done = [_job(j) for j in jobs]
    out = {}
    for (day, mode, cap, _h, kg, _no_aux), figs in done:
        runs = out.setdefault("capacity" if cap else day, {})
        if kg is not None:
            figs["oracle_frost_kg"] = kg
            if mode in runs and runs[mode]["heat_kwh"] >= figs["heat_kwh"]:
                continue
        runs[mode] = figs
    if "capacity" in out:
        free = out["capacity"]["frost-free"]["heat_kwh"]
        for figs in out["capacity"].values():
            figs["of_frost_free_pct"] = round(100 * figs["heat_kwh"] / free, 1)
    return out


def table(res):
    """The comparison as text lines, one block per day."""
    lines = []
    for day, runs in res.items():
        modes = [m for m in MODES + ("oracle",) if m in runs]
        head = " " * 20 + "".join(f"{m:>13s}" for m in modes)
        if day == "capacity":
            title = (
                f"capacity: winter-humid with the room's loss at {CAPACITY_UA_W_PER_K:g} W/K "
                "(the unit runs flat out)"
            )
        else:
            title = day + " (as its scenario sets it)"
        lines += [title, head]
        keys = FIGURES + (("of_frost_free_pct", "oracle_frost_kg") if day == "capacity" else ())
        for key in keys:
            cells = ""
            for mode in modes:
                v = runs.get(mode, {}).get(key)
                cells += f"{'-' if v is None else v!s:>13s}"
            lines.append(f"{key:20s}{cells}")
        lines.append("")
    return lines


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="python -m tools.bench.defrost_compare", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--hours", type=float, help="simulated hours per run (default: 24)")
    ap.add_argument("--procs", type=int, default=2, help="runs at once (default 2)")
    ap.add_argument("--no-capacity", action="store_true", help="skip the flat-out runs")
    ap.add_argument(
        "--no-aux",
        action="store_true",
        help="flat out without the aux heater (the heat pump's own)",
    )
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    if args.hours is not None and not 0 < args.hours <= 240:
        ap.error(f"--hours must be in (0, 240]; got {args.hours:g}")
    if args.procs < 1:
        ap.error(f"--procs must be 1 or more; got {args.procs}")
    t0 = time.perf_counter()
    res = compare(args.hours, args.procs, capacity=not args.no_capacity, no_aux=args.no_aux)
    if args.json:
        print(json.dumps(res, indent=2))
    else:
        print("\n".join(table(res)))
        print("(%.0f s)" % (time.perf_counter() - t0))
    return 0


if __name__ == "__main__":
    from tools import run_cli

    run_cli(main)
