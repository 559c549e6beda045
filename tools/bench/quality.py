"""The firmware against the reference thermostat, on the same plant and weather (issue 8).

    outs = run_jobs([Job(key, sc, "fw"), Job(key, sc, "ref")], procs=2)
    plan = season_plan(seed=1, every_d=7, first_d=3)   # the days of the synthetic year
    totals, months = season_totals(plan, outs)
    lines = compare_table([(label, who, metrics), ...])
    plot_compare(fw_out, ref_out, path, title)

"fw" is the firmware's Controller, "ref" tools.sim.reference.StandardThermostat (an ESPHome
thermostat with a timed defrost board); both run in tools.sim's Run, so only the
control differs. The runs are independent of each other: run_jobs spreads them over a
process pool.
"""

import multiprocessing
import time
from dataclasses import dataclass

from tools.sim import TRACE_COLUMNS, run_scenario
from tools.sim import scenario as scenario_mod
from tools.sim.reference import StandardThermostat

WHO = {"fw": "ours", "ref": "reference"}

# The seasonal run: a month's mode from its mean outdoor temperature (what a user of a
# heat pump does: heat while it is cold, cool while it is hot, auto in between), with
# the setpoints of the bundled scenarios.
MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
HEAT_BELOW_C = 10.0  # a month with a mean below this runs in heat ...
COOL_ABOVE_C = 20.0  # ... above this in cool, in between in auto
SETPOINT_C = {"heat": 21.0, "auto": 22.0, "cool": 24.0}
START_NUDGE_C = 0.1  # a sampled day's room starts this far off the setpoint (season_plan)


def _reference(hal, config, settings):
    return StandardThermostat(hal, config, settings)


@dataclass
class Job:
    key: str  # the caller's name for the run, e.g. "winter-humid"
    sc: dict  # a validated scenario
    who: str  # "fw" or "ref"
    every: int = 10  # with keep_rows: a trace row every N ticks
    keep_rows: bool = False


def _run(job: Job) -> dict:
    t0, cpu0 = time.perf_counter(), time.process_time()
    factory = _reference if job.who == "ref" else None
    metrics, run, rows = run_scenario(
        job.sc,
        every=job.every,
        progress=False,
        controller_factory=factory,
        keep_rows=job.keep_rows,
    )
    return {
        "metrics": metrics,
        "rows": rows if job.keep_rows else None,
        "wall_s": time.perf_counter() - t0,
        "cpu_s": time.process_time() - cpu0,  # the same on a busy machine
        "notes": list(getattr(run, "notes", ())),  # what the simulator could not do
        # The firmware's defrost is a hook on the controller (None: no defrost wired).
        "defrost_wired": getattr(run.ctl, "defrost", None) is not None
        if job.who == "fw"
        else True,
    }


def run_jobs(jobs: list[Job], procs: int = 2) -> dict:
    """{(key, who): output} of every job; procs > 1 runs them in a process pool."""
    if procs <= 1 or len(jobs) <= 1:
        return {(j.key, j.who): _run(j) for j in jobs}
    # The firmware runs take longer: start them first so the pool ends evenly.
    order = sorted(range(len(jobs)), key=lambda i: jobs[i].who != "fw")
    with multiprocessing.get_context("fork").Pool(procs) as pool:
        outs = pool.map(_run, [jobs[i] for i in order], chunksize=1)
    return {(jobs[i].key, jobs[i].who): out for i, out in zip(order, outs, strict=True)}


# ---- the seasonal sample --------------------------------------------------------------


def month_of(day: int) -> int:
    """0-based month of a 0-based day of a 365-day year."""
    if not 0 <= day < 365:
        raise ValueError(f"day must be 0..364; got {day}")
    for m, n in enumerate(MONTH_DAYS):
        if day < n:
            return m
        day -= n
    raise AssertionError("unreachable: the months add up to 365 days")


def _year_temps(seed: int) -> list[float]:
    from tools.plant import synthetic_year

    return synthetic_year(seed=seed).t_c


def month_means(seed: int) -> list[float]:
    """Mean outdoor temperature of each month of synthetic_year(seed), C."""
    t = _year_temps(seed)
    means, h = [], 0
    for n in MONTH_DAYS:
        means.append(sum(t[h : h + 24 * n]) / (24 * n))
        h += 24 * n
    return means


def season_plan(seed: int = 1, every_d: int = 7, first_d: int = 3) -> list[dict]:
    """The sampled days: every `every_d`-th day from `first_d`, each with its mode,
    setpoint, weight (the days of its month over the samples in that month, so the
    weights of a full plan add up to 365) and the room temperature it starts at.

    A sampled day has no yesterday: it starts with the room at the setpoint, nudged
    START_NUDGE_C towards where the day's weather pulls it (below the setpoint when the
    day's mean outdoor temperature is below it). Ours in auto keeps the side (heating or
    cooling) it booted on until the room is changeover_dK past the setpoint; the nudge
    boots it on the side a continuous run would be on, not on a tie-break."""
    if not 1 <= every_d <= 365 or not 0 <= first_d < 365:
        raise ValueError(f"every_d 1..365 and first_d 0..364; got {every_d}, {first_d}")
    temps = _year_temps(seed)
    means = month_means(seed)
    days = list(range(first_d, 365, every_d))
    per_month = [0] * 12
    for d in days:
        per_month[month_of(d)] += 1
    plan = []
    for d in days:
        m = month_of(d)
        mean = means[m]
        mode = "heat" if mean < HEAT_BELOW_C else "cool" if mean > COOL_ABOVE_C else "auto"
        sp = SETPOINT_C[mode]
        day_mean = sum(temps[24 * d : 24 * d + 24]) / 24
        plan.append(
            {
                "day": d,
                "month": m,
                "mode": mode,
                "setpoint_c": sp,
                "weight": MONTH_DAYS[m] / per_month[m],
                "month_mean_c": round(mean, 1),
                "day_mean_c": round(day_mean, 1),
                "start_room_c": sp - START_NUDGE_C if day_mean < sp else sp + START_NUDGE_C,
            }
        )
    return plan


def day_scenario(entry: dict, seed: int, hours: float, board: str) -> dict:
    """One sampled day of season_plan as a scenario, midnight to midnight."""
    return scenario_mod.validate(
        {
            "name": f"year-{seed}-day-{entry['day']}",
            "board": board,
            "duration_h": hours,
            "start": {"room_c": entry["start_room_c"], "hour": 0},
            "weather": {"kind": "year", "seed": seed, "start_day": entry["day"]},
            "settings": {"mode": entry["mode"], "setpoint": entry["setpoint_c"], "fan": "auto"},
            "events": [],
        }
    )


# Totals over days: what adds up (weighted), what is a worst case, what is a time share.
_SUMMED = (
    "energy_kwh",
    "heat_delivered_kwh",
    "cool_delivered_kwh",
    "compressor_starts",
    "compressor_runtime_h",
    "defrosts",
    "defrost_minutes",
    "degree_hours_outside",
    "invariant_violations",
)


def combine(parts: list[tuple[float, float, dict]]) -> dict:
    """[(weight, hours, metrics)] -> totals: sums weighted, comfort weighted by time,
    worst cases (most starts in an hour, lowest and highest room) over the days."""
    out = {k: sum(w * m[k] for w, _, m in parts) for k in _SUMMED}
    asked = [(w * h, m["comfort_pct"]) for w, h, m in parts if m["comfort_pct"] is not None]
    total = sum(a for a, _ in asked)
    out["comfort_pct"] = sum(a * c for a, c in asked) / total if total else None
    out["max_starts_in_any_hour"] = max(m["max_starts_in_any_hour"] for _, _, m in parts)
    out["min_room_c"] = min(m["min_room_c"] for _, _, m in parts)
    out["max_room_c"] = max(m["max_room_c"] for _, _, m in parts)
    out["days"] = sum(w for w, _, _ in parts)
    return out


def season_totals(plan: list[dict], outs: dict, hours: float = 24.0):
    """({"fw": totals, "ref": totals}, [per month: {"month", "mode", "samples", "fw", "ref"}])."""
    totals = {
        who: combine([(e["weight"], hours, outs[(str(e["day"]), who)]["metrics"]) for e in plan])
        for who in WHO
    }
    months = []
    for m in sorted({e["month"] for e in plan}):
        entries = [e for e in plan if e["month"] == m]
        row = {"month": MONTHS[m], "mode": entries[0]["mode"], "samples": len(entries)}
        for who in WHO:
            row[who] = combine(
                [(e["weight"], hours, outs[(str(e["day"]), who)]["metrics"]) for e in entries]
            )
        months.append(row)
    return totals, months


# ---- printing and plotting ------------------------------------------------------------

# (metrics key, column heading, format)
COLUMNS = (
    ("comfort_pct", "in 1 C", "{:.1f}%"),
    ("degree_hours_outside", "K*h out", "{:.2f}"),
    ("energy_kwh", "kWh", "{:.2f}"),
    ("heat_per_kwh", "heat/kWh", "{:.2f}"),
    ("aux_kwh", "aux", "{:.2f}"),
    ("compressor_starts", "starts", "{:.0f}"),
    ("thermostat_starts", "(calls)", "{:.0f}"),
    ("max_starts_in_any_hour", "max/h", "{:.0f}"),
    ("defrosts", "defr", "{:.0f}"),
    ("defrost_minutes", "defr min", "{:.1f}"),
    ("min_room_c", "low C", "{:.1f}"),
    ("invariant_violations", "breaks", "{:.0f}"),
)


def compare_table(rows: list[tuple[str, str, dict]], columns=COLUMNS) -> list[str]:
    """Text lines: a heading, then one line per (label, who, metrics)."""
    cells = [
        ["-" if m.get(k) is None else fmt.format(m[k]) for k, _, fmt in columns]
        for _, _, m in rows
    ]
    widths = [
        2 + max(len(head), *(len(c[i]) for c in cells)) for i, (_, head, _) in enumerate(columns)
    ]
    width = max(len(label) for label, _, _ in rows)
    lines = [
        f"{'':{width}s} {'':9s}"
        + "".join(f"{h:>{w}s}" for (_, h, _), w in zip(columns, widths, strict=True))
    ]
    last = None
    for (label, who, _), row in zip(rows, cells, strict=True):
        text = "".join(f"{c:>{w}s}" for c, w in zip(row, widths, strict=True))
        lines.append(f"{label if label != last else '':{width}s} {WHO[who]:9s}{text}")
        last = label
    return lines


def _spans(t_h, flags):
    """(start, width) in hours of each run of truthy flags."""
    spans, start = [], None
    for t, on in zip(t_h, flags, strict=True):
        if on and start is None:
            start = t
        elif not on and start is not None:
            spans.append((start, t - start))
            start = None
    if start is not None:
        spans.append((start, t_h[-1] - start))
    return spans


def plot_compare(fw: dict, ref: dict, path: str, title: str) -> None:
    """A PNG: both rooms against the setpoint and its 1 C band, then per controller the
    compressor and the defrost periods as bars, on one time axis. fw, ref: run_jobs
    outputs with rows."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    col = {name: i for i, name in enumerate(TRACE_COLUMNS)}

    def series(out, name):
        return [r[col[name]] for r in out["rows"]]

    colors = {"fw": "tab:red", "ref": "tab:blue"}
    outs = {"fw": fw, "ref": ref}
    t_h = {who: [t / 3600.0 for t in series(out, "t_s")] for who, out in outs.items()}
    fig, (ax_t, ax_o, ax_r) = plt.subplots(
        3, 1, figsize=(13, 8.5), sharex=True, gridspec_kw={"height_ratios": [3.2, 1.1, 1.6]}
    )
    sp = series(fw, "setpoint_c")
    ax_t.fill_between(
        t_h["fw"],
        [s - 1 for s in sp],
        [s + 1 for s in sp],
        color="tab:green",
        alpha=0.12,
        lw=0,
        label="setpoint +/- 1 C (comfort band)",
    )
    ax_t.plot(t_h["fw"], sp, color="tab:green", lw=1.2, ls="--", label="setpoint")
    for who, out in outs.items():
        m = out["metrics"]
        label = (
            f"room, {WHO[who]}: {m['comfort_pct']:.0f}% in band, {m['energy_kwh']:.1f} kWh, "
            f"{m['compressor_starts']} starts, {m['defrosts']} defrosts"
        )
        ax_t.plot(t_h[who], series(out, "room_c"), color=colors[who], lw=1.3, label=label)
    ax_t.set_ylabel("room (C)")
    ax_t.grid(alpha=0.3)
    ax_t.legend(loc="lower left", bbox_to_anchor=(0.0, 1.01), fontsize=9, ncol=2, frameon=False)

    ax_o.plot(t_h["fw"], series(fw, "outdoor_c"), color="black", lw=1.2, label="outdoor air")
    for who, out in outs.items():
        ax_o.plot(
            t_h[who],
            series(out, "outdoor_coil_c"),
            color=colors[who],
            lw=0.7,
            alpha=0.8,
            label=f"outdoor coil, {WHO[who]}",
        )
    ax_o.set_ylabel("outdoor (C)")
    ax_o.grid(alpha=0.3)
    ax_o.legend(loc="lower left", bbox_to_anchor=(0.0, 0.98), fontsize=8, ncol=3, frameon=False)

    bars = [
        ("fw", "compressor", "compressor, ours"),
        ("fw", "defrost", "defrost, ours"),
        ("ref", "compressor", "compressor, reference"),
        ("ref", "defrost", "defrost, reference"),
    ]
    for row, (who, name, _) in enumerate(bars):
        shade = colors[who] if name == "compressor" else "tab:purple"
        spans = _spans(t_h[who], series(outs[who], name))
        ax_r.broken_barh(
            [(a, max(w, 0.01)) for a, w in spans], (row - 0.38, 0.76), color=shade, lw=0
        )
        if name == "defrost":  # minutes long on a day's axis: mark where each starts
            ax_r.plot([a for a, _ in spans], [row] * len(spans), "v", color=shade, ms=6)
    ax_r.set_yticks(range(len(bars)))
    ax_r.set_yticklabels([label for _, _, label in bars], fontsize=9)
    ax_r.set_ylim(-0.6, len(bars) - 0.4)
    ax_r.invert_yaxis()
    ax_r.set_xlabel("time (h)")
    ax_r.grid(axis="x", alpha=0.3)
    end_h = max(t_h["fw"][-1], 1e-3)
    ax_r.set_xlim(0, end_h)
    if end_h >= 4:
        ax_r.set_xticks(range(0, int(end_h) + 1, 2 if end_h <= 48 else 24))
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
