"""hpctl: talk to the running heat pump from a laptop, over the USB serial REPL.

    tools/device/hpctl --port /dev/ttyUSB0 status
    tools/device/hpctl --port /dev/ttyUSB0 set mode=heat setpoint=21.5
    tools/device/hpctl --port /dev/ttyUSB0 config [min_off_s=240 ...]
    tools/device/hpctl --port /dev/ttyUSB0 faults | stats | clear | log [N]

Each command is one `mpremote connect PORT resume exec CODE`: `resume` means no soft
reset, and aiorepl (which the app runs beside the control loop) takes the raw-REPL
command without stopping the app. CODE calls the same `hp` object a person uses at the
REPL (hp.status(), hp.set(...), ...) and prints its result as one JSON line, which
hpctl shows as the app's own screen (or as JSON with --json). --dry-run prints the
mpremote command instead of running it.

Exit codes: 0 done, 1 no board / no app / mpremote problem, 2 refused or bad usage.
"""

import argparse
import ast
import json
import re
import sys

from tools.device.deploy import NoBoard, check_port, run_mpremote, show

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
COMMANDS = {
    # command: (hp method, takes name=value pairs, what it does)
    "status": ("status", False, "mode, state, temperatures, relays, timers, faults"),
    "set": ("set", True, "change settings: set mode=heat setpoint=21.5 fan=auto speed=low"),
    "config": ("config", True, "show every config key, or change some: config min_off_s=240"),
    "faults": ("faults", False, "the fault log, newest first, and the active faults"),
    "stats": ("stats", False, "compressor starts, run time, fault counts"),
    "clear": ("clear", False, "release the latched lockouts (E2, E8)"),
    "log": ("log", False, "the app's recent events: log [N]"),
}


class Usage(Exception):
    """Bad command-line input; the message names it and what is allowed."""


def literal(text: str) -> str:
    """A command-line value as Python source: 21.5, 6, true, null, "x" or a bare word."""
    try:
        value = json.loads(text)
    except ValueError:
        value = text  # a bare word: heat, auto, low
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a Python string literal too, in double quotes
    raise Usage(f"{text!r}: a value is a number, a word, true/false or null")


SET_KEYS = ("mode", "setpoint", "fan", "speed")


def check_locally(cmd: str, key: str, source: str) -> None:
    """The firmware's own rules on one name=value before anything reaches the board
    (Usage names the problem). What depends on the board's state is left to it: the
    display unit of a setpoint, the speeds it has, the order of paired config keys."""
    from heatpump import config as C
    from heatpump import suggest

    value = ast.literal_eval(source)  # what literal() wrote
    keys, other = (SET_KEYS, C.keys()) if cmd == "set" else (C.keys(), SET_KEYS)
    if key not in keys:
        if key in other:
            kind, there = ("config key", "config") if cmd == "set" else ("setting", "set")
            raise Usage(f"{cmd}: {key} is a {kind}: hpctl {there} {key}=...")
        listed = None if cmd == "set" else "hpctl config"
        raise Usage(f"{cmd}: {suggest.unknown('name', key, keys, listed)}")
    try:
        if key == "setpoint":
            _setpoint(C, value)
        elif cmd == "set":
            C.validate_setting(key, value)
        else:
            C.validate(key, value)
    except ValueError as e:
        raise Usage(f"{cmd}: {e} (nothing sent to the board)") from None


def _setpoint(C, value) -> None:
    # The board knows which unit it shows; here a setpoint must fit one of them.
    try:
        C.setpoint_to_dC(value, "C")
    except ValueError:
        try:
            C.setpoint_to_dC(value, "F")
        except ValueError:
            allowed = f"{C.setpoint_range('C')} or {C.setpoint_range('F')}"
            raise ValueError(f"setpoint={value!r} is not allowed: {allowed}") from None


def call_of(cmd: str, args: list[str]) -> str:
    """The Python call on the board, e.g. hp.set(mode='heat', setpoint=21.5)."""
    method, pairs, _ = COMMANDS[cmd]
    parts = []
    if pairs:
        for arg in args:
            key, eq, value = arg.partition("=")
            if not eq or not NAME.fullmatch(key):
                raise Usage(f"{cmd}: {arg!r} is not name=value (e.g. mode=heat, setpoint=21.5)")
            source = literal(value)
            check_locally(cmd, key, source)
            parts.append(f"{key}={source}")
        if cmd == "set" and not parts:
            raise Usage("set: give at least one name=value, e.g. set mode=heat")
    elif cmd == "log":
        if len(args) > 1 or (args and not args[0].isdigit()):
            raise Usage("log: takes one optional number of events, e.g. log 20")
        parts = args
    elif args:
        raise Usage(f"{cmd} takes no arguments (got {' '.join(args)})")
    return f"hp.{method}({', '.join(parts)})"


# What runs on the board. A dict subclass (the app's Screen) goes into json.dumps as a
# plain dict: MicroPython would dump it through its __repr__, and dict(r) iterates keys.
DEVICE_CODE = """\
def _hpctl():
    import json
    if "hp" not in globals():
        print("HPCTL-NOAPP")
        return
    if not callable(getattr(type(hp), "METHOD", None)):
        print("HPCTL-MISSING METHOD")
        return
    try:
        r = CALL
    except ValueError as e:
        print("HPCTL-REFUSED " + str(e))
        return
    text = getattr(r, "text", None)
    if isinstance(r, dict):
        r = {k: r[k] for k in r}
    elif isinstance(r, (list, tuple)):
        r = list(r)
    try:
        print("HPCTL-JSON " + json.dumps({"text": text, "data": r}))
    except TypeError:
        print("HPCTL-JSON " + json.dumps({"text": text or repr(r), "data": None}))
_hpctl()
del _hpctl
"""


def device_code(cmd: str, args: list[str]) -> str:
    """The call on the board, its result printed as one tagged JSON line."""
    call = call_of(cmd, args)
    return DEVICE_CODE.replace("METHOD", COMMANDS[cmd][0]).replace("CALL", call)


def argv_of(port: str, cmd: str, args: list[str]) -> list[str]:
    return ["mpremote", "connect", port, "resume", "exec", device_code(cmd, args)]


def fmt_value(v) -> str:
    if v is None:
        return "--"
    if isinstance(v, bool):
        return "on" if v else "off"
    if isinstance(v, dict):
        return "  ".join(f"{k} {fmt_value(x)}" for k, x in v.items()) or "none"
    if isinstance(v, list):
        return ", ".join(fmt_value(x) for x in v) or "none"
    return str(v)


def fmt_data(data) -> str:
    """A readable screen from plain data, for results that bring no text of their own."""
    if isinstance(data, dict):
        width = max((len(k) for k in data), default=0)
        return "\n".join(f"{k:<{width}}  {fmt_value(v)}" for k, v in data.items())
    if isinstance(data, list):
        return "\n".join(fmt_value(x) for x in data) or "(none)"
    return fmt_value(data)


def result(port: str, output: str, as_json: bool) -> tuple[int, str]:
    """(exit code, what to print) from the board's answer."""
    lines = output.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("HPCTL-JSON "):
            payload = json.loads(line[len("HPCTL-JSON ") :])
            if as_json:
                return 0, json.dumps(payload["data"], indent=2)
            extra = "\n".join(lines[:i])  # anything the command printed itself
            text = payload["text"] or fmt_data(payload["data"])
            return 0, (extra + "\n" + text).strip()
        if line.startswith("HPCTL-REFUSED "):
            return 2, "refused: " + line[len("HPCTL-REFUSED ") :]
        if line.startswith("HPCTL-MISSING "):
            name = line.split()[1]
            return 1, f"this firmware has no hp.{name}(): deploy a newer one (make deploy)"
        if line == "HPCTL-NOAPP":
            return 1, (
                f"the board on {port} answers, but the app is not running (safe boot, or it "
                f"stopped): see why with make repl PORT={port}"
            )
    return 1, f"unexpected answer from the board on {port}:\n{output.strip()[-800:]}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="hpctl",
        description="Talk to the running heat pump over its USB serial REPL.",
        epilog="commands: " + "; ".join(f"{c}: {COMMANDS[c][2]}" for c in COMMANDS),
    )
    p.add_argument("--port", default="", help="serial port of the board, e.g. /dev/ttyUSB0")
    p.add_argument("--dry-run", action="store_true", help="print the mpremote command only")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--timeout", type=float, default=15, help="seconds to wait (default 15)")
    p.add_argument("command", choices=list(COMMANDS))
    p.add_argument("args", nargs="*", help="name=value pairs for set/config; N for log")
    a = p.parse_args(argv)
    try:
        if not a.port:
            raise NoBoard("no serial port given: add --port /dev/ttyUSB0")
        cmd = argv_of(a.port, a.command, a.args)
        if a.dry_run:
            print(show(cmd))
            return 0
        check_port(a.port)
        code, text = result(a.port, run_mpremote(cmd, a.port, a.timeout), a.json)
    except Usage as e:
        print(f"hpctl: {e}", file=sys.stderr)
        return 2
    except NoBoard as e:
        print(f"hpctl: {e}", file=sys.stderr)
        return 1
    print(text, file=sys.stdout if code == 0 else sys.stderr)
    return code


if __name__ == "__main__":
    from tools import run_cli

    run_cli(main)
