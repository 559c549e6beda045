"""Check a board file and show what the firmware will make of it.

    python -m tools.install.board_check boards/esp32-devkitc.json     (or a name: esp32-devkitc)

Runs the validator the firmware runs at boot, then prints the relays (pin, OFF level),
the inputs, and for each thermistor: the temperatures it reads before a reading counts
as open or short, the part of that span inside the ESP32 ADC's accurate 150-2450 mV,
and the worst error of the whole chain (temperature -> divider -> 12-bit ADC ->
table -> tenths of a degree, as the simulator models it) over the range the control
needs. Exit status: 0 fine, 1 invalid board, 2 a channel misses its range or 0.5 C.
"""

import sys

from heatpump import thermistor
from heatpump.board import BoardError, load_board
from heatpump.hal.sim import SimHAL

from tools.install.chain import LIMIT_C, LSB_MV, MATTERS, table_chain_error


def accurate_span(ch):
    """(coldest, hottest) C whose pin voltage is inside the ADC's 150-2450 mV."""
    lo = max(ch.lo_mv, thermistor.USABLE_LO_MV)
    hi = min(ch.hi_mv, thermistor.USABLE_HI_MV)
    a, b = ch.c_at_mv(lo), ch.c_at_mv(hi)
    return min(a, b), max(a, b)


def chain_error(hal, sensor, lo_c, hi_c, step_c=0.01):
    """Worst (reading - truth) in C over lo_c..hi_c, and where; None if a reading faults."""
    ch = hal.channels[sensor]
    worst, at = 0.0, lo_c
    for k in range(round((hi_c - lo_c) / step_c) + 1):
        c = lo_c + k * step_c
        hal.set_temp(sensor, c)
        mv = hal.read_adc(sensor)
        if ch.fault(mv):
            return None, c
        err = ch.dC(mv) / 10 - c
        if abs(err) > abs(worst):
            worst, at = err, c
    return worst, at


def c_per_lsb(ch, c):
    """Temperature resolution at c: degrees per ADC step."""
    mv_per_c = abs(ch.mv_at(c - 0.5) - ch.mv_at(c + 0.5))
    return LSB_MV / mv_per_c


def ntc_power_uw(ch, lo_c, hi_c):
    """Most power the divider puts into the thermistor over lo_c..hi_c (self-heating)."""
    worst = 0.0
    for c in range(int(lo_c), int(hi_c) + 1):
        r = ch.ntc.ohm(c)
        i_ma = ch.supply_mv / (r + ch.divider_ohm)
        worst = max(worst, i_ma * i_ma * r)  # mA^2 * ohm = uW
    return worst


def _failed_limit(sensor, worst, inside, cold, hot):
    # Which rule the channel misses, and where to look for a better divider.
    if not inside or worst is None:
        why = f"{sensor}: the range is not all inside the accurate {cold:.1f}..{hot:.1f} C"
    else:
        why = f"{sensor}: {worst:+.2f} C is over {LIMIT_C} C (the part's coefficients?)"
    return why + "; python -m tools.install.thermistor fit TABLE.csv fits a part"


def report(board, tables=None):
    """The board as text, and whether every thermistor channel meets its range.
    tables: {sensor: [(celsius, ohm)]}, the part's own R-T table: that channel's error
    is then the real one (the table's resistance read through the board's coefficients),
    not the firmware against its own model."""
    tables = tables or {}
    hal = SimHAL(board)
    lines = [f"board {board.name} ({board.source or 'dict'})"]
    if board.description:
        lines.append("  " + board.description)
    season = "cool" if board.valve == "O" else "heat"
    fans = "one motor turns both fans" if board.shared_fan_motor else "separate fan motors"
    lines.append(f"  reversing valve {board.valve} (energised in {season}); {fans}")
    lines.append("relays (pin, level that holds it OFF):")
    for name, (pin, low) in board.relays.items():
        lines.append(f"  {name:16} GPIO{pin:<2} OFF={int(low)}{' (active low)' * low}")
    lines.append("inputs:")
    for name, (pin, low, pull) in board.inputs.items():
        level = "low" if low else "high"
        lines.append(f"  {name:16} GPIO{pin:<2} active {level}, pull {pull}")
    if "condensate_full" not in board.inputs:
        lines.append(
            "  (no condensate_full: the float switch must be in series with the compressor)"
        )
    lines.append(f"safe-boot pin: {board.safe_boot_pin}")
    adc = board.adc
    lines.append(
        f"thermistors (ADC {adc['atten_db']} dB, {adc['samples']} samples a reading, "
        f"divider supply {adc['supply_mv']} mV):"
    )
    ok = True
    for sensor, spec in board.thermistors.items():
        ch = hal.channels[sensor]
        model = spec.get("part") or ("sh" if "sh" in spec else f"beta {spec.get('beta')}")
        cold, hot = accurate_span(ch)
        lines.append(
            f"  {sensor:13} GPIO{spec['pin']} {model}, {spec['topology']}, "
            f"{spec['divider_ohm']} ohm: reads {ch.cold_dC / 10:.1f}..{ch.hot_dC / 10:.1f} C, "
            f"accurate {cold:.1f}..{hot:.1f} C"
        )
        if sensor not in MATTERS:
            continue
        lo, hi, why = MATTERS[sensor]
        if sensor in tables:
            worst, at = table_chain_error(tables[sensor], ch, lo, hi)
        else:
            worst, at = chain_error(hal, sensor, lo, hi)
        inside = cold <= lo and hi <= hot
        source = " against the part's table" if sensor in tables else ""
        if worst is None:
            verdict = f"FAULT at {at:.2f} C"
        else:
            verdict = f"worst {worst:+.2f} C at {at:.2f} C{source}"
        good = worst is not None and inside and abs(worst) < LIMIT_C
        ok = ok and good
        steps = sorted((c_per_lsb(ch, lo), c_per_lsb(ch, hi)))
        flag = "" if good else "  <-- " + _failed_limit(sensor, worst, inside, cold, hot)
        lines.append(
            f"      {why} {lo:+d}..{hi:+d} C: {verdict}; {steps[0]:.3f}-{steps[1]:.3f} C per "
            f"ADC step; <= {ntc_power_uw(ch, lo, hi):.0f} uW in the NTC{flag}"
        )
    for w in board.warnings:
        lines.append("warning: " + w)
    return lines, ok


def main(argv=None):
    import argparse

    from tools.install.thermistor import TableError, read_table

    p = argparse.ArgumentParser(prog="python -m tools.install.board_check")
    p.add_argument("board", help="BOARD.json or a board name")
    p.add_argument(
        "--table",
        action="append",
        default=[],
        metavar="SENSOR=TABLE.csv",
        help="the part's R-T table for a sensor: its real chain error",
    )
    a = p.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        board = load_board(a.board)
    except BoardError as e:
        print(f"invalid board: {e}", file=sys.stderr)
        return 1
    tables = {}
    for item in a.table:
        sensor, eq, path = item.partition("=")
        if not eq or sensor not in board.thermistors:
            known = ", ".join(board.thermistors)
            print(
                f"board_check: --table {item!r}: give SENSOR=TABLE.csv, SENSOR one of {known}",
                file=sys.stderr,
            )
            return 2
        try:
            tables[sensor] = read_table(path)
        except (OSError, TableError) as e:
            print(f"board_check: {e}", file=sys.stderr)
            return 2
    lines, ok = report(board, tables)
    print("\n".join(lines))
    return 0 if ok else 2


if __name__ == "__main__":
    from tools import run_cli

    run_cli(main)
