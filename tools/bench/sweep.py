"""What one config default does: the firmware on bench runs with that value changed.

    python -m tools.bench.sweep aux_pause_dK=5,7,10 winter-humid "B winter-humid"

Each value on each run (tools/bench/plants.py's labels), two processes; prints comfort
(time within 1 C of the setpoint), energy and aux energy per run and value. A value the
firmware's config refuses is an error naming it, before anything runs.
"""

import argparse
import copy
import sys

from heatpump import config as fw_config

from tools.bench import plants, quality


def parse_values(spec: str) -> tuple[str, list[int]]:
    """ "key=v1,v2" -> (key, [v1, v2]), each value checked by the firmware's config."""
    key, sep, vals = spec.partition("=")
    if not sep or not vals:
        raise ValueError(f"{spec!r}: give key=value[,value...], e.g. aux_pause_dK=5,7")
    try:
        values = [int(v) for v in vals.split(",")]
    except ValueError:
        raise ValueError(f"{spec!r}: config values are integers") from None
    for v in values:
        fw_config.validate(key, v)  # raises ValueError naming the key and its range
    return key, values


def sweep(key: str, values: list[int], names: list[str], hours=None, procs: int = 2):
    """{(run, value): metrics} of the firmware with cfg[key] = value on each run."""
    runs = plants.runs(hours)
    unknown = [n for n in names if n not in runs]
    if unknown:
        raise ValueError(f"no run {unknown[0]!r} (runs: {', '.join(runs)})")
    jobs = []
    for v in values:
        for n in names:
            sc = copy.deepcopy(runs[n])
            sc["config"] = dict(sc.get("config") or {}, **{key: v})
            jobs.append(quality.Job(f"{n}|{v}", sc, "fw"))
    outs = quality.run_jobs(jobs, procs)
    return {tuple(k.split("|")): o["metrics"] for (k, _who), o in outs.items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("values", help="key=value[,value...], e.g. aux_pause_dK=5,7,10")
    ap.add_argument("runs", nargs="+", help="bench runs, e.g. winter-humid 'B cold-week'")
    ap.add_argument("--hours", type=float, help="shorten each run to this many hours")
    args = ap.parse_args(argv)
    try:
        key, values = parse_values(args.values)
        out = sweep(key, values, args.runs, args.hours)
    except ValueError as e:
        print(f"sweep: {e}", file=sys.stderr)
        return 2
    for (name, v), m in sorted(out.items(), key=lambda kv: (kv[0][0], int(kv[0][1]))):
        aux = m.get("aux_kwh") or 0.0
        print(f"{name:20s} {key}={v:>5s}  {m['comfort_pct']:6.2f} % in 1 C  "
              f"{m['energy_kwh']:8.2f} kWh  aux {aux:.2f} kWh")  # fmt: skip
    return 0


if __name__ == "__main__":
    from tools import run_cli

    run_cli(main)
