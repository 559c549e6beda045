"""Run a script under the real MicroPython VM (the npm WebAssembly port) from pytest."""

import os
import shutil
import subprocess

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNNER = os.path.join(REPO, "tools", "upy_run.mjs")
VM_PKG = os.path.join(REPO, "node_modules", "@micropython", "micropython-webassembly-pyscript")
INSTALL_HINT = (
    "The MicroPython tests need Node.js 20 and the pinned npm package "
    "@micropython/micropython-webassembly-pyscript: install Node.js, then run "
    "'npm ci' in the repository (or simply 'make test', which does it)."
)


def run_upy(script, *args, mounts=(), heap=None, timeout=600):
    """Run script under MicroPython; return the CompletedProcess (text output)."""
    if shutil.which("node") is None or not os.path.isdir(VM_PKG):
        pytest.fail(INSTALL_HINT, pytrace=False)
    cmd = ["node", RUNNER, "--mount", os.path.join(REPO, "boards") + ":/boards"]
    if heap:
        cmd += ["--heap", str(heap)]
    for host, vm in mounts:
        cmd += ["--mount", host + ":" + vm]
    cmd += [script, *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=REPO)
