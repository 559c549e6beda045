"""A tool's output piped into a reader that stops early (`... | head`): no
BrokenPipeError traceback, whichever tool it is."""

import subprocess
import sys

import pytest

from tools import REPO

TOOLS = {
    "sizing": [
        "tools.install.sizing", "--area-m2", "20", "--ceiling-m", "2.4", "--sun", "sunny",
        "--insulation", "average", "--occupants", "3", "--unit-btu", "8000",
    ],
    "fit": ["tools.install.fit", "--list"],
    "thermistor": ["tools.install.thermistor", "--help"],
    "sim": ["tools.sim", "list"],
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_a_reader_that_stops_early_gets_no_traceback(name):
    p = subprocess.Popen(
        [sys.executable, "-m", *TOOLS[name]],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert p.stdout is not None and p.stderr is not None
    p.stdout.close()  # the reader is gone before the tool writes a line
    err = p.stderr.read()
    p.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert p.returncode in (0, 1), (p.returncode, err)
