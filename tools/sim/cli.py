"""The simulator's command line.

    python -m tools.sim run SCENARIO.json --out DIR [--every N] [--quiet]
    python -m tools.sim list
    python -m tools.sim live SCENARIO.json [--speed 60]

`run` writes trace.csv, relays.json, metrics.json and plot.png (README, section "The
simulator"); `live` runs the app in accelerated real time with a console
(tools/sim/live.py).
"""

import argparse
import os
import sys
import time

from tools.sim import scenario as scenario_mod
from tools.sim.engine import run_scenario


def cmd_list(_args):
    for name, desc in scenario_mod.bundled_scenarios():
        print(f"{name:18s} {desc}")


def cmd_run(args):
    sc = scenario_mod.load(args.scenario)
    out = args.out or os.path.join("build", "sim", sc["name"])
    t0 = time.perf_counter()
    result, run, _rows = run_scenario(sc, out, every=args.every, progress=not args.quiet)
    wall = time.perf_counter() - t0
    print(
        f"{sc['name']}: {sc['duration_h']:g} h simulated in {wall:.1f} s "
        f"({sc['duration_h'] * 3600 / wall:.0f}x real time)"
    )
    for key, value in result.items():
        print(f"  {key:24s} {value}")
    for note in run.notes:
        print(f"  note: {note}")
    print(f"wrote {out}/trace.csv, relays.json, metrics.json, plot.png")
    return 1 if result["invariant_violations"] else 0


def cmd_live(args):
    from tools.sim.live import live

    return live(scenario_mod.load(args.scenario), speed=args.speed)


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="python -m tools.sim",
        description="the firmware against a simulated room and heat pump",
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("run", help="run a scenario and write trace, relays, metrics and plot")
    p.add_argument("scenario", help="a scenario file, or the name of a bundled one")
    p.add_argument("--out", help="output folder (default build/sim/NAME)")
    p.add_argument("--every", type=int, default=1, help="write every Nth tick to trace.csv")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    sub.add_parser("list", help="the bundled scenarios")
    p = sub.add_parser("live", help="run in accelerated real time with a console (hp.status())")
    p.add_argument("scenario", help="a scenario file, or the name of a bundled one")
    p.add_argument("--speed", type=float, default=60.0, help="simulated seconds per second")
    args = ap.parse_args(argv)
    if getattr(args, "every", 1) < 1:
        ap.error("--every must be 1 or more")
    try:
        return {"run": cmd_run, "list": cmd_list, "live": cmd_live}[args.cmd](args) or 0
    except scenario_mod.ScenarioError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
