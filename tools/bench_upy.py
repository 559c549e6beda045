"""The MicroPython side of `make bench`: run the scripts in tools/upy_bench/ in the VM.

The VM scripts run under tools/upy_bench/steps.mjs, not tools/upy_run.mjs: the npm VM
defers every garbage collection to the moment control returns to JavaScript, so a live
heap figure needs one top-level call per measurement (see steps.mjs). They import the
firmware as .mpy files compiled by mpy-cross, as the board does, and print one line
`BENCH {json}` that run_script() returns as a dict.
"""

import ast
import json
import os
import shutil
import subprocess

from tools import FIRMWARE, REPO
from tools.mpy import compile_all

STEPS = os.path.join(REPO, "tools", "upy_bench", "steps.mjs")
SCRIPTS = os.path.join(REPO, "tools", "upy_bench")
VM_PKG = os.path.join(REPO, "node_modules", "@micropython", "micropython-webassembly-pyscript")
BENCH_MPY = os.path.join("build", "bench", "mpy")
# The VM's heap table is walked by every gc.mem_alloc(); 256 KB (about what an ESP32
# without PSRAM gives MicroPython) keeps that quick. The VM grows it if ever needed.
HEAP = 256 * 1024


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
    """Run tools/upy_bench/SCRIPT in the VM; return the dict of its BENCH line."""
    if shutil.which("node") is None or not os.path.isdir(VM_PKG):
        raise VmError(
            "the MicroPython VM is missing: install Node.js 20, then run 'npm ci' "
            "(make bench does it)"
        )
    cmd = vm_command(script, args, firmware_dir)
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=timeout_s)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("BENCH ")]
    if done.returncode or len(lines) != 1:
        raise VmError(
            f"{' '.join(cmd)} failed (exit {done.returncode}):\n"
            + done.stdout[-2000:]
            + done.stderr[-4000:]
        )
    return json.loads(lines[0][len("BENCH ") :])


def deploy_files(board: str):
    """What `make deploy` puts on the board: tools.deploy's own list (deploy.File rows)."""
    from tools import deploy

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
    out = run_script("footprint.py", args, mpy_dir)
    out["command"] = " ".join(vm_command("footprint.py", args, mpy_dir))
    return out


def day(board: str, seconds: int, mpy_dir: str, step_s: int = 3600) -> dict:
    """The simulated day in the VM (see tools/upy_bench/day.py)."""
    args = [f"/boards/{board}.json", seconds, step_s]
    out = run_script("day.py", args, mpy_dir, timeout_s=max(900, seconds / 100))
    out["command"] = " ".join(vm_command("day.py", args, mpy_dir))
    return out
