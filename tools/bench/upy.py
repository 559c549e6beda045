"""The MicroPython side of `make bench`: run the scripts in tools/bench/upy_bench/ in the VM.

The VM scripts run under tools/bench/upy_bench/steps.mjs, not tools/upy_run.mjs: the npm VM
defers every garbage collection to the moment control returns to JavaScript, so a live
heap figure needs one top-level call per measurement (see steps.mjs). They import the
firmware as .mpy files compiled by mpy-cross, as the board does, and print one line
`BENCH {json}` that run_script() returns as a dict.
"""

import ast
import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys

from tools import FIRMWARE, REPO
from tools.device.mpy import compile_all

STEPS = os.path.join(REPO, "tools", "bench", "upy_bench", "steps.mjs")
SCRIPTS = os.path.join(REPO, "tools", "bench", "upy_bench")
VM_PKG = os.path.join(REPO, "node_modules", "@micropython", "micropython-webassembly-pyscript")
BENCH_MPY = os.path.join("build", "bench", "mpy")
# The VM's heap table is walked by every gc.mem_alloc(); 256 KB (about what an ESP32
# without PSRAM gives MicroPython) keeps that quick. The VM grows it if ever needed.
HEAP = 256 * 1024
# footprint.py's report of the interned names after step i (micropython.qstr_info()).
_NAMES = re.compile(
    r"NAMES (\d+)\nqstr pool: n_pool=\d+, n_qstr=(\d+), n_str_data_bytes=\d+, "
    r"n_total_bytes=(\d+)"
)


class VmError(RuntimeError):
    """The MicroPython run failed; the message holds its output."""


def rel(path: str) -> str:
    """A path as a command line run from the repository root shows it."""
    return os.path.relpath(path, REPO)


def vm_command(script: str, args, firmware_dir: str | None = None, heap: int = HEAP) -> list:
    cmd = ["node", rel(STEPS), "--heap", str(heap)]
    if firmware_dir:
        cmd += ["--firmware", rel(firmware_dir)]
    cmd += ["--mount", "boards:/boards", rel(os.path.join(SCRIPTS, script))]
    return cmd + [str(a) for a in args]


def run_script(script: str, args, firmware_dir: str | None = None, timeout_s: float = 900):
    """Run tools/bench/upy_bench/SCRIPT in the VM; return the dict of its BENCH line."""
    cmd = vm_command(script, args, firmware_dir)
    return _bench_line(cmd, _run_vm(cmd, timeout_s))


def _run_vm(cmd: list, timeout_s: float) -> subprocess.CompletedProcess:
    if shutil.which("node") is None or not os.path.isdir(VM_PKG):
        raise VmError(
            "the MicroPython VM is missing: install Node.js 20, then run 'npm ci' "
            "(make bench does it)"
        )
    return subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=timeout_s)


def deploy_files(board: str):
    """What `make deploy` puts on the board: tools.device.deploy's own list (deploy.File rows)."""
    from tools.device import deploy

    return deploy.build(deploy.board_path(board), frozen=False, out=lambda _msg: None)


def compile_firmware(out_dir: str) -> str:
    """Every firmware file to .mpy under out_dir (emptied first); return out_dir."""
    shutil.rmtree(out_dir, ignore_errors=True)
    compile_all(out_dir)
    return out_dir


def _heatpump_imports(path: str) -> set:
    """The heatpump.* modules a firmware file imports (anywhere in it, even in functions)."""
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("heatpump"))
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module == "heatpump":
                found.update("heatpump." + a.name for a in node.names)
            elif node.module.startswith("heatpump."):
                found.add(node.module)
    return found


def module_name(dest: str) -> str:
    """heatpump/hal/esp32.mpy -> heatpump.hal.esp32; heatpump/__init__.mpy -> heatpump."""
    name = dest.rsplit(".", 1)[0].replace("/", ".")
    return name[: -len(".__init__")] if name.endswith(".__init__") else name


def import_order(modules: list[str]) -> list[str]:
    """The modules in layers: each after the heatpump modules it imports (so the heap
    growth of each import is its own), in name order within a layer."""
    deps = {}
    for m in modules:
        path = os.path.join(FIRMWARE, *m.split("."))
        path = path + ".py" if os.path.exists(path + ".py") else os.path.join(path, "__init__.py")
        # a package's parents are imported first by Python itself
        parents = {".".join(m.split(".")[:i]) for i in range(1, m.count(".") + 1)}
        deps[m] = (_heatpump_imports(path) | parents) & set(modules) - {m}
    order = []
    while deps:
        ready = sorted(m for m in deps if not deps[m] - set(order))
        if not ready:  # an import cycle: take the rest in name order
            ready = sorted(deps)
        order += ready
        for m in ready:
            del deps[m]
    return order


def footprint(board: str, n_passes: int, mpy_dir: str) -> dict:
    """Heap per start-up step and allocation per sampling pass, importing the deploy set."""
    modules = [
        module_name(f.dest)
        for f in deploy_files(board)
        if f.dest.startswith("heatpump/") and f.dest.endswith(".mpy")
    ]
    args = [f"/boards/{board}.json", n_passes, *import_order(modules)]
    cmd = vm_command("footprint.py", args, mpy_dir)
    done = _run_vm(cmd, 900)
    out = _bench_line(cmd, done)
    names = {int(m[0]): (int(m[1]), int(m[2])) for m in _NAMES.findall(done.stdout)}
    if len(names) != len(out["heap"]):
        raise VmError(f"{len(names)} qstr_info reports for {len(out['heap'])} steps")
    # Each step: [label, live bytes, interned names, bytes of their pools] after it.
    out["heap"] = [[*step, *names[i]] for i, step in enumerate(out["heap"])]
    out["command"] = " ".join(cmd)
    return out


def day(board: str, seconds: int, mpy_dir: str, step_s: int = 3600) -> dict:
    """The simulated day in the VM (see tools/bench/upy_bench/day.py)."""
    args = [f"/boards/{board}.json", seconds, step_s]
    out = run_script("day.py", args, mpy_dir, timeout_s=max(900, seconds / 100))
    out["command"] = " ".join(vm_command("day.py", args, mpy_dir))
    return out


LIFE_SCRIPT = os.path.join(SCRIPTS, "life.py")


def board_image(out_dir: str, board: str = "esp32-devkitc", rom: bool = False) -> str:
    """What `make deploy` puts on the board, in out_dir (emptied first), with the
    stand-in `machine` in lib/ and the life rig's thermistor tables (mV at each whole
    degree from -40 to 80 C, from the board's own thermistor models) in rig/. With
    `rom`, the heatpump package is not on the filesystem but in rom.img, a ROMFS image
    (mpremote's writer) that the rig mounts at /rom as a board built with ROMFS would."""
    from heatpump import thermistor
    from heatpump.board import load_board

    shutil.rmtree(out_dir, ignore_errors=True)
    for f in deploy_files(board):
        dst = os.path.join(out_dir, f.dest)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copyfile(os.path.join(REPO, f.src), dst)
    os.makedirs(os.path.join(out_dir, "lib"))
    shutil.copyfile(
        os.path.join(SCRIPTS, "machine.py"), os.path.join(out_dir, "lib", "machine.py")
    )
    b = load_board(os.path.join(out_dir, "board.json"))
    mv = {}
    for sensor, spec in b.thermistors.items():
        ch = thermistor.Channel(spec, b.adc)
        mv[sensor] = [round(ch.mv_at(c)) for c in range(-40, 81)]
    os.makedirs(os.path.join(out_dir, "rig"))
    with open(os.path.join(out_dir, "rig", "tables.json"), "w") as f:
        json.dump({"lo_c": -40, "mv": mv}, f)
    # The unix port imports the rig as .mpy (the VM runs its source: steps.mjs).
    exe = os.path.join(os.path.dirname(sys.executable), "mpy-cross")
    rig_mpy = os.path.join(out_dir, "rig", "life.mpy")
    subprocess.run([exe, "-o", rig_mpy, "-s", "life.py", LIFE_SCRIPT], check=True)
    if rom:
        _package_to_romfs(out_dir)
    return out_dir


def _package_to_romfs(image: str) -> None:
    """Move image/heatpump into image/rom.img, a ROMFS image holding heatpump/."""
    from mpremote.romfs import VfsRomWriter, copy_recursively

    writer = VfsRomWriter()
    writer.opendir("heatpump")
    with contextlib.redirect_stdout(io.StringIO()):  # it prints the tree it writes
        copy_recursively(writer, os.path.join(image, "heatpump") + "/", "", False)
    writer.closedir()
    with open(os.path.join(image, "rom.img"), "wb") as f:
        f.write(writer.finalise())
    shutil.rmtree(os.path.join(image, "heatpump"))


def _length(days: float) -> str:
    """life.py's length argument: whole days, or hours ("6h") for a shorter life."""
    return str(int(days)) if days == int(days) else f"{round(days * 24)}h"


def life_vm_command(image: str, days: float) -> list:
    return ["node", rel(STEPS), "--heap", str(HEAP), "--mount", rel(image) + ":/",
            rel(LIFE_SCRIPT), _length(days)]  # fmt: skip


def life_unix_command(days: float, heap: str = "160K") -> list:
    """Run in the image folder, with MICROPYPATH=rig (the rig's .mpy)."""
    exe = os.path.join(os.path.dirname(sys.executable), "micropython")
    return [exe, "-X", "heapsize=" + heap, "-m", "life", _length(days)]


def _firmware_figures(out: dict) -> dict:
    """The firmware's heap: the live heap minus the rig's own (measured before boot)."""
    levels = dict(out["boot"])
    rig = levels["VM and this rig"]
    out["rig_bytes"] = rig
    out["firmware_boot"] = levels["main.py: booted"] - rig
    out["firmware_steady"] = out["hourly"][-1] - rig
    out["firmware_max"] = out["max"] - rig
    return out


def _bench_line(cmd, done) -> dict:
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("BENCH ")]
    if done.returncode or len(lines) != 1:
        raise VmError(
            f"{' '.join(cmd)} failed (exit {done.returncode}):\n"
            + done.stdout[-3000:]
            + done.stderr[-4000:]
        )
    return json.loads(lines[0][len("BENCH ") :])


def life_vm(image: str, days: float, timeout_s: float = 1800) -> dict:
    """The board's life in the 32-bit VM (tools/bench/upy_bench/life.py): live heap figures."""
    cmd = life_vm_command(image, days)
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=timeout_s)
    out = _firmware_figures(_bench_line(cmd, done))
    out["command"] = " ".join(cmd)
    return out


def life_unix(image: str, days: float, heap: str = "160K", timeout_s: float = 1800) -> dict:
    """The same life on the unix port in a fixed heap (run in the image folder), with
    the largest free block after it, in bytes (mem_info's blocks x the block size), and
    the interned names once booted and at the end (qstr_booted, qstr_end: pools, names,
    bytes), which MicroPython never frees."""
    cmd = life_unix_command(days, heap)
    env = dict(os.environ, MICROPYPATH="rig")
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=image, env=env,
                          timeout=timeout_s)  # fmt: skip
    out = _firmware_figures(_bench_line(cmd, done))
    m = re.search(r"max free sz: (\d+)", done.stdout)
    total = re.search(r"GC: total: (\d+)", done.stdout)
    if not m or not total:
        raise VmError("no mem_info in the unix port's output:\n" + done.stdout[-2000:])
    for when in ("booted", "end"):
        pattern = (
            rf"QSTR {when}\s+qstr pool: n_pool=(\d+), n_qstr=(\d+), "
            r"n_str_data_bytes=\d+, n_total_bytes=(\d+)"
        )
        q = re.search(pattern, done.stdout)
        if not q:
            raise VmError("no qstr_info in the unix port's output:\n" + done.stdout[-2000:])
        pools, names, size = (int(g) for g in q.groups())
        out["qstr_" + when] = {"pools": pools, "names": names, "bytes": size}
    out["block_bytes"] = 4 * out["word_bytes"]  # MicroPython's GC block: 4 words
    out["largest_free"] = int(m.group(1)) * out["block_bytes"]
    out["heap_total"] = int(total.group(1))
    out["command"] = f"cd {rel(image)} && MICROPYPATH=rig " + " ".join([rel(cmd[0]), *cmd[1:]])
    return out


def smallest_unix_heap(image: str, days: int = 1, lo_kb: int = 128, hi_kb: int = 512) -> int:
    """The smallest fixed heap (KB, a multiple of 8) in which the unix port boots the
    image and runs `days` of its life: bisection over whole runs."""
    lo, hi = lo_kb // 8, hi_kb // 8  # lo fails (assumed), hi passes (checked)
    life_unix(image, days, f"{hi * 8}K")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        try:
            life_unix(image, days, f"{mid * 8}K")
            hi = mid
        except VmError:
            lo = mid
    return hi * 8
