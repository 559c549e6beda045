"""plot.png of a simulator run, to be read at a glance.

Top: the room against its setpoint and the 1 C comfort band.
Middle: the outdoor air, the coils, and the frost on the outdoor coil.
Bottom: each relay of the board as bars, straight from the relay log (exact, whatever
--every thinned the trace to).
Defrost, power cuts and faults are shaded across all three; a fault that toggles is
drawn as one band (with how often it was raised) instead of a flicker of thin lines.
Each scenario event (a setting, a fault injected, a power cut, a blocked drain) is a
thin line across all three, named at the top.
"""

import math

import matplotlib

matplotlib.use("Agg")  # files only, no screen

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

try:
    from heatpump.fault_text import TEXT as FAULT_TEXT
except ImportError:  # the plot is also useful without the firmware's table
    FAULT_TEXT = {}

COMFORT_BAND_C = 1.0
SHADES = {"defrost": ("tab:purple", 0.28), "power off": ("dimgray", 0.30)}
FAULT_SHADE = ("tab:red", 0.13)
MERGE_FRACTION = 0.03  # fault bands closer than this share of the run are drawn as one
MIN_WIDTH_FRACTION = 0.005  # no band drawn narrower than this share of the run (4 px)
FROST_AXIS_MIN_KG = 0.2  # the frost axis spans at least this: a trace of frost looks small


def merge(spans, gap):
    """[[a, b], ...] (sorted) with the gaps shorter than gap closed: [(a, b, n_merged)]."""
    out = []
    for a, b in spans:
        if out and a - out[-1][1] < gap:
            out[-1][1] = max(out[-1][1], b)
            out[-1][2] += 1
        else:
            out.append([a, b, 1])
    return [tuple(s) for s in out]


def relay_spans(relay_log, end_ms):
    """{relay: [(on_ms, off_ms), ...]} from [(ms, name, on), ...]."""
    on_since = {}
    spans = {}
    for ms, name, on in relay_log:
        if on:
            on_since.setdefault(name, ms)
        elif name in on_since:
            spans.setdefault(name, []).append((on_since.pop(name), ms))
    for name, ms in on_since.items():
        spans.setdefault(name, []).append((ms, end_ms))
    return spans


def _time_axis(end_s):
    if end_s > 72 * 3600:
        return 86400.0, "time (days)"
    return 3600.0, "time (h)"


def event_label(ev):
    """A scenario event as a short label: {"at_min": 5, "set": {"mode": "cool"}} ->
    "set mode=cool"."""
    parts = []
    for key, value in ev.items():
        if key in ("at_min", "may_refuse"):
            continue
        if isinstance(value, dict):
            value = " ".join(f"{k}={v}" for k, v in value.items())
        parts.append(f"{key} {value}")
    return ", ".join(parts)


def _marks(axes, events, unit, end):
    # One line per event across the plots, its label at the top (skipped where the one
    # before is too close to read: the line still shows).
    last_x = -1.0
    for ev in sorted(events, key=lambda e: e["at_min"]):
        x = ev["at_min"] * 60 / unit
        for ax in axes:
            ax.axvline(x, color="tab:brown", lw=0.8, ls=":", alpha=0.9)
        if x - last_x > 0.03 * end:
            top = axes[0].get_xaxis_transform()
            style = {"rotation": 90, "va": "top", "ha": "left", "fontsize": 7}
            axes[0].text(x, 0.98, " " + event_label(ev), transform=top, color="tab:brown", **style)
            last_x = x


def _water(ax_c, t, samples, pan_float_kg, handles, labels):
    # Frost on the outdoor coil and, when the drain is blocked, the base pan's water
    # and the float switch's level, on one axis of kg to the right.
    frost = samples["frost_kg"]
    pan = samples.get("pan_kg") or []
    full = pan_float_kg is not None and pan and max(pan) >= 0.5 * pan_float_kg
    has_frost = frost and max(frost) > 1e-3
    if not (has_frost or full):
        return
    ax_f = ax_c.twinx()
    top = FROST_AXIS_MIN_KG
    if has_frost:
        ax_f.fill_between(t, 0, frost, color="tab:gray", alpha=0.3, lw=0)
        handles.append(Patch(color="tab:gray", alpha=0.3))
        labels.append("frost on outdoor coil")
        top = max(top, max(frost) * 1.15)
    if full:
        ax_f.plot(t, pan, color="tab:purple", lw=1.2)
        ax_f.axhline(pan_float_kg, color="tab:purple", lw=0.8, ls="-.")
        handles += [
            Line2D([], [], color="tab:purple"),
            Line2D([], [], color="tab:purple", ls="-."),
        ]
        labels += ["water in the base pan", "float switch level"]
        top = max(top, max(pan) * 1.15, pan_float_kg * 1.15)
    ax_f.set_ylabel("frost, pan water (kg)" if full else "frost (kg)", color="dimgray")
    ax_f.set_ylim(0, top)


def plot_run(
    samples, relay_log, relay_names, spans, end_s, path, title, subtitle="", events=(),
    pan_float_kg=None,
):  # fmt: skip
    """samples: lists t_s, room_c, outdoor_c, indoor_coil_c, outdoor_coil_c, frost_kg,
    pan_kg (optional), setpoint_c (None while off); spans: {"defrost" | "power off" |
    code: [[a_s, b_s]]}; events: the scenario's events ({"at_min": M, <action>});
    pan_float_kg: the water that lifts the float switch (its line is drawn once the pan
    fills to half of it: a blocked drain)."""
    unit, xlabel = _time_axis(end_s)
    t = [x / unit for x in samples["t_s"]]
    end = end_s / unit
    n_rel = len(relay_names)
    fig, (ax_t, ax_c, ax_r) = plt.subplots(
        3,
        1,
        figsize=(13, 8.8),
        sharex=True,
        gridspec_kw={"height_ratios": [3, 1.8, 0.45 + 0.22 * n_rel]},
    )

    # Room, setpoint and comfort band, outdoor.
    sp = [math.nan if s is None else s for s in samples["setpoint_c"]]
    if any(not math.isnan(s) for s in sp):
        lo = [s - COMFORT_BAND_C for s in sp]
        hi = [s + COMFORT_BAND_C for s in sp]
        ax_t.fill_between(t, lo, hi, color="tab:green", alpha=0.12, lw=0, label="setpoint +/- 1 C")
        # Over the room's trace: where they meet, the setpoint still shows.
        ax_t.plot(t, sp, color="tab:green", lw=1.2, ls="--", label="setpoint", zorder=3)
    ax_t.plot(t, samples["room_c"], color="black", lw=1.6, label="room")
    ax_t.set_ylabel("room (C)")

    # Outdoor air, coils and frost.
    ax_c.plot(t, samples["outdoor_c"], color="tab:blue", lw=1.2, label="outdoor air")
    ax_c.plot(t, samples["indoor_coil_c"], color="tab:orange", lw=0.8, label="indoor coil")
    ax_c.plot(t, samples["outdoor_coil_c"], color="tab:cyan", lw=0.8, label="outdoor coil")
    ax_c.set_ylabel("outdoor, coils (C)")
    handles, labels = ax_c.get_legend_handles_labels()
    _water(ax_c, t, samples, pan_float_kg, handles, labels)

    # Relays, exact from the log.
    on = relay_spans(relay_log, end_s * 1000)
    for row, name in enumerate(relay_names):
        bars = [(a / 1000 / unit, max((b - a) / 1000 / unit, 1e-4)) for a, b in on.get(name, ())]
        ax_r.broken_barh(bars, (row - 0.38, 0.76), color="tab:gray")
    ax_r.set_yticks(range(n_rel))
    ax_r.set_yticklabels([n.replace("_", " ") for n in relay_names], fontsize=8)
    ax_r.set_ylim(-0.6, n_rel - 0.4)
    ax_r.invert_yaxis()
    ax_r.set_xlabel(xlabel)
    ax_r.set_xlim(0, end)

    # Shading across all three, labels on top.
    shade_handles = []
    gap = MERGE_FRACTION * end_s
    for name, span_list in spans.items():
        color, alpha = SHADES.get(name, FAULT_SHADE)
        merged = merge(span_list, gap)
        for a, b, _n in merged:
            b = max(b, a + MIN_WIDTH_FRACTION * end_s)  # a 2-min defrost in a day still shows
            for ax in (ax_t, ax_c, ax_r):
                ax.axvspan(a / unit, b / unit, color=color, alpha=alpha, lw=0)
        if name not in SHADES:
            raised = len(span_list)
            text = FAULT_TEXT.get(name, "")
            text = text.split(":")[0] if text else "fault"
            many = f" ({raised} times)" if raised > 1 else ""
            shade_handles.append((Patch(color=color, alpha=0.35), f"{name} {text}{many}"))
            last_x = -1.0
            for a, _b, _n in merged:
                x = a / unit
                if x - last_x > 0.04 * end:
                    ax_t.text(
                        x,
                        1.0,
                        " " + name,
                        transform=ax_t.get_xaxis_transform(),
                        va="bottom",
                        ha="left",
                        fontsize=8,
                        color="tab:red",
                    )
                    last_x = x
        else:
            shade_handles.append((Patch(color=color, alpha=alpha + 0.1), name))

    _marks((ax_t, ax_c, ax_r), events, unit, end)
    for ax in (ax_t, ax_c, ax_r):
        ax.grid(alpha=0.3)
    h_t, l_t = ax_t.get_legend_handles_labels()
    h_t += [h for h, _ in shade_handles]
    l_t += [lab for _, lab in shade_handles]
    # Right of the plots, clear of the frost axis labels.
    legend = {"loc": "upper left", "bbox_to_anchor": (1.075, 1.0), "fontsize": 8, "frameon": False}
    ax_t.legend(h_t, l_t, **legend)
    ax_c.legend(handles, labels, **legend)
    fig.suptitle(title, fontsize=12, y=0.995)
    if subtitle:
        fig.text(0.5, 0.955, subtitle, ha="center", fontsize=8.5, color="dimgray")
    fig.subplots_adjust(left=0.09, right=0.75, top=0.92, bottom=0.06, hspace=0.12)
    fig.savefig(path, dpi=100)
    plt.close(fig)
