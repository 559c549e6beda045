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
import time
import traceback
from dataclasses import dataclass, field

from tools import REPO
from tools.bench import upy as bench_upy

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
    show: bool = True  # False: in bench.json only (a table in `lines` shows it)


# How much each measurement does: a full run, and --quick (a smoke run).
# cq_h: hours of each control-quality scenario (None: the scenario's own 24 h);
# season_*: the sampled days of the synthetic year (see section_seasonal); procs: the
# simulator runs at once.
SIZES = {
    "full": {
        "ticks": 1000,
        "passes": 1000,
        "day_s": 86_400,
        "day_step_s": 3600,
        "sim_h": None,
        "cq_h": None,
        "season_every_d": 7,
        "season_first_d": 3,
        "season_h": 24,
        "procs": 2,
        "life_days": 7,
        "life_unix_heap": "256K",
    },
    "quick": {
        "ticks": 100,
        "passes": 100,
        "day_s": 7200,
        "day_step_s": 3600,
        "sim_h": 1,
        "cq_h": 1,
        "season_every_d": 182,
        "season_first_d": 15,
        "season_h": 1,
        "procs": 2,
        "life_days": 1,
        "life_unix_heap": "256K",
    },
}


@dataclass
class Ctx:
    quick: bool = False
    board: str = "esp32-devkitc"
    sizes: dict = field(default_factory=dict)  # SIZES["full"] or ["quick"] unless given
    mpy_dir: str = os.path.join(REPO, bench_upy.BENCH_MPY)  # mpy-cross output for the VM
    plot_dir: str = os.path.join(REPO, "build", "bench")  # where the plots go
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
    """tools.bench.tick_alloc's figures (allocation and time per tick), measured once a run."""
    from tools.bench import tick_alloc

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

    # Flash: the deploy set as tools.device.deploy lists it.
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
    # [label, live bytes, interned names, their pools' bytes] after each; first the bare VM
    steps = fp["heap"]
    levels = {step[0]: step[1] for step in steps}
    base = levels["stand-in machine module"]
    lines = [
        f"{'':34s} {'in all':>10s}  {'names':>14s}  {'the rest':>9s}  {'live':>10s}",
        f"{steps[0][0]:34s} {'':10s}  {'':14s}  {'':9s}  {steps[0][1]:8,d} B",
    ]
    for (_, prev, n0, b0), (label, live, n1, b1) in zip(steps, steps[1:], strict=False):
        names = f"{n1 - n0:+4d} {b1 - b0:+7,d} B"
        rest = live - prev - (b1 - b0)
        lines.append(f"{label:34s} {live - prev:+8,d} B  {names}  {rest:+7,d} B  {live:8,d} B")
    for name, why in sorted(fp["skipped"].items()):
        lines.append(f"not importable in the VM, not counted: {name} ({why})")
    vm_cmd = "VM run: " + fp["command"]
    figs.append(
        Figure(
            "heap_startup_bytes",
            steps[-1][1] - base,
            "B",
            "heap with every deployed module imported at once, board, HAL, Controller, Api"
            " (what each costs: in all, the names it interned and the pools' growth, the"
            " rest; the board's own boot: life_boot_bytes)",
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

    # Allocation per steady-state tick: tools.bench.tick_alloc.
    ta = _tick_alloc(ctx)
    own = ta["micropython_alloc_bytes_per_tick"]
    with_sim = ta["micropython_alloc_with_sim_bytes_per_tick"]
    figs.append(
        Figure(
            "alloc_bytes_per_tick",
            max(own.values()),
            "B",
            "allocated per steady-state control tick (worst of cooling, idle, heating)",
            f"{PY} -m tools.bench.tick_alloc",
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


# ---- the board's life -----------------------------------------------------------------

# The unix port is 64-bit: the firmware's objects take about this much more heap there
# than on the 32-bit ESP32 (measured with the same .mpy set: issue 13).
UNIX_64_BIT_FACTOR = 1.43


def section_life(ctx: Ctx) -> list[Figure]:
    """The board's heap as it lives: boot.py, main.py's app with every task and the
    REPL, then days of running (tools/bench/upy_bench/life.py), in the 32-bit VM and on the
    fixed-heap unix port; the firmware's figures (the rig's own heap taken off)."""
    cmd = bench_cmd("life")
    days = ctx.sizes["life_days"]
    image = bench_upy.board_image(os.path.join(REPO, "build", "bench", "board"), ctx.board)
    vm = bench_upy.life_vm(image, days)
    every = " ".join(f"{(v - vm['rig_bytes']) // 1024}" for v in vm["hourly"][::6])
    week = f"{days} days"
    lines = [
        f"{vm['commands']} REPL commands ({vm['refused']} refused), {vm['defrosts']} defrosts,"
        f" self-test {vm['selftest']}, {vm['starts']} compressor starts",
        f"firmware heap every 6 h, KB: {every}",
        f"the rig's own heap (taken off): {vm['rig_bytes']:,} B",
        "VM run: " + vm["command"],
    ]
    figs = [
        Figure("life_boot_bytes", vm["firmware_boot"], "B",
               "live heap once booted and controlling (VM, 32-bit)", cmd, lines, vm),
        Figure("life_steady_bytes", vm["firmware_steady"], "B",
               f"live heap after {week} of running (VM)", cmd),
        Figure("life_peak_bytes", vm["firmware_max"], "B",
               f"highest sample in {week}: {vm['max_at']}", cmd),
    ]  # fmt: skip
    smallest = bench_upy.smallest_unix_heap(image, 1)
    figs.append(
        Figure(
            "unix_smallest_heap_kb",
            smallest,
            "KB",
            "smallest fixed heap that boots and runs a day (unix port, 64-bit)",
            cmd,
            [f"stands for about {smallest / UNIX_64_BIT_FACTOR:.0f} KB on the ESP32 (/1.43)"],
        )
    )
    ux = bench_upy.life_unix(image, days, ctx.sizes["life_unix_heap"])
    figs.append(
        Figure(
            "unix_largest_free_bytes",
            ux["largest_free"],
            "B",
            f"largest free block after {week} in {ctx.sizes['life_unix_heap']}B (unix port)",
            cmd,
            [f"free in all: {ux['heap_total'] - ux['max']:,} B of {ux['heap_total']:,} B"
             " at the week's highest sample",
             "interned names (never freed): {names} in {pools} pools, {bytes:,} B once booted;"
             .format(**ux["qstr_booted"])
             + " {names} in {pools} pools, {bytes:,} B after the week".format(**ux["qstr_end"]),
             "run: " + ux["command"]],
            ux,
        )
    )  # fmt: skip
    figs += _life_romfs(ctx, ux, cmd)
    from tools.bench import tick_alloc

    ta = tick_alloc.run_vm(ctx.sizes["ticks"], unix=True)
    figs.append(
        Figure(
            "unix_alloc_bytes_per_tick",
            max(own for own, _sim in ta["alloc"].values()),
            "B",
            "allocated per steady-state control tick on the unix port",
            f"{PY} -m tools.bench.tick_alloc (run_vm(unix=True))",
        )
    )
    return figs


def _life_romfs(ctx: Ctx, ux: dict, cmd: str) -> list[Figure]:
    """The same life on the unix port with the package in a ROMFS image mounted at /rom
    (the .mpy code runs in place, as on a board built with ROMFS): what that saves. The
    VM has no VfsRom, so this is the 64-bit port's figure. The image's bytes are read
    into the rig's heap (flash on the board), so the heap is that much bigger."""
    image = bench_upy.board_image(
        os.path.join(REPO, "build", "bench", "board_rom"), ctx.board, rom=True
    )
    rom_kb = os.path.getsize(os.path.join(image, "rom.img")) // 1024 + 1
    heap_kb = int(ctx.sizes["life_unix_heap"].rstrip("K")) + rom_kb
    rom = bench_upy.life_unix(image, ctx.sizes["life_days"], f"{heap_kb}K")
    saved = ux["firmware_boot"] - rom["firmware_boot"]
    lines = [
        f"from the filesystem: {ux['firmware_boot']:,} B once booted; from ROMFS"
        f" {rom['firmware_boot']:,} B: {saved:,} B less"
        f" ({100 * saved / ux['firmware_boot']:.0f} %); the image: {rom_kb} KB of flash",
        f"after the week: {rom['firmware_steady']:,} B, highest {rom['firmware_max']:,} B",
        "run: " + rom["command"],
    ]
    return [
        Figure("unix_boot_bytes", ux["firmware_boot"], "B",
               "live heap once booted, unix port (64-bit), package on the filesystem", cmd),
        Figure("unix_romfs_boot_bytes", rom["firmware_boot"], "B",
               "the same with the package in ROMFS (code run in place)", cmd, lines, rom),
    ]  # fmt: skip


# ---- speed ---------------------------------------------------------------------------


def section_speed(ctx: Ctx) -> list[Figure]:
    """Speed of the control tick under MicroPython and CPython.

    Time per steady-state tick as a multiple of a trivial loop iteration on the same
    interpreter (medians of batches), so the figure travels between machines."""
    ta = _tick_alloc(ctx)
    cmd = f"{PY} -m tools.bench.tick_alloc"
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


# ---- the firmware against the reference thermostat ----------------------------------

CQ_PLOT_SCENARIO = "winter-humid"
CQ_PLOT = "winter_compare.png"  # in ctx.plot_dir (build/bench)
SEASON_SEED = 1  # synthetic_year(seed=1), the year docs/plant-model.md describes

# metrics key (tools/sim/metrics.py) -> (key suffix in bench.json, unit, what it is)
QUALITY_KEYS = {
    "comfort_pct": ("comfort_pct", "%", "time within 1 C of the setpoint"),
    "degree_hours_outside": ("outside_kh", "K*h", "degree-hours beyond the 1 C band"),
    "energy_kwh": ("energy_kwh", "kWh", "electricity"),
    "aux_kwh": ("aux_kwh", "kWh", "of which the aux heater"),
    "heat_per_kwh": ("heat_per_kwh", "", "heat moved per kWh drawn"),
    "heat_delivered_kwh": ("heat_kwh", "kWh", "heat delivered into the room"),
    "cool_delivered_kwh": ("cool_kwh", "kWh", "heat taken out of the room"),
    "compressor_starts": ("starts", "", "compressor starts"),
    "thermostat_starts": ("calls", "", "compressor starts for the thermostat (not defrost)"),
    "max_starts_in_any_hour": ("max_starts_per_hour", "", "most compressor starts in any hour"),
    "defrosts": ("defrosts", "", "defrosts"),
    "defrost_minutes": ("defrost_min", "min", "time in defrost"),
    "min_room_c": ("min_room_c", "C", "lowest room temperature"),
    "invariant_violations": ("breaks", "", "relay-log breaks of the firmware's safety rules"),
}
TABLE_NOTES = [
    "in 1 C: time within 1 C of the setpoint; K*h out: degree-hours beyond that band;",
    "max/h: most starts in any hour; defr: defrosts; low C: lowest room temperature;",
    "breaks: breaches of DESIGN's safety invariants found in the run (tools/sim/invariants.py)",
]


def cq_key(name: str) -> str:
    """The bench.json prefix of a control-quality run: "B cold-week" -> cq_B_cold_week."""
    return "cq_" + name.replace("-", "_").replace(" ", "_")


def _procs(ctx: Ctx) -> int:
    return max(1, min(ctx.sizes["procs"], os.cpu_count() or 1))


def _quality_figs(prefix: str, who: str, metrics: dict, what: str, cmd: str) -> list[Figure]:
    """One bench.json figure per metric: PREFIX_WHO_SUFFIX (shown in a table instead)."""
    return [
        Figure(
            f"{prefix}_{who}_{suffix}",
            None if metrics.get(key) is None else round(metrics[key], 3),
            unit,
            f"{what}, {who}: {label}",
            cmd,
            show=False,
        )
        for key, (suffix, unit, label) in QUALITY_KEYS.items()
    ]


def _fw_defrost_line(outs: dict) -> str | None:
    wired = {out["defrost_wired"] for (_, who), out in outs.items() if who == "fw"}
    if wired == {True}:
        return None
    return (
        "NOTE: the firmware's defrost is not wired into its Controller (the defrost hook is "
        "None): ours ran with no defrost at all"
    )


def _sim_notes(outs: dict) -> list[str]:
    """The simulator's notes on the runs (what it could not do), each once."""
    from tools.bench.quality import WHO

    notes = []
    for (_, who), out in outs.items():
        for note in out["notes"]:
            line = f"simulator ({WHO[who]}): {note}"
            if line not in notes:
                notes.append(line)
    return notes


def section_control_quality(ctx: Ctx) -> list[Figure]:
    """Control quality: the firmware against the reference thermostat, same plant and weather.

    Each bundled day runs twice in the simulator, once with our Controller and once
    with tools.sim.reference.StandardThermostat (ESPHome-style thermostat, 0.5 C deadband
    and overrun, 300 s min run and off per action, timed 60 min defrost)."""
    from tools.bench import plants, quality

    cmd = bench_cmd("control_quality")
    jobs = []
    scenarios = plants.runs(ctx.sizes["cq_h"])
    for name, sc in scenarios.items():
        keep = name == CQ_PLOT_SCENARIO
        for who in quality.WHO:
            jobs.append(quality.Job(name, sc, who, keep_rows=keep))
    outs = quality.run_jobs(jobs, _procs(ctx))

    plot = os.path.join(ctx.plot_dir, CQ_PLOT)
    os.makedirs(ctx.plot_dir, exist_ok=True)
    plot_sc = next(j.sc for j in jobs if j.key == CQ_PLOT_SCENARIO)
    quality.plot_compare(
        outs[(CQ_PLOT_SCENARIO, "fw")],
        outs[(CQ_PLOT_SCENARIO, "ref")],
        plot,
        f"{CQ_PLOT_SCENARIO}: {plot_sc['description']}: ours vs the reference thermostat",
    )

    table = [(n, who, outs[(n, who)]["metrics"]) for n in scenarios for who in quality.WHO]
    for _n, _who, m in table:
        moved = m["heat_delivered_kwh"] + m["cool_delivered_kwh"]
        m["heat_per_kwh"] = round(moved / m["energy_kwh"], 3) if m["energy_kwh"] else None
    lines = quality.compare_table(table) + TABLE_NOTES
    lines.append(
        "starts: every compressor start, the restarts inside our defrosts too; (calls): "
        "those for the thermostat;"
    )
    lines.append(
        "heat/kWh: heat moved into (or out of) the room per kWh drawn; aux: its heater's kWh;"
    )
    lines.append(
        "B ...: a second plant no default was tuned on (tools/bench/plants.py: heavier, "
        "leakier room, smaller slower unit)"
    )
    faults = [
        f"{n} {quality.WHO[who]}: {' '.join(m['faults'])}" for n, who, m in table if m["faults"]
    ]
    if faults:
        lines.append("fault codes raised: " + "; ".join(faults))
    note = _fw_defrost_line(outs)
    lines += ([note] if note else []) + _sim_notes(outs)
    shown = os.path.relpath(plot, REPO)
    shown = plot if shown.startswith("..") else shown  # relative inside the repository
    lines.append(f"plot: {shown}")
    figs = [
        Figure(
            "cq_scenarios",
            len(scenarios),
            "runs",
            "runs compared (days and weeks, two plants)",
            cmd,
            lines,
            {
                "hours": {n: sc["duration_h"] for n, sc in scenarios.items()},
                "plants": {n: "B" if plants.RUNS[n][1] else "ours" for n in scenarios},
                "plot": shown,
                "fw_defrost_wired": note is None,
                "metrics": {n: {who: m for nn, who, m in table if nn == n} for n in scenarios},
            },
            show=False,
        )
    ]
    for name, who, m in table:
        figs += _quality_figs(cq_key(name), who, m, name, cmd)
    return figs


def section_defrost(ctx: Ctx) -> list[Figure]:
    """Defrost: demand against timed, on the humid and the dry-cold winter days.

    tools/bench/defrost_compare.py runs the firmware with each defrost mode, and with the
    plant's frost held at zero (the ceiling), on both days and flat out."""
    cmd = bench_cmd("defrost")
    try:
        from tools.bench import defrost_compare
    except ImportError as e:
        return [
            Figure(
                "defrost_compare_runs",
                None,
                "",
                "demand vs timed defrost (tools/bench/defrost_compare.py)",
                cmd,
                [f"no figures: tools/bench/defrost_compare.py cannot be imported ({e})"],
            )
        ]
    hours = ctx.sizes["cq_h"]
    res = defrost_compare.compare(hours=hours, procs=_procs(ctx), capacity=True)
    runs = sum(len(modes) for modes in res.values())
    figs = [
        Figure(
            "defrost_compare_runs",
            runs,
            "runs",
            "defrost runs compared",
            cmd,
            [
                f"{hours or 24:g} h each; also: .venv/bin/python -m tools.bench.defrost_compare",
                *defrost_compare.table(res),
            ],
            res,
            show=False,
        )
    ]
    for day, modes in res.items():
        for mode, values in modes.items():
            for name, value in values.items():
                key = f"defrost_{day}_{mode}_{name}".replace("-", "_")
                figs.append(Figure(key, value, "", f"{day}, {mode}: {name}", cmd, show=False))
    return figs


def section_seasonal(ctx: Ctx) -> list[Figure]:
    """Seasonal: a sampled year of synthetic weather, the firmware against the reference.

    Every season_every_d-th day of synthetic_year(seed=1), midnight to midnight, each
    standing for its share of its month; a month's mode from its mean outdoor
    temperature (tools/bench/quality.py season_plan)."""
    from tools.bench import quality

    cmd = bench_cmd("seasonal")
    sz = ctx.sizes
    hours = sz["season_h"]
    plan = quality.season_plan(SEASON_SEED, sz["season_every_d"], sz["season_first_d"])
    jobs = [
        quality.Job(str(e["day"]), quality.day_scenario(e, SEASON_SEED, hours, ctx.board), who)
        for e in plan
        for who in quality.WHO
    ]
    outs = quality.run_jobs(jobs, _procs(ctx))
    totals, months = quality.season_totals(plan, outs, hours)
    represented = totals["fw"]["days"]
    label = f"{represented:g} days" if hours == 24 else f"{represented:g} x {hours:g} h"
    lines = [
        f"synthetic_year(seed={SEASON_SEED}): {len(plan)} sampled days (every "
        f"{sz['season_every_d']}th from day {sz['season_first_d']}), {hours:g} h each, "
        f"weighted to {label}",
        *quality.compare_table([("year", who, totals[who]) for who in quality.WHO]),
        "",
        f"{'month':5s} {'mode':4s} {'days':>4s}   {'kWh ours':>8s} {'ref':>6s}"
        f"   {'starts ours':>11s} {'ref':>5s}   {'defrosts ours':>13s} {'ref':>4s}"
        f"   {'in 1 C ours':>11s} {'ref':>6s}",
    ]
    for row in months:
        fw, ref = row["fw"], row["ref"]
        lines.append(
            f"{row['month']:5s} {row['mode']:4s} {row['samples']:4d}   "
            f"{fw['energy_kwh']:8.1f} {ref['energy_kwh']:6.1f}   "
            f"{fw['compressor_starts']:11.0f} {ref['compressor_starts']:5.0f}   "
            f"{fw['defrosts']:13.0f} {ref['defrosts']:4.0f}   "
            f"{fw['comfort_pct']:10.1f}% {ref['comfort_pct']:5.1f}%"
        )
    lines.append(
        "a month's figures: its sampled days x (days in the month / samples); "
        f"mode heat (21 C) below a {quality.HEAT_BELOW_C:g} C monthly mean, cool (24 C) above "
        f"{quality.COOL_ABOVE_C:g} C, auto (22 C) between"
    )
    note = _fw_defrost_line(outs)
    lines += ([note] if note else []) + _sim_notes(outs)
    cpu = {w: sum(o["cpu_s"] for (_, ww), o in outs.items() if ww == w) for w in quality.WHO}
    lines.append(
        f"CPU time of the runs: ours {cpu['fw']:.0f} s, reference {cpu['ref']:.0f} s "
        f"({_procs(ctx)} processes)"
    )
    if ctx.quick:
        lines.append("--quick: a smoke run, not a year")
    figs = [
        Figure(
            "season_days_sampled",
            len(plan),
            "days",
            "sampled days",
            cmd,
            lines,
            {
                "seed": SEASON_SEED,
                "hours_per_day": hours,
                "plan": plan,
                "months": months,
                "days": {
                    str(e["day"]): {w: outs[(str(e["day"]), w)]["metrics"] for w in quality.WHO}
                    for e in plan
                },
                "fw_defrost_wired": note is None,
                "cpu_s": {w: round(c, 1) for w, c in cpu.items()},
            },
            show=False,
        )
    ]
    for who in quality.WHO:
        figs += _quality_figs("season", who, totals[who], "year", cmd)
    return figs


def section_sim_speed(ctx: Ctx) -> list[Figure]:
    """Simulator speed: simulated time over wall time for a 24 h scenario.

    The firmware and the plant on CPython, winter-humid, one process, no trace kept."""
    from tools.sim import run_scenario
    from tools.sim import scenario as scenario_mod

    sc = scenario_mod.load(os.path.join(REPO, "scenarios", "winter-humid.json"))
    if ctx.sizes["sim_h"]:
        sc["duration_h"] = ctx.sizes["sim_h"]
    t0 = time.perf_counter()
    run_scenario(sc, every=3600, progress=False)
    wall = time.perf_counter() - t0
    speed = sc["duration_h"] * 3600 / wall
    cmd = bench_cmd("sim_speed")
    return [
        Figure(
            "sim_speed",
            round(speed),
            "x real time",
            f"simulator, {sc['name']} ({sc['duration_h']:g} h) in {wall:.1f} s",
            cmd,
        ),
        Figure(
            "sim_year_wall_h",
            round(8760 / speed, 2),
            "h",
            "a simulated year (8760 h) at that speed, one controller, one core",
            cmd,
        ),
    ]


SECTIONS = {
    "footprint": section_footprint,
    "life": section_life,
    "speed": section_speed,
    "sim_speed": section_sim_speed,
    "control_quality": section_control_quality,
    "defrost": section_defrost,
    "seasonal": section_seasonal,
}


# ---- the harness ---------------------------------------------------------------------


def print_section(name: str, figs: list[Figure], out=print) -> None:
    for i, f in enumerate(figs):
        if f.show:
            out(f"  {f.label + ' ':.<76s} {_fmt(f.value, f.unit)}")
        for line in f.lines:
            out(f"      {line}")
        nxt = figs[i + 1].command if i + 1 < len(figs) else None
        if f.command != nxt:
            out(f"    $ {f.command}")
    if not figs:
        out(f"  (no figures yet: section_{name}() in tools/bench/suite.py is a hook)")


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
    from tools import run_cli

    run_cli(main)
