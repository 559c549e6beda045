"""Fit the thermistor you have: `python -m tools.install.thermistor fit TABLE.csv`.

TABLE.csv is the part's resistance-temperature table from its datasheet: one row per
temperature, `celsius, ohm` (lines starting with # and a header row are skipped). The
tool fits the Steinhart-Hart curve 1/T = a + b ln R + c ln^3 R by least squares, prints
the coefficients as the board file wants them, and for each sensor the range where its
reading matters (board_check's): the worst error of the fit against the table, and of
the whole chain (the table's resistance -> the divider -> the 12-bit ADC -> the
firmware's table -> tenths of a degree), with the divider resistor from the E24 series
that reads that range best. Exit status: 0 done, 1 a sensor has no divider that reads
its range within 0.5 C, 2 bad input (the message names the line).
"""

import argparse
import math
import sys

import numpy as np
from heatpump import thermistor as th

from tools.install.chain import LIMIT_C, MATTERS, table_chain_error

T0_K = 273.15
E24 = (
    10,
    11,
    12,
    13,
    15,
    16,
    18,
    20,
    22,
    24,
    27,
    30,
    33,
    36,
    39,
    43,
    47,
    51,
    56,
    62,
    68,
    75,
    82,
    91,
)
DIVIDERS = [m * 10**e for e in range(2, 6) for m in E24]  # 1 kohm to 910 kohm


class TableError(ValueError):
    """A table that cannot be fitted; the message names the line or the rule."""


def read_table(path):
    """[(celsius, ohm)], coldest first, from a datasheet table file."""
    rows = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            text = line.split("#", 1)[0].strip()
            if not text:
                continue
            cells = [c for c in text.replace(";", ",").replace("\t", ",").split(",") if c.strip()]
            try:
                c, ohm = float(cells[0]), float(cells[1])
            except (ValueError, IndexError):
                if not rows:
                    continue  # a header row
                raise TableError(f"{path}:{n}: not 'celsius, ohm': {text!r}") from None
            if not (math.isfinite(c) and math.isfinite(ohm) and ohm > 0):
                raise TableError(f"{path}:{n}: {ohm} ohm at {c} C is not a resistance")
            rows.append((c, ohm))
    rows.sort()
    if len(rows) < 4:
        raise TableError(f"{path}: {len(rows)} rows; a fit needs at least 4 temperatures")
    for (c1, r1), (c2, r2) in zip(rows, rows[1:], strict=False):
        if c2 == c1 or r2 >= r1:
            raise TableError(
                f"{path}: {r1} ohm at {c1} C then {r2} ohm at {c2} C: an NTC's resistance"
                " falls as it warms, once per temperature"
            )
    return rows


def fit(rows, rounds=100):
    """Steinhart-Hart [a, b, c] with the least worst-case error in degrees over rows:
    least squares in 1/T weighted by T^2 (an error in 1/T times T^2 is one in kelvin),
    then Lawson's reweighting, which moves the weight to the rows with the largest
    error until the worst one is as small as it gets (minimax)."""
    ln_r = np.log([r for _, r in rows])
    t_k = np.array([c for c, _ in rows]) + T0_K
    design = np.column_stack([np.ones_like(ln_r), ln_r, ln_r**3])
    x = _lawson(design, 1 / t_k, t_k**2, rounds)
    if x[2] < 0:  # no NTC's curve bends that way (a Beta part's table fits c ~ -1e-11):
        x = np.append(_lawson(design[:, :2], 1 / t_k, t_k**2, rounds), 0.0)  # its Beta form
    return [float(v) for v in x]


def _lawson(design, y, scale, rounds):
    weight = np.full(len(y), 1 / len(y))
    x = None
    for _ in range(rounds):
        root = np.sqrt(weight) * scale
        x = np.linalg.lstsq(design * root[:, None], y * root, rcond=None)[0]
        err = np.abs((design @ x - y) * scale)
        if err.sum() == 0:
            break
        weight = weight * err / (weight * err).sum()
    return x


def fit_error(rows, sh, lo, hi):
    """Worst (fit - table) in C over the table's rows in lo..hi."""
    ntc = th.Ntc({"sh": sh})
    errs = [ntc.celsius(r) - c for c, r in rows if lo <= c <= hi]
    return max(errs, key=abs) if errs else None


def chain_error(rows, ch, lo, hi):
    """The chain's worst error over lo..hi from the table, or None if a reading there is
    outside the ADC's accurate span or faults."""
    return table_chain_error(rows, ch, lo, hi, accurate_only=True)[0]


def mv_per_c(ch, lo, hi):
    """The least pin-voltage change per degree over lo..hi (at one of its ends)."""
    return min(abs(ch.mv_at(c + 0.5) - ch.mv_at(c - 0.5)) for c in (lo, hi))


def best_divider(rows, sh, lo, hi, topology, supply_mv):
    """(ohm, chain error) of the E24 divider for lo..hi: of those within LIMIT_C, the
    one with the most millivolts per degree where it has the fewest (ADC noise and its
    steps matter least there); else the one with the least error."""
    within, best = [], None
    for ohm in DIVIDERS:
        spec = {"sh": sh, "divider_ohm": ohm, "topology": topology}
        try:
            ch = th.Channel(spec, {"supply_mv": supply_mv})
        except ValueError:
            continue  # no room in the ADC's range
        err = chain_error(rows, ch, lo, hi)
        if err is None:
            continue
        if abs(err) < LIMIT_C:
            within.append((mv_per_c(ch, lo, hi), ohm, err))
        if best is None or abs(err) < abs(best[1]):
            best = (ohm, err)
    if within:
        _, ohm, err = max(within)
        return ohm, err
    return best


def report(path, topology="ntc_low", supply_mv=3300):
    """The lines to print, and whether every sensor has a divider within LIMIT_C."""
    rows = read_table(path)
    # Fitted where the sensors read (with 10 C to spare), not over the whole table: a
    # datasheet's rows at 150 C would pull the curve away from the defrost's -25 C.
    lo_all = min(r[0] for r in MATTERS.values()) - 10
    hi_all = max(r[1] for r in MATTERS.values()) + 10
    near = [(c, r) for c, r in rows if lo_all <= c <= hi_all]
    sh = fit(near if len(near) >= 4 else rows)
    why = th.sh_problem(sh)
    if why is not None:
        raise TableError(f"{path}: the fit is not an NTC's curve ({why}): check the columns")
    lines = [
        f"{path}: {len(rows)} rows, {rows[0][0]:g}..{rows[-1][0]:g} C",
        f'board file: "sh": [{sh[0]:.7e}, {sh[1]:.7e}, {sh[2]:.7e}]',
        f"per sensor ({topology}, divider to {supply_mv} mV; the E24 resistor with the"
        f" most mV per degree within {LIMIT_C} C):",
    ]
    ok = True
    for sensor, (lo, hi, _what) in MATTERS.items():
        line, good = sensor_line(rows, sh, sensor, lo, hi, topology, supply_mv)
        lines.append(line)
        ok = ok and good
    return lines, ok


def sensor_line(rows, sh, sensor, lo, hi, topology, supply_mv):
    """(the line for one sensor, whether a divider reads its range within LIMIT_C)."""
    lo_t, hi_t = max(lo, rows[0][0]), min(hi, rows[-1][0])
    f_err = fit_error(rows, sh, lo_t, hi_t)
    best = best_divider(rows, sh, lo_t, hi_t, topology, supply_mv)
    fit_txt = "no rows" if f_err is None else f"fit {f_err:+.2f} C"
    short = "" if (lo_t, hi_t) == (lo, hi) else f" (the table covers {lo_t:g}..{hi_t:g})"
    head = f"  {sensor:13} {lo:+d}..{hi:+d} C{short}: {fit_txt}; "
    if best is None:
        return head + "no E24 divider reads it inside the ADC's 150-2450 mV", False
    ohm, err = best
    good = abs(err) < LIMIT_C
    mark = "" if good else f"  <-- over {LIMIT_C} C"
    return head + f"divider {ohm} ohm: chain {err:+.2f} C{mark}", good


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m tools.install.thermistor")
    sub = p.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fit", help="fit a datasheet's R-T table (celsius, ohm per line)")
    f.add_argument("table")
    f.add_argument("--topology", choices=th.TOPOLOGIES, default="ntc_low")
    f.add_argument("--supply-mv", type=int, default=3300)
    a = p.parse_args(argv)
    try:
        lines, ok = report(a.table, a.topology, a.supply_mv)
    except (OSError, TableError) as e:
        print(f"thermistor: {e}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    from tools import run_cli

    run_cli(main)
