"""Every host_tests/upy/test_*.py module also runs under both real MicroPythons: the
WebAssembly VM (32-bit, the board's number model and tick wrap) and the unix port with a
fixed 160 KB heap (the board's memory, at 64-bit object sizes). The unix port imports
the firmware and the test modules as .mpy, as the board imports the firmware: the
compiler's own heap is not the board's."""

import glob
import os

import pytest
from upyvm import REPO, UNIX_HEAP, run_unix, run_upy

UPY_DIR = os.path.join(REPO, "host_tests", "upy")
# The modules that do not yet fit the board's heap at 64-bit object sizes: the whole
# firmware with the simulated HAL and the test module itself, plus the self-test, a
# defrost rig, or a REPL command's modules (hp.config() with its checks and help).
# Issue 13 stays open until they run at UNIX_HEAP too; their heap here is the smallest
# that passed (measured on 2 Dec: defrost 208, lazy 200, typos 200, self-test 216-224
# KB, the last depending on the length of the checkout's path, which the .mpy files
# carry) plus at least 16 KB for fragmentation: hp.config() alone builds a 4 KB
# string, which needs one free block that large. 3 Dec: test_defrost failed at 224 KB
# and passed at 232 KB in a clone with a longer path (issue 15's aux and the app's
# split), so it runs at 248 KB. 4 Dec: test_repl_typos failed at 224 KB in a fresh
# clone once usage and text.on_screen joined the REPL's modules (its smallest was 216
# KB run by hand, self-test's 240), so it runs at 240 KB.
_OVER_BUDGET = {
    "test_defrost": "248K",
    "test_lazy": "256K",
    "test_repl_typos": "240K",
    "test_selftest": "256K",
}
MODULES = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(UPY_DIR, "test_*.py")))
# In make test only: the defrost rig's days take the VM 30 s, half of make check's time.
# The unix port runs the same module in make check, in 7 s.
_SLOW_IN_VM = ("test_defrost",)
VM_MODULES = [pytest.param(m, marks=pytest.mark.slow) if m in _SLOW_IN_VM else m for m in MODULES]


def _passed(done):
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    assert " 0 failed" in done.stdout, report


@pytest.mark.parametrize("module", VM_MODULES)
def test_module_under_the_webassembly_vm(module):
    _passed(run_upy(os.path.join(UPY_DIR, "run_module.py"), module))


@pytest.mark.parametrize("module", MODULES)
def test_module_under_the_unix_port_in_a_fixed_heap(module, mpy_path):
    heap = _OVER_BUDGET.get(module, UNIX_HEAP)
    _passed(run_unix(os.path.join(UPY_DIR, "run_module.py"), module, path=mpy_path, heap=heap))
