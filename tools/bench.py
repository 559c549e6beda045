"""Footprint, speed and control-quality figures: `make bench`.

    python -m tools.bench [--only SECTION[,SECTION]] [--quick] [--board NAME] [--out FILE]

Runs each section, prints every figure with the command that reproduces it, and writes
the figures to build/bench.json (a flat {key: value} map, plus "sections" with each
section's commands, details, wall time and error). A run of some sections (--only)
keeps the other sections' figures already in the file. A failing section prints its
error and the run goes on; the exit status is then 1. --quick uses small sizes (a smoke
run, not figures to quote).

A section is a function `section_NAME(ctx) -> list[Figure]` listed in SECTIONS.
"""

import argparse
import datetime
import json
import os
import sys
import time
import traceback
from dataclasses import dataclass, field

from tools import REPO, bench_upy

PY = ".venv/bin/python"
OUT = os.path.join("build", "bench.json")


def bench_cmd(section: str) -> str:
    return f"{PY} -m tools.bench --only {section}"


@dataclass
class Figure:
    key: str  # the name in bench.json, with its unit (`_bytes`, `_us`, ...)
    value: float | int | None
    unit: str  # as printed after the value
    label: str  # what it is, in a few words
    command: str  # what reproduces it
    lines: list = field(default_factory=list)  # detail printed under the figure
    data: object = None  # detail kept in bench.json under sections.NAME.details.KEY


# How much each measurement does: a full run, and --quick (a smoke run).
SIZES = {
    "full": {"ticks": 1000, "passes": 1000, "day_s": 86_400, "day_step_s": 3600, "sim_h": None},
    "quick": {"ticks": 100, "passes": 100, "day_s": 7200, "day_step_s": 3600, "sim_h": 1},
}


@dataclass
class Ctx:
    quick: bool = False
    board: str = "esp32-devkitc"
    sizes: dict = field(default_factory=dict)  # SIZES["full"] or ["quick"] unless given
    mpy_dir: str = os.path.join(REPO, bench_upy.BENCH_MPY)  # mpy-cross output for the VM
    memo: dict = field(default_factory=dict)  # results shared between sections

    def __post_init__(self):
        self.sizes = {**SIZES["quick" if self.quick else "full"], **self.sizes}

    def once(self, name, fn):
        """fn() the first time a name is asked for, its result after that."""
        if name not in self.memo:
            self.memo[name] = fn()
        return self.memo[name]


# ---- shared measurements ------------------------------------------------------------


def _tick_alloc(ctx: Ctx) -> dict:
    """tools.tick_alloc's figures (allocation and time per tick), measured once a run."""
    from tools import tick_alloc

    return ctx.once("tick_alloc", lambda: tick_alloc.measure(ctx.sizes["ticks"]))


def _mpy_dir(ctx: Ctx) -> str:
    """The firmware compiled by mpy-cross (once a run), for the VM to import."""
    return ctx.once("mpy_dir", lambda: bench_upy.compile_firmware(ctx.mpy_dir))


def _fmt(value, unit: str) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    else:
        text = f"{int(value):,}"
    return f"{text} {unit}".rstrip()


# ---- footprint -----------------------------------------------------------------------


def section_footprint(ctx: Ctx) -> list[Figure]:
    """MicroPython footprint: flash, heap at start-up, allocation, heap over a day.

    Heap figures come from the npm VM (32-bit, like the ESP32) importing the .mpy files
    of the deploy set, as the board does."""
    figs = []
    cmd = bench_cmd("footprint")

    # Flash: the deploy set as tools.deploy lists it.
    files = bench_upy.deploy_files(ctx.board)
    mpy = sorted((f for f in files if f.dest.endswith(".mpy")), key=lambda f: -f.size)
    src = [f for f in files if f.dest in ("boot.py", "main.py")]
    mpy_total = sum(f.size for f in mpy)
    figs.append(
        Figure(
            "mpy_bytes",
            mpy_total,
            "B",
            f"deploy set: {len(mpy)} .mpy files",
            cmd,
            [f"{f.dest:32s} {f.size:7,d} B" for f in mpy[:5]]
            + ([f"... and {len(mpy) - 5} smaller"] if len(mpy) > 5 else []),
            {f.dest: f.size for f in mpy},
        )
    )
    figs.append(
        Figure(
            "deploy_bytes",
            mpy_total + sum(f.size for f in src),
            "B",
            "deploy set with boot.py + main.py (source)",
            cmd,
            [f"{f.dest:32s} {f.size:7,d} B" for f in src],
        )
    )

    # Heap: start-up, one step per top-level VM call.
    mpy_dir = _mpy_dir(ctx)
    fp = bench_upy.footprint(ctx.board, ctx.sizes["passes"], mpy_dir)
    steps = fp["heap"]  # [label, live bytes after it], first: the bare VM
    levels = dict(steps)
    base = levels["stand-in machine module"]
    lines = [f"{steps[0][0]:34s} {'':10s}  -> {steps[0][1]:8,d} B"]
    for (_, prev), (label, live) in zip(steps, steps[1:], strict=False):
        lines.append(f"{label:34s} {live - prev:+8,d} B  -> {live:8,d} B")
    for name, why in sorted(fp["skipped"].items()):
        lines.append(f"not importable in the VM, not counted: {name} ({why})")
    vm_cmd = "VM run: " + fp["command"]
    figs.append(
        Figure(
            "heap_startup_bytes",
            steps[-1][1] - base,
            "B",
            "heap in use after start-up (every module, board, HAL, Controller, Api)",
            cmd,
            [*lines, vm_cmd],
            steps,
        )
    )
    figs.append(
        Figure(
            "alloc_bytes_per_sampling_pass",
            fp["sampling_pass_bytes"],
            "B",
            f"allocated per sampling pass (Sensors.read, {fp['channels']} channels, Esp32HAL)",
            cmd,
            [f"of which Esp32HAL.read_adc: {fp['hal_reads_bytes']:g} B"],
        )
    )

    # Allocation per steady-state tick: tools.tick_alloc.
    ta = _tick_alloc(ctx)
    own = ta["micropython_alloc_bytes_per_tick"]
    with_sim = ta["micropython_alloc_with_sim_bytes_per_tick"]
    figs.append(
        Figure(
            "alloc_bytes_per_tick",
            max(own.values()),
            "B",
            "allocated per steady-state control tick (worst of cooling, idle, heating)",
            f"{PY} -m tools.tick_alloc",
            [f"{s:8s} {own[s]:g} B/tick, {with_sim[s]:g} B/tick on SimHAL" for s in own],
            {"controller": own, "with_sim": with_sim},
        )
    )

    # The simulated day.
    d = bench_upy.day(ctx.board, ctx.sizes["day_s"], mpy_dir, ctx.sizes["day_step_s"])
    hours = d["seconds"] / 3600
    rate = d["seconds"] / (d["wall_ms"] / 1000) if d["wall_ms"] else None
    state_h = ", ".join(f"{k} {v / 3600:.1f} h" for k, v in sorted(d["state_s"].items()))
    day_lines = [
        f"{hours:g} h in auto at 22 C, outdoor 8-28 C: {d['starts']} compressor starts, "
        f"room {d['room_c'][0]:.1f}-{d['room_c'][1]:.1f} C",
        f"states: {state_h}",
        f"live heap every {d['step_s']} s: " + " ".join(f"{v:,}" for v in d["levels"]),
        "VM run: " + d["command"],
    ]
    figs += [
        Figure("heap_day_start_bytes", d["levels"][0], "B", "day: live heap at the start", cmd),
        Figure("heap_day_end_bytes", d["levels"][-1], "B", "day: live heap at the end", cmd),
        Figure(
            "heap_day_peak_bytes",
            d["peak"],
            "B",
            f"day: peak heap (collected every {d['step_s']} s)",
            cmd,
        ),
        Figure("day_alloc_bytes", d["alloc"], "B", f"day: allocated in {hours:g} h", cmd),
        Figure(
            "day_vm_speed",
            round(rate, 1) if rate else None,
            "x real time",
            "day: VM speed (controller + scripted room)",
            cmd,
            day_lines,
            {k: d[k] for k in d if k != "command"},
        ),
    ]
    return figs


# ---- speed ---------------------------------------------------------------------------


def section_speed(ctx: Ctx) -> list[Figure]:
    """Speed of the control tick under MicroPython and CPython.

    Time per steady-state tick as a multiple of a trivial loop iteration on the same
    interpreter (medians of batches), so the figure travels between machines."""
    ta = _tick_alloc(ctx)
    cmd = f"{PY} -m tools.tick_alloc"
    figs = []
    for name, key in (("MicroPython VM", "micropython"), ("CPython", "cpython")):
        us = ta[key + "_tick_us"]
        ratio = ta[key + "_tick_loop_ratio"]
        figs.append(
            Figure(
                f"tick_loop_ratio_{key}", ratio, "x", f"{name}: tick / trivial loop iteration", cmd
            )
        )
        figs.append(Figure(f"tick_us_{key}", us, "us", f"{name}: tick on this machine", cmd))
    return figs


# ---- hooks for the control-quality figures (filled by the lead) ----------------------


def section_sim_speed(ctx: Ctx) -> list[Figure]:
    """Simulator speed: simulated time over wall time for a 24 h scenario.

    A first version, for the lead to keep or replace."""
    from tools import scenario as scenario_mod
    from tools.sim import run_scenario

    sc = scenario_mod.load(os.path.join(REPO, "scenarios", "winter-humid.json"))
    if ctx.sizes["sim_h"]:
        sc["duration_h"] = ctx.sizes["sim_h"]
    t0 = time.perf_counter()
    run_scenario(sc, progress=False)
    wall = time.perf_counter() - t0
    return [
        Figure(
            "sim_speed",
            round(sc["duration_h"] * 3600 / wall),
            "x real time",
            f"simulator, {sc['name']} ({sc['duration_h']:g} h) in {wall:.1f} s",
            bench_cmd("sim_speed"),
        )
    ]


def section_control_quality(ctx: Ctx) -> list[Figure]:
    """Control quality against the reference "standard" thermostat (hook).

    For the lead: comfort, starts and energy of ours vs tools.reference over the
    scenarios (run_scenario(..., controller_factory=StandardThermostat))."""
    return []


def section_defrost(ctx: Ctx) -> list[Figure]:
    """Defrost (hook).

    For the lead: defrosts per day, time and energy in defrost, capacity kept."""
    return []


def section_seasonal(ctx: Ctx) -> list[Figure]:
    """Seasonal figures (hook).

    For the lead: a simulated year: energy, starts, comfort."""
    return []


SECTIONS = {
    "footprint": section_footprint,
    "speed": section_speed,
    "sim_speed": section_sim_speed,
    "control_quality": section_control_quality,
    "defrost": section_defrost,
    "seasonal": section_seasonal,
}


# ---- the harness ---------------------------------------------------------------------


def print_section(name: str, figs: list[Figure], out=print) -> None:
    for i, f in enumerate(figs):
        out(f"  {f.label + ' ':.<76s} {_fmt(f.value, f.unit)}")
        for line in f.lines:
            out(f"      {line}")
        nxt = figs[i + 1].command if i + 1 < len(figs) else None
        if f.command != nxt:
            out(f"    $ {f.command}")
    if not figs:
        out(f"  (no figures yet: section_{name}() in tools/bench.py is a hook)")


def run_sections(names: list[str], ctx: Ctx, out=print) -> dict:
    """Run the named sections in order; {name: {"figures", "wall_s", "error"}}."""
    results = {}
    for name in names:
        fn = SECTIONS[name]
        doc = (fn.__doc__ or "").strip().split("\n")[0]
        out(f"\n== {name}: {doc}")
        t0 = time.perf_counter()
        try:
            figs = fn(ctx)
            error = None
        except Exception as e:  # report it, run the other sections, fail at the end
            figs = []
            error = f"{type(e).__name__}: {e}"
            out(f"  FAILED: {error}")
            out("  " + "".join(traceback.format_exc()).rstrip().replace("\n", "\n  "))
        wall = time.perf_counter() - t0
        if not error:
            print_section(name, figs, out)
        out(f"  ({wall:.1f} s)")
        results[name] = {"figures": figs, "wall_s": round(wall, 1), "error": error}
    return results


def merge_json(path: str, results: dict, ctx: Ctx) -> dict:
    """The figures of this run over those already in path (other sections kept)."""
    try:
        with open(path) as f:
            doc = json.load(f)
        if not isinstance(doc, dict) or not isinstance(doc.get("sections"), dict):
            doc = {}
    except (OSError, ValueError):
        doc = {}
    doc.setdefault("sections", {})
    for name, r in results.items():
        for key in doc["sections"].get(name, {}).get("keys", []):
            doc.pop(key, None)
        for f in r["figures"]:
            doc[f.key] = f.value
        doc["sections"][name] = {
            "keys": [f.key for f in r["figures"]],
            "commands": {f.key: f.command for f in r["figures"]},
            "details": {f.key: f.data for f in r["figures"] if f.data is not None},
            "quick": ctx.quick,
            "board": ctx.board,
            "wall_s": r["wall_s"],
            "error": r["error"],
            "when": datetime.datetime.now().isoformat(timespec="seconds"),
        }
    sections = doc.pop("sections")
    doc = dict(sorted(doc.items()))
    doc["sections"] = sections
    return doc


def parse_only(text: str | None) -> list[str]:
    if not text:
        return list(SECTIONS)
    names = [n.strip() for n in text.split(",") if n.strip()]
    bad = [n for n in names if n not in SECTIONS]
    if bad or not names:
        raise ValueError(
            f"--only: unknown section {', '.join(bad) or repr(text)}; "
            f"sections: {', '.join(SECTIONS)}"
        )
    return [n for n in SECTIONS if n in names]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.split("\n")[0])
    ap.add_argument("--only", metavar="SECTION[,SECTION]", help="sections: " + ", ".join(SECTIONS))
    ap.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    ap.add_argument("--board", default="esp32-devkitc", help="board file name (boards/NAME.json)")
    ap.add_argument("--out", help=f"the JSON file to write (default {OUT})")
    args = ap.parse_args(argv)
    try:
        names = parse_only(args.only)
    except ValueError as e:
        ap.error(str(e))
    if not os.path.exists(os.path.join(REPO, "boards", args.board + ".json")):
        ap.error(f"--board: no boards/{args.board}.json")
    ctx = Ctx(quick=args.quick, board=args.board)
    out_path = args.out or os.path.join(REPO, OUT)
    when = datetime.datetime.now().isoformat(timespec="seconds")
    print(f"heat pump firmware bench, {when}{' (--quick: smoke sizes)' if ctx.quick else ''}")
    results = run_sections(names, ctx)
    doc = merge_json(out_path, results, ctx)
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    with open(out_path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    failed = [n for n, r in results.items() if r["error"]]
    print(f"\nwrote {args.out or OUT}" + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
