import os
import sys

import pytest
from hypothesis import HealthCheck, settings

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for sub in ("firmware", "host_tests/upy", ""):
    path = os.path.join(REPO, sub)
    if path not in sys.path:
        sys.path.insert(0, path)

# Property tests: `make test` runs the default profile, `make test-long` many more,
# `make check` a few (every invariant still tried, in seconds).
_common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("default", max_examples=500, **_common)
settings.register_profile("long", max_examples=5000, **_common)
settings.register_profile("quick", max_examples=25, **_common)  # make check
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def mpy_path(tmp_path_factory):
    """[firmware, board-side tests] compiled to .mpy: the unix port's import path (it
    imports them as the board imports the firmware; the compiler's heap is not ours)."""
    from tools.device.mpy import compile_all

    out = tmp_path_factory.mktemp("upy-mpy")
    fw, tests = str(out / "firmware"), str(out / "upy")
    compile_all(fw)
    compile_all(tests, root=os.path.join(REPO, "host_tests", "upy"))
    return [fw, tests]


# The longest modules first, a few minutes each (make test, 3 Dec): pytest-xdist hands
# out whole files in the order collected, so these start at once on both cores and the
# short ones fill in around them. In file-name order one core was left to finish the
# two simulated weeks alone (pytest took 11.7 to 14.3 min by how they fell).
LONGEST_FIRST = (
    "test_footprint.py",  # the VM's week, 4.6 min
    "test_abuse_props.py",  # 200 abuse runs, 4.1 min
    "test_footprint_unix.py",  # the unix port's week, 2.5 min
    "test_abuse_week.py",
    "test_defrost_props.py",
    "test_micropython.py",
    "test_invariants_props.py",
    "test_sim_scenarios.py",
)


def pytest_collection_modifyitems(items):
    here = os.path.dirname(os.path.abspath(__file__))
    gone = [n for n in LONGEST_FIRST if not os.path.exists(os.path.join(here, n))]
    if gone:
        raise pytest.UsageError(f"conftest.LONGEST_FIRST names no test file: {gone}")

    def rank(item):
        name = os.path.basename(str(item.fspath))
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: each file's own tests keep their order
