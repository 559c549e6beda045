"""Every host_tests/upy/test_*.py module also runs under the real MicroPython VM."""

import glob
import os

import pytest
from upyvm import REPO, run_upy

UPY_DIR = os.path.join(REPO, "host_tests", "upy")
MODULES = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(UPY_DIR, "test_*.py")))


@pytest.mark.parametrize("module", MODULES)
def test_module_under_micropython(module):
    done = run_upy(os.path.join(UPY_DIR, "run_module.py"), module)
    report = done.stdout + done.stderr
    assert done.returncode == 0, "under MicroPython:\n" + report
    assert " 0 failed" in done.stdout, report
