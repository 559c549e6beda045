"""Put the firmware on an ESP32 over USB serial, attach to its REPL, write a freeze manifest.

    python -m tools.device.deploy deploy --port /dev/ttyUSB0 --board esp32-devkitc [--dry-run]
    python -m tools.device.deploy repl --port /dev/ttyUSB0 [--dry-run]
    python -m tools.device.deploy freeze --board esp32-devkitc --out build/manifest.py

(`make deploy`, `make repl` and `make freeze` run these.) `deploy`, in order:

1. validates the board file with heatpump.board (the check the app makes at boot);
2. compiles firmware/heatpump/ with mpy-cross into build/deploy/mpy: bytecode only, as
   no module uses @micropython.native/viper (if one ever does, -march=xtensawin is added);
3. reads the board with one `mpremote exec`: its .mpy version and the sha256 of every
   file the deploy manages. The board itself is the record of what is deployed, so
   another laptop, an interrupted deploy or a re-flashed board all come out right;
4. if anything differs, writes /safe_boot and resets the board: it comes up with the
   relays OFF, no app and no watchdog while files change (see boot.py);
5. creates folders, copies each changed file (`fs cp`), removes device files the build
   no longer has (a stale heatpump/x.py would shadow x.mpy), installs aiorepl when it is
   missing (`mip install aiorepl`: the laptop needs internet), writes the board file as
   /board.json;
6. removes /safe_boot and resets the board: the app starts.

On the board: /boot.py and /main.py (source: MicroPython runs only those as .py),
/board.json, /heatpump/**.mpy (hal/sim.py is not deployed), /lib/aiorepl.mpy.

--dry-run prints the mpremote commands instead of running them. It reads no board, so
it shows the plan for a blank board; a real run skips the files already there.
"""

import argparse
import glob
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass

from tools import FIRMWARE, REPO
from tools.device.mpy import compile_all, firmware_sources, mpy_cross

BOARDS_DIR = os.path.join(REPO, "boards")
BUILD_MPY = os.path.join("build", "deploy", "mpy")
NOT_DEPLOYED = ("heatpump/hal/sim.py",)  # the simulated HAL: desktop only
SAFE_BOOT = "safe_boot"  # the file that makes boot.py skip the app
NATIVE = re.compile(r"@micropython\.(native|viper|asm_xtensa)\b")
BOOT_WAIT_S = 3  # after a reset, before the next command: the board boots in ~1.5 s

# Runs on the board (`mpremote run`): its .mpy version and the sha256 of every file the
# deploy manages, as one JSON line.
PROBE = """\
import os, sys, json, hashlib, binascii


def sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1024)
            if not b:
                break
            h.update(b)
    return binascii.hexlify(h.digest()).decode()


files = {}
dirs = []


def walk(d):
    for e in os.ilistdir("/" + d):
        p = d + "/" + e[0]
        if e[1] == 0x4000:
            dirs.append(p)
            walk(p)
        else:
            files[p] = sha("/" + p)


for n in ("boot.py", "main.py", "board.json", "safe_boot"):
    try:
        files[n] = sha("/" + n)
    except OSError:
        pass
try:
    os.stat("/heatpump")
    dirs.append("heatpump")
    walk("heatpump")
except OSError:
    pass
try:
    lib = os.listdir("/lib")
except OSError:
    lib = []
mpy = getattr(sys.implementation, "_mpy", 0)
info = {"mpy": mpy, "version": sys.version, "files": files, "dirs": dirs, "lib": lib}
print("HPDEPLOY" + json.dumps(info))
"""
PROBE_FILE = os.path.join("build", "deploy", "probe.py")
HOLD = 'f=open("/%s","w");f.write("deploy");f.close()' % SAFE_BOOT  # noqa: UP031


class NoBoard(Exception):
    """No board answered (or mpremote could not run); the message says what to check."""


class DeployError(Exception):
    """A problem found before or during a deploy; the message says what to do."""


# ---- mpremote ---------------------------------------------------------------------


def mpremote_exe() -> str:
    exe = os.path.join(os.path.dirname(sys.executable), "mpremote")
    if os.path.exists(exe):
        return exe
    found = shutil.which("mpremote")
    if found:
        return found
    raise NoBoard(
        "mpremote is missing: run 'make tools' (it comes from requirements.txt), "
        "or install it with: pip install mpremote==1.29.0"
    )


def serial_ports() -> list[str]:
    try:
        from serial.tools import list_ports
    except ImportError:
        return []
    return sorted(p.device for p in list_ports.comports())


def check_port(port: str) -> None:
    """A clear error now, rather than mpremote's, when the port is not there."""
    here = ", ".join(serial_ports()) or "none"
    if not port:
        raise NoBoard(f"no serial port given: add PORT=/dev/ttyUSB0 (serial ports here: {here})")
    if port.startswith("/dev/") and not os.path.exists(port):
        raise NoBoard(
            f"no serial port {port}: is the board plugged in, with a data USB cable "
            f"(not a charge-only one)? Serial ports here: {here}"
        )


def explain(port: str, output: str) -> str:
    if "failed to access" in output:
        return (
            f"cannot open {port}: another program holds it (a serial monitor, or "
            "'make repl' in another terminal?) or you may not open it (Linux: add "
            "yourself to the dialout group, then log in again)"
        )
    if "could not enter raw repl" in output:
        return (
            f"the board on {port} does not answer as a MicroPython REPL: is MicroPython "
            "flashed on it (README: 1. Flash MicroPython), and nothing else on this port?"
        )
    tail = "\n".join(output.strip().splitlines()[-5:])
    return f"mpremote failed on {port}:\n{tail}"


def run_mpremote(argv: list[str], port: str, timeout_s: float) -> str:
    """Run `mpremote ...` (argv[0] is "mpremote"); its stdout, or NoBoard saying why not."""
    cmd = [mpremote_exe(), *argv[1:]]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, cwd=REPO)
    except subprocess.TimeoutExpired:
        raise NoBoard(
            f"no answer from {port} within {timeout_s:g} s: is MicroPython running on the "
            "board, at 115200 baud, and is this its port?"
        ) from None
    if done.returncode:
        raise NoBoard(explain(port, done.stdout + done.stderr))
    return done.stdout


def show(argv: list[str]) -> str:
    return "$ " + shlex.join(argv)


# ---- what goes on the board ---------------------------------------------------------


@dataclass
class File:
    dest: str  # path on the board, without the leading "/"
    src: str  # local file, relative to the repository
    size: int
    sha: str  # sha256 hex of its bytes


@dataclass
class Step:
    what: str  # the progress line
    argv: list[str] | None  # the mpremote command; None: nothing to run (unchanged)
    timeout_s: float = 60
    kind: str = ""  # "copy", "remove" or "" (for the summary)


def board_path(name_or_path: str) -> str:
    if name_or_path.endswith(".json") or os.sep in name_or_path:
        return name_or_path
    return os.path.join(BOARDS_DIR, name_or_path + ".json")


def board_names() -> list[str]:
    return sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(BOARDS_DIR, "*.json")))


def check_board(name_or_path: str):
    """The validated Board, or DeployError naming the problems and the boards there are."""
    from heatpump.board import BoardError, load_board

    if not name_or_path:
        raise DeployError("no board given: add BOARD=<name>; boards: " + ", ".join(board_names()))
    path = board_path(name_or_path)
    if not os.path.exists(path):
        raise DeployError(
            f"no board file {os.path.relpath(path, REPO)}: give BOARD=<name> of one of "
            f"{', '.join(board_names())}, or a path to a .json board file"
        )
    try:
        board = load_board(os.path.abspath(path))
    except BoardError as e:
        raise DeployError(f"the board file is not valid:\n{e}") from None
    check_channels(board, path)
    return board


def check_channels(board, path: str) -> None:
    """board_check's thermistor rules: each reading inside the ADC's accurate span and
    within 0.5 C where the control decides on it, or DeployError naming the channel."""
    from tools.install import board_check

    lines, ok = board_check.report(board)
    if not ok:
        bad = [ln.strip() for ln in lines if "<--" in ln]
        raise DeployError(
            "a thermistor channel does not read where the control needs it:\n  "
            + "\n  ".join(bad)
            + f"\n(python -m tools.install.board_check {os.path.relpath(path, REPO)} shows"
            " every channel)"
        )


def uses_native() -> list[str]:
    found = []
    for rel in firmware_sources():
        with open(os.path.join(FIRMWARE, rel)) as f:
            if NATIVE.search(f.read()):
                found.append(rel)
    return found


def _file(dest: str, path: str) -> File:
    with open(path, "rb") as f:
        data = f.read()
    rel = os.path.relpath(path, REPO)
    return File(dest, rel, len(data), hashlib.sha256(data).hexdigest())


def build(board_file: str, frozen: bool, out=print) -> list[File]:
    """Compile and list what goes on the board, in copy order."""
    native = uses_native()
    march = "xtensawin" if native else None
    written = compile_all(os.path.join(REPO, BUILD_MPY), march)
    if native:
        out(f"mpy-cross: {len(written)} files, -march=xtensawin for native code in {native}")
    else:
        out(
            f"mpy-cross: {len(written)} files to bytecode in {BUILD_MPY} "
            "(no native code, so no -march)"
        )
    files = []
    if not frozen:
        for rel in firmware_sources():
            if rel.startswith("heatpump/") and rel not in NOT_DEPLOYED:
                mpy = rel[:-3] + ".mpy"
                files.append(_file(mpy, os.path.join(REPO, BUILD_MPY, mpy)))
    files.append(_file("main.py", os.path.join(FIRMWARE, "main.py")))
    files.append(_file("board.json", board_file))
    files.append(_file("boot.py", os.path.join(FIRMWARE, "boot.py")))
    return files


def _dirs_of(dest: str) -> list[str]:
    parts = dest.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def plan(port: str, files: list[File], device: dict | None, frozen: bool = False) -> list[Step]:
    """The steps that bring the board from `device` (probe result; None: blank) to files."""
    conn = ["mpremote", "connect", port]
    dev_files = device["files"] if device else {}
    dev_dirs = set(device["dirs"]) if device else set()
    lib = device["lib"] if device else []
    wanted = {f.dest for f in files}
    changed = [f for f in files if dev_files.get(f.dest) != f.sha]
    stale = [] if frozen else sorted(p for p in dev_files if "/" in p and p not in wanted)
    dirs = sorted({d for f in changed for d in _dirs_of(f.dest)} - dev_dirs)
    need_aiorepl = not frozen and not any(n.startswith("aiorepl") for n in lib)
    drop_package = frozen and "heatpump" in dev_dirs
    held = SAFE_BOOT in dev_files  # an earlier deploy stopped half way
    if not (changed or stale or dirs or need_aiorepl or drop_package or held):
        return []
    w = max(len(f.dest) for f in files) + 1
    hold = [*conn, "exec", HOLD, "+", "reset", "+", "sleep", str(BOOT_WAIT_S)]
    steps = [Step(f"/{SAFE_BOOT} + reset: the board restarts, relays OFF, no app", hold, 30)]
    for d in dirs:
        steps.append(Step(f"{d + '/':<{w}}  mkdir", [*conn, "resume", "fs", "mkdir", ":" + d]))
    for f in files:
        line = f"{f.dest:<{w}} {f.size:>6,} B"
        if f in changed:
            argv = [*conn, "resume", "fs", "cp", "-f", f.src, ":" + f.dest]
            steps.append(Step(line + "  copy", argv, 60 + f.size / 2000, "copy"))
        else:
            steps.append(Step(line + "  unchanged", None))
    for p in stale:
        rm = [*conn, "resume", "fs", "rm", ":" + p]
        steps.append(Step(f"{p:<{w}}  remove (not in this build)", rm, kind="remove"))
    if drop_package:
        rm = [*conn, "resume", "fs", "rm", "-r", ":heatpump"]
        steps.append(Step("heatpump/: remove (the image's frozen copy is used)", rm))
    if need_aiorepl:
        mip = [*conn, "resume", "mip", "install", "aiorepl"]
        steps.append(Step("aiorepl: install from micropython-lib (needs internet)", mip, 180))
    release = [*conn, "resume", "fs", "rm", ":" + SAFE_BOOT, "+", "reset"]
    steps.append(Step(f"remove /{SAFE_BOOT} + reset: the app starts", release, 30))
    return steps


def mpy_major() -> int:
    """The .mpy version mpy-cross writes (6 for MicroPython 1.19 and later)."""
    done = subprocess.run([mpy_cross(), "--version"], capture_output=True, text=True)
    m = re.search(r"mpy v(\d+)", done.stdout)
    if not m:
        raise DeployError("cannot tell the .mpy version from: mpy-cross --version")
    return int(m.group(1))


def probe_argv(port: str) -> list[str]:
    """Write the probe script (build/deploy/probe.py); the command that runs it."""
    os.makedirs(os.path.join(REPO, os.path.dirname(PROBE_FILE)), exist_ok=True)
    with open(os.path.join(REPO, PROBE_FILE), "w") as f:
        f.write(PROBE)
    return ["mpremote", "connect", port, "run", PROBE_FILE]


def probe(port: str, timeout_s: float = 30) -> dict:
    out = run_mpremote(probe_argv(port), port, timeout_s)
    for line in out.splitlines():
        if line.startswith("HPDEPLOY"):
            return json.loads(line[len("HPDEPLOY") :])
    raise NoBoard(f"the board on {port} did not answer the file listing:\n{out.strip()[-500:]}")


def check_mpy(device: dict, want: int) -> None:
    have = device["mpy"] & 0xFF
    if have != want:
        raise DeployError(
            f"the board runs {device['version'].split(';')[-1].strip()} (.mpy v{have}); this "
            f"build makes .mpy v{want}: flash a current MicroPython image first (README: "
            "1. Flash MicroPython)"
        )


def deploy(args) -> int:
    out = print
    if not args.dry_run:
        check_port(args.port)  # fail before the compile when no board is there
    elif not args.port:
        raise NoBoard("no serial port given: add PORT=/dev/ttyUSB0")
    board = check_board(args.board)
    path = board_path(args.board)
    out(
        f"board {board.name}: {os.path.relpath(path, REPO)} is valid "
        f"({len(board.relays)} relays, {len(board.thermistors)} thermistors)"
    )
    for warning in board.warnings:
        out("  warning: " + warning)
    files = build(path, args.frozen, out)
    if args.dry_run:
        out(
            "dry run: no board is contacted. This is the plan for a blank board; a real run "
            "reads the board first (the command below) and skips files that are unchanged."
        )
        out(show(probe_argv(args.port)))
        for step in plan(args.port, files, None, args.frozen):
            out(f"# {step.what}")
            if step.argv:
                out(show(step.argv))
        return 0
    started = time.monotonic()
    out(f"reading the board on {args.port} ...")
    device = probe(args.port, args.timeout)
    check_mpy(device, mpy_major())
    out(f"  {device['version']}")
    steps = plan(args.port, files, device, args.frozen)
    if not steps:
        out("nothing to do: the board already has this build (no copy, no reset)")
        return 0
    n = sum(1 for s in steps if s.argv)
    i = 0
    for step in steps:
        if step.argv is None:
            out(f"        {step.what}")
            continue
        i += 1
        out(f"[{i:>2}/{n}] {step.what}")
        run_mpremote(step.argv, args.port, step.timeout_s)
    copied = sum(1 for s in steps if s.kind == "copy")
    removed = sum(1 for s in steps if s.kind == "remove")
    out(
        f"done in {time.monotonic() - started:.0f} s: {copied} copied, "
        f"{len(files) - copied} unchanged, {removed} removed. "
        f"Watch it run: make repl PORT={args.port}"
    )
    return 0


# ---- repl, freeze ---------------------------------------------------------------------


def repl(args) -> int:
    argv = ["mpremote", "connect", args.port, "resume", "repl"]
    if not args.port:
        raise NoBoard("no serial port given: add PORT=/dev/ttyUSB0")
    if args.dry_run:
        print(show(argv))
        return 0
    check_port(args.port)
    exe = mpremote_exe()
    print(
        f"attaching to the REPL on {args.port} without a reset: the app keeps running. "
        "Type hp.status(); leave with Ctrl-]"
    )
    return subprocess.call([exe, *argv[1:]])


def manifest_text(out_path: str) -> str:
    base = os.path.relpath(FIRMWARE, os.path.dirname(os.path.abspath(out_path)))
    files = [
        rel[len("heatpump/") :]
        for rel in firmware_sources()
        if rel.startswith("heatpump/") and rel not in NOT_DEPLOYED
    ]
    listed = "".join(f"        {f!r},\n" for f in files)
    return (
        "# MicroPython manifest: the heat pump firmware frozen into an ESP32 image.\n"
        "# Written by `make freeze`; the README (Frozen image) has the build command.\n"
        "# boot.py, main.py and board.json stay files on the flash: `make deploy FROZEN=1`.\n"
        'include("$(PORT_DIR)/boards/manifest.py")  # the port\'s own frozen modules\n'
        'require("aiorepl")  # the REPL that runs beside the app\n'
        "package(\n"
        '    "heatpump",\n'
        "    files=[\n"
        f"{listed}"
        "    ],\n"
        f"    base_path={base!r},  # relative to this file\n"
        ")\n"
    )


def freeze(args) -> int:
    board = check_board(args.board)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(manifest_text(args.out))
    print(f"wrote {args.out} (board {board.name} checked; its file is deployed, not frozen)")
    print("build the image in a MicroPython checkout with ESP-IDF set up (README: Frozen image):")
    print(f"  make -C ports/esp32 BOARD=ESP32_GENERIC FROZEN_MANIFEST={os.path.abspath(args.out)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m tools.device.deploy", description=__doc__.split("\n")[0]
    )
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("deploy", help="copy the firmware and a board file onto the board")
    d.add_argument("--port", default="", help="serial port, e.g. /dev/ttyUSB0")
    d.add_argument("--board", default="", help="board name (boards/NAME.json) or a path")
    d.add_argument("--dry-run", action="store_true", help="print the mpremote commands only")
    d.add_argument(
        "--timeout", type=float, default=30, help="seconds to wait for the board to answer"
    )
    d.add_argument(
        "--frozen",
        action="store_true",
        help="the image has heatpump frozen in: copy only boot.py, main.py, board.json",
    )
    r = sub.add_parser("repl", help="attach to the running REPL without a reset")
    r.add_argument("--port", default="")
    r.add_argument("--dry-run", action="store_true")
    f = sub.add_parser(
        "freeze", help="write a manifest.py to build an image with the firmware frozen in"
    )
    f.add_argument("--board", default="esp32-devkitc")
    f.add_argument("--out", default=os.path.join("build", "manifest.py"))
    args = p.parse_args(argv)
    try:
        return {"deploy": deploy, "repl": repl, "freeze": freeze}[args.cmd](args)
    except (NoBoard, DeployError) as e:
        print(f"{args.cmd}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    from tools import run_cli

    run_cli(main)
